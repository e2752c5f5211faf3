//! The command line: flags in, exit code out.

mod check;
mod completions;
mod explain;
mod fmt;
mod lsp;
mod man;
pub(crate) mod policies;
mod rules;
mod schema;
mod show;
mod targets;
mod test;

use crate::source::ColumnUnit;
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
    /// Run the cases of `*.test.yaml` files: what each rule must make of a
    /// manifest, with expected against actual when a case does not hold.
    Test(test::TestArgs),
    /// Show why a rule passes or fails on a manifest: each binding, each
    /// condition, and the values it read, with their lines.
    Explain(explain::ExplainArgs),
    /// Format policy files in the canonical layout, in place.
    Fmt(fmt::FmtArgs),
    /// List the rule catalogue: id, severity, title and source.
    Rules(rules::RulesArgs),
    /// Print the source of a rule (by id) or of a policy file (by name).
    Show(show::ShowArgs),
    /// Write a schema of the policies as JSON Schema, for YAML editors.
    Schema(schema::SchemaArgs),
    /// Serve editors over the Language Server Protocol, on stdin and stdout:
    /// diagnostics for manifests and policies as they are typed.
    Lsp(lsp::LspArgs),
    /// Write a shell completion script to stdout.
    Completions(completions::CompletionsArgs),
    /// Write the man page (roff) to stdout.
    Man(man::ManArgs),
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
        Command::Explain(args) => explain::run(args),
        Command::Test(args) => test::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Show(args) => show::run(args),
        Command::Fmt(args) => fmt::run(args),
    }
}

/// `--column-unit`: the units of [`ColumnUnit`], by name. The type is
/// defined with the sources it measures, which the build script compiles
/// without clap.
impl clap::ValueEnum for ColumnUnit {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ColumnUnit::Bytes,
            ColumnUnit::Chars,
            ColumnUnit::Utf16,
            ColumnUnit::Display,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            ColumnUnit::Bytes => PossibleValue::new("bytes").help("Bytes of UTF-8 (vim, neovim)"),
            ColumnUnit::Chars => {
                PossibleValue::new("chars").help("Unicode characters (JetBrains IDEs)")
            }
            ColumnUnit::Utf16 => PossibleValue::new("utf16").help("UTF-16 code units (VS Code)"),
            ColumnUnit::Display => PossibleValue::new("display")
                .help("Terminal columns: wide characters count 2, tabs stop every 8 (Emacs)"),
        })
    }
}
