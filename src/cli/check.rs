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
    Human,
    Short,
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
    let stdout_tty = std::io::stdout().is_terminal();
    let color = stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let format = args.format.unwrap_or(if stdout_tty {
        Format::Human
    } else {
        Format::Short
    });
    let renderer = Renderer::new(color);
    let mut out = std::io::stdout().lock();

    let Some(program) = load_program(&args.policy, format == Format::Short) else {
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
    let mut text = String::new();
    for f in report.findings() {
        match format {
            Format::Short => {
                text.push_str(&report::short::finding(f));
                text.push('\n');
            }
            Format::Human => text.push_str(&renderer.finding(f)),
        }
    }
    let summary = report::summary(&report);
    let written = match format {
        Format::Human => writeln!(out, "{text}{summary}"),
        Format::Short => {
            let r = write!(out, "{text}");
            eprintln!("{summary}");
            r
        }
    };
    if written.is_err() {
        // The reader went away (a closed pipe): nothing more to say.
        return Exit::Failed;
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
