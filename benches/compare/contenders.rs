//! The two contenders that are not proviso, each run in a process of its
//! own: the bench binary re-executes itself with the contender's name.

use rayon::prelude::*;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The Rego catalogue, compiled into the bench binary as proviso's policies
/// are compiled into proviso.
const CATALOGUE: &str = include_str!("../catalogue.rego");
const ENTRY_POINT: &str = "data.proviso.violations";

/// The manifests of a corpus directory, in name order.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The floor: read every file and parse it into `serde_yaml::Value`, on all
/// cores. Nothing is checked; the value is dropped once built.
pub fn floor(dir: &Path) {
    let files = files(dir);
    let parsed: usize = files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            usize::from(value.is_mapping())
        })
        .sum();
    assert_eq!(parsed, files.len(), "a manifest did not parse to a mapping");
    eprintln!("floor: {parsed} manifests parsed");
}

/// regorus, as conftest runs a policy: the catalogue is parsed and prepared
/// once, each rayon worker evaluates with its own clone of the prepared
/// engine (`map_init`), and each file is read and parsed from YAML into the
/// engine's input. The YAML is deserialized straight into `regorus::Value`,
/// the cheapest way in, without the intermediate JSON value conftest makes.
///
/// With `emit`, prints `file<TAB>rule` for every violation (file by name),
/// for the cross-check; otherwise only the count goes to stderr.
pub fn regorus(dir: &Path, emit: bool) {
    let files = files(dir);
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("catalogue.rego".to_string(), CATALOGUE.to_string())
        .unwrap();
    // The first evaluation analyses and schedules the policy; clones made
    // after it share that work.
    engine.set_input(regorus::Value::new_object());
    engine.eval_rule(ENTRY_POINT.to_string()).unwrap();

    let results: Vec<(usize, Vec<String>)> = files
        .par_iter()
        .map_init(
            || engine.clone(),
            |engine, path| {
                let text = std::fs::read_to_string(path).unwrap();
                let input: regorus::Value = serde_yaml::from_str(&text).unwrap();
                engine.set_input(input);
                let violations = engine.eval_rule(ENTRY_POINT.to_string()).unwrap();
                let set = violations.as_set().unwrap();
                let rules = if emit {
                    set.iter()
                        .map(|v| v["rule"].as_string().unwrap().to_string())
                        .collect()
                } else {
                    Vec::new()
                };
                (set.len(), rules)
            },
        )
        .collect();
    let total: usize = results.iter().map(|(n, _)| n).sum();
    if emit {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for (path, (_, rules)) in files.iter().zip(&results) {
            let name = path.file_name().unwrap().to_string_lossy();
            for rule in rules {
                writeln!(out, "{name}\t{rule}").unwrap();
            }
        }
        out.flush().unwrap();
    }
    eprintln!("regorus: {} manifests, {total} violations", files.len());
}
