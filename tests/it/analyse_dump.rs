//! The one place the analysis unit tests touch the library: build traces
//! from inline capture text (read → parse → model, nothing rendered), run
//! the analysis, and dump what it found as compact text. When the model or
//! the analysis API changes, this file changes; the cases in
//! `analyse_units.rs` do not.
//!
//! The dump, one line per fact:
//!
//! ```text
//! good: openat() = 3 (funcgraph-retval) the compared syscalls, result, its source
//! bad: openat() = -2 ENOENT (sys_exit event)
//! = do_sys_openat2                     aligned rows: `=` both runs, `+` good only,
//! +   getname                          `-` bad only; indented by depth (the good
//! -   putname ×2/×1 noise wrapper      side's, the bad side's for `-`), with fold
//!                                      counts, noise, wrapper, and `@g1/b2` when a
//!                                      row's two depths differ
//! minor: under … good … bad …          differences that meet again
//! split: under A; after B; good next C (inside|after A); bad next D|returns
//! origin: errno 2 at f; chain a > b > f; good f|-
//!   span: …
//! gap: f 45.0 µs, untraced 41.0 µs [at split] [where …]
//! candidate: f [wrapper] [traceable good/bad]
//! verdict: …                           the verdict paragraph as plain text
//! ```

use std::io::Cursor;

use expect_test::Expect;
use tracereport::{
    analyse::{AnalyseOptions, Comparison, GapThresholds, analyse},
    load::{Capture, CaptureInput, read_source},
    model::{BuildOptions, CallTree, syscall::RetSource},
    read::{self, InputPath},
};

/// Analyse the good and the bad capture text and compare the dump with
/// `expect` (`UPDATE_EXPECT=1 cargo test` rewrites it).
pub fn check(good: &str, bad: &str, expect: Expect) {
    check_with(good, bad, &AnalyseOptions::default(), expect);
}

/// [`check`] with the gap thresholds `(min_ns, min_ratio)` of
/// `--gap-min-us` and `--gap-min-ratio`.
pub fn check_gaps(good: &str, bad: &str, gaps: (u64, f64), expect: Expect) {
    let opts = AnalyseOptions {
        gaps: GapThresholds {
            min_ns: gaps.0,
            min_ratio: gaps.1,
        },
        ..AnalyseOptions::default()
    };
    check_with(good, bad, &opts, expect);
}

fn check_with(good: &str, bad: &str, opts: &AnalyseOptions, expect: Expect) {
    let captures = [capture(good, "good"), capture(bad, "bad")];
    expect.assert_eq(&dump(&captures, opts));
}

/// A capture from text in memory, as `tracereport FILE` would read it.
fn capture(text: &str, label: &str) -> Capture {
    let text = unindent(text);
    let len = text.len() as u64;
    let path = InputPath::File(format!("{label}.log").into());
    let source = read::from_reader(path.clone(), Box::new(Cursor::new(text)), Some(len), None)
        .expect("bytes in memory open");
    let input = CaptureInput {
        path,
        label: label.into(),
        format: None,
        digest: Default::default(),
    };
    read_source(source, &input, &BuildOptions::default()).unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// The case's text without the indentation the Rust source gives it, and
/// without blank lines: the kernel starts a function_graph line with a blank
/// before the CPU column, so one blank less than the lines share is cut.
fn unindent(text: &str) -> String {
    let blanks = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    let cut = lines
        .clone()
        .map(blanks)
        .min()
        .unwrap_or(0)
        .saturating_sub(1);
    let mut out = String::new();
    for line in lines {
        out.push_str(&line[cut..]);
        out.push('\n');
    }
    out
}

fn dump(captures: &[Capture], opts: &AnalyseOptions) -> String {
    let analysis = analyse(captures, opts);
    let mut out = String::new();
    for note in &analysis.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    if analysis.comparisons.is_empty() {
        out.push_str("no comparison\n");
    }
    for c in &analysis.comparisons {
        dump_comparison(captures, c, &mut out);
    }
    out
}

/// One compared tree: names and facts of its nodes.
struct Tree<'a> {
    capture: &'a Capture,
    tree: &'a CallTree,
}

impl Tree<'_> {
    fn name(&self, n: u32) -> &str {
        let node = &self.tree.nodes[n as usize];
        self.capture.trace.names.name(node.func)
    }

    fn opt(&self, n: Option<u32>) -> String {
        n.map_or("-".into(), |n| self.name(n).to_string())
    }

    fn ret(&self, n: u32) -> String {
        match self.tree.nodes[n as usize].ret {
            Some(r) => format!(" = {}", r.value()),
            None => String::new(),
        }
    }
}

fn side<'a>(captures: &'a [Capture], at: (usize, usize), out: &mut String) -> Tree<'a> {
    let capture = &captures[at.0];
    let s = &capture.trace.syscalls[at.1];
    let source = match s.ret_source {
        Some(RetSource::ExitEvent) => "sys_exit event",
        Some(RetSource::Retval) => "funcgraph-retval",
        None => "not captured",
    };
    out.push_str(&format!(
        "{}: {} = {} ({source})\n",
        capture.label,
        s.title(),
        match (s.ret, s.errno_name()) {
            (Some(r), Some(e)) => format!("{r} {e}"),
            (Some(r), None) => r.to_string(),
            (None, _) => "?".into(),
        }
    ));
    Tree {
        capture,
        tree: s.tree.as_ref().expect("a compared syscall has its tree"),
    }
}

fn dump_comparison(captures: &[Capture], c: &Comparison, out: &mut String) {
    let g = side(captures, c.plan.good, out);
    let b = side(captures, c.plan.bad, out);
    dump_rows(&g, &b, c, out);
    for m in &c.alignment.minors {
        out.push_str(&format!(
            "minor: under {}; good {}; bad {}{}\n",
            b.name(m.parent.1),
            g.opt(m.good),
            b.opt(m.bad),
            m.counts
                .map_or(String::new(), |(gc, bc)| format!("; counts {gc}/{bc}")),
        ));
    }
    dump_split(&g, &b, c, out);
    let o = &c.origin;
    match o.node {
        Some(n) => {
            let chain: Vec<String> = o
                .chain
                .iter()
                .map(|&k| format!("{}{}", b.name(k), b.ret(k)))
                .collect();
            out.push_str(&format!(
                "origin: errno {} at {}; chain {}; good {}\n",
                o.errno.map_or("-".into(), |e| e.to_string()),
                b.name(n),
                chain.join(" > "),
                g.opt(o.good_node),
            ));
        }
        None => out.push_str(&format!(
            "origin: none (errno {})\n",
            o.errno.map_or("-".into(), |e| e.to_string())
        )),
    }
    out.push_str(&format!("  span: {}\n", o.span));
    for s in &c.suspects {
        out.push_str(&format!(
            "gap: {} {}, untraced {}{}{}\n",
            b.name(s.node),
            us(s.duration_ns),
            us(s.gap_ns),
            if s.at_divergence { " [at split]" } else { "" },
            s.location
                .as_ref()
                .map_or(String::new(), |l| format!(" [where {l}]")),
        ));
    }
    for k in &c.candidates {
        let list = |t: Option<bool>| t.map_or("?", |t| if t { "yes" } else { "no" });
        out.push_str(&format!(
            "candidate: {}{}{}\n",
            k.func,
            if k.wrapper { " [wrapper]" } else { "" },
            match (k.traceable_good, k.traceable_bad) {
                (None, None) => String::new(),
                (tg, tb) => format!(" [traceable good {} bad {}]", list(tg), list(tb)),
            },
        ));
    }
    out.push_str(&format!(
        "verdict: {}\n",
        tracereport::render::prose::plain(&c.verdict).trim_end()
    ));
}

fn dump_rows(g: &Tree<'_>, b: &Tree<'_>, c: &Comparison, out: &mut String) {
    use tracereport::analyse::RowKind;
    for r in &c.alignment.rows {
        let (mark, name, depth) = match (r.kind, r.good, r.bad) {
            (RowKind::Same, Some(gn), Some(bn)) => {
                let (gname, bname) = (g.name(gn), b.name(bn));
                let name = if gname == bname {
                    gname.to_string()
                } else {
                    format!("{gname} / {bname}")
                };
                ('=', name, r.good_depth)
            }
            (RowKind::BadOnly, _, Some(bn)) => ('-', b.name(bn).to_string(), r.bad_depth),
            (_, Some(gn), _) => ('+', g.name(gn).to_string(), r.good_depth),
            (_, None, Some(bn)) => ('?', b.name(bn).to_string(), r.bad_depth),
            (_, None, None) => ('?', "(no node)".into(), 0),
        };
        let mut line = format!("{mark} {}{name}", "  ".repeat(depth as usize));
        if let Some((gc, bc)) = r.fold {
            line.push_str(&format!(" ×{gc}/×{bc}"));
        }
        if r.kind == RowKind::Same && r.good_depth != r.bad_depth {
            line.push_str(&format!(" @g{}/b{}", r.good_depth, r.bad_depth));
        }
        if r.noise {
            line.push_str(" noise");
        }
        if r.wrapper {
            line.push_str(" wrapper");
        }
        out.push_str(&line);
        out.push('\n');
    }
}

fn dump_split(g: &Tree<'_>, b: &Tree<'_>, c: &Comparison, out: &mut String) {
    let Some(d) = &c.divergence else {
        out.push_str("split: none\n");
        return;
    };
    let parent = if g.name(d.parent.0) == b.name(d.parent.1) {
        b.name(d.parent.1).to_string()
    } else {
        format!("{} / {}", g.name(d.parent.0), b.name(d.parent.1))
    };
    let good_next = match d.good_next {
        Some(n) if d.good_next_inside => format!("{} (inside)", g.name(n)),
        Some(n) => format!("{} (after {parent})", g.name(n)),
        None => "-".into(),
    };
    out.push_str(&format!(
        "split: row {}; under {parent}; after {}; good next {good_next}; bad next {}{}{}\n",
        d.row,
        d.last_common
            .map_or("-".into(), |(_, bn)| b.name(bn).to_string()),
        d.bad_next
            .map_or("returns".into(), |n| b.name(n).to_string()),
        if d.hidden { "; hidden" } else { "" },
        if d.reconverges { "; reconverges" } else { "" },
    ));
}

/// ns as µs with one decimal.
fn us(ns: u64) -> String {
    format!("{}.{} µs", ns / 1000, ns % 1000 / 100)
}
