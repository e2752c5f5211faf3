//! The command line: flags in, exit code out.

mod check;
mod fmt;
pub(crate) mod policies;
mod rules;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Policy-as-code for data-sharing partnerships.
#[derive(Parser, Debug)]
#[command(name = "proviso", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check partnership manifests against the policies.
    Check(check::CheckArgs),
    /// List the rule catalogue: id, severity, title and source.
    Rules(rules::RulesArgs),
    /// Format policy files in the canonical layout, in place.
    Fmt(fmt::FmtArgs),
}

/// How a run ended, as the process reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// The run itself failed: a bad policy, flag or path.
    Failed = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Fmt(args) => fmt::run(args),
    }
}
