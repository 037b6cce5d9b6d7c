//! `report.md` sized for a ticket. GitHub refuses an issue or comment body
//! over 65 536 characters, and a busy capture's report can be ten times that.
//! The full report is rendered first; when it is too long, the largest
//! foldable blocks (a call tree in `<details>`, a long table) are folded one
//! by one, largest first, until it fits, and a line near the top says what
//! was left out and that `index.html` has it. The verdict, the comparisons'
//! tables and the aligned diff are small and come first, so they stay.

use crate::analyse::prose::plural;

/// The most characters `report.md` may hold (GitHub's limit is 65 536; the
/// margin leaves room for a sentence of the reporter's own).
pub const MD_LIMIT: usize = 60_000;

/// A report file's link target: relative, or under `--link-base`.
pub fn link(base: Option<&str>, rel: &str) -> String {
    match base {
        Some(b) => format!("{}/{rel}", b.trim_end_matches('/')),
        None => rel.to_string(),
    }
}

/// The line that points a pasted report at its page (with `--link-base`).
pub fn page_line(base: Option<&str>) -> Option<String> {
    base.map(|_| {
        format!(
            "Interactive report (call trees, flame graphs, every syscall): [index.html]({})",
            link(base, "index.html")
        )
    })
}

/// Rows a folded table keeps at least (its header aside).
const MIN_TABLE_ROWS: usize = 5;

/// What one block of the rendered Markdown is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Lines that are never folded (headings, prose, the diff).
    Text,
    /// `<details>` … `</details>`: dropped as a whole when folded.
    Details,
    /// A table: folded to its first rows.
    Table,
    /// A fenced code block (a later comparison's diff, a recipe): replaced
    /// by one line, only once no `<details>` or table is left to fold.
    Fence,
}

/// A run of lines of one kind, under the section heading it belongs to.
struct Block {
    kind: Kind,
    lines: Vec<String>,
    /// The `###`/`##` heading above it (for the note).
    section: usize,
    chars: usize,
}

impl Block {
    fn new(kind: Kind, section: usize) -> Self {
        Block {
            kind,
            lines: Vec::new(),
            section,
            chars: 0,
        }
    }

    fn push(&mut self, l: &str) {
        self.chars += l.chars().count() + 1;
        self.lines.push(l.to_string());
    }
}

/// What was left out of one section.
#[derive(Default)]
struct Omitted {
    details: usize,
    rows: usize,
    blocks: usize,
}

/// Cut `md` into blocks, tracking headings and code fences (a `|` or
/// `<details>` inside a fence is code, not structure).
fn blocks(md: &str) -> (Vec<Block>, Vec<String>) {
    let mut out: Vec<Block> = Vec::new();
    let mut sections = vec![String::new()];
    let mut fence: Option<String> = None;
    let mut in_details = false;
    for line in md.lines() {
        let t = line.trim_start();
        let opens = fence.is_none() && t.starts_with("```");
        let kind = if in_details || (fence.is_none() && t.starts_with("<details>")) {
            Kind::Details
        } else if fence.is_some() || opens {
            Kind::Fence
        } else if t.starts_with('|') {
            Kind::Table
        } else {
            Kind::Text
        };
        if kind == Kind::Text && line.starts_with("##") {
            sections.push(line.trim_start_matches('#').trim().to_string());
        }
        let new_block = match out.last() {
            Some(b) => {
                b.kind != kind
                    || (kind == Kind::Details && !in_details)
                    || (kind == Kind::Fence && opens)
            }
            None => true,
        };
        if new_block {
            out.push(Block::new(kind, sections.len() - 1));
        }
        out.last_mut().expect("a block was pushed").push(line);
        fence = next_fence(fence, t);
        if kind == Kind::Details {
            in_details = !(fence.is_none() && t.contains("</details>"));
        }
    }
    (out, sections)
}

/// The fence still open after a line: a run of three or more backticks
/// opens one; a run at least as long closes it.
fn next_fence(open: Option<String>, t: &str) -> Option<String> {
    let ticks: String = t.chars().take_while(|&c| c == '`').collect();
    match open {
        Some(f) if ticks.len() >= f.len() && t[ticks.len()..].trim().is_empty() => None,
        Some(f) => Some(f),
        None if ticks.len() >= 3 => Some(ticks),
        None => None,
    }
}

/// Fold `md` to at most `limit` characters. `page` is where the whole
/// report is (`index.html`, absolute with `--link-base`).
pub fn fit_markdown(md: String, limit: usize, page: &str) -> String {
    if md.chars().count() <= limit {
        return md;
    }
    let (mut blocks, sections) = blocks(&md);
    let mut omitted: Vec<Omitted> = (0..sections.len()).map(|_| Omitted::default()).collect();
    loop {
        let note = note_line(&omitted, &sections, page);
        let total: usize = blocks.iter().map(|b| b.chars).sum::<usize>() + note.chars().count() + 2;
        if total <= limit {
            break;
        }
        let Some(k) = largest_foldable(&blocks) else {
            break;
        };
        fold(&mut blocks[k], &mut omitted);
    }
    let note = note_line(&omitted, &sections, page);
    let body = assemble(&blocks, &note);
    if body.chars().count() <= limit {
        return body;
    }
    cut(&body, limit, page)
}

/// The block whose folding saves the most: `<details>` and tables first,
/// then code blocks (never the first diff: the split itself).
fn largest_foldable(blocks: &[Block]) -> Option<usize> {
    let first_diff = blocks
        .iter()
        .position(|b| b.kind == Kind::Fence && b.lines[0].trim_start().ends_with("`diff"));
    let pick = |fences: bool| {
        blocks
            .iter()
            .enumerate()
            .filter(|(i, b)| match b.kind {
                Kind::Details => !fences && !b.lines.is_empty(),
                Kind::Table => !fences && b.lines.len() > MIN_TABLE_ROWS + 2,
                Kind::Fence => fences && b.lines.len() > 1 && Some(*i) != first_diff,
                Kind::Text => false,
            })
            .max_by_key(|(i, b)| (b.chars, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
    };
    pick(false).or_else(|| pick(true))
}

/// Drop a `<details>` block; halve a table's rows (not below the minimum).
fn fold(b: &mut Block, omitted: &mut [Omitted]) {
    match b.kind {
        Kind::Details => {
            omitted[b.section].details += 1;
            b.lines.clear();
        }
        Kind::Table => {
            // Header and delimiter rows stay; a previous fold's note row is
            // replaced.
            let rows = b.lines.len() - 2;
            let keep = (rows / 2).max(MIN_TABLE_ROWS);
            omitted[b.section].rows += rows - keep;
            b.lines.truncate(2 + keep);
        }
        Kind::Fence => {
            omitted[b.section].blocks += 1;
            b.lines = vec!["*(code block left out to fit; see index.html)*".to_string()];
        }
        Kind::Text => return,
    }
    b.chars = b.lines.iter().map(|l| l.chars().count() + 1).sum();
}

/// Blocks back into text, the note before the first section heading.
fn assemble(blocks: &[Block], note: &str) -> String {
    let mut out = String::new();
    let mut placed = note.is_empty();
    for b in blocks {
        for l in &b.lines {
            if !placed && l.starts_with("## ") {
                out.push_str(note);
                out.push_str("\n\n");
                placed = true;
            }
            out.push_str(l);
            out.push('\n');
        }
    }
    if !placed {
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    out
}

/// "Shortened to fit a ticket: …" naming each section's folded parts.
fn note_line(omitted: &[Omitted], sections: &[String], page: &str) -> String {
    let parts: Vec<String> = omitted
        .iter()
        .zip(sections)
        .filter(|(o, _)| o.details + o.rows + o.blocks > 0)
        .map(|(o, s)| {
            let mut what = Vec::new();
            if o.details > 0 {
                what.push(plural(o.details as u64, "collapsed block"));
            }
            if o.rows > 0 {
                what.push(plural(o.rows as u64, "table row"));
            }
            if o.blocks > 0 {
                what.push(plural(o.blocks as u64, "code block"));
            }
            let name = if s.is_empty() { "top" } else { s.as_str() };
            format!("{} ({name})", what.join(" and "))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "> **Shortened to fit a ticket** (at most {MD_LIMIT} characters): left out {}. \
         [index.html]({page}) and report.json have everything.",
        parts.join("; ")
    )
}

/// The last resort when what cannot be folded is itself too long (huge
/// notes, many comparisons): whole lines up to the limit, an open fence or
/// `<details>` closed, and a line saying the rest is in the page.
fn cut(md: &str, limit: usize, page: &str) -> String {
    let tail = format!(
        "\n> **Cut here to fit a ticket** (at most {MD_LIMIT} characters): the rest of the \
         report is in [index.html]({page}) and report.json."
    );
    let mut out = String::new();
    let mut used = tail.chars().count();
    let mut fence: Option<String> = None;
    let mut details = false;
    for line in md.lines() {
        let t = line.trim_start();
        let n = line.chars().count() + 1;
        // Room to close a fence and a `<details>` after this line.
        if used + n + 16 > limit {
            break;
        }
        used += n;
        out.push_str(line);
        out.push('\n');
        if fence.is_none() && t.starts_with("<details>") {
            details = true;
        }
        fence = next_fence(fence, t);
        if fence.is_none() && t.contains("</details>") {
            details = false;
        }
    }
    if let Some(f) = fence {
        out.push_str(&f);
        out.push('\n');
    }
    if details {
        out.push_str("</details>\n");
    }
    out.push_str(&tail);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: usize) -> String {
        let mut s = String::from("| a | b |\n|---|---|\n");
        for i in 0..rows {
            s.push_str(&format!("| row {i} | {} |\n", "x".repeat(40)));
        }
        s
    }

    fn details(lines: usize) -> String {
        let mut s = String::from("<details><summary>tree</summary>\n\n```text\n");
        for i in 0..lines {
            s.push_str(&format!("call_{i}();  | not a table\n"));
        }
        s.push_str("```\n\n</details>\n");
        s
    }

    #[test]
    fn short_reports_are_untouched() {
        let md = format!("# t\n\n## A\n\n{}", table(3));
        assert_eq!(fit_markdown(md.clone(), 1000, "index.html"), md);
    }

    #[test]
    fn the_largest_blocks_fold_first_and_the_note_says_so() {
        let md = format!(
            "# t\n\n**Verdict.** v\n\n## Comparison\n\ndiff\n\n## Captures\n\n### cap\n\n{}\n{}\n{}",
            table(400),
            details(2000),
            details(10)
        );
        let out = fit_markdown(md, 20_000, "https://x/r/index.html");
        assert!(out.chars().count() <= 20_000, "{}", out.len());
        assert!(out.contains("**Verdict.** v"));
        assert!(out.contains("\n## Comparison\n"));
        // The big tree went, the small one stayed; the table was halved.
        assert!(!out.contains("call_1999"));
        assert!(out.contains("call_9();"));
        assert!(out.contains("| row 0 |"));
        assert!(!out.contains("| row 399 |"));
        let note = out.lines().find(|l| l.contains("Shortened")).unwrap();
        assert!(note.contains("1 collapsed block"), "{note}");
        assert!(note.contains("table rows (cap)"), "{note}");
        assert!(note.contains("(https://x/r/index.html)"), "{note}");
        // The note comes before the first section.
        assert!(out.find("Shortened").unwrap() < out.find("## Comparison").unwrap());
        // Every fence still closes.
        assert_eq!(out.matches("```").count() % 2, 0);
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count()
        );
    }

    #[test]
    fn later_code_blocks_fold_once_nothing_else_is_left_but_never_the_first_diff() {
        let code = |lang: &str| format!("```{lang}\n{}```\n", "a line of code\n".repeat(300));
        let md = format!(
            "# t\n\n## One\n\n{}\n## Two\n\n{}\n{}",
            code("diff"),
            code("diff"),
            code("sh")
        );
        let out = fit_markdown(md, 6_000, "index.html");
        assert!(out.chars().count() <= 6_000, "{}", out.len());
        assert!(!out.contains("Cut here"), "{out}");
        assert!(out.contains("2 code blocks (Two)"), "{out}");
        assert_eq!(out.matches("a line of code").count(), 300);
    }

    #[test]
    fn unfoldable_text_is_cut_with_fences_closed() {
        let mut md = String::from("# t\n\n## Notes\n\n```diff\n");
        for i in 0..5000 {
            md.push_str(&format!("line {i} of a long note\n"));
        }
        md.push_str("```\n");
        let out = fit_markdown(md, 10_000, "index.html");
        assert!(out.chars().count() <= 10_000);
        assert!(out.contains("Cut here to fit a ticket"));
        assert_eq!(out.matches("```").count(), 2);
    }

    #[test]
    fn pipes_and_details_inside_fences_are_code() {
        let (b, _) = blocks("```\n| a |\n<details>\n```\n| t |\n");
        let kinds: Vec<Kind> = b.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, [Kind::Fence, Kind::Table]);
    }
}
