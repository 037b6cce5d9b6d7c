//! Sets `cfg(tracereport_browser)` when the browser tests
//! (`tests/it/browser.rs`) can run here: Chromium is installed and
//! `npm ci` has filled `tests/browser/node_modules`. Without it they are
//! `#[ignore]`d with the reason, so `cargo test` says "ignored" instead of
//! passing a test that checked nothing. With `TRACEREPORT_REQUIRE_BROWSER=1`
//! (`.ci/run`) the cfg is set regardless, so a missing browser fails.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tracereport_browser)");
    println!("cargo::rerun-if-changed=build.rs");
    // A directory is scanned as a whole: `npm ci` creating or changing
    // node_modules reruns this script. (A missing path would rerun it, and
    // rebuild the crate, on every build.)
    println!("cargo::rerun-if-changed=tests/browser");
    println!("cargo::rerun-if-env-changed=TRACEREPORT_REQUIRE_BROWSER");
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        // Installing it later must rerun this script too.
        if let Some(dir) = Path::new(&chromium).parent().filter(|d| d.is_dir()) {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
    let ready = Path::new(&chromium).is_file()
        && Path::new("tests/browser/node_modules/playwright-core").is_dir();
    let required = std::env::var("TRACEREPORT_REQUIRE_BROWSER").as_deref() == Ok("1");
    if ready || required {
        println!("cargo::rustc-cfg=tracereport_browser");
    }
}
