//! `gen_capture`: write a large function_graph capture made of real ones,
//! for the benchmarks (`bench/run.sh`). See `generate.rs` for how.
//!
//! ```sh
//! cargo run --release --example gen_capture -- --size 100M \
//!     --out bench/data/graph-100M.log --perf-script bench/data/perf-100M.txt
//! ```

mod generate;

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::PathBuf,
};

use clap::Parser;

/// Write a large, realistic function_graph capture (and optionally a
/// perf-script file of the same size) out of real captures.
#[derive(Debug, Parser)]
struct Args {
    /// Size to reach, with K/M/G suffixes (powers of 1000, as MB/s). Example: `100M`.
    #[arg(long, value_parser = parse_size)]
    size: u64,
    /// The capture to write.
    #[arg(long)]
    out: PathBuf,
    /// Also write `perf script` samples of the same call stacks here, about
    /// as large as the capture.
    #[arg(long)]
    perf_script: Option<PathBuf>,
    /// CPUs.
    #[arg(long, default_value_t = 4)]
    cpus: usize,
    /// Tasks (distinct pids) sharing the CPUs.
    #[arg(long, default_value_t = 12)]
    tasks: usize,
    /// Print the funcgraph-abstime column.
    #[arg(long)]
    abstime: bool,
    /// Print the funcgraph-proc column.
    #[arg(long)]
    proc: bool,
    /// No `#` header (like `trace_pipe`).
    #[arg(long)]
    no_header: bool,
    /// Seed of the random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Real captures to take units from (default layout function_graph,
    /// plain or gzip). Default: the fixtures listed in `generate.rs`.
    sources: Vec<PathBuf>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1_000u64),
        Some((i, 'M' | 'm')) => (&s[..i], 1_000_000),
        Some((i, 'G' | 'g')) => (&s[..i], 1_000_000_000),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n * mult)
        .map_err(|e| format!("`{s}`: {e}"))
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let sources: Vec<PathBuf> = if args.sources.is_empty() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        generate::DEFAULT_SOURCES
            .iter()
            .map(|p| root.join(p))
            .collect()
    } else {
        args.sources.clone()
    };
    let (pool, stats) = generate::Pool::load(&sources)?;
    for s in &stats {
        eprintln!(
            "source {}: {} lines, {} units",
            s.path.display(),
            s.lines,
            s.units
        );
    }
    let opts = generate::Options {
        target_bytes: args.size,
        cpus: args.cpus,
        tasks: args.tasks,
        abstime: args.abstime,
        proc: args.proc,
        header: !args.no_header,
        seed: args.seed,
    };
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&args.out)?);
    let mut perf = match &args.perf_script {
        Some(p) => Some(BufWriter::with_capacity(1 << 20, File::create(p)?)),
        None => None,
    };
    let sum = generate::generate(
        &pool,
        &opts,
        &mut out,
        perf.as_mut().map(|p| p as &mut dyn Write),
    )?;
    out.flush()?;
    if let Some(p) = &mut perf {
        p.flush()?;
    }
    eprintln!(
        "wrote {}: {} bytes, {} lines, {} units from a pool of {}, {} calls, {} context switches, {} syscall entry / {} exit events",
        args.out.display(),
        sum.bytes,
        sum.lines,
        sum.units,
        pool.units(),
        sum.calls,
        sum.switches,
        sum.sys_enter,
        sum.sys_exit
    );
    if let Some(p) = &args.perf_script {
        eprintln!(
            "wrote {}: {} bytes, {} samples",
            p.display(),
            sum.perf_bytes,
            sum.perf_samples
        );
    }
    Ok(())
}
