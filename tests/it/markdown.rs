//! report.md for tickets: renders as Markdown (checked with pulldown-cmark,
//! the renderer GitHub's is compatible with) without raw-HTML breakage, and
//! its links resolve to files in the report directory.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use crate::common::{CAPTURES, CAPTURES_NEW, DERIVED, Written, run};

/// Pairs with every report shape: graph with and without retval, the
/// function tracer (no flame graphs), hostile names, one capture alone.
fn reports() -> Vec<Written> {
    let x = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let pairs: Vec<Vec<String>> = vec![
        vec![
            format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
            format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
        ],
        vec![
            format!("{x}/ok--funcgraph-retval.log"),
            format!("{x}/bad--funcgraph-retval.log"),
            "--kernel-version".into(),
            "6.12".into(),
        ],
        vec![
            format!("{CAPTURES_NEW}/fn-bpf-map-create-unspec-7.3/ok.log"),
            format!("{CAPTURES_NEW}/fn-bpf-map-create-unspec-7.3/bad.log"),
        ],
        vec![
            format!("{DERIVED}/xss-fn-6.1/ok.log"),
            format!("{DERIVED}/xss-fn-6.1/bad.log"),
        ],
        vec![
            format!("{DERIVED}/xss-graph-6.1/ok.log"),
            format!("{DERIVED}/xss-graph-6.1/bad.log"),
        ],
        vec![format!(
            "{CAPTURES}/qemu-6.1/busy-2cpu/graph-syscalls-proc-abstime.log.gz"
        )],
    ];
    pairs
        .iter()
        .map(|p| run(&p.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect()
}

fn events(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

/// Issue 5, "what must hold" 4: the only raw HTML is the `<details>`,
/// `<summary>` and `<sub>` the template writes, balanced; trace text never
/// turns into markup.
#[test]
fn markdown_renders_without_raw_html_breakage() {
    for w in reports() {
        let label = w.json["captures"][0]["path"].to_string();
        let mut opened: Vec<String> = Vec::new();
        for e in events(&w.md) {
            let (Event::Html(h) | Event::InlineHtml(h)) = e else {
                continue;
            };
            let mut rest: &str = &h;
            while let Some(a) = rest.find('<') {
                let b = a + rest[a..]
                    .find('>')
                    .unwrap_or_else(|| panic!("{label}: {h}"));
                let tag = &rest[a + 1..b];
                let (close, name) = match tag.strip_prefix('/') {
                    Some(n) => (true, n),
                    None => (false, tag),
                };
                assert!(
                    ["details", "summary", "sub"].contains(&name),
                    "{label}: raw <{tag}> in {h:?}"
                );
                if close {
                    assert_eq!(
                        opened.pop().as_deref(),
                        Some(name),
                        "{label}: unbalanced </{name}>"
                    );
                } else {
                    opened.push(name.to_string());
                }
                rest = &rest[b + 1..];
            }
        }
        assert!(opened.is_empty(), "{label}: left open: {opened:?}");
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events(&w.md).into_iter());
        for bad in ["<script", "<b>", " onmouseover=", "<img", "<iframe"] {
            assert!(
                !html.contains(bad),
                "{label}: {bad} in the rendered Markdown"
            );
        }
        // Verdict first.
        let first = w.md.lines().nth(2).unwrap_or_default();
        assert!(
            first.starts_with("**Verdict.**") || first.starts_with("No syscall failed"),
            "{label}: {first}"
        );
    }
}

/// Issue 5, "what must hold" 4: every relative link names a file of the
/// report directory; flame graphs are linked when they could be drawn, and
/// the function tracer's report says why there are none.
#[test]
fn markdown_links_resolve_to_report_files() {
    let mut linked = 0;
    for w in reports() {
        for e in events(&w.md) {
            if let Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                ..
            }) = e
            {
                if dest_url.starts_with("https://") {
                    assert!(
                        dest_url.starts_with("https://elixir.bootlin.com/linux/v6.12/A/ident/")
                    );
                    continue;
                }
                assert!(w.out.join(&*dest_url).is_file(), "{dest_url} missing");
                // A report shortened for a ticket points at the page.
                if &*dest_url == "index.html" {
                    continue;
                }
                assert!(dest_url.starts_with("flamegraphs/") && dest_url.ends_with(".svg"));
                linked += 1;
            }
        }
        let fn_tracer = w.json["captures"][0]["options"]["reconstructed"] == true;
        if fn_tracer {
            assert!(w.md.contains("No flame graph: the function tracer prints no durations"));
            assert!(!w.out.join("flamegraphs").exists());
        } else {
            assert!(
                w.md.contains("](flamegraphs/"),
                "{}",
                w.json["captures"][0]["path"]
            );
        }
    }
    assert!(linked > 10, "{linked}");
}
