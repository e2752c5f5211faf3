//! proviso side by side with the floor and with a peer, on the same files,
//! each contender in a process of its own (PRODUCT.md, section 6):
//!
//! - `proviso check --format short` and `--format json`, the release binary;
//! - the floor: every file parsed into `serde_yaml::Value` on all cores;
//! - regorus running the same catalogue written in Rego
//!   (`benches/catalogue.rego`), compiled once, evaluated in parallel.
//!
//! Each contender's wall time, CPU time (user + system) and peak resident
//! memory are read from the kernel with `wait4`, on two generated corpora:
//! one where most manifests break several rules, one where every manifest
//! passes. The targets are printed with PASS or MISS beside the numbers.
//! See benches/README.md for how to run it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod contenders;
mod corpus;
mod crosscheck;
mod domain;
mod measure;

use corpus::{Kind, TODAY};
use measure::{summarize, Launcher, Sample, Summary};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const USAGE: &str = "\
cargo bench --bench compare -- [OPTIONS]
  --sizes N[,N...]     manifests per corpus (default 5000); e.g. 20000,200000 for memory
  --rounds N           timed runs of each contender, median reported
                       (default: 5 up to 5,000 manifests, 3 up to 20,000, then 1)
  --corpus KIND        findings, compliant or both (default both)
  --seed N             the generator's seed (default 1)
  --cache DIR          keep generated corpora in DIR and reuse them
  --no-regorus         leave regorus out (it is the slowest at large sizes)
  --no-cross-check     skip comparing proviso's failures with regorus's
  --startup-runs N     runs of the one-manifest start-up timing (default 51; 0 skips)";

/// The targets, from PRODUCT.md section 6.
const FLOOR_RATIO_FINDINGS: f64 = 1.2;
const FLOOR_RATIO_COMPLIANT: f64 = 0.8;
const REGORUS_RATIO: f64 = 3.0;
const STARTUP_MS: f64 = 2.0;
const RSS_MIB: f64 = 32.0;

struct Args {
    sizes: Vec<usize>,
    rounds: Option<usize>,
    kinds: Vec<Kind>,
    seed: u64,
    cache: Option<PathBuf>,
    regorus: bool,
    cross_check: bool,
    startup_runs: usize,
}

fn parse_args(args: &[String]) -> Args {
    let mut parsed = Args {
        sizes: vec![5000],
        rounds: None,
        kinds: vec![Kind::Findings, Kind::Compliant],
        seed: 1,
        cache: None,
        regorus: true,
        cross_check: true,
        startup_runs: 51,
    };
    let mut it = args.iter();
    let bad = |what: &str| -> ! {
        eprintln!("{what}\n\n{USAGE}");
        std::process::exit(2)
    };
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .unwrap_or_else(|| bad(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "--sizes" => {
                parsed.sizes = value()
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse()
                            .unwrap_or_else(|_| bad("bad --sizes"))
                    })
                    .collect();
            }
            "--rounds" => {
                parsed.rounds = Some(value().parse().unwrap_or_else(|_| bad("bad --rounds")))
            }
            "--corpus" => {
                parsed.kinds = match value().as_str() {
                    "findings" => vec![Kind::Findings],
                    "compliant" => vec![Kind::Compliant],
                    "both" => vec![Kind::Findings, Kind::Compliant],
                    _ => bad("--corpus is findings, compliant or both"),
                }
            }
            "--seed" => parsed.seed = value().parse().unwrap_or_else(|_| bad("bad --seed")),
            "--cache" => parsed.cache = Some(PathBuf::from(value())),
            "--no-regorus" => parsed.regorus = false,
            "--no-cross-check" => parsed.cross_check = false,
            "--startup-runs" => {
                parsed.startup_runs = value()
                    .parse()
                    .unwrap_or_else(|_| bad("bad --startup-runs"));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            other => bad(&format!("unknown argument `{other}`")),
        }
    }
    if parsed.sizes.contains(&0) {
        bad("a size is at least 1");
    }
    parsed
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The contenders that run inside this binary.
    match args.first().map(String::as_str) {
        Some("launcher") => return measure::launcher(),
        Some("floor") => return contenders::floor(Path::new(&args[1])),
        Some("regorus") => {
            return contenders::regorus(
                Path::new(&args[1]),
                args.get(2).is_some_and(|a| a == "--emit"),
            )
        }
        _ => {}
    }
    let args = parse_args(&args);
    let bench = std::env::current_exe().unwrap();
    let proviso = PathBuf::from(env!("CARGO_BIN_EXE_proviso"));
    let temp = tempfile::tempdir().unwrap();
    let root = args
        .cache
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&root).unwrap();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "proviso vs the floor and regorus: {threads} threads, load average {}, checked as of {TODAY}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let mut launcher = Launcher::start(&bench);
    let baseline = launcher.run(&[OsStr::new("true")]);
    println!(
        "CPU is user + system time of the whole process; wall and CPU are medians of the runs, peak RSS the largest \
         (what the measuring itself shows as peak RSS, for `true`: {})",
        mib(baseline.rss)
    );

    let mut failed = false;
    for (s, &n) in args.sizes.iter().enumerate() {
        for &kind in &args.kinds {
            let start = std::time::Instant::now();
            let dir = corpus::ensure(&root, kind, n, args.seed);
            let made = start.elapsed();
            let target = Target {
                bench: &bench,
                proviso: &proviso,
                dir: &dir,
                kind,
                n,
            };
            failed |= !compare(&args, &mut launcher, &target, s == 0, made);
        }
    }
    if args.startup_runs > 0 {
        startup(&args, &mut launcher, &proviso, &root);
    }
    if failed {
        eprintln!("the generated corpus is not what it should be: see above");
        std::process::exit(1);
    }
}

/// One corpus, and the programs that run on it.
struct Target<'a> {
    bench: &'a Path,
    proviso: &'a Path,
    dir: &'a Path,
    kind: Kind,
    n: usize,
}

/// Runs every contender on one corpus and prints its table. Returns false
/// when the corpus itself is wrong (a manifest that does not load, or a
/// compliant manifest with findings).
fn compare(
    args: &Args,
    launcher: &mut Launcher,
    target: &Target,
    first_size: bool,
    made: Duration,
) -> bool {
    let Target {
        bench,
        proviso,
        dir,
        kind,
        n,
    } = *target;
    // What proviso reports, read untimed: it also warms the page cache.
    let found = crosscheck::scan_short(proviso, dir, TODAY);
    println!();
    println!(
        "== {} corpus, {} manifests (made or found in {:.1} s): {} with findings as proviso reports them ({:.1}%), {:.1} failing rules in each ==",
        kind.name(),
        thousands(n),
        made.as_secs_f64(),
        thousands(found.files_with_findings),
        100.0 * found.files_with_findings as f64 / n as f64,
        found.failures as f64 / found.files_with_findings.max(1) as f64,
    );
    let mut sound = true;
    if !found.broken.is_empty() {
        println!("  FAILED: the generator wrote manifests that do not load:");
        for line in &found.broken {
            println!("    {line}");
        }
        sound = false;
    }
    if kind == Kind::Compliant && (found.exit != 0 || found.failures != 0) {
        println!(
            "  FAILED: the compliant corpus has {} failures (exit {})",
            found.failures, found.exit
        );
        sound = false;
    }
    if kind == Kind::Findings && found.exit != 1 {
        println!(
            "  FAILED: proviso exited {} on the findings corpus",
            found.exit
        );
        sound = false;
    }

    if args.regorus && args.cross_check && first_size {
        let theirs = crosscheck::regorus(bench, dir);
        let ours = crosscheck::proviso_json(proviso, dir, TODAY);
        crosscheck::report(&ours, &theirs);
    }

    let rounds = args.rounds.unwrap_or(match n {
        0..=5_000 => 5,
        5_001..=20_000 => 3,
        _ => 1,
    });
    let dir_arg = dir.as_os_str();
    let check = |format: &'static str| -> Vec<&OsStr> {
        let mut argv = vec![proviso.as_os_str()];
        argv.extend(["check", "--format", format, "--as-of", TODAY].map(OsStr::new));
        argv.push(dir_arg);
        argv
    };
    let own = |mode: &'static str| vec![bench.as_os_str(), OsStr::new(mode), dir_arg];
    let mut contenders: Vec<(&str, Vec<&OsStr>)> = vec![
        ("floor: serde_yaml::Value, all cores", own("floor")),
        ("proviso check --format short", check("short")),
        ("proviso check --format json", check("json")),
    ];
    if args.regorus {
        contenders.push(("regorus: catalogue.rego", own("regorus")));
    }
    // Rounds are interleaved so that a busy moment on the machine is spread
    // over all contenders rather than landing on one.
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); contenders.len()];
    for _ in 0..rounds {
        for (k, (name, argv)) in contenders.iter().enumerate() {
            let sample = launcher.run(argv);
            let expected: &[i32] = if name.starts_with("proviso") {
                &[0, 1]
            } else {
                &[0]
            };
            assert!(
                expected.contains(&sample.exit),
                "{name} exited {}",
                sample.exit
            );
            samples[k].push(sample);
        }
    }
    let results: Vec<Summary> = samples.iter().map(|s| summarize(s)).collect();

    println!(
        "  {:<38} {:>10} {:>10} {:>10}   (median of {rounds})",
        "", "wall", "CPU", "peak RSS"
    );
    for ((name, _), r) in contenders.iter().zip(&results) {
        println!(
            "  {name:<38} {:>10} {:>10} {:>10}",
            ms(r.wall),
            ms(r.cpu),
            mib(r.rss)
        );
    }
    let floor = results[0];
    let (short, json) = (results[1], results[2]);
    let limit = match kind {
        Kind::Findings => FLOOR_RATIO_FINDINGS,
        Kind::Compliant => FLOOR_RATIO_COMPLIANT,
    };
    for (format, r) in [("short", short), ("json", json)] {
        let cpu = ratio(r.cpu, floor.cpu);
        println!(
            "  proviso {format:<5} / floor        CPU {cpu:>6.2}  wall {:>6.2}   target: CPU at most {limit:.1}x   {}",
            ratio(r.wall, floor.wall),
            verdict(cpu <= limit)
        );
    }
    if let Some(regorus) = results.get(3) {
        for (format, r) in [("short", short), ("json", json)] {
            let cpu = ratio(regorus.cpu, r.cpu);
            println!(
                "  regorus / proviso {format:<5}      CPU {cpu:>6.2}  wall {:>6.2}   target: at least {REGORUS_RATIO:.0}x   {}",
                ratio(regorus.wall, r.wall),
                verdict(cpu >= REGORUS_RATIO)
            );
        }
    }
    for (format, r) in [("short", short), ("json", json)] {
        let rss = r.rss as f64 / (1 << 20) as f64;
        println!(
            "  peak RSS, proviso --format {format:<5} {rss:>8.1} MiB{:>16}target: at most {RSS_MIB:.0} MiB   {}",
            "",
            verdict(rss <= RSS_MIB)
        );
    }
    sound
}

/// One manifest, the whole process, as a pre-commit hook or an editor runs
/// it: the median wall time of many runs.
fn startup(args: &Args, launcher: &mut Launcher, proviso: &Path, root: &Path) {
    let dir = corpus::ensure(root, Kind::Findings, 1, args.seed);
    let file = dir.join(corpus::file_name(0));
    let mut argv = vec![proviso.as_os_str()];
    argv.extend(["check", "--format", "short", "--as-of", TODAY].map(OsStr::new));
    argv.push(file.as_os_str());
    launcher.run(&argv); // warm the page cache
    let samples: Vec<Sample> = (0..args.startup_runs)
        .map(|_| launcher.run(&argv))
        .collect();
    let r = summarize(&samples);
    let wall = r.wall.as_secs_f64() * 1e3;
    println!();
    println!(
        "start-up, one manifest, whole process (median of {}): wall {wall:.2} ms, CPU {:.2} ms, peak RSS {}   target: at most {STARTUP_MS:.0} ms   {}",
        args.startup_runs,
        r.cpu.as_secs_f64() * 1e3,
        mib(r.rss),
        verdict(wall <= STARTUP_MS)
    );
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
