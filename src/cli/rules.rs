//! `proviso rules`: the rule catalogue of the loaded policies.

use super::policies;
use super::Exit;
use crate::builtin::{citation, Builtin};
use crate::report::escape::visible;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// A policy file, a directory of `.proviso` files, or `builtin` (the
    /// shipped policies); repeatable [default: the configuration's
    /// `policies`, else builtin]
    #[arg(long, value_name = "PATH|builtin")]
    policy: Vec<PathBuf>,
}

pub fn run(args: RulesArgs) -> Exit {
    let program = match policies::configured(&args.policy, policies::ErrorStyle::lines(false)) {
        Ok((_, loaded)) => loaded.program,
        Err(exit) => return exit,
    };
    let mut rows: Vec<[String; 4]> = program
        .rules
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.severity.as_str().to_string(),
                r.title.clone(),
                match citation(&r.doc) {
                    c if c.is_empty() => "not cited (the rule has no doc comment)".to_string(),
                    c => c,
                },
            ]
        })
        .collect();
    rows.extend(Builtin::ALL.into_iter().map(|b| {
        [
            b.id().to_string(),
            b.severity().as_str().to_string(),
            b.title().to_string(),
            "built in".to_string(),
        ]
    }));
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = std::io::stdout().lock();
    // Titles and citations are policy text: shown, never obeyed.
    let rows: Vec<[String; 4]> = rows
        .into_iter()
        .map(|row| row.map(|cell| visible(&cell).into_owned()))
        .collect();
    for [id, severity, title, source] in &rows {
        let line = format!(
            "{id:w0$}  {severity:w1$}  {title}\n{:w0$}  {:w1$}  source: {source}\n",
            "", ""
        );
        if out.write_all(line.as_bytes()).is_err() {
            return Exit::Failed;
        }
    }
    Exit::Clean
}
