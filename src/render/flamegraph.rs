//! Flame graphs with inferno, from the report's call trees.
//!
//! Three kinds, all weighted by self time in ns ([`super::folded`]), never by
//! call count:
//! - per capture: every kept syscall, grouped under its title;
//! - per syscall: each failing syscall and each syscall a comparison uses;
//! - per comparison, two differential graphs (inferno's two-count mode). A
//!   differential graph draws the *second* profile's widths, so a frame only
//!   the first run has would be zero wide and vanish. Hence two graphs: the
//!   bad run's shape (what the bad run does instead) and the good run's shape
//!   (what the bad run never reaches). Both use the same colours: red = a
//!   larger share of the time in the bad run, blue = in the good run. The
//!   runs are normalised to the same total (inferno's `differential`
//!   `normalize`), because a call that fails early is much shorter than one
//!   that succeeds and would otherwise be all blue.
//!
//! Captures without durations (the function tracer, funcgraph-duration off)
//! get no graph, and [`FlameSet::missing`] says why.

use inferno::{differential, flamegraph};

use super::{
    folded::Folded,
    format::duration,
    units::Nanos,
    view::{CaptureView, ComparisonView, Report, SyscallView},
};

/// How many syscalls of one capture get a graph of their own.
const MAX_SYSCALL_GRAPHS: usize = 8;

/// What a graph covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every kept syscall of a capture.
    Capture(usize),
    /// One syscall: capture index, syscall `#N`.
    Syscall(usize, usize),
    /// A comparison drawn with one run's widths.
    Diff(usize, Shape),
}

/// Whose widths a differential graph draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The bad run's time; shows what it does instead.
    Bad,
    /// The good run's time; shows what the bad run never reaches.
    Good,
}

/// One rendered graph.
#[derive(Debug, Clone)]
pub struct Flamegraph {
    /// What it covers.
    pub scope: Scope,
    /// Path in the report directory (`flamegraphs/….svg`).
    pub file: String,
    /// Heading.
    pub title: String,
    /// How to read it (weights, colours, scaling).
    pub caption: String,
    /// The standalone SVG document inferno wrote.
    pub svg: String,
}

/// Every graph of a report, and why some could not be drawn.
#[derive(Debug, Clone, Default)]
pub struct FlameSet {
    /// Graphs in report order: comparisons, then captures.
    pub graphs: Vec<Flamegraph>,
    /// Scopes without a graph, with the reason.
    pub missing: Vec<(Scope, String)>,
}

impl FlameSet {
    /// The graphs of one scope kind, filtered.
    pub fn of(&self, f: impl Fn(&Scope) -> bool) -> impl Iterator<Item = &Flamegraph> {
        self.graphs.iter().filter(move |g| f(&g.scope))
    }
}

/// Draw every graph of the report.
pub fn build(r: &Report) -> FlameSet {
    let mut set = FlameSet::default();
    for (i, c) in r.comparisons.iter().enumerate() {
        diff_graphs(r, i, c, &mut set);
    }
    for c in &r.captures {
        capture_graphs(r, c, &mut set);
    }
    set
}

fn capture_graphs(r: &Report, c: &CaptureView, set: &mut FlameSet) {
    let mut all = Folded::default();
    for s in &c.syscalls {
        if let Some(root) = &s.root {
            all.add_tree(root, Some(&s.title));
        }
    }
    let scope = Scope::Capture(c.index);
    if all.is_empty() {
        set.missing.push((scope, no_time_reason(c)));
        return;
    }
    let title = format!("{}: all kept syscalls", c.label);
    let caption = format!(
        "{}, {} traced in total. Width = time (self time of each call, summed per call path), not call count.",
        crate::analyse::prose::plural(
            c.syscalls.iter().filter(|s| s.root.is_some()).count() as u64,
            "syscall"
        ),
        duration(Nanos(all.total_ns())),
    );
    push(
        set,
        scope,
        format!("flamegraphs/c{}-{}.svg", c.index, slug(&c.label)),
        title,
        caption,
        plain_svg(&all, &format!("{}: all kept syscalls", c.label)),
    );
    let used: Vec<usize> = r
        .comparisons
        .iter()
        .flat_map(|k| {
            [
                (k.good == c.index).then_some(k.good_syscall),
                (k.bad == c.index).then_some(k.bad_syscall),
            ]
        })
        .flatten()
        .collect();
    let chosen = c
        .syscalls
        .iter()
        .filter(|s| s.errno.is_some() || used.contains(&s.index))
        .take(MAX_SYSCALL_GRAPHS);
    for s in chosen {
        syscall_graph(c, s, set);
    }
}

fn syscall_graph(c: &CaptureView, s: &SyscallView, set: &mut FlameSet) {
    let scope = Scope::Syscall(c.index, s.index);
    let mut f = Folded::default();
    if let Some(root) = &s.root {
        f.add_tree(root, None);
    }
    if f.is_empty() {
        set.missing.push((scope, no_time_reason(c)));
        return;
    }
    let title = format!("{} #{} {} = {}", c.label, s.index, s.title, result(s));
    let caption = format!(
        "{} calls, {} traced. Width = time (self time of each call, summed per call path), not call count.",
        s.calls,
        duration(Nanos(f.total_ns())),
    );
    let svg = plain_svg(&f, &title);
    push(
        set,
        scope,
        format!(
            "flamegraphs/c{}-{}-{}-{}.svg",
            c.index,
            slug(&c.label),
            s.index,
            slug(&s.name)
        ),
        title,
        caption,
        svg,
    );
}

fn result(s: &SyscallView) -> String {
    match (s.ret, &s.errno) {
        (Some(v), Some(e)) => format!("{v} {e}"),
        (Some(v), None) => v.to_string(),
        (None, _) => "?".into(),
    }
}

fn diff_graphs(r: &Report, i: usize, c: &ComparisonView, set: &mut FlameSet) {
    let g = &r.captures[c.good];
    let b = &r.captures[c.bad];
    let fold = |cap: &CaptureView, idx: usize| {
        let mut f = Folded::default();
        if let Some(root) = cap
            .syscalls
            .iter()
            .find(|s| s.index == idx)
            .and_then(|s| s.root.as_ref())
        {
            f.add_tree(root, None);
        }
        f
    };
    let (gf, bf) = (fold(g, c.good_syscall), fold(b, c.bad_syscall));
    if gf.is_empty() || bf.is_empty() {
        let cap = if gf.is_empty() { g } else { b };
        for shape in [Shape::Bad, Shape::Good] {
            set.missing
                .push((Scope::Diff(i, shape), no_time_reason(cap)));
        }
        return;
    }
    let (gl, bl) = (g.label.as_str(), b.label.as_str());
    let (gt, bt) = (gf.total_ns(), bf.total_ns());
    let totals = format!(
        "{gl}: {} traced, {bl}: {}",
        duration(Nanos(gt)),
        duration(Nanos(bt))
    );
    for shape in [Shape::Bad, Shape::Good] {
        let (first, second, whose, other, scale) = match shape {
            Shape::Bad => (&gf, &bf, bl, gl, bt as f64 / gt as f64),
            Shape::Good => (&bf, &gf, gl, bl, gt as f64 / bt as f64),
        };
        let title = format!("{}: the {whose} run's time, coloured by change", c.syscall);
        let caption = format!(
            "Width = time in `{whose}` (self time summed per call path, not call count). \
             Red = a larger share of the time in the bad run `{bl}`, blue = in the good run `{gl}`{}. \
             `{other}` is scaled ×{scale:.3} to the same total ({totals}).",
            match shape {
                Shape::Good => "; here the calls the bad run never makes are drawn, in blue",
                Shape::Bad => "; the calls only the good run makes are in the other graph",
            }
        );
        let subtitle = format!(
            "width = {whose}'s time; red = larger share in the bad run ({bl}), blue = in the good run ({gl}); {other} scaled x{scale:.3}"
        );
        let svg = diff_svg(first, second, shape == Shape::Good, &title, &subtitle);
        let tag = match shape {
            Shape::Bad => "bad",
            Shape::Good => "good",
        };
        push(
            set,
            Scope::Diff(i, shape),
            format!(
                "flamegraphs/diff{i}-{}-{tag}-shape.svg",
                slug(&c.syscall.replace(['(', ')'], "-"))
            ),
            title,
            caption,
            svg,
        );
    }
}

fn push(
    set: &mut FlameSet,
    scope: Scope,
    file: String,
    title: String,
    caption: String,
    svg: Result<String, String>,
) {
    match svg {
        Ok(svg) => set.graphs.push(Flamegraph {
            scope,
            file,
            title,
            caption,
            svg,
        }),
        Err(e) => set.missing.push((scope, e)),
    }
}

fn no_time_reason(c: &CaptureView) -> String {
    if !c.has_calls() {
        "No flame graph: the capture holds no traced function call.".into()
    } else if c.reconstructed() {
        "No flame graph: the function tracer prints no durations, and a graph weighted by call count would mislead (use `function_graph`).".into()
    } else if !c.options.duration {
        "No flame graph: the capture has no duration column (echo 1 > options/funcgraph-duration)."
            .into()
    } else if c.syscalls.is_empty() {
        // Graphs are drawn from the kept trees, and the keep policy (or
        // `--syscall`) kept none: the calls may well have durations.
        "No flame graph: no call tree was kept.".into()
    } else {
        "No flame graph: no traced call of it has a duration.".into()
    }
}

/// Width of every graph, px. A fixed width (not inferno's fluid mode) keeps
/// the viewBox, so the page scales the SVG to its frame with CSS; fluid mode
/// measures the outermost `<svg>`, which has no size of its own once the SVG
/// is inside an HTML document.
pub const WIDTH: usize = 1200;

/// inferno's options shared by every graph: deterministic colours (by name
/// hash, no randomness), ns as the unit, a fixed width.
fn options(title: &str, subtitle: &str) -> flamegraph::Options<'static> {
    let mut o = flamegraph::Options::default();
    o.image_width = Some(WIDTH);
    o.title = title.to_string();
    o.subtitle = Some(subtitle.to_string());
    o.count_name = "ns".into();
    o.name_type = "Function:".into();
    o.hash = true;
    o
}

/// Subtitle of the plain graphs.
const WEIGHT_NOTE: &str = "width = time (ns of self time per call path), not call count";

fn plain_svg(f: &Folded, title: &str) -> Result<String, String> {
    render(&mut options(title, WEIGHT_NOTE), &f.text())
}

/// A differential graph: `first` is the reference, `second` gives the
/// widths; `negate` keeps red meaning "the bad run" when the good run is
/// drawn.
fn diff_svg(
    first: &Folded,
    second: &Folded,
    negate: bool,
    title: &str,
    subtitle: &str,
) -> Result<String, String> {
    let mut two = Vec::new();
    differential::from_readers(
        differential::Options {
            normalize: true,
            strip_hex: false,
        },
        first.text().as_bytes(),
        second.text().as_bytes(),
        &mut two,
    )
    .map_err(|e| format!("No flame graph: {e}"))?;
    let two = String::from_utf8_lossy(&two);
    let mut o = options(title, subtitle);
    o.negate_differentials = negate;
    render(&mut o, &two)
}

/// inferno sorts the lines itself, so the order of `folded` does not matter.
fn render(o: &mut flamegraph::Options<'_>, folded: &str) -> Result<String, String> {
    let mut out = Vec::new();
    flamegraph::from_lines(o, folded.lines(), &mut out)
        .map_err(|e| format!("No flame graph: {e}"))?;
    String::from_utf8(out).map_err(|e| format!("No flame graph: {e}"))
}

/// A file-name-safe form of a label or name.
fn slug(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    let t = t.trim_matches(['.', '_', '-']).to_string();
    if t.is_empty() { "x".into() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("bad--funcgraph-retval"), "bad--funcgraph-retval");
        assert_eq!(slug("<b>\u{fffd}\"x</b>"), "b___x__b");
        assert_eq!(slug("../.."), "x");
    }
}
