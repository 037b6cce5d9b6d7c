//! The builder's fast lane (`model/builder/fast.rs`) must build what its
//! general path builds: every fixture capture is read both ways and the
//! traces compared whole.

use std::path::{Path, PathBuf};

use super::{CaptureInput, read_capture};
use crate::{
    model::{BuildOptions, general_path_only},
    read::InputPath,
};

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            fixtures(&p, out);
        } else if !matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("md" | "tsv" | "json" | "txt" | "config" | "sha256" | "c" | "sh")
        ) {
            out.push(p);
        }
    }
}

fn trace_of(path: &Path, general: bool) -> String {
    let input = CaptureInput {
        path: InputPath::File(path.to_path_buf()),
        label: "x".into(),
        format: None,
        digest: Default::default(),
    };
    // Small trees too, so that the tree cap's edge is crossed both ways.
    let opts = BuildOptions {
        max_tree_calls: 64,
        ..BuildOptions::default()
    };
    let built = general_path_only(general, || read_capture(&input, &opts, None));
    match built {
        Ok(c) => format!("{:#?}", c.trace),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn fast_lane_builds_what_the_general_path_builds_on_every_fixture() {
    let mut files = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 100, "fixtures found: {}", files.len());
    let mut built = 0;
    for f in &files {
        let fast = trace_of(f, false);
        let general = trace_of(f, true);
        built += !fast.starts_with("error") as usize;
        assert!(
            fast == general,
            "{}: the fast lane builds another trace",
            f.display()
        );
    }
    assert!(built > 100, "captures built: {built}");
}
