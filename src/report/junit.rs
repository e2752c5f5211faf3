//! `--format junit`: JUnit XML, which CI services show as test results.
//!
//! One `<testsuite>` per policy (`policy ftc2012 for ...`), and one for
//! each group of built-in checks (`manifest`, `proviso`). One `<testcase>`
//! per rule × manifest, named by the rule id, with the manifest path as its
//! `classname` and `file`:
//!
//! - pass: a passing case;
//! - fail, with a finding at or above `--fail-on`: a `<failure>` whose
//!   message is the first such finding's, and whose text lists them as
//!   `path:line:col: severity[rule]: message`;
//! - could not be evaluated: an `<error>`, likewise;
//! - fail, with findings that do not fail the run (below `--fail-on`, or
//!   any with `--fail-on never`): a passing case, its findings in its
//!   `<system-out>`, so that a CI's test view shows no failure on a run
//!   that passed, and the findings are still there to read;
//! - not applicable (nothing got past `where`): `<skipped>`;
//! - every finding waived: `<skipped>`, with the waiver in the message,
//!   since it does not fail the run.
//!
//! Beside a `<failure>` or an `<error>`, the case's findings that do not
//! fail the run (waived, or below `--fail-on`) are in its `<system-out>`.
//!
//! A manifest that does not load (`FileKind::Broken`) was never evaluated:
//! it yields only its `manifest/*` failures. Built-in checks appear where
//! they found something. No times are written, so the document is the same
//! on every run.
//!
//! The document is written as the check goes, in constant memory. The
//! suites group cases by policy, while files arrive one after another, and
//! `<testsuites>` and each `<testsuite>` carry their counts, which are
//! known only at the end: each suite's cases are therefore written to an
//! anonymous temporary file as their manifest is handed on, and copied
//! into the output, behind the counted headers, once the run is done. The
//! bound is a buffer per suite; the cost is the document's size once more
//! on the temporary directory's disk (`TMPDIR`) for the length of the run.

use super::escape::visible;
use super::{builtin_group, catalogue, short};
use crate::ast::Severity;
use crate::check::Program;
use crate::diagnostics::Finding;
use crate::run::{FileKind, FileReport, Report, RuleResult};
use crate::source::ColumnUnit;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// How a case ended, as JUnit says it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pass,
    Skipped,
    Failure,
    Error,
}

/// A case's status: the element inside `<testcase>`, unless it passed.
struct Status {
    outcome: Outcome,
    message: Option<String>,
    ty: Option<String>,
    /// The element's text.
    description: Option<String>,
    /// Findings that do not fail the run, for `<system-out>`.
    output: Option<String>,
}

impl Status {
    fn new(outcome: Outcome) -> Status {
        Status {
            outcome,
            message: None,
            ty: None,
            description: None,
            output: None,
        }
    }
}

/// One suite: its counts, and its cases so far in a temporary file,
/// created with the suite's first case.
struct Suite {
    name: String,
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
    cases: Option<BufWriter<File>>,
}

impl Suite {
    fn new(name: &str) -> Suite {
        Suite {
            name: xml(name),
            tests: 0,
            skipped: 0,
            failures: 0,
            errors: 0,
            cases: None,
        }
    }

    fn add(&mut self, case: &Case) -> io::Result<()> {
        self.tests += 1;
        match case.status.outcome {
            Outcome::Pass => {}
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failure => self.failures += 1,
            Outcome::Error => self.errors += 1,
        }
        let cases = match &mut self.cases {
            Some(cases) => cases,
            None => self
                .cases
                .insert(BufWriter::new(tempfile::tempfile().map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot create a temporary file for the JUnit suites: {e}"),
                    )
                })?)),
        };
        case.write(cases)
    }
}

/// Writes the JUnit document as the check goes (see the module's
/// documentation for how, and what it costs).
pub struct Stream<'p, W: Write> {
    program: &'p Program,
    /// The severity at and above which a finding fails the run (`--fail-on`);
    /// `None` for `never`.
    threshold: Option<Severity>,
    out: W,
    /// In catalogue order; a suite with no case is left out.
    suites: Vec<Suite>,
}

impl<'p, W: Write> Stream<'p, W> {
    /// A document whose failures are the findings at or above `threshold`
    /// (`--fail-on`; `None` for `never`, when nothing fails).
    pub fn start(program: &'p Program, threshold: Option<Severity>, out: W) -> Stream<'p, W> {
        let mut suites: Vec<Suite> = Vec::new();
        for entry in catalogue(program) {
            if !suites.iter().any(|s| s.name == xml(entry.policy)) {
                suites.push(Suite::new(entry.policy));
            }
        }
        Stream {
            program,
            threshold,
            out,
            suites,
        }
    }

    fn add(&mut self, suite: &str, case: &Case) -> io::Result<()> {
        let name = xml(suite);
        match self.suites.iter_mut().find(|s| s.name == name) {
            Some(s) => s.add(case),
            None => {
                let mut s = Suite::new(suite);
                s.add(case)?;
                self.suites.push(s);
                Ok(())
            }
        }
    }

    /// One file's cases: a case per rule for a manifest, and one per
    /// built-in check that found something.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        match file.kind {
            FileKind::Skipped => return Ok(()),
            FileKind::Broken | FileKind::Crashed => {}
            FileKind::Manifest | FileKind::Across => {
                let program = self.program;
                for &(i, result) in &file.results {
                    let Some(rule) = program.rules.get(i) else {
                        continue;
                    };
                    let findings: Vec<&Finding> =
                        file.findings.iter().filter(|f| f.rule == rule.id).collect();
                    let case = case(
                        &rule.id,
                        file,
                        result,
                        &findings,
                        rule.severity,
                        self.threshold,
                    );
                    self.add(&rule.policy, &case)?;
                }
            }
        }
        self.builtin_cases(file)
    }

    /// The built-in checks that found something in a file, in the order of
    /// their first finding.
    fn builtin_cases(&mut self, file: &FileReport) -> io::Result<()> {
        let mut seen: Vec<&str> = Vec::new();
        for f in &file.findings {
            if self.program.rule(&f.rule).is_some() || seen.contains(&f.rule.as_str()) {
                continue;
            }
            seen.push(&f.rule);
            let findings: Vec<&Finding> =
                file.findings.iter().filter(|g| g.rule == f.rule).collect();
            let case = case(
                &f.rule,
                file,
                RuleResult::Fail,
                &findings,
                f.severity,
                self.threshold,
            );
            self.add(builtin_group(&f.rule), &case)?;
        }
        Ok(())
    }

    /// The counted headers and every suite's cases, with a final newline.
    pub fn finish(mut self) -> io::Result<W> {
        let sum = |count: fn(&Suite) -> usize| self.suites.iter().map(count).sum::<usize>();
        let (tests, skipped, failures, errors) = (
            sum(|s| s.tests),
            sum(|s| s.skipped),
            sum(|s| s.failures),
            sum(|s| s.errors),
        );
        let out = &mut self.out;
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"proviso\" tests=\"{tests}\" skipped=\"{skipped}\" failures=\"{failures}\" errors=\"{errors}\">"
        )?;
        for suite in self.suites {
            let Some(cases) = suite.cases else {
                continue;
            };
            write!(
                out,
                "\n    <testsuite name=\"{}\" tests=\"{}\" skipped=\"{}\" errors=\"{}\" failures=\"{}\">",
                escape(&suite.name),
                suite.tests,
                suite.skipped,
                suite.errors,
                suite.failures
            )?;
            let mut cases = cases.into_inner().map_err(io::IntoInnerError::into_error)?;
            cases.rewind()?;
            io::copy(&mut cases, out)?;
            out.write_all(b"\n    </testsuite>")?;
        }
        out.write_all(b"\n</testsuites>\n")?;
        Ok(self.out)
    }
}

/// `<`, `>`, `&`, `'` and `"` as entities, in text and in attribute values.
pub(crate) fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['<', '>', '&', '\'', '"']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text from a manifest, a file name or a policy. [`visible`] writes the
/// control characters XML 1.0 cannot hold; U+FFFE and U+FFFF, which no XML
/// 1.0 document can hold either, are written the same way.
pub(crate) fn xml(s: &str) -> String {
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
        // Positions in characters, as in the JSON and SARIF documents.
        text.push_str(&xml(&short::finding(f, ColumnUnit::Chars)));
        text.push('\n');
        if let Some(help) = &f.help {
            text.push_str(&format!("  help: {}\n", xml(help)));
        }
    }
    text
}

/// Whether a finding fails the run: not waived, and at or above the
/// threshold.
fn fails(f: &Finding, threshold: Option<Severity>) -> bool {
    f.waiver.is_none() && threshold.is_some_and(|t| f.severity >= t)
}

/// What `<system-out>` says of findings that do not fail the run.
fn not_failing(findings: &[&Finding], threshold: Option<Severity>) -> Option<String> {
    if findings.is_empty() {
        return None;
    }
    let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
    let why = match (threshold, waived) {
        (None, _) => "`--fail-on never`".to_string(),
        (Some(_), n) if n == findings.len() => "waived".to_string(),
        (Some(t), 0) => format!("below `--fail-on {}`", t.as_str()),
        (Some(t), _) => format!("below `--fail-on {}`, or waived", t.as_str()),
    };
    Some(format!(
        "not failing the run ({why}):\n{}",
        describe(findings)
    ))
}

/// [`not_failing`], for a case without a finding of its own.
fn not_failing_without_finding(
    message: &str,
    severity: Severity,
    threshold: Option<Severity>,
) -> Option<String> {
    let why = match threshold {
        Some(t) => format!("below `--fail-on {}`", t.as_str()),
        None => "`--fail-on never`".to_string(),
    };
    Some(format!(
        "not failing the run ({why}): {message} ({})\n",
        severity.as_str()
    ))
}

/// How a case ends. `severity` is the rule's: it decides for a case that
/// failed without a finding of its own (a rule across manifests reports
/// in one manifest; the others end as it did).
fn status(
    result: RuleResult,
    findings: &[&Finding],
    severity: Severity,
    threshold: Option<Severity>,
) -> Status {
    let live: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.waiver.is_none())
        .collect();
    let (failing, others): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| fails(f, threshold));
    match (result, live.first(), findings.first()) {
        (RuleResult::Pass, _, _) => Status::new(Outcome::Pass),
        (RuleResult::NotApplicable, _, _) => Status {
            message: Some(
                "not applicable: no value of the manifest got past the rule's `where`".into(),
            ),
            ..Status::new(Outcome::Skipped)
        },
        (RuleResult::Fail, None, Some(waived)) => Status {
            message: waived.waiver.as_ref().map(|w| {
                format!(
                    "waived until {} by {}: {}",
                    w.expires,
                    one_line(&w.approved_by),
                    one_line(&w.reason)
                )
            }),
            ty: Some("waived".into()),
            description: Some(describe(findings)),
            ..Status::new(Outcome::Skipped)
        },
        // Findings, none of which fails the run: the case passes, and
        // shows them.
        (RuleResult::Fail | RuleResult::Error, _, Some(_)) if failing.is_empty() => Status {
            output: not_failing(&others, threshold),
            ..Status::new(Outcome::Pass)
        },
        // No finding here: the rule's severity decides, an evaluation
        // error counting as an error.
        (RuleResult::Fail | RuleResult::Error, _, None) => {
            let (outcome, severity, message) = match result {
                RuleResult::Error => (
                    Outcome::Error,
                    Severity::Error,
                    "the rule could not be evaluated",
                ),
                _ => (Outcome::Failure, severity, "the rule fails"),
            };
            if threshold.is_some_and(|t| severity >= t) {
                Status {
                    message: Some(message.to_string()),
                    ty: Some(severity.as_str().to_string()),
                    ..Status::new(outcome)
                }
            } else {
                Status {
                    output: not_failing_without_finding(message, severity, threshold),
                    ..Status::new(Outcome::Pass)
                }
            }
        }
        (RuleResult::Fail | RuleResult::Error, _, _) => {
            let outcome = if result == RuleResult::Error {
                Outcome::Error
            } else {
                Outcome::Failure
            };
            let (message, ty) = match failing.first() {
                Some(f) => {
                    let more = match failing.len() {
                        0 | 1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    };
                    (
                        format!("{}{more}", one_line(&f.message)),
                        Some(f.severity.as_str().to_string()),
                    )
                }
                // Unreachable: the arm above takes a case without failing
                // findings.
                None => ("the rule fails".to_string(), None),
            };
            Status {
                message: Some(message),
                ty,
                description: Some(describe(&failing)),
                output: not_failing(&others, threshold),
                ..Status::new(outcome)
            }
        }
    }
}

/// One `<testcase>`: a rule on a manifest.
struct Case {
    name: String,
    /// The manifest's path, as the other formats write it, so that it
    /// names one file: the case's `classname` and `file`.
    path: String,
    line: Option<usize>,
    status: Status,
}

impl Case {
    /// The case as it reads inside its suite, indented two levels.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let path = escape(&self.path);
        write!(
            out,
            "\n        <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\"",
            escape(&self.name)
        )?;
        if let Some(line) = self.line {
            write!(out, " line=\"{line}\"")?;
        }
        let tag = match (self.status.outcome, &self.status.output) {
            (Outcome::Pass, None) => return out.write_all(b"/>"),
            (Outcome::Pass, Some(_)) => None,
            (Outcome::Skipped, _) => Some("skipped"),
            (Outcome::Failure, _) => Some("failure"),
            (Outcome::Error, _) => Some("error"),
        };
        out.write_all(b">")?;
        if let Some(tag) = tag {
            write!(out, "\n            <{tag}")?;
            if let Some(message) = &self.status.message {
                write!(out, " message=\"{}\"", escape(message))?;
            }
            if let Some(ty) = &self.status.ty {
                write!(out, " type=\"{}\"", escape(ty))?;
            }
            match &self.status.description {
                Some(text) => write!(out, ">{}</{tag}>", escape(text))?,
                None => out.write_all(b"/>")?,
            }
        }
        if let Some(text) = &self.status.output {
            write!(
                out,
                "\n            <system-out>{}</system-out>",
                escape(text)
            )?;
        }
        out.write_all(b"\n        </testcase>")
    }
}

fn case(
    rule: &str,
    file: &FileReport,
    result: RuleResult,
    findings: &[&Finding],
    severity: Severity,
    threshold: Option<Severity>,
) -> Case {
    // The line of the first finding that fails the run, else of the first
    // that is not waived.
    let line = findings
        .iter()
        .find(|f| fails(f, threshold))
        .or_else(|| findings.iter().find(|f| f.waiver.is_none()))
        .filter(|f| f.location.range.is_some())
        .map(|f| f.location.line_col().0);
    Case {
        name: xml(rule),
        path: xml(&file.path),
        line,
        status: status(result, findings, severity, threshold),
    }
}

/// The JUnit document, with a final newline; findings at or above
/// `threshold` are failures.
pub fn render(
    program: &Program,
    report: &Report,
    threshold: Option<Severity>,
) -> Result<String, String> {
    let mut stream = Stream::start(program, threshold, Vec::new());
    for file in &report.files {
        stream.file(file).map_err(|e| e.to_string())?;
    }
    let bytes = stream.finish().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
