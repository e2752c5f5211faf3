#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Rule cases as data: every file under `tests/rules/<policy>/<rule>/` is a
//! full manifest, checked against the shipped policies, whose header says
//! what one rule must make of it:
//!
//! ```yaml
//! # A grant that reads private messages on platform login alone.
//! # as-of: 2018-12-18
//! # rule: ftc2012/messages-consent
//! # expect: fail 38:18
//! schema: partnership/v1
//! ...
//! ```
//!
//! `expect` is `fail` followed by the `line:col` of each finding of that
//! rule, in file order (a location repeats when two findings share it),
//! `pass`, or `not-applicable`. Findings of other rules are ignored, so one
//! manifest can be reused for several rules. Other `#` lines describe the
//! case. Every mismatch is collected and reported at once.
//!
//! A rule across manifests has its cases in directories
//! (`tests/rules/repo/unique-partner-id/<case>/*.yaml`): the manifests of a
//! directory are checked together, and each says what the rule makes of it.

use proviso::check::{compile, Program};
use proviso::date::Date;
use proviso::run::{check_text, FileKind, Options, RuleResult};
use proviso::shipped::POLICIES;
use proviso::source::Source;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CASES_DIR: &str = "tests/rules";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Fail(Vec<(usize, usize)>),
    Pass,
    NotApplicable,
}

impl Expect {
    fn show(&self) -> String {
        match self {
            Expect::Fail(locs) => format!("fail {}", show_locations(locs)),
            Expect::Pass => "pass".to_string(),
            Expect::NotApplicable => "not-applicable".to_string(),
        }
    }
}

struct Case {
    /// Relative to the crate root, as shown in reports.
    path: String,
    /// For a rule across manifests: the directory checked as one run.
    group: Option<String>,
    text: String,
    as_of: Date,
    rule: String,
    expect: Expect,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped_program() -> Program {
    let sources: Vec<_> = POLICIES
        .iter()
        .map(|(name, text)| Source::new(*name, *text))
        .collect();
    match compile(&sources) {
        Ok(program) => program,
        Err(errors) => {
            let shown: Vec<String> = errors
                .iter()
                .map(|d| {
                    let (line, col) = d.span.src.line_col(d.span.start);
                    format!("{}:{line}:{col}: {}", d.span.src.name, d.message)
                })
                .collect();
            panic!("the shipped policies do not compile:\n{}", shown.join("\n"))
        }
    }
}

/// A run reads the shipped policies from the image the build made of them
/// (build.rs), not from their text: it must be the very program their text
/// compiles to, every span pointing at the same place in the same text.
#[test]
fn the_built_catalogue_is_the_program_of_the_policy_text() {
    let compiled = shipped_program();
    let built = proviso::shipped::program_from_image()
        .expect("the build's image matches the shipped policy files");
    let summary = |p: &Program| -> Vec<String> {
        p.rules
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {}@{:?} {:?}",
                    r.id,
                    r.severity.as_str(),
                    r.title,
                    r.span.src.name,
                    r.span.range(),
                    r.id_span.range()
                )
            })
            .collect()
    };
    assert_eq!(summary(&built), summary(&compiled));
    // Everything else, spans included (a span shows as `file@range`).
    assert_eq!(format!("{built:#?}"), format!("{compiled:#?}"));
    for rule in &built.rules {
        let (_, text) = POLICIES
            .iter()
            .find(|(name, _)| *name == rule.span.src.name)
            .unwrap();
        assert_eq!(rule.span.src.text, *text);
        assert_eq!(rule.id_span.text(), rule.id);
        let declared = format!("rule {} {{", rule.id);
        assert!(rule.span.text().contains(&declared), "{}", rule.id);
    }
    for field in built.types.records.iter().flat_map(|r| &r.fields) {
        assert_eq!(field.span.text(), field.name);
    }
}

/// Every `.yaml` file under `dir`, sorted so reports are stable.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Reads every case file. A file whose header is malformed, or whose
/// directory does not match its rule, is an error, not a skipped case.
fn load_cases() -> (Vec<Case>, Vec<String>) {
    let root = root();
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for file in yaml_files(&root.join(CASES_DIR)) {
        let path = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&file).unwrap();
        match parse_case(&path, &text) {
            Ok(case) => cases.push(case),
            Err(e) => errors.push(format!("{path}: {e}")),
        }
    }
    (cases, errors)
}

fn parse_case(path: &str, text: &str) -> Result<Case, String> {
    let (mut as_of, mut rule, mut expect) = (None, None, None);
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        if let Some(v) = line.strip_prefix("as-of:") {
            let v = v.trim();
            as_of = Some(Date::parse(v).ok_or_else(|| format!("bad `as-of` date `{v}`"))?);
        } else if let Some(v) = line.strip_prefix("rule:") {
            rule = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("expect:") {
            expect = Some(parse_expect(v.trim())?);
        }
    }
    let rule = rule.ok_or("no `# rule:` line in the header")?;
    // tests/rules/<policy>/<rule-name>/<case>.yaml holds cases of <policy>/<rule-name>.
    let dir = path
        .strip_prefix(CASES_DIR)
        .and_then(|p| p.rsplit_once('/'))
        .map(|(dir, _)| dir.trim_start_matches('/'));
    let group = match dir {
        Some(d) if d == rule => None,
        Some(d)
            if d.strip_prefix(rule.as_str())
                .is_some_and(|r| r.starts_with('/') && !r[1..].contains('/')) =>
        {
            path.rsplit_once('/').map(|(dir, _)| dir.to_string())
        }
        _ => {
            return Err(format!(
                "the case is for `{rule}` but lies in `{}`",
                dir.unwrap_or("?")
            ))
        }
    };
    Ok(Case {
        path: path.to_string(),
        group,
        text: text.to_string(),
        as_of: as_of.ok_or("no `# as-of:` line in the header")?,
        rule,
        expect: expect.ok_or("no `# expect:` line in the header")?,
    })
}

fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut words = text.split_whitespace();
    match words.next() {
        Some("pass") if words.next().is_none() => Ok(Expect::Pass),
        Some("not-applicable") if words.next().is_none() => Ok(Expect::NotApplicable),
        Some("fail") => {
            let locs = words
                .map(|w| {
                    let (l, c) = w.split_once(':')?;
                    Some((l.parse().ok()?, c.parse().ok()?))
                })
                .collect::<Option<Vec<(usize, usize)>>>()
                .ok_or_else(|| {
                    format!("bad locations in `expect: {text}`, want `fail LINE:COL ...`")
                })?;
            if locs.is_empty() {
                return Err("`expect: fail` needs the location of each finding".to_string());
            }
            Ok(Expect::Fail(locs))
        }
        _ => Err(format!(
            "bad `expect: {text}`, want `fail LINE:COL ...`, `pass` or `not-applicable`"
        )),
    }
}

fn show_locations(locs: &[(usize, usize)]) -> String {
    if locs.is_empty() {
        return "(no finding)".to_string();
    }
    locs.iter()
        .map(|(l, c)| format!("{l}:{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one case; `None` when it behaves as its header says, otherwise a
/// description of what happened instead.
fn run_case(program: &Program, case: &Case) -> Option<String> {
    let Some(index) = program.rules.iter().position(|r| r.id == case.rule) else {
        return Some(format!(
            "  no rule `{}` in the shipped policies\n",
            case.rule
        ));
    };
    let opts = Options {
        today: case.as_of,
        max_file_size: 8 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    let report = match &case.group {
        None => check_text(program, &case.path, case.text.clone(), &opts),
        Some(dir) => {
            // The manifests of the directory in one run; this file's
            // results for the rules across manifests, with its findings.
            let run = proviso::run::check_paths(program, &[root().join(dir)], &opts).unwrap();
            let name = case.path.rsplit_once('/').map_or("", |(_, n)| n);
            let mine = |f: &&proviso::run::FileReport| f.path.ends_with(&format!("/{name}"));
            let across = run
                .files
                .iter()
                .filter(mine)
                .find(|f| f.kind == FileKind::Across);
            let Some(across) = across else {
                return Some(format!(
                    "  no result of the rules across manifests for {name}\n"
                ));
            };
            proviso::run::FileReport {
                path: across.path.clone(),
                kind: FileKind::Manifest,
                findings: across.findings.clone(),
                results: across.results.clone(),
                kept: None,
            }
        }
    };
    let mut out = String::new();
    if report.kind != FileKind::Manifest {
        let _ = writeln!(
            out,
            "  expected {}, but the file is not a valid manifest ({:?}):",
            case.expect.show(),
            report.kind
        );
        for f in &report.findings {
            let (l, c) = f.location.line_col();
            let _ = writeln!(out, "    {l}:{c} [{}] {}", f.rule, f.message);
        }
        return Some(out);
    }
    let mut findings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == case.rule)
        .collect();
    findings.sort_by_key(|f| f.location.line_col());
    let result = report
        .results
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, r)| *r);
    let got = match result {
        Some(RuleResult::Fail) => {
            Expect::Fail(findings.iter().map(|f| f.location.line_col()).collect())
        }
        Some(RuleResult::Pass) => Expect::Pass,
        Some(RuleResult::NotApplicable) => Expect::NotApplicable,
        Some(RuleResult::Error) | None => {
            let _ = writeln!(
                out,
                "  expected {}, got {}",
                case.expect.show(),
                match result {
                    Some(_) => "an evaluation error",
                    None => "no result (the rule did not run)",
                }
            );
            Expect::Fail(Vec::new())
        }
    };
    if out.is_empty() && got == case.expect {
        return None;
    }
    if out.is_empty() {
        let _ = writeln!(out, "  expected {}", case.expect.show());
        let _ = writeln!(out, "  got      {}", got.show());
    }
    for f in &findings {
        let (l, c) = f.location.line_col();
        let pointer = f
            .location
            .pointer
            .as_ref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        let _ = writeln!(out, "    {l}:{c}{pointer}: {}", f.message);
    }
    Some(out)
}

#[test]
fn rule_cases() {
    let program = shipped_program();
    let (cases, mut failures) = load_cases();
    assert!(!cases.is_empty(), "no case files under {CASES_DIR}");
    let total = cases.len() + failures.len();
    for case in &cases {
        if let Some(why) = run_case(&program, case) {
            failures.push(format!("{} ({}):\n{why}", case.path, case.rule));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rule cases failed:\n\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
}

/// A rule cannot land untested: each needs a case where it fails and one
/// where it passes.
#[test]
fn every_rule_has_failing_and_passing_cases() {
    let program = shipped_program();
    let (cases, _) = load_cases();
    let mut kinds: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for case in &cases {
        let entry = kinds.entry(case.rule.as_str()).or_default();
        match case.expect {
            Expect::Fail(_) => entry.0 = true,
            Expect::Pass => entry.1 = true,
            Expect::NotApplicable => {}
        }
    }
    let missing: Vec<String> = program
        .rules
        .iter()
        .filter_map(|rule| {
            let (fail, pass) = kinds.get(rule.id.as_str()).copied().unwrap_or_default();
            let lacks: Vec<&str> = [(!fail, "fail"), (!pass, "pass")]
                .iter()
                .filter(|(lacking, _)| *lacking)
                .map(|(_, kind)| *kind)
                .collect();
            (!lacks.is_empty()).then(|| {
                format!(
                    "{}: no `{}` case under {CASES_DIR}/{}/",
                    rule.id,
                    lacks.join("` or `"),
                    rule.id
                )
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "rules without cases:\n{}",
        missing.join("\n")
    );
}

/// A policy file that is not compiled into the binary would silently not
/// run.
#[test]
fn every_policy_file_is_shipped() {
    let dir = root().join("policies");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".proviso"))
        .map(|name| format!("builtin:{name}"))
        .collect();
    on_disk.sort();
    let mut shipped: Vec<String> = POLICIES.iter().map(|(name, _)| name.to_string()).collect();
    shipped.sort();
    assert_eq!(
        on_disk, shipped,
        "the files in policies/ and the list in src/shipped/catalogue.rs differ"
    );
}
