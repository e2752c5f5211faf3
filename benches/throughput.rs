//! Throughput and start-up, measured side by side in one run.
//!
//! PRODUCT.md's targets: checking a corpus with the full catalogue costs no
//! more than merely parsing the same files into generic YAML values
//! (`serde_yaml::Value`) on all cores; one manifest, whole process, starts
//! about as fast as regorus (about 4 ms).
//!
//! Run with `cargo bench --bench throughput` (`-- N` for N manifests,
//! default 4000). The corpus is generated from the bundled examples, with
//! ids and dates varied so no two files are alike.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::compile;
use proviso::date::Date;
use proviso::run::{check_paths, Options};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn corpus(dir: &Path, n: usize, subs: &[&str]) -> Vec<PathBuf> {
    let mut seeds = Vec::new();
    for sub in subs {
        for entry in std::fs::read_dir(sub).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                seeds.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    seeds.sort();
    (0..n)
        .map(|i| {
            let seed = &seeds[i % seeds.len()];
            let text = seed
                .replacen("  id: ", &format!("  id: p{i}-"), 1)
                .replace("    description: ", &format!("    description: ({i}) "));
            let path = dir.join(format!("m{i:06}.yaml"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(rounds: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the thread pool
    median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(4000);
    let program = compile(&proviso::shipped::sources()).unwrap();
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 8 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    println!(
        "{n} manifests a corpus, {} rules, {} threads",
        program.rules.len(),
        rayon::current_num_threads()
    );
    let mut first = None;
    for (name, subs) in [
        (
            "compliant (waived findings only)",
            &["examples/compliant"][..],
        ),
        (
            "2018 corpus (findings in most files)",
            &["examples/facebook-2018", "examples/compliant"][..],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let files = corpus(dir.path(), n, subs);
        first.get_or_insert_with(|| std::fs::read_to_string(&files[0]).unwrap());
        measure(name, &program, &opts, dir.path(), &files);
    }

    // Start-up: the whole process on one manifest.
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.yaml");
    std::fs::write(&one, first.unwrap()).unwrap();
    let bin = env!("CARGO_BIN_EXE_proviso");
    let startup = time(21, || {
        let out = Command::new(bin)
            .args(["check", "--format", "short", "--as-of", "2018-12-18"])
            .arg(&one)
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1));
    });
    println!(
        "start-up, one manifest, whole process: {:.1} ms (target: about 4 ms)",
        startup.as_secs_f64() * 1e3
    );
}

fn measure(
    name: &str,
    program: &proviso::check::Program,
    opts: &Options,
    dir: &Path,
    files: &[PathBuf],
) {
    let rounds = 7;
    let parse = time(rounds, || {
        let parsed: usize = files
            .par_iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
                usize::from(!v.is_null())
            })
            .sum();
        assert_eq!(parsed, files.len());
    });
    let mut findings = 0;
    let check = time(rounds, || {
        let report = check_paths(program, &[dir.to_path_buf()], opts).unwrap();
        assert_eq!(report.totals().manifests, files.len());
        findings = report.findings().count();
    });
    let per_sec = |d: Duration| files.len() as f64 / d.as_secs_f64();
    println!("{name}: {findings} findings");
    println!(
        "  parse into serde_yaml::Value: {:>8.1} ms ({:>6.0} manifests/s)",
        parse.as_secs_f64() * 1e3,
        per_sec(parse)
    );
    println!(
        "  proviso check, full catalogue: {:>7.1} ms ({:>6.0} manifests/s)",
        check.as_secs_f64() * 1e3,
        per_sec(check)
    );
    println!(
        "  check / parse: {:.2} (target: at most 1.00)",
        check.as_secs_f64() / parse.as_secs_f64()
    );
}
