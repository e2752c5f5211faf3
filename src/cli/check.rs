//! `proviso check`

use super::policies::load_program;
use super::Exit;
use crate::ast::Severity;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::Finding;
use crate::manifest::discover::{discover, path_text};
use crate::report::escape::visible;
use crate::report::{self, human::Renderer};
use crate::run::{check_each, FileReport, Options, Totals};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// A policy file or directory of `.proviso` files; repeatable. Replaces
    /// the shipped policies.
    #[arg(long, value_name = "PATH")]
    policy: Vec<PathBuf>,
    /// Output format [default: human on a terminal, short otherwise]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of stdout; the summary line still
    /// goes to stderr.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that fails the run.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// The date `today` means, YYYY-MM-DD [default: the current UTC date]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Files larger than this are reported, not read (bytes, or with KiB or MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8MiB")]
    max_file_size: u64,
    /// How many days after `today` a waiver may expire; a waiver that runs
    /// longer silences nothing and is an error.
    #[arg(long, value_name = "DAYS", value_parser = parse_days, default_value = "365")]
    max_waiver_days: i64,
    /// Exit 0 when no manifest was found, instead of failing the run.
    #[arg(long)]
    allow_empty: bool,
    /// Name every rule that applied to no manifest (the summary counts them).
    #[arg(long, short)]
    verbose: bool,
    /// Under each finding, show why the rule failed: each condition of the
    /// failing binding and the values it read (with `human` and `short`).
    #[arg(long)]
    explain: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Snippets of the manifest with the offending value underlined.
    Human,
    /// `path:line:col: severity[rule-id]: message`, one finding a line.
    Short,
    /// A versioned JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// JUnit XML: one test case per rule and manifest.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

pub(super) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, for example 2018-12-18"))
}

/// The largest `--max-file-size`: a manifest is a text a person reviews,
/// and the loader's budgets grow with the size it allows.
const MAX_FILE_SIZE_LIMIT: u64 = 1024 * 1024 * 1024;

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("GiB").or_else(|| t.strip_suffix('G')) {
        (n, 1024 * 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("MiB").or_else(|| t.strip_suffix('M')) {
        (n, 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("KiB").or_else(|| t.strip_suffix('K')) {
        (n, 1024)
    } else {
        (t, 1)
    };
    let not_a_size = || {
        format!(
            "`{s}` is not a size; write bytes, or a number with KiB, MiB or GiB, for example 8MiB"
        )
    };
    let digits = num.trim();
    let n = match digits.parse::<u64>() {
        Ok(n) => n,
        Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
        Err(_) => return Err(not_a_size()),
    };
    match n.checked_mul(mult) {
        Some(0) => Err("the size must be at least 1 byte".to_string()),
        Some(size) if size <= MAX_FILE_SIZE_LIMIT => Ok(size),
        _ => Err(format!("`{s}` is more than the largest allowed size, 1GiB")),
    }
}

fn parse_days(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=36_500).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "`{s}` is out of range; write a number of days from 0 to 36500"
        )),
        Err(_) => Err(format!(
            "`{s}` is not a number of days; write a whole number, for example 365"
        )),
    }
}

pub fn run(args: CheckArgs) -> Exit {
    // A file is never a terminal: it gets neither colours nor, by default,
    // the graphical format.
    let stdout_tty = args.output.is_none() && std::io::stdout().is_terminal();
    let color = stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let format = args.format.unwrap_or(if stdout_tty {
        Format::Human
    } else {
        Format::Short
    });

    if args.explain && !matches!(format, Format::Human | Format::Short) {
        say("error: `--explain` works with `--format human` and `--format short`; `proviso explain RULE MANIFEST --format json` gives the same data as JSON");
        return Exit::Failed;
    }
    let Some(program) = load_program(&args.policy, format != Format::Human) else {
        return Exit::Failed;
    };
    let opts = Options {
        today: args.as_of.unwrap_or_else(Date::today_utc),
        max_file_size: args.max_file_size,
        max_waiver_days: args.max_waiver_days,
    };
    let found = match discover(&args.paths) {
        Ok(found) => found,
        Err(missing) => {
            for m in missing {
                say(&format!(
                    "error: cannot check `{}`: {}",
                    visible(&m.path),
                    m.message
                ));
            }
            return Exit::Failed;
        }
    };
    // proviso never writes to a manifest or a policy, even when asked to.
    if let Some(path) = &args.output {
        let checked = path.exists() && found.file_paths().any(|p| same_file(&p, path))
            || args.policy.iter().any(|p| same_file(p, path));
        let why = if checked {
            Some("a file being checked")
        } else {
            protected(path, &program)
        };
        if let Some(why) = why {
            say(&format!(
                "error: refusing to write the report over `{}`, {why}",
                visible(&path_text(path)),
            ));
            return Exit::Failed;
        }
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let fails = |f: &Finding| threshold.is_some_and(|t| f.severity >= t && f.waiver.is_none());

    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(std::io::BufWriter::new(file)),
            Err(e) => {
                say(&format!(
                    "error: cannot write `{}`: {e}",
                    visible(&path_text(path))
                ));
                return Exit::Failed;
            }
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failing = false;
    // Which rules applied to some manifest (a binding got past its `where`).
    let mut applied = vec![false; program.rules.len()];
    let mut note_applied = |file: &crate::run::FileReport| {
        for &(i, result) in &file.results {
            if result != crate::run::RuleResult::NotApplicable {
                if let Some(a) = applied.get_mut(i) {
                    *a = true;
                }
            }
        }
    };
    // The first error writing the report: the run stops there.
    let mut write_error: Option<std::io::Error> = None;
    let totals = match format {
        // Line formats are written file by file, as the check goes: memory
        // stays flat and a long run shows progress.
        Format::Human | Format::Short | Format::Github => {
            let renderer = Renderer::new(color);
            check_each(&program, &found, &opts, |file| {
                note_applied(&file);
                let mut why = args
                    .explain
                    .then(|| crate::explain::Explainer::new(&program, opts.today));
                for f in &file.findings {
                    failing |= fails(f);
                    let mut text = match format {
                        Format::Human => renderer.finding(f),
                        Format::Github => format!("{}\n", report::github::finding(f)),
                        // Only `short` reaches this arm: the documents are
                        // written below.
                        Format::Short | Format::Json | Format::Sarif | Format::Junit => {
                            format!("{}\n", report::short::finding(f))
                        }
                    };
                    if let Some(why) = why.as_mut() {
                        text.push_str(&why.finding(f));
                    }
                    if let Err(e) = out.write_all(text.as_bytes()) {
                        write_error = Some(e);
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            })
        }
        // Documents are written as the check goes too: each file's part as
        // its batch completes, and what needs the run's totals at the end.
        Format::Json | Format::Sarif | Format::Junit => {
            let mut document = match Document::start(format, &program, &mut out) {
                Ok(document) => document,
                Err(e) => {
                    say(&format!("error: cannot render the report: {e}"));
                    return Exit::Failed;
                }
            };
            let totals = check_each(&program, &found, &opts, |file| {
                note_applied(&file);
                failing |= file.findings.iter().any(fails);
                match document.file(&file) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(e) => {
                        write_error = Some(e);
                        ControlFlow::Break(())
                    }
                }
            });
            if write_error.is_none() {
                write_error = document.finish(&totals).err();
            }
            totals
        }
    };
    let mut summary = report::summary(&totals);
    if totals.manifests > 0 {
        summary.push_str(&unapplied(&program, &applied, args.verbose));
    }
    // The summary closes a report meant for people on stdout; every other
    // format keeps its output for the report alone, so that it stays
    // parseable. The report is flushed first, so that on a terminal the
    // summary comes after it.
    if write_error.is_none() {
        if args.output.is_none() && format == Format::Human {
            write_error = writeln!(out, "{summary}").and_then(|()| out.flush()).err();
        } else {
            write_error = out.flush().err();
            say(&summary);
        }
    }
    if let Some(e) = write_error {
        // A reader that went away (`| head -1`) has all it wanted: stop
        // without a word, but never as a pass, since not everything was
        // checked and reported. Any other failure is said.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let target = match &args.output {
                Some(path) => format!("`{}`", visible(&path_text(path))),
                None => "standard output".to_string(),
            };
            say(&format!("error: cannot write the report to {target}: {e}"));
        }
        return Exit::Failed;
    }
    if !totals.crashed.is_empty() {
        for path in &totals.crashed {
            say(&format!(
                "error: proviso failed while checking `{}`; its findings are missing (please report this)",
                visible(path)
            ));
        }
        return Exit::Failed;
    }
    if totals.manifests == 0 && !args.allow_empty {
        say(&format!("error: {}", report::nothing_checked(&totals)));
        say("help: check the paths given; pass `--allow-empty` to accept a run without manifests");
        return Exit::Failed;
    }
    if failing {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// A tool's document, written as the check goes.
enum Document<'p, W: Write> {
    Json(report::json::Stream<W>),
    Sarif(report::sarif::Stream<'p, W>),
    Junit(report::junit::Stream<'p, W>),
}

impl<'p, W: Write> Document<'p, W> {
    fn start(format: Format, program: &'p Program, out: W) -> std::io::Result<Document<'p, W>> {
        Ok(match format {
            Format::Sarif => Document::Sarif(report::sarif::Stream::start(program, out)?),
            Format::Junit => Document::Junit(report::junit::Stream::start(program, out)),
            // The line formats are written without a document.
            Format::Json | Format::Human | Format::Short | Format::Github => {
                Document::Json(report::json::Stream::start(out)?)
            }
        })
    }

    fn file(&mut self, file: &FileReport) -> std::io::Result<()> {
        match self {
            Document::Json(s) => s.file(file),
            Document::Sarif(s) => s.file(file),
            Document::Junit(s) => s.file(file),
        }
    }

    fn finish(self, totals: &Totals) -> std::io::Result<()> {
        match self {
            Document::Json(s) => s.finish(totals).map(drop),
            Document::Sarif(s) => s.finish().map(drop),
            Document::Junit(s) => s.finish().map(drop),
        }
    }
}

/// Writes a line to stderr. A closed stderr must not stop the run or turn
/// its exit code into a crash.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Why an existing file must not be overwritten by the report, if it must
/// not: a policy file, or a file proviso would check as a manifest,
/// whether or not this run checks it.
fn protected(path: &std::path::Path, program: &Program) -> Option<&'static str> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if crate::cli::policies::is_policy(path) || crate::cli::policies::is_policy(&target) {
        return Some("which is a policy file");
    }
    if !path.is_file() {
        return None;
    }
    // A policy by its contents, whatever its name (a hard link, say).
    if let Ok(text) = crate::manifest::read::read_text(path, 1024 * 1024) {
        let src = crate::source::Source::new(path_text(path), text);
        let parsed = crate::check::parse(&[src]);
        if parsed
            .iter()
            .any(|(file, errors)| errors.is_empty() && !file.items.is_empty())
        {
            return Some("which is a policy file");
        }
    }
    if looks_like_manifest(path) {
        return Some("which is a manifest (its first key is `schema:`)");
    }
    let text = crate::manifest::read::read_text(path, crate::run::DEFAULT_MAX_FILE_SIZE).ok()?;
    let text = crate::manifest::read::normalize(text);
    match crate::manifest::load::load(&text, &program.types) {
        crate::manifest::load::Loaded::Manifest { .. } => Some("which is a manifest"),
        crate::manifest::load::Loaded::Syntax(e)
            if e.later_document.is_some_and(|d| d.has_schema) =>
        {
            Some("which holds a manifest")
        }
        _ => None,
    }
}

/// Whether an existing file is a manifest by its first key, even when it
/// does not load.
fn looks_like_manifest(path: &std::path::Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, 64 * 1024), &mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.lines()
        .map(str::trim_end)
        .find(|l| {
            let t = l.trim_start();
            !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---")
        })
        .is_some_and(|l| {
            let l = l.strip_prefix("--- ").unwrap_or(l).trim_start();
            ["schema", "\"schema\"", "'schema'"].iter().any(|k| {
                l.strip_prefix(k)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        })
}

/// Whether two paths name the same file, hard links included.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The rules that applied to no manifest: a `where` that lets nothing
/// through may be a typo in a literal. Named all with `--verbose`, else the
/// first few.
fn unapplied(program: &Program, applied: &[bool], verbose: bool) -> String {
    const SHOWN: usize = 5;
    let idle: Vec<&str> = program
        .rules
        .iter()
        .zip(applied)
        .filter(|(_, a)| !**a)
        .map(|(r, _)| r.id.as_str())
        .collect();
    if idle.is_empty() {
        return String::new();
    }
    let n = idle.len();
    let names: Vec<String> = idle
        .iter()
        .take(if verbose { n } else { SHOWN })
        .map(|id| format!("`{}`", visible(id)))
        .collect();
    let more = if n > names.len() {
        format!(" and {} more (`--verbose` names them all)", n - names.len())
    } else {
        String::new()
    };
    format!(
        "\nnote: {n} {} applied to no manifest (every binding was left out by a `where`, or no manifest has what it reads): {}{more}",
        if n == 1 { "rule" } else { "rules" },
        names.join(", ")
    )
}
