//! `proviso explain RULE MANIFEST`: why a rule passed or failed.

use super::Exit;
use crate::date::Date;
use crate::explain::{explain, render, Loaded as Valid};
use crate::manifest::discover::path_text;
use crate::manifest::load::{load, Loaded};
use crate::manifest::read::{normalize, read_text};
use crate::report::escape::visible;
use crate::run::{check_text, Options};
use crate::source::ColumnUnit;
use crate::source::Source;
use crate::suggest::did_you_mean;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule's id, for example `ftc2012/messages-consent`.
    rule: String,
    /// The manifest to evaluate it on.
    manifest: PathBuf,
    /// A policy file, a directory of `.proviso` files, or `builtin` (the
    /// shipped rules); repeatable [default: the project configuration's
    /// `policies`, else builtin]
    #[arg(long, value_name = "PATH")]
    policy: Vec<PathBuf>,
    /// The date `today` means, YYYY-MM-DD [default: the current UTC date]
    #[arg(long, value_name = "DATE", value_parser = super::check::parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ExplainFormat,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ExplainFormat {
    /// Each binding, each condition and the values it read, as text.
    Human,
    /// The same as a JSON document.
    Json,
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn run(args: ExplainArgs) -> Exit {
    let program =
        match super::policies::configured(&args.policy, super::policies::ErrorStyle::lines(true)) {
            Ok((_, loaded)) => loaded.program,
            Err(exit) => return exit,
        };
    let Some(rule) = program.rule(&args.rule) else {
        let ids = program.rules.iter().map(|r| r.id.as_str());
        let hint = match did_you_mean(&args.rule, ids) {
            Some(id) => format!("; did you mean `{id}`?"),
            None => "; `proviso rules` lists them".to_string(),
        };
        say(&format!(
            "error: no rule `{}` in the loaded policies{hint}",
            visible(&args.rule)
        ));
        return Exit::Failed;
    };
    let today = args.as_of.unwrap_or_else(Date::today_utc);
    let shown = path_text(&args.manifest);
    let text = match read_text(&args.manifest, crate::run::DEFAULT_MAX_FILE_SIZE) {
        Ok(text) => normalize(text),
        Err((message, _)) => {
            say(&format!(
                "error: cannot read `{}`: {message}",
                visible(&shown)
            ));
            return Exit::Failed;
        }
    };
    let src = Source::new(shown.clone(), text);
    let report = check_text(&program, &shown, src.text.clone(), &Options::new(today));
    let loaded = load(&src.text, &program.types);
    let (schema, value, spans) = match loaded {
        Loaded::Manifest {
            schema,
            value,
            issues,
            spans,
        } if issues.is_empty() && report.kind == crate::run::FileKind::Manifest => {
            (schema, value, spans)
        }
        Loaded::NotManifest => {
            say(&format!(
                "error: `{}` is not a manifest: it has no `schema:` key",
                visible(&shown)
            ));
            return Exit::Failed;
        }
        _ => {
            for f in &report.findings {
                say(&crate::report::short::finding(f, ColumnUnit::default()));
            }
            say(&format!(
                "error: `{}` is not a valid manifest; a rule is only evaluated on a valid one",
                visible(&shown)
            ));
            return Exit::Failed;
        }
    };
    if schema != rule.schema {
        let name = |i: usize| {
            program
                .types
                .schemas
                .get(i)
                .map_or(String::new(), |s| s.id.clone())
        };
        say(&format!(
            "error: `{}` checks manifests of `{}`, and `{}` is a `{}` manifest",
            visible(&rule.id),
            visible(&name(rule.schema)),
            visible(&shown),
            visible(&name(schema))
        ));
        return Exit::Failed;
    }
    let valid = Valid {
        src: &src,
        value: &value,
        spans: &spans,
    };
    let explanation = explain(&program, rule, &valid, today);
    let text = match args.format {
        ExplainFormat::Human => {
            let mut text = render(&explanation);
            if rule.across {
                text.push_str("\nnote: the rule reads every manifest; it was evaluated on this one alone (`proviso check` runs it over all)\n");
            }
            text
        }
        ExplainFormat::Json => match serde_json::to_string_pretty(&explanation) {
            Ok(json) => json + "\n",
            Err(e) => {
                say(&format!("error: cannot write the explanation: {e}"));
                return Exit::Failed;
            }
        },
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() {
        return Exit::Failed;
    }
    Exit::Clean
}
