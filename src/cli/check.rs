//! `proviso check`

use super::policies::load_program;
use super::Exit;
use crate::ast::Severity;
use crate::date::Date;
use crate::report::{self, human::Renderer};
use crate::run::{check_paths, Options};
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
    let report = match check_paths(&program, &args.paths, &opts) {
        Ok(r) => r,
        Err(missing) => {
            for m in missing {
                eprintln!("error: cannot check `{}`: {}", m.path, m.message);
            }
            return Exit::Failed;
        }
    };
    let rendered = match format {
        Format::Human => {
            let renderer = Renderer::new(color);
            Ok(report.findings().map(|f| renderer.finding(f)).collect())
        }
        Format::Short => Ok(report
            .findings()
            .map(|f| format!("{}\n", report::short::finding(f)))
            .collect()),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&program, &report),
        Format::Junit => report::junit::render(&program, &report),
        Format::Github => Ok(report::github::render(&report)),
    };
    let text: String = match rendered {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot render the report: {e}");
            return Exit::Failed;
        }
    };
    let summary = report::summary(&report);
    match (&args.output, format) {
        (Some(path), _) => {
            // proviso never writes to a manifest, even when asked to.
            if let Ok(target) = std::fs::canonicalize(path) {
                let checked = report
                    .files
                    .iter()
                    .any(|f| std::fs::canonicalize(&f.path).is_ok_and(|p| p == target));
                if checked {
                    eprintln!(
                        "error: refusing to write the report over `{}`, a file being checked",
                        path.display()
                    );
                    return Exit::Failed;
                }
            }
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Failed;
            }
            eprintln!("{summary}");
        }
        // The summary closes a report meant for people; every other format
        // keeps stdout for the report alone, so that it stays parseable.
        (None, Format::Human) => {
            if writeln!(std::io::stdout().lock(), "{text}{summary}").is_err() {
                // The reader went away (a closed pipe): nothing more to say.
                return Exit::Failed;
            }
        }
        (None, _) => {
            if write!(std::io::stdout().lock(), "{text}").is_err() {
                return Exit::Failed;
            }
            eprintln!("{summary}");
        }
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        report
            .findings()
            .any(|f| f.severity >= t && f.waiver.is_none())
    });
    if failing {
        Exit::Findings
    } else {
        Exit::Clean
    }
}
