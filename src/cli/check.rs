//! `proviso check`

use super::policies::load_program;
use super::Exit;
use crate::ast::Severity;
use crate::date::Date;
use crate::diagnostics::Finding;
use crate::manifest::discover::{discover, Entry};
use crate::report::{self, human::Renderer};
use crate::run::{check_each, Options, Report};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
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

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, for example 2018-12-18"))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("MiB").or_else(|| t.strip_suffix('M')) {
        (n, 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("KiB").or_else(|| t.strip_suffix('K')) {
        (n, 1024)
    } else {
        (t, 1)
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| {
            format!(
                "`{s}` is not a size; write bytes, or a number with KiB or MiB, for example 8MiB"
            )
        })
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

    let Some(program) = load_program(&args.policy, format != Format::Human) else {
        return Exit::Failed;
    };
    let opts = Options {
        today: args.as_of.unwrap_or_else(Date::today_utc),
        max_file_size: args.max_file_size,
    };
    let entries = match discover(&args.paths) {
        Ok(e) => e,
        Err(missing) => {
            for m in missing {
                eprintln!("error: cannot check `{}`: {}", m.path, m.message);
            }
            return Exit::Failed;
        }
    };
    // proviso never writes to a manifest or a policy, even when asked to.
    if let Some(path) = &args.output {
        let checked = entries.iter().any(|e| match e {
            Entry::File { path: p, .. } => same_file(p, path),
            Entry::Broken { .. } => false,
        }) || args.policy.iter().any(|p| same_file(p, path));
        if checked {
            eprintln!(
                "error: refusing to write the report over `{}`, a file being checked",
                path.display()
            );
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
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Failed;
            }
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failing = false;
    let mut write_failed = false;
    let totals = match format {
        // Line formats are written file by file, as the check goes: memory
        // stays flat and a long run shows progress.
        Format::Human | Format::Short | Format::Github => {
            let renderer = Renderer::new(color);
            check_each(&program, &entries, &opts, |file| {
                for f in &file.findings {
                    failing |= fails(f);
                    let text = match format {
                        Format::Human => renderer.finding(f),
                        Format::Github => format!("{}\n", report::github::finding(f)),
                        _ => format!("{}\n", report::short::finding(f)),
                    };
                    if !write_failed && out.write_all(text.as_bytes()).is_err() {
                        write_failed = true;
                    }
                }
            })
        }
        // Documents need the whole report.
        Format::Json | Format::Sarif | Format::Junit => {
            let mut files = Vec::new();
            let totals = check_each(&program, &entries, &opts, |f| files.push(f));
            let report = Report {
                files,
                rules: totals.rules,
                elapsed: totals.elapsed,
            };
            failing = report.findings().any(fails);
            let rendered = match format {
                Format::Json => report::json::render(&report),
                Format::Sarif => report::sarif::render(&program, &report),
                _ => report::junit::render(&program, &report),
            };
            match rendered {
                Ok(text) => write_failed = out.write_all(text.as_bytes()).is_err(),
                Err(e) => {
                    eprintln!("error: cannot render the report: {e}");
                    return Exit::Failed;
                }
            }
            totals
        }
    };
    let summary = report::summary(&totals);
    // The summary closes a report meant for people on stdout; every other
    // format keeps its output for the report alone, so that it stays
    // parseable.
    // The report is flushed first, so that on a terminal the summary comes
    // after it.
    if args.output.is_none() && format == Format::Human {
        write_failed |= writeln!(out, "{summary}").is_err();
        write_failed |= out.flush().is_err();
    } else {
        write_failed |= out.flush().is_err();
        eprintln!("{summary}");
    }
    if write_failed {
        // Without a file, the reader went away (a closed pipe): nothing
        // more to say.
        if let Some(path) = &args.output {
            eprintln!("error: cannot write `{}`", path.display());
        }
        return Exit::Failed;
    }
    if failing {
        Exit::Findings
    } else {
        Exit::Clean
    }
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
