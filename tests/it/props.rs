//! Property tests: what must hold for any input, not only the corpus.
//! Inputs are arbitrary bytes, and real lines of the corpus with random
//! edits (which reach far more of the grammar than random bytes do).

use std::{io::BufReader, sync::OnceLock};

use proptest::prelude::*;
use tracereport::{
    analyse::{AnalyseOptions, analyse},
    parse::{InputFormat, RecordKind, RetVal, parse_line},
    read::lines::for_each_line,
    render::{ReportOptions, build_report, json::render_json, markdown},
};

use crate::{
    alloc::peak_during,
    common::{CAPTURES, CAPTURES_NEW, files_under},
    fuzz_body::{FORMATS, assert_borrows_from, assert_ledger, ingest},
};

/// Bytes that mean something in some ftrace line.
const ALPHABET: &[u8] = b" 0123456789|{}();/*=-[]:.+!#$@<>_xabcdef\t\r\xff\xc3";

/// Real lines of every plain-text capture, by format folder.
fn real_lines() -> &'static [(InputFormat, Vec<u8>)] {
    static LINES: OnceLock<Vec<(InputFormat, Vec<u8>)>> = OnceLock::new();
    LINES.get_or_init(|| {
        let mut files = files_under(CAPTURES, &[".log"]);
        files.extend(files_under(CAPTURES_NEW, &[".log"]));
        let mut out = Vec::new();
        for f in files {
            let s = f.to_string_lossy();
            let format = if s.contains("tracecmd-") {
                InputFormat::TraceCmd
            } else if s.contains("fn-") {
                InputFormat::Function
            } else {
                InputFormat::Graph
            };
            for l in std::fs::read(&f).unwrap().split(|&b| b == b'\n') {
                out.push((format, l.to_vec()));
            }
        }
        out.sort_by(|a, b| (a.0 as u8, &a.1).cmp(&(b.0 as u8, &b.1)));
        out.dedup();
        out
    })
}

/// A real line with up to six random edits (insert, delete, replace a
/// byte; insert a run of up to 24 nines, which overflows any number).
fn edited_line() -> impl Strategy<Value = (InputFormat, Vec<u8>)> {
    let edit = (any::<u16>(), 0u8..4, any::<u8>(), 0..ALPHABET.len());
    (
        any::<prop::sample::Index>(),
        prop::collection::vec(edit, 0..6),
    )
        .prop_map(|(i, edits)| {
            let (format, mut line) = i.get(real_lines()).clone();
            for (pos, op, any_byte, a) in edits {
                let at = pos as usize % (line.len() + 1);
                let b = if any_byte < 64 { any_byte } else { ALPHABET[a] };
                match op {
                    0 => line.insert(at, b),
                    3 => {
                        let run = 1 + any_byte as usize % 24;
                        line.splice(at..at, std::iter::repeat_n(b'9', run));
                    }
                    1 if at < line.len() => {
                        line.remove(at);
                    }
                    _ if at < line.len() => line[at] = b,
                    _ => line.push(b),
                }
            }
            (format, line)
        })
}

/// A capture made of real lines of one format, in any order, some edited.
fn damaged_capture() -> impl Strategy<Value = (InputFormat, Vec<u8>)> {
    (
        prop_oneof![
            Just(InputFormat::Graph),
            Just(InputFormat::Function),
            Just(InputFormat::TraceCmd)
        ],
        prop::collection::vec(
            (any::<prop::sample::Index>(), edited_line(), 0u8..8),
            1..300,
        ),
        any::<bool>(),
    )
        .prop_map(|(format, picks, terminated)| {
            let same: Vec<&Vec<u8>> = real_lines()
                .iter()
                .filter(|(f, _)| *f == format)
                .map(|(_, l)| l)
                .collect();
            let mut text = Vec::new();
            for (i, (_, edited), choice) in picks {
                // Mostly untouched lines of the format, some edited lines of any.
                let line: &[u8] = if choice == 0 {
                    &edited
                } else {
                    i.get::<&Vec<u8>>(&same)
                };
                text.extend_from_slice(line);
                text.push(b'\n');
            }
            if !terminated {
                text.pop();
            }
            (format, text)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_without_panic_and_records_borrow_the_line(
        line in prop::collection::vec(any::<u8>(), 0..300)
    ) {
        for f in FORMATS {
            if let Ok(r) = parse_line(f, &line) {
                assert_borrows_from(&line, &r);
            }
        }
    }

    #[test]
    fn edited_real_lines_parse_without_panic_and_records_borrow_the_line(
        (_, line) in edited_line()
    ) {
        for f in FORMATS {
            if let Ok(r) = parse_line(f, &line) {
                assert_borrows_from(&line, &r);
            }
        }
    }

    /// Line splitting does not depend on how the reader's buffer falls.
    #[test]
    fn lines_are_the_same_whatever_the_buffer_size(
        text in prop::collection::vec(prop::sample::select(b"ab \r\n|{}".to_vec()), 0..400),
        cap in 1usize..64,
    ) {
        let split = |cap: usize| {
            let mut out = Vec::new();
            for_each_line(&mut BufReader::with_capacity(cap, &text[..]), |l| {
                out.push((l.number, l.bytes.to_vec(), l.terminated));
                Ok(())
            })
            .unwrap();
            out
        };
        let small = split(cap);
        prop_assert_eq!(&small, &split(1 << 16));
        let newlines = text.iter().filter(|&&b| b == b'\n').count();
        let last = !text.is_empty() && !text.ends_with(b"\n");
        prop_assert_eq!(small.len(), newlines + last as usize);
        for (k, l) in small.iter().enumerate() {
            prop_assert_eq!(l.0, k as u64 + 1);
        }
    }

    /// The prefix timestamp is read to the nanosecond whatever its value.
    #[test]
    fn function_tracer_timestamps_are_exact(secs in 0u64..100_000_000, us in 0u64..1_000_000) {
        let line = format!("bpfcase-884 [000] ..... {secs}.{us:06}: __x64_sys_bpf <-do_syscall_64");
        let r = parse_line(InputFormat::Function, line.as_bytes()).unwrap();
        prop_assert_eq!(r.ts_ns, Some(secs * 1_000_000_000 + us * 1000));
        prop_assert_eq!(r.task.unwrap().pid, 884);
    }

    /// Every duration mark and width the graph tracer prints is read to the ns.
    #[test]
    fn graph_durations_are_exact(
        whole in 0u64..10_000_000, frac in 0u64..1000, mark in prop::sample::select(b" +!#*@$".to_vec())
    ) {
        let line = format!(" 1) {} {whole}.{frac:03} us    |      bpf_check_uarg_tail_zero();", mark as char);
        let r = parse_line(InputFormat::Graph, line.as_bytes()).unwrap();
        prop_assert_eq!(r.cpu, Some(1));
        prop_assert_eq!(r.duration_ns, Some(whole * 1000 + frac));
        let leaf_at_2 = matches!(r.kind, RecordKind::Leaf { depth: 2, .. });
        prop_assert!(leaf_at_2, "{:?}", r.kind);
    }

    /// funcgraph-retval: decimal and hex (64- and 32-bit registers) give
    /// the same errno, and only errno-range values count as errors.
    #[test]
    fn return_values_and_errnos_agree(e in 1i64..=4095, v in 0i64..i64::MAX) {
        let leaf = |ret: String| {
            let line = format!(" 0)   0.151 us    |  f(); /* = {ret} */");
            match parse_line(InputFormat::Graph, line.as_bytes()).unwrap().kind {
                RecordKind::Leaf { ret: Some(r), .. } => r,
                k => panic!("{k:?}"),
            }
        };
        let want = Some(e as i32);
        prop_assert_eq!(leaf(format!("-{e}")).errno(), want);
        prop_assert_eq!(leaf(format!("{:#x}", (-e) as u64)).errno(), want);
        prop_assert_eq!(leaf(format!("{:#x}", (-e) as u32)).errno(), want);
        prop_assert_eq!(leaf(format!("{:#x}", (-e) as u32)).value(), -e);
        prop_assert_eq!(leaf(format!("{v}")).errno(), None);
        prop_assert_eq!(RetVal { raw: v, hex: false }.value(), v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any mix of real and damaged lines: no panic, every line accounted
    /// for, well-formed trees, memory that follows the input's size.
    #[test]
    fn damaged_captures_are_read_and_every_line_accounted_for((format, text) in damaged_capture()) {
        let len = text.len();
        for forced in [None, Some(format)] {
            let (c, peak) = peak_during(|| ingest(text.clone(), forced));
            if let Ok(c) = c {
                assert_ledger(&c);
            }
            prop_assert!(peak < (4 << 20) + 16 * len, "{peak} bytes of heap for {len} bytes of input");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// The analysis and the renderers take whatever the model made of a
    /// damaged capture, alone or against another.
    #[test]
    fn reports_render_for_damaged_captures(
        (fa, a) in damaged_capture(),
        (fb, b) in damaged_capture(),
    ) {
        let caps: Vec<_> = [(fa, a), (fb, b)]
            .into_iter()
            .filter_map(|(f, t)| ingest(t, Some(f)).ok())
            .collect();
        let an = analyse(&caps, &AnalyseOptions::default());
        let r = build_report(&caps, &an, &ReportOptions::default());
        let json: serde_json::Value = serde_json::from_str(&render_json(&r).unwrap()).unwrap();
        prop_assert_eq!(json["captures"].as_array().map(Vec::len), Some(caps.len()));
        let flames = tracereport::render::flamegraph::build(&r);
        markdown::render_markdown(&r, None, &flames).unwrap();
    }
}

/// A capture of `tasks` tasks, each one syscall with a call `depth`
/// levels down, `width` calls of a `name_len`-byte name and a marker of
/// `marker_len` bytes: issue 11's axes of scale, mixed.
fn scaled(depth: usize, width: usize, tasks: u32, name_len: usize, marker_len: usize) -> Vec<u8> {
    let mut s = String::from("# tracer: function_graph\n#\n");
    let name: String = "n".repeat(name_len);
    let marker: String = "m".repeat(marker_len);
    for pid in 1..=tasks {
        let l = |depth: usize, dur: &str, body: &str| {
            format!(
                " 0)  t-{pid:<6} | {dur:>10}    |  {}{body}\n",
                "  ".repeat(depth)
            )
        };
        s += &l(0, "", "__x64_sys_bpf() {");
        s += &l(depth, "0.100 us", "f();");
        for _ in 0..width {
            s += &l(1, "0.100 us", &format!("{name}();"));
        }
        s += &l(1, "", &format!("/* {marker} */"));
        s += &l(0, "9.000 us", "} /* __x64_sys_bpf = -22 */");
    }
    s.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Depth, width, tasks, name length and marker size scaled at once:
    /// read with the ledger holding, deep calls cut at the cap, and heap
    /// within a bound that does not grow with name or marker length.
    #[test]
    fn scale_mutations_stay_bounded(
        depth in 0usize..3000,
        width in 1usize..400,
        tasks in 1u32..200,
        name_len in 1usize..65_000,
        marker_len in 0usize..65_000,
    ) {
        // At most about 8 MB of capture.
        let width = width.min((8 << 20) / (name_len * tasks as usize + 1)).max(1);
        let bytes = scaled(depth, width, tasks, name_len, marker_len);
        let (c, peak) = peak_during(|| ingest(bytes, None));
        let c = c.unwrap();
        assert_ledger(&c);
        let w = &c.trace.warnings;
        prop_assert_eq!(w.count(tracereport::model::WarningKind::DepthCap) > 0, depth > 1000);
        prop_assert_eq!(
            w.count(tracereport::model::WarningKind::NameCap) > 0,
            name_len > tracereport::model::intern::MAX_NAME_LEN
        );
        // Kept: names ≤ 512 bytes, markers ≤ 1 KiB, trees of the calls.
        let bound = (8 << 20) + tasks as usize * (width + depth.min(1000) + 4) * 600;
        prop_assert!(peak < bound, "peak {} > {}", peak, bound);
    }
}
