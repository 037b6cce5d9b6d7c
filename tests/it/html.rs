//! index.html as a product: everything inline, nothing loaded, every inline
//! script and style allowed by hash, trace text never markup, and the
//! embedded tree data decoding to exactly the report's trees.

use crate::{
    common::{CAPTURES, DERIVED, run},
    htmldoc::{bodies, column, page_data, sha256_b64, srcdocs, unescape, without_srcdocs},
};

fn blog() -> [String; 2] {
    [
        format!("{CAPTURES}/blog-xskmap/same-kernel-ok.log"),
        format!("{CAPTURES}/blog-xskmap/xskmap-einval.log"),
    ]
}

/// Issue 5, "what must hold" 1: the blog pair's page carries the verdict,
/// the aligned view, per-capture trees, per-syscall and differential flame
/// graphs, all inline.
#[test]
fn blog_pair_page_has_everything_inline() {
    let [g, b] = blog();
    let w = run(&[&g, &b]);
    let h = &w.html;
    assert!(h.contains(
        "<strong>Verdict.</strong> <strong>bpf(BPF_MAP_CREATE) failed with -22 EINVAL</strong>"
    ));
    let d = page_data(h);
    // The aligned view: its box and its rows, the divergence marked.
    assert!(h.contains("id=\"aligned-0\""));
    let c = &d["comparisons"][0];
    assert_eq!(
        c["n"],
        w.json["comparisons"][0]["aligned"]
            .as_array()
            .unwrap()
            .len()
    );
    assert_eq!(
        c["div"],
        w.json["comparisons"][0]["first_divergence"]["row"]
    );
    assert!(h.contains("<a class=\"jump\" href=\"#a0-"));
    // Per-capture trees: one box per capture, one tree per kept syscall.
    for cap in 0..2 {
        assert!(h.contains(&format!("id=\"tree-{cap}\"")));
        assert_eq!(d["captures"][cap]["syscalls"][0]["tree"], cap);
    }
    // Flame graphs: inline frames, per capture, per syscall, differential both ways.
    let docs = srcdocs(h);
    assert_eq!(
        docs.len(),
        6,
        "2 differential + 2 per capture + 2 per syscall"
    );
    for title in [
        "bpf(BPF_MAP_CREATE): the xskmap-einval run&#39;s time, coloured by change",
        "bpf(BPF_MAP_CREATE): the same-kernel-ok run&#39;s time, coloured by change",
        "xskmap-einval #0 bpf(BPF_MAP_CREATE) = -22 EINVAL",
        "same-kernel-ok: all kept syscalls",
    ] {
        assert!(h.contains(title), "{title}");
    }
    for doc in &docs {
        assert!(doc.contains("<svg "), "an SVG inline");
        assert!(doc.contains("id=\"frames\""));
    }
    // The summary header: each input's digest, as `b3sum` prints it.
    for cap in w.json["captures"].as_array().unwrap() {
        let hex = cap["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("blake3:")
            .unwrap();
        assert_eq!(hex.len(), 64);
        assert!(h.contains(&format!("blake3 <code class=\"hash\">{hex}</code>")));
    }
    assert_eq!(
        w.json["captures"][1]["digest"],
        "blake3:243d965030abb21acea66a85d9c9761bd48e6a85bf5d0c41f6904d7014256b47"
    );
}

/// `--digest sha256`: the digest `sha256sum` prints, in every output that
/// names the capture.
#[test]
fn sha256_digest_on_request() {
    let [g, b] = blog();
    let w = run(&["--digest", "sha256", &g, &b]);
    let hex = "3d99e39d7e3be3c73a561665eff571052e3b6cf0c197ea359f632a2a146c4577";
    assert_eq!(w.json["captures"][1]["digest"], format!("sha256:{hex}"));
    let h = String::from_utf8(w.read("index.html")).unwrap();
    assert!(h.contains(&format!("sha256 <code class=\"hash\">{hex}</code>")));
    assert!(h.contains(&format!("SHA-256 <code>{hex}</code>")));
    let md = String::from_utf8(w.read("report.md")).unwrap();
    assert!(md.contains(&format!("- sha256 `{hex}`")), "{md}");
    assert!(md.contains(&format!("(sha256 `{}`)", &hex[..12])), "{md}");
    let txt = String::from_utf8(w.read("report.txt")).unwrap();
    assert!(txt.contains(&format!("sha256 {hex}")), "{txt}");
}

/// Nothing is loaded: no `src`, links are `<a href>` to this page, to files
/// beside it, or (with --kernel-version) to the cross-reference; the only
/// `http` text outside links is the CSP's `http-equiv` and two URLs in the
/// text of inferno's script (a comment and an error message).
#[test]
fn html_loads_nothing() {
    let [g, b] = blog();
    for extra in [None, Some("6.1.90")] {
        let mut args = vec![g.as_str(), b.as_str()];
        if let Some(v) = extra {
            args.extend(["--kernel-version", v]);
        }
        let w = run(&args);
        let h = &w.html;
        assert!(h.contains("default-src &#39;none&#39;"));
        let page = without_srcdocs(h);
        assert!(!page.contains(" src="), "no src attribute");
        for (i, _) in page.match_indices(" href=\"") {
            let tag_start = page[..i].rfind('<').unwrap();
            assert!(page[tag_start..].starts_with("<a "), "href outside <a>");
            let v = &page[i + 7..i + 7 + page[i + 7..].find('"').unwrap()];
            if let Some(f) = v.strip_prefix("flamegraphs/") {
                assert!(w.out.join("flamegraphs").join(f).is_file(), "{v}");
            } else if v.starts_with("https://") {
                assert!(
                    v.starts_with("https://elixir.bootlin.com/linux/v6.1.90/A/ident/"),
                    "{v}"
                );
            } else {
                assert!(v.starts_with('#'), "{v}");
            }
        }
        let plain_http = page.matches("http").count();
        let links = page.matches("href=\"https://").count();
        // The script's data names the link base once.
        let base = page.matches("\"link_base\":\"https://").count();
        assert_eq!(
            plain_http,
            1 + links + base,
            "only http-equiv and <a href> links"
        );
        assert_eq!(extra.is_some(), links > 0);
        for doc in srcdocs(h) {
            let scripts = bodies(&doc, "script");
            let rest = scripts.iter().fold(doc.clone(), |d, s| d.replace(s, ""));
            assert!(!rest.contains("http"), "a URL outside the frame's scripts");
            let urls: Vec<&str> = scripts[0].matches("https://").collect();
            assert_eq!(urls.len(), 2, "inferno's comment and error message");
            assert!(!scripts[0].contains("fetch(") && !scripts[0].contains("XMLHttpRequest"));
        }
    }
}

/// Every inline script and style (of the page and of each frame) is allowed
/// by its hash; nothing else is.
#[test]
fn csp_allows_exactly_the_inline_code_by_hash() {
    let [g, b] = blog();
    let w = run(&[&g, &b]);
    let h = &w.html;
    let csp_start = h
        .find("http-equiv=\"Content-Security-Policy\" content=\"")
        .unwrap()
        + 46;
    let csp = unescape(&h[csp_start..csp_start + h[csp_start..].find('"').unwrap()]);
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    let directive = |name: &str| -> Vec<String> {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(|s| {
                s.trim_matches('\'')
                    .trim_start_matches("sha256-")
                    .to_string()
            })
            .collect()
    };
    let (scripts, styles) = (directive("script-src"), directive("style-src"));
    let page = without_srcdocs(h);
    let mut docs = srcdocs(h);
    docs.push(page);
    let (mut seen_scripts, mut seen_styles) = (Vec::new(), Vec::new());
    for doc in &docs {
        for s in bodies(doc, "script") {
            let hash = sha256_b64(&s);
            assert!(
                scripts.contains(&hash),
                "script not allowed: {}",
                &s[..60.min(s.len())]
            );
            seen_scripts.push(hash);
        }
        for s in bodies(doc, "style") {
            let hash = sha256_b64(&s);
            assert!(styles.contains(&hash), "style not allowed");
            seen_styles.push(hash);
        }
    }
    for hash in scripts.iter().chain(&styles) {
        assert!(
            seen_scripts.contains(hash) || seen_styles.contains(hash),
            "unused {hash}"
        );
    }
    // No inline event handler anywhere.
    for doc in &docs {
        assert!(!doc.contains(" onload=") && !doc.contains(" onclick="));
    }
}

/// The embedded columns decode to the report's trees (names, depths,
/// durations, lines, return values) and aligned rows.
#[test]
fn page_data_decodes_to_the_report() {
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let w = run(&[
        &format!("{dir}/ok--funcgraph-retval.log"),
        &format!("{dir}/bad--funcgraph-retval.log"),
    ]);
    let d = page_data(&w.html);
    let strings: Vec<&str> = d["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut trees = 0;
    for t in d["trees"].as_array().unwrap() {
        let cap = t["cap"].as_u64().unwrap() as usize;
        let c = &w.json["captures"][cap];
        let sys = &["syscalls", "roots"]
            .iter()
            .flat_map(|k| c[k].as_array().unwrap().iter())
            .find(|s| s["index"] == t["sys"])
            .unwrap()["root"];
        // Pre-order walk of the JSON tree.
        let mut want = Vec::new();
        let mut stack = vec![(sys, 0i64)];
        while let Some((n, depth)) = stack.pop() {
            want.push((n, depth));
            for c in n["children"].as_array().unwrap().iter().rev() {
                stack.push((c, depth + 1));
            }
        }
        let f = column(&t["f"], false);
        let dd = column(&t["d"], true);
        let dur = column(&t["t"], false);
        let dl = column(&t["l"], true);
        let r = column(&t["r"], false);
        assert_eq!(f.len(), want.len());
        let (mut depth, mut line) = (0, 0);
        for (i, (n, wd)) in want.iter().enumerate() {
            depth += dd[i];
            line += dl[i];
            assert_eq!(strings[f[i] as usize], n["func"].as_str().unwrap());
            assert_eq!(depth, *wd);
            assert_eq!(line, n["line"].as_i64().unwrap());
            let ns = n["duration_us"]
                .as_f64()
                .map_or(0, |u| (u * 1000.0).round() as i64 + 1);
            assert_eq!(dur[i], ns);
            // The page shows a return value as the report does: typed by
            // its range (report.json carries addresses as hex strings).
            match &n["ret"] {
                serde_json::Value::Number(v) => assert_eq!(
                    strings[r[i] as usize - 1],
                    tracereport::analyse::retval::show_short(v.as_i64().unwrap())
                ),
                serde_json::Value::String(v) => assert_eq!(&strings[r[i] as usize - 1], v),
                _ => assert_eq!(r[i], 0),
            }
        }
        trees += 1;
    }
    // The page draws the syscalls' and the roots' trees (report.json lists
    // them in `syscalls` and `roots`).
    let listed: usize = (0..2)
        .flat_map(|i| ["syscalls", "roots"].map(|k| (i, k)))
        .map(|(i, k)| w.json["captures"][i][k].as_array().map_or(0, |a| a.len()))
        .sum();
    assert_eq!(trees, listed);
    assert!(trees >= 2);
    // Aligned rows: kinds, node ids and the divergence.
    let c = &d["comparisons"][0];
    let rows = w.json["comparisons"][0]["aligned"].as_array().unwrap();
    let k = c["k"].as_str().unwrap();
    let (g, b) = (column(&c["g"], true), column(&c["b"], true));
    let (mut gi, mut bi, mut gk, mut bk) = (-1, -1, 0, 0);
    for (row, r) in rows.iter().enumerate() {
        let kind = &k[row..row + 1];
        assert_eq!(
            kind,
            match r["kind"].as_str().unwrap() {
                "same" => "s",
                "good-only" => "g",
                _ => "b",
            }
        );
        if kind != "b" {
            gi += g[gk];
            gk += 1;
            assert_eq!(gi, r["good"]["id"].as_i64().unwrap());
        }
        if kind != "g" {
            bi += b[bk];
            bk += 1;
            assert_eq!(bi, r["bad"]["id"].as_i64().unwrap());
        }
    }
    assert_eq!(
        c["div"],
        w.json["comparisons"][0]["first_divergence"]["row"]
    );
}

/// Issue 5, "what must hold" 3, at the source level (the browser test checks
/// the DOM): names with `<script>alert(1)</script>`, `"onmouseover=` and
/// `</script>` (and a task name with them) never become markup.
#[test]
fn hostile_names_are_escaped_in_the_source() {
    for d in ["xss-fn-6.1", "xss-graph-6.1"] {
        let w = run(&[
            &format!("{DERIVED}/{d}/ok.log"),
            &format!("{DERIVED}/{d}/bad.log"),
        ]);
        let h = &w.html;
        let page = without_srcdocs(h);
        assert_eq!(
            page.matches("<script").count(),
            5,
            "{d}: the data and the 4 page scripts"
        );
        assert!(
            !page.contains("<b>") && !page.contains(" onmouseover="),
            "{d}"
        );
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{d}: shown as text"
        );
        let data = &page[page.find("id=\"report-data\">").unwrap()..];
        let data = &data[..data.find("</script>").unwrap()];
        assert!(!data.contains('<'), "{d}: data cannot close its element");
        assert!(data.contains("\\u003c/script>"), "{d}");
        for doc in srcdocs(h) {
            assert_eq!(
                doc.matches("<script").count(),
                2,
                "{d}: inferno's and the bridge"
            );
            assert!(!doc.contains("<script>alert") && !doc.contains(" onmouseover="));
        }
    }
}

/// `--kernel-version` links function names to the cross-reference (links only).
#[test]
fn kernel_version_links_function_names() {
    let [g, b] = blog();
    let w = run(&[&g, &b, "--kernel-version", "6.1.90"]);
    let url = "https://elixir.bootlin.com/linux/v6.1.90/A/ident/__x64_sys_bpf";
    assert!(w.html.contains(&format!("<a class=\"src\" href=\"{url}\"")));
    assert!(w.md.contains(&format!("[`__x64_sys_bpf()`]({url})")));
    assert_eq!(
        page_data(&w.html)["link_base"],
        "https://elixir.bootlin.com/linux/v6.1.90/A/ident/"
    );
    assert!(w.html.contains("Kernel: 6.1.90"));
}

/// `--notes` (pulldown-cmark, raw HTML as text, images as links) and `--title`.
#[test]
fn notes_and_title_make_a_write_up() {
    let [g, b] = blog();
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.md");
    std::fs::write(
        &notes,
        "# Hypothesis\n\nThe map type needs `CONFIG_XDP_SOCKETS`.\n\n\
         | kernel | XDP sockets |\n|---|---|\n| ok | y |\n| bad | n |\n\n\
         <script>alert(1)</script>\n\n![graph](https://example.org/g.png)\n",
    )
    .unwrap();
    let n = notes.to_str().unwrap();
    let w = run(&[&g, &b, "--notes", n, "--title", "XSKMAP <create> fails"]);
    let h = &w.html;
    assert!(h.contains("<title>XSKMAP &#60;create&#62; fails</title>"));
    assert!(h.contains("<h1>XSKMAP &#60;create&#62; fails</h1>"));
    let notes_html = &h[h.find("<section id=\"notes\"").unwrap()..];
    let notes_html = &notes_html[..notes_html.find("</section>").unwrap()];
    assert!(notes_html.contains("<h1>Hypothesis</h1>"));
    assert!(notes_html.contains("<table>"));
    assert!(notes_html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!notes_html.contains("<img"));
    assert!(notes_html.contains("<a href=\"https://example.org/g.png\">graph</a>"));
    assert!(w.md.starts_with("# XSKMAP &lt;create&gt; fails\n"));
    assert!(w.md.contains("## Notes\n\n# Hypothesis\n\nThe map type needs `CONFIG_XDP_SOCKETS`."));
    assert_eq!(w.json["title"], "XSKMAP <create> fails");
}

/// The same inputs give byte-identical reports: every file, twice.
#[test]
fn reports_are_deterministic() {
    let [g, b] = blog();
    let dir = format!("{CAPTURES}/xskmap-noxdpsockets-6.12");
    let abstime = [
        format!("{dir}/ok--funcgraph-proc+funcgraph-abstime+funcgraph-tail.log"),
        format!("{dir}/bad--funcgraph-proc+funcgraph-abstime+funcgraph-tail.log"),
    ];
    for args in [[&g, &b], [&abstime[0], &abstime[1]]] {
        let one = run(&[args[0], args[1]]);
        let two = run(&[args[0], args[1]]);
        let files = crate::common::files_under(one.out.to_str().unwrap(), &[""]);
        assert!(files.len() >= 8, "{files:?}");
        for f in files {
            let rel = f
                .strip_prefix(&one.out)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                one.read(&rel) == two.read(&rel),
                "{rel} differs between runs"
            );
        }
    }
}

/// A report too big for plain JSON embeds its data gzipped (the browser
/// inflates it); it decodes to the same trees. The capture is the bench's
/// (bench/html/gen-capture.py: a real tree's body repeated).
#[test]
fn big_page_data_is_gzipped_and_complete() {
    let w = crate::common::big();
    assert!(w.html.contains("data-encoding=\"gzip\""));
    let d = page_data(&w.html);
    let big = d["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["n"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(big >= 150_000, "{big}");
    assert_eq!(
        column(&d["trees"][0]["f"], false).len() as u64,
        d["trees"][0]["n"].as_u64().unwrap()
    );
    // Far smaller than the nested JSON of the same trees.
    assert!(
        w.html.len() * 20 < w.read("report.json").len(),
        "{}",
        w.html.len()
    );
}
