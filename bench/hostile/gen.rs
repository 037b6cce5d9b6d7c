//! `gen_hostile`: write issue 11's hostile captures (`cases.rs`), zstd
//! compressed as an attacker would send them, for `bench/hostile.sh`.
//!
//! ```sh
//! cargo run --release --example gen_hostile -- --out bench/data/hostile
//! ```

mod cases;

use std::{fs::File, io::BufWriter, path::PathBuf};

use clap::Parser;

/// Write the hostile captures of `bench/hostile/cases.rs`.
#[derive(Debug, Parser)]
struct Args {
    /// Directory to write `NAME-N.log.zst` into.
    #[arg(long)]
    out: PathBuf,
    /// Divide every count by this (1: the issue's sizes).
    #[arg(long, default_value_t = 1)]
    div: u64,
    /// Cases to write (default: all).
    cases: Vec<String>,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    for case in cases::CASES {
        if !args.cases.is_empty() && !args.cases.iter().any(|c| c == case.name) {
            continue;
        }
        for i in 0..case.captures {
            let path = args.out.join(format!("{}-{i}.log.zst", case.name));
            let mut z = zstd::Encoder::new(BufWriter::new(File::create(&path)?), 3)?;
            case.write(i, args.div, &mut z)?;
            z.finish()?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
