//! What proviso reports about a corpus, read back from its own output: the
//! sanity checks on the generated corpora and the comparison of proviso's
//! failures with regorus's violations.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// (file name, rule id)
pub type Pair = (String, String);

/// (file name, rule id, n): the n-th finding (from 1) of a rule in a file,
/// so that two sets of them agree only when every file has as many findings
/// of every rule, not merely some.
pub type Counted = (String, String, usize);

/// Numbers repeated (file, rule) pairs.
fn counted(pairs: impl Iterator<Item = Pair>) -> BTreeSet<Counted> {
    let mut seen: BTreeMap<Pair, usize> = BTreeMap::new();
    pairs
        .map(|pair| {
            let n = seen.entry(pair.clone()).or_default();
            *n += 1;
            (pair.0, pair.1, *n)
        })
        .collect()
}

/// What `proviso check --format short` said about a corpus, read as it is
/// written (the output of 200,000 manifests is not held in memory).
pub struct Findings {
    pub exit: i32,
    pub files_with_findings: usize,
    /// Distinct (file, rule) failures.
    pub failures: usize,
    /// Findings of the built-in `manifest/*` checks: the generator's fault.
    pub broken: Vec<String>,
}

pub fn scan_short(proviso: &Path, dir: &Path, today: &str) -> Findings {
    let mut child = Command::new(proviso)
        .args(["check", "--format", "short", "--as-of", today])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut files = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut broken = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let Some((file, rule)) = short_line(&line) else {
            panic!("unexpected line in --format short: {line}");
        };
        if rule.starts_with("manifest/") && broken.len() < 5 {
            broken.push(line.clone());
        }
        files.insert(file.clone());
        pairs.insert((file, rule));
    }
    let exit = child.wait().unwrap().code().unwrap_or(-1);
    Findings {
        exit,
        files_with_findings: files.len(),
        failures: pairs.len(),
        broken,
    }
}

/// `path:line:col: severity[rule-id]: message` as (file name, rule id).
fn short_line(line: &str) -> Option<Pair> {
    let (path, rest) = line.split_once(':')?;
    let open = rest.find('[')?;
    let close = open + rest[open..].find("]:")?;
    let name = Path::new(path).file_name()?.to_string_lossy().into_owned();
    Some((name, rest[open + 1..close].to_string()))
}

/// The findings in proviso's `--format json` document.
pub fn proviso_json(proviso: &Path, dir: &Path, today: &str) -> BTreeSet<Counted> {
    let out = Command::new(proviso)
        .args(["check", "--format", "json", "--as-of", today])
        .arg(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    counted(doc["findings"].as_array().unwrap().iter().map(|f| {
        let path = f["location"]["path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_string_lossy();
        (name.into_owned(), f["rule"].as_str().unwrap().to_string())
    }))
}

/// The violations regorus finds, from the bench's own `regorus --emit`
/// mode.
pub fn regorus(bench: &Path, dir: &Path) -> BTreeSet<Counted> {
    let out = Command::new(bench)
        .arg("regorus")
        .arg(dir)
        .arg("--emit")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "regorus --emit failed");
    counted(String::from_utf8(out.stdout).unwrap().lines().map(|l| {
        let (file, rule) = l.split_once('\t').unwrap();
        (file.to_string(), rule.to_string())
    }))
}

/// Prints how the two sets differ, by rule, with a few examples.
pub fn report(proviso: &BTreeSet<Counted>, regorus: &BTreeSet<Counted>) -> usize {
    let only_proviso: Vec<&Counted> = proviso.difference(regorus).collect();
    let only_regorus: Vec<&Counted> = regorus.difference(proviso).collect();
    let disagree = only_proviso.len() + only_regorus.len();
    println!(
        "  cross-check, findings by file and rule: proviso {}, regorus {}, agreeing {}, disagreeing {disagree}",
        proviso.len(),
        regorus.len(),
        proviso.intersection(regorus).count(),
    );
    // Which rules the corpus makes fail, and how often: a rule that never
    // fails is not compared at all.
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (_, rule, _) in proviso {
        per_rule.entry(rule).or_default().0 += 1;
    }
    for (_, rule, _) in regorus {
        per_rule.entry(rule).or_default().1 += 1;
    }
    let cells: Vec<String> = per_rule
        .iter()
        .map(|(rule, (p, r))| {
            if p == r {
                format!("{rule} {p}")
            } else {
                format!("{rule} {p}/{r}")
            }
        })
        .collect();
    for row in cells.chunks(4) {
        println!("    {}", row.join(", "));
    }
    for (who, pairs) in [
        ("only proviso", &only_proviso),
        ("only regorus", &only_regorus),
    ] {
        if pairs.is_empty() {
            continue;
        }
        let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (file, rule, _) in pairs.iter() {
            by_rule.entry(rule).or_default().push(file);
        }
        for (rule, files) in by_rule {
            let examples: Vec<&str> = files.iter().take(3).copied().collect();
            println!(
                "    {who}: {rule}: {} files, e.g. {}",
                files.len(),
                examples.join(", ")
            );
        }
    }
    disagree
}
