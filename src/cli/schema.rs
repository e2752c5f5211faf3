//! `proviso schema`: a schema of the loaded policies as JSON Schema, for
//! editors that validate YAML while it is typed (docs/editors.md).

use super::Exit;
use crate::json_schema::{json_schema, pick};
use crate::report::escape::visible;
use crate::source::is_display_control;
use clap::Args;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// The schema's id, such as `partnership/v1` [default: the only
    /// schema the policies declare]
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// Write the schema as JSON Schema (draft-07), which YAML editors read.
    #[arg(long, required = true)]
    json_schema: bool,
    /// A policy file or directory of `.proviso` files; repeatable. Replaces
    /// the shipped policies.
    #[arg(long, value_name = "PATH")]
    policy: Vec<PathBuf>,
}

pub fn run(args: SchemaArgs) -> Exit {
    let program = match super::policies::configured(
        &args.policy,
        super::policies::ErrorStyle::lines(false),
    ) {
        Ok((_, loaded)) => loaded.program,
        Err(exit) => return exit,
    };
    let schema = pick(&program.types, args.name.as_deref())
        .and_then(|schema| json_schema(&program, &schema.id));
    let value = match schema {
        Ok(value) => value,
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "error: {}", visible(&e.to_string()));
            let _ = writeln!(err, "help: {}", visible(&e.help()));
            return Exit::Failed;
        }
    };
    let text = match serde_json::to_string_pretty(&value) {
        Ok(text) => shown(&text),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the schema: {e}");
            return Exit::Failed;
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        let _ = writeln!(std::io::stderr(), "error: cannot write the schema: {e}");
        return Exit::Failed;
    }
    Exit::Clean
}

/// JSON text with every character that would act on a terminal written as
/// a `\u` escape: the same JSON value, nothing from a policy's doc comments
/// shown raw. serde_json already escapes the C0 controls inside strings, and
/// writes none outside them but the line breaks of its layout.
fn shown(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && is_display_control(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn display_controls_are_json_escapes() {
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "a": "x\u{202e}y\u{85}\u{7f}\n\u{1b}"
        }))
        .unwrap();
        let text = shown(&json);
        assert_eq!(text, "{\n  \"a\": \"x\\u202ey\\u0085\\u007f\\n\\u001b\"\n}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["a"], "x\u{202e}y\u{85}\u{7f}\n\u{1b}");
    }
}
