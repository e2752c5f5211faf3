//! `proviso test`: runs the cases of `*.test.yaml` files.

use super::Exit;
use crate::date::Date;
use crate::explain::{render_binding, Explanation};
use crate::manifest::discover::path_text;
use crate::report::escape::visible;
use crate::report::human::Renderer;
use crate::report::junit::{escape, xml};
use crate::report::term::{self, ColorChoice, Stream};
use crate::source::ColumnUnit;
use crate::testing::coverage::{Coverage, RuleReport};
use crate::testing::file::{read, Case};
use crate::testing::{run_case, CaseReport};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test files, and directories searched for `*.test.yaml`.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// A policy file, a directory of `.proviso` files, or `builtin` (the
    /// shipped rules); repeatable [default: the project configuration's
    /// `policies`, else builtin]
    #[arg(long, value_name = "PATH")]
    policy: Vec<PathBuf>,
    /// Run only the cases whose name, or a rule they expect something of,
    /// contains PATTERN.
    #[arg(long, value_name = "PATTERN")]
    run: Option<String>,
    /// Output format [default: human on a terminal, short otherwise]
    #[arg(long, value_enum)]
    format: Option<TestFormat>,
    /// Report, for each rule, how many cases made it pass, fail and not
    /// apply, and the conditions never true or never false.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when a rule has no failing or no passing case.
    #[arg(long)]
    require_coverage: bool,
    /// Colour the reports of broken test files and policies: auto colours
    /// a terminal, and any output when FORCE_COLOR or CLICOLOR_FORCE is
    /// set, unless NO_COLOR is set
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    color: ColorChoice,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum TestFormat {
    /// Each case, and for one that does not hold, expected against actual
    /// with the values that decided it.
    Human,
    /// `path:line:col: error[test]: ...`, one mismatch a line.
    Short,
    /// A JSON document with every case.
    Json,
    /// JUnit XML: one test suite per file, one test case per case.
    Junit,
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Every `*.test.yaml` (or `.test.yml`) under the paths; a file named
/// directly is run whatever its name.
fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(crate::testing::file::tidy(p));
            continue;
        }
        if !p.exists() {
            return Err(format!(
                "cannot test `{}`: no such file or directory",
                visible(&path_text(p))
            ));
        }
        let walker = walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir()
                        && (e.file_name().to_string_lossy().starts_with('.')
                            || e.file_name() == "target"))
            });
        for entry in walker {
            let entry =
                entry.map_err(|e| format!("cannot read `{}`: {e}", visible(&path_text(p))))?;
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if entry.file_type().is_file()
                && (name.ends_with(".test.yaml") || name.ends_with(".test.yml"))
            {
                out.push(crate::testing::file::tidy(entry.path()));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[derive(Serialize)]
struct FileResult {
    path: String,
    cases: Vec<CaseReport>,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    files: &'a [FileResult],
    #[serde(skip_serializing_if = "<[BrokenFile]>::is_empty")]
    broken: &'a [BrokenFile],
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a [RuleReport]>,
    summary: Summary,
}

#[derive(Serialize)]
struct BrokenFile {
    path: String,
    errors: Vec<String>,
}

#[derive(Serialize, Clone, Copy, Default)]
struct Summary {
    cases: usize,
    passed: usize,
    failed: usize,
    broken_files: usize,
}

pub fn run(args: TestArgs) -> Exit {
    let stdout_tty = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if stdout_tty {
        TestFormat::Human
    } else {
        TestFormat::Short
    });
    let style = super::policies::ErrorStyle {
        color: args.color,
        ..super::policies::ErrorStyle::lines(format != TestFormat::Human)
    };
    let (config, loaded) = match super::policies::configured(&args.policy, style) {
        Ok(configured) => configured,
        Err(exit) => return exit,
    };
    let program = loaded.program;
    let max_waiver_days = config
        .as_ref()
        .and_then(|c| c.max_waiver_days)
        .unwrap_or(crate::run::DEFAULT_MAX_WAIVER_DAYS);
    let files = match find(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            say(&format!("error: {e}"));
            return Exit::Failed;
        }
    };
    if files.is_empty() {
        let shown: Vec<String> = args
            .paths
            .iter()
            .map(|p| format!("`{}`", visible(&path_text(p))))
            .collect();
        say(&format!(
            "error: no test files (`*.test.yaml`) under {}; nothing was tested",
            shown.join(", ")
        ));
        return Exit::Failed;
    }
    let ids: Vec<&str> = program
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(crate::builtin::Builtin::ALL.iter().map(|b| b.id()))
        .collect();
    // The reports of broken test files go to stderr.
    let renderer = Renderer::new(args.color.on(Stream::Stderr), ColumnUnit::default())
        .with_width(term::width(Stream::Stderr));
    let mut gap = crate::report::human::Gap::default();
    let today = Date::today_utc();
    let want_traces = args.coverage || args.require_coverage;
    let mut coverage = Coverage::default();
    let mut named: Vec<String> = Vec::new();
    let mut results: Vec<FileResult> = Vec::new();
    let mut broken: Vec<BrokenFile> = Vec::new();
    let mut summary = Summary::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut selected_any = false;
    for path in &files {
        let shown = path_text(path);
        let test = match read(path, &shown, &ids) {
            Ok(t) => t,
            Err(errors) => {
                summary.broken_files += 1;
                for d in &errors {
                    let text = match format {
                        TestFormat::Human => format!("{}{}", gap.before(), renderer.diag(d)),
                        _ => format!("{}\n", crate::report::short::diag(d, ColumnUnit::default())),
                    };
                    let _ = std::io::stderr().write_all(text.as_bytes());
                }
                broken.push(BrokenFile {
                    path: shown.clone(),
                    errors: errors
                        .iter()
                        .map(|d| crate::report::short::diag(d, ColumnUnit::default()))
                        .collect(),
                });
                continue;
            }
        };
        let chosen: Vec<&Case> = test
            .cases
            .iter()
            .filter(|c| match &args.run {
                Some(p) => {
                    c.name.contains(p.as_str())
                        || c.expect.iter().any(|e| e.rule.contains(p.as_str()))
                }
                None => true,
            })
            .collect();
        if chosen.is_empty() {
            continue;
        }
        selected_any = true;
        let mut reports = Vec::new();
        for case in chosen {
            for e in &case.expect {
                if !named.contains(&e.rule) {
                    named.push(e.rule.clone());
                }
            }
            let day = case.as_of.unwrap_or(today);
            match run_case(&program, case, day, max_waiver_days, want_traces) {
                Ok(run) => {
                    for (rule, outcome, trace) in &run.traces {
                        coverage.add(*rule, outcome, trace);
                    }
                    summary.cases += 1;
                    if run.report.passed {
                        summary.passed += 1;
                    } else {
                        summary.failed += 1;
                    }
                    reports.push(run.report);
                }
                Err(message) => {
                    say(&format!(
                        "error: cannot run `{}`: {message}",
                        visible(&case.name)
                    ));
                    return Exit::Failed;
                }
            }
        }
        let result = FileResult {
            path: shown,
            cases: reports,
        };
        let text = match format {
            TestFormat::Human => human(&result),
            TestFormat::Short => short(&result),
            TestFormat::Json | TestFormat::Junit => String::new(),
        };
        if out.write_all(text.as_bytes()).is_err() {
            return Exit::Failed;
        }
        results.push(result);
    }
    if !selected_any && broken.is_empty() {
        match &args.run {
            Some(p) => say(&format!(
                "error: no case's name or rule contains `{}`; nothing was tested",
                visible(p)
            )),
            None => say("error: the test files hold no case; nothing was tested"),
        }
        return Exit::Failed;
    }
    // The rules under test: those of the policies given as files; when
    // there are none (only the shipped rules are loaded), the shipped rules
    // a case names.
    let own: Vec<usize> = program
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !crate::shipped::is_shipped(&r.span.src.name))
        .map(|(i, _)| i)
        .collect();
    let under_test: Vec<usize> = if own.is_empty() {
        program
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| named.contains(&r.id))
            .map(|(i, _)| i)
            .collect()
    } else {
        own
    };
    let cover = want_traces.then(|| coverage.report(&program, &under_test));
    let text = match format {
        TestFormat::Json => {
            let doc = Document {
                version: 1,
                files: &results,
                broken: &broken,
                coverage: cover.as_deref(),
                summary,
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(j) => j + "\n",
                Err(e) => {
                    say(&format!("error: cannot write the report: {e}"));
                    return Exit::Failed;
                }
            }
        }
        TestFormat::Junit => junit(&results, &broken),
        TestFormat::Human => match (&cover, args.coverage) {
            (Some(c), true) => coverage_human(c),
            _ => String::new(),
        },
        TestFormat::Short => match (&cover, args.coverage) {
            (Some(c), true) => coverage_short(c),
            _ => String::new(),
        },
    };
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return Exit::Failed;
    }
    if args.coverage && matches!(format, TestFormat::Junit) {
        if let Some(c) = &cover {
            let _ = std::io::stderr().write_all(coverage_human(c).as_bytes());
        }
    }
    let mut uncovered = 0;
    if args.require_coverage {
        for r in cover.iter().flatten().filter(|r| r.incomplete()) {
            uncovered += 1;
            let missing = match (r.pass, r.fail) {
                (0, 0) => "no passing and no failing case",
                (0, _) => "no passing case",
                _ => "no failing case",
            };
            say(&format!("error: `{}` has {missing}", visible(&r.rule)));
        }
    }
    say(&format!(
        "{} {} ran: {} held, {} failed{}{}",
        summary.cases,
        if summary.cases == 1 { "case" } else { "cases" },
        summary.passed,
        summary.failed,
        match summary.broken_files {
            0 => String::new(),
            1 => "; 1 test file is broken".to_string(),
            n => format!("; {n} test files are broken"),
        },
        match uncovered {
            0 => String::new(),
            n => format!("; {n} rules lack a passing or failing case"),
        },
    ));
    if summary.broken_files > 0 {
        Exit::Failed
    } else if summary.failed > 0 || uncovered > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

fn human(file: &FileResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", visible(&file.path));
    for c in &file.cases {
        if c.passed {
            let _ = writeln!(s, "  ok    {}", visible(&c.name));
            continue;
        }
        let _ = writeln!(s, "  FAIL  {}  ({})", visible(&c.name), visible(&c.at));
        for m in &c.mismatches {
            let _ = writeln!(s, "        {}: {}", visible(&m.rule), visible(&m.why));
            if let Some(other) = &m.manifest {
                let _ = writeln!(
                    s,
                    "          in the manifest of `also` from {}",
                    visible(other)
                );
            }
            let _ = writeln!(s, "          expected: {}", visible(&m.expected));
            let _ = writeln!(s, "          actual:   {}", m.actual.outcome);
            for f in &m.actual.findings {
                let ptr = if f.pointer.is_empty() {
                    "/"
                } else {
                    &f.pointer
                };
                let _ = writeln!(
                    s,
                    "            {} ({}){}: {}",
                    visible(ptr),
                    visible(&f.at),
                    if f.waived { ", waived" } else { "" },
                    visible(&f.message)
                );
            }
            if let Some(e) = &m.explanation {
                explanation(&mut s, e);
            }
        }
    }
    s
}

/// The bindings that matter to a mismatch: those that failed, or, when
/// none did, every binding.
fn explanation(s: &mut String, e: &Explanation) {
    let _ = writeln!(s, "          why:");
    for r in &e.requirements {
        if let Some(err) = &r.error {
            let _ = writeln!(s, "            could not be evaluated: {}", visible(err));
        }
        let failing: Vec<_> = r.bindings.iter().filter(|b| b.outcome == "fail").collect();
        let shown: Vec<_> = if failing.is_empty() {
            r.bindings.iter().collect()
        } else {
            failing
        };
        if shown.is_empty() && r.error.is_none() {
            let _ = writeln!(
                s,
                "            no binding: the lists the rule reads are empty"
            );
        }
        for b in shown {
            render_binding(s, b, "            ");
        }
    }
}

fn short(file: &FileResult) -> String {
    let mut s = String::new();
    for c in file.cases.iter().filter(|c| !c.passed) {
        for m in &c.mismatches {
            let found: Vec<String> = m
                .actual
                .findings
                .iter()
                .map(|f| {
                    let ptr = if f.pointer.is_empty() {
                        "/"
                    } else {
                        &f.pointer
                    };
                    format!("{} ({})", visible(ptr), visible(&f.at))
                })
                .collect();
            let found = if found.is_empty() {
                String::new()
            } else {
                format!(" at {}", found.join(", "))
            };
            let _ = writeln!(
                s,
                "{}: error[test]: case `{}`{}: {}: expected {}, got {}{found}: {}",
                visible(&m.at),
                visible(&c.name),
                m.manifest
                    .as_ref()
                    .map_or(String::new(), |o| format!(" (manifest {})", visible(o))),
                visible(&m.rule),
                visible(&m.expected),
                m.actual.outcome,
                visible(&m.why),
            );
        }
    }
    s
}

fn junit(files: &[FileResult], broken: &[BrokenFile]) -> String {
    let total: usize = files.iter().map(|f| f.cases.len()).sum();
    let failed: usize = files
        .iter()
        .map(|f| f.cases.iter().filter(|c| !c.passed).count())
        .sum();
    let errors = broken.len();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"proviso test\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\">",
        total + errors
    );
    for f in files {
        let fails = f.cases.iter().filter(|c| !c.passed).count();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"0\">",
            escape(&xml(&f.path)),
            f.cases.len()
        );
        for c in &f.cases {
            let _ = write!(
                s,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(&xml(&c.name)),
                escape(&xml(&f.path)),
                escape(&xml(&f.path)),
                c.line
            );
            if c.passed {
                s.push_str("/>\n");
                continue;
            }
            s.push_str(">\n");
            let first = c
                .mismatches
                .first()
                .map_or(String::new(), |m| format!("{}: {}", m.rule, m.why));
            let mut body = String::new();
            for m in &c.mismatches {
                let _ = writeln!(
                    body,
                    "{}: expected {}, got {} ({})",
                    m.rule, m.expected, m.actual.outcome, m.why
                );
                for found in &m.actual.findings {
                    let _ = writeln!(
                        body,
                        "  {} ({}): {}",
                        found.pointer, found.at, found.message
                    );
                }
            }
            let _ = writeln!(
                s,
                "      <failure message=\"{}\" type=\"mismatch\">{}</failure>",
                escape(&xml(&first.replace('\n', " "))),
                escape(&xml_text(&body))
            );
            s.push_str("    </testcase>\n");
        }
        s.push_str("  </testsuite>\n");
    }
    // A test file that could not be read is a suite with an error, so a
    // CI view of the report alone does not show green.
    for b in broken {
        let path = escape(&xml(&b.path)).into_owned();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{path}\" tests=\"1\" failures=\"0\" errors=\"1\">"
        );
        let _ = writeln!(
            s,
            "    <testcase name=\"the test file\" classname=\"{path}\" file=\"{path}\">"
        );
        let first = b.errors.first().map_or("", String::as_str);
        let _ = writeln!(
            s,
            "      <error message=\"{}\" type=\"broken\">{}</error>",
            escape(&xml(first)),
            escape(&xml_text(&b.errors.join("\n")))
        );
        s.push_str("    </testcase>\n  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

fn coverage_human(reports: &[RuleReport]) -> String {
    let mut s = String::from("\ncoverage:\n");
    for r in reports {
        let _ = writeln!(
            s,
            "  {:<40} {} pass, {} fail, {} n/a{}",
            visible(&r.rule),
            r.pass,
            r.fail,
            r.not_applicable,
            if r.incomplete() { "  (incomplete)" } else { "" }
        );
        for (what, list) in [
            ("never true", &r.never_true),
            ("never false", &r.never_false),
            ("never reached", &r.never_reached),
        ] {
            for c in list {
                let _ = writeln!(s, "      {what}: {} ({})", visible(&c.text), visible(&c.at));
            }
        }
    }
    s
}

fn coverage_short(reports: &[RuleReport]) -> String {
    let mut s = String::new();
    for r in reports {
        for (what, list) in [
            ("never true", &r.never_true),
            ("never false", &r.never_false),
            ("never reached", &r.never_reached),
        ] {
            for c in list {
                let _ = writeln!(
                    s,
                    "{}: note[coverage]: {}: {what} in any case: {}",
                    visible(&c.at),
                    visible(&r.rule),
                    visible(&c.text)
                );
            }
        }
        if r.incomplete() {
            let _ = writeln!(
                s,
                "note[coverage]: {}: {} pass, {} fail, {} n/a",
                visible(&r.rule),
                r.pass,
                r.fail,
                r.not_applicable
            );
        }
    }
    s
}

/// Text from files for an XML element: every character escaped as the
/// terminal formats do, line breaks kept.
fn xml_text(s: &str) -> String {
    s.split('\n').map(xml).collect::<Vec<_>>().join("\n")
}
