//! `--format junit`: JUnit XML, which CI services show as test results.
//!
//! One `<testsuite>` per policy (`policy ftc2012 for ...`), and one for
//! each group of built-in checks (`manifest`, `proviso`). One `<testcase>`
//! per rule × manifest, named by the rule id, with the manifest path as its
//! `classname` and `file`:
//!
//! - pass: a passing case;
//! - fail: a `<failure>` whose message is the first finding's, and whose
//!   text lists every finding as `path:line:col: severity[rule]: message`;
//! - could not be evaluated: an `<error>`;
//! - not applicable (nothing got past `where`): `<skipped>`;
//! - every finding waived: `<skipped>`, with the waiver in the message,
//!   since it does not fail the run.
//!
//! A manifest that does not load (`FileKind::Broken`) was never evaluated:
//! it yields only its `manifest/*` failures. Built-in checks appear where
//! they found something. No times are written, so the document is the same
//! on every run.

use super::escape::visible;
use super::{builtin_group, catalogue, short};
use crate::check::Program;
use crate::diagnostics::Finding;
use crate::run::{FileKind, FileReport, Report, RuleResult};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

/// The suites, in catalogue order; a suite with no case is left out.
struct Suites {
    suites: Vec<TestSuite>,
}

impl Suites {
    fn new(program: &Program) -> Suites {
        let mut suites: Vec<TestSuite> = Vec::new();
        for entry in catalogue(program) {
            if !suites.iter().any(|s| s.name.as_str() == entry.policy) {
                suites.push(TestSuite::new(entry.policy));
            }
        }
        Suites { suites }
    }

    fn add(&mut self, suite: &str, case: TestCase) {
        match self.suites.iter_mut().find(|s| s.name.as_str() == suite) {
            Some(s) => {
                s.add_test_case(case);
            }
            None => {
                let mut s = TestSuite::new(suite);
                s.add_test_case(case);
                self.suites.push(s);
            }
        }
    }
}

/// Text from a manifest, a file name or a policy. [`visible`] writes the
/// control characters XML 1.0 cannot hold, which quick-junit would
/// otherwise drop silently; U+FFFE and U+FFFF, which no XML 1.0 document
/// can hold either, are written the same way.
fn xml(s: &str) -> String {
    let s = visible(s);
    if s.contains(['\u{FFFE}', '\u{FFFF}']) {
        s.replace('\u{FFFE}', "\\u{fffe}")
            .replace('\u{FFFF}', "\\u{ffff}")
    } else {
        s.into_owned()
    }
}

/// Attribute values are one line: XML readers turn line breaks in them
/// into spaces anyway, so do it where it can be seen.
fn one_line(s: &str) -> String {
    xml(&s.replace("\r\n", " ").replace(['\n', '\r'], " "))
}

fn describe(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        text.push_str(&xml(&short::finding(f)));
        text.push('\n');
        if let Some(help) = &f.help {
            text.push_str(&format!("  help: {}\n", xml(help)));
        }
    }
    text
}

fn status(result: RuleResult, findings: &[&Finding]) -> TestCaseStatus {
    let live: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.waiver.is_none())
        .collect();
    match (result, live.first(), findings.first()) {
        (RuleResult::Pass, _, _) => TestCaseStatus::success(),
        (RuleResult::NotApplicable, _, _) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("not applicable: no value of the manifest got past the rule's `where`");
            s
        }
        (RuleResult::Fail, None, Some(waived)) => {
            let mut s = TestCaseStatus::skipped();
            if let Some(w) = &waived.waiver {
                s.set_message(format!(
                    "waived until {} by {}: {}",
                    w.expires,
                    one_line(&w.approved_by),
                    one_line(&w.reason)
                ));
            }
            s.set_type("waived");
            s.set_description(describe(findings));
            s
        }
        (RuleResult::Fail | RuleResult::Error, first, _) => {
            let kind = if result == RuleResult::Error {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            match first.or(findings.first()) {
                Some(f) => {
                    let more = match live.len() {
                        0 | 1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    };
                    s.set_message(format!("{}{more}", one_line(&f.message)));
                    s.set_type(f.severity.as_str());
                }
                None => {
                    s.set_message("the rule fails");
                }
            }
            s.set_description(describe(findings));
            s
        }
    }
}

fn case(rule: &str, file: &FileReport, result: RuleResult, findings: &[&Finding]) -> TestCase {
    let mut case = TestCase::new(xml(rule), status(result, findings));
    // A path is written as the other formats write it, so that it names
    // one file.
    let path = xml(&file.path);
    case.set_classname(path.as_str());
    case.extra.insert("file".into(), path.into());
    if let Some(f) = findings.iter().find(|f| f.waiver.is_none()) {
        if f.location.range.is_some() {
            let (line, _) = f.location.line_col();
            case.extra.insert("line".into(), line.to_string().into());
        }
    }
    case
}

/// The built-in checks that found something in a file, in the order of
/// their first finding.
fn builtin_cases(program: &Program, file: &FileReport, suites: &mut Suites) {
    let mut seen: Vec<&str> = Vec::new();
    for f in &file.findings {
        if program.rule(&f.rule).is_some() || seen.contains(&f.rule.as_str()) {
            continue;
        }
        seen.push(&f.rule);
        let findings: Vec<&Finding> = file.findings.iter().filter(|g| g.rule == f.rule).collect();
        suites.add(
            builtin_group(&f.rule),
            case(&f.rule, file, RuleResult::Fail, &findings),
        );
    }
}

/// The JUnit document, with a final newline.
pub fn render(program: &Program, report: &Report) -> Result<String, String> {
    let mut suites = Suites::new(program);
    for file in &report.files {
        match file.kind {
            FileKind::Skipped => continue,
            FileKind::Broken | FileKind::Crashed => {}
            FileKind::Manifest => {
                for &(i, result) in &file.results {
                    let Some(rule) = program.rules.get(i) else {
                        continue;
                    };
                    let findings: Vec<&Finding> =
                        file.findings.iter().filter(|f| f.rule == rule.id).collect();
                    suites.add(&rule.policy, case(&rule.id, file, result, &findings));
                }
            }
        }
        builtin_cases(program, file, &mut suites);
    }
    let mut junit = quick_junit::Report::new("proviso");
    junit.add_test_suites(
        suites
            .suites
            .into_iter()
            .filter(|s| !s.test_cases.is_empty()),
    );
    let mut text = junit.to_string().map_err(|e| e.to_string())?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}
