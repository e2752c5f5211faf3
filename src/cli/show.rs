//! `proviso show RULE|POLICY`: the source of a rule or of a policy file,
//! shipped or loaded, to read and to copy.
//!
//! A rule is printed whole, doc comments included; a policy file is
//! printed whole. The first line is a comment naming where the text is
//! (`// builtin:ftc2012.proviso:12`), so what is printed is still a policy
//! file when it is copied into one.

use super::policies::{self, Loaded};
use super::Exit;
use crate::builtin::Builtin;
use crate::report::escape::{visible, visible_but_tabs};
use crate::source::{Source, BUILTIN_PREFIX};
use crate::suggest::did_you_mean;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A rule id (`ftc2012/messages-consent`), or a policy file: by its
    /// policy or file name (`ftc2012`), its shipped name
    /// (`builtin:ftc2012.proviso`), its schema (`partnership/v1`) or its
    /// path.
    #[arg(value_name = "RULE|POLICY")]
    name: String,
    /// A policy file, a directory of `.proviso` files, or `builtin` (the
    /// shipped policies); repeatable [default: the configuration's
    /// `policies`, else builtin]
    #[arg(long, value_name = "PATH|builtin")]
    policy: Vec<PathBuf>,
}

pub fn run(args: ShowArgs) -> Exit {
    let loaded = match policies::configured(&args.policy, policies::ErrorStyle::lines(false)) {
        Ok((_, loaded)) => loaded,
        Err(exit) => return exit,
    };
    let name = args.name.as_str();
    let text = if let Some(rule) = loaded.program.rule(name) {
        let (line, _) = rule.span.start_line_col();
        shown(&format!("{}:{line}", rule.span.src.name), rule.span.text())
    } else {
        let files = files_named(name, &loaded);
        match files.as_slice() {
            [file] => shown(&file.name, &file.text),
            [] => return unknown(name, &loaded),
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|f| format!("`{}`", visible(&f.name)))
                    .collect();
                say(&format!(
                    "error: `{}` names {} policy files: {}",
                    visible(name),
                    several.len(),
                    names.join(", ")
                ));
                say("help: name one of them as it is written here");
                return Exit::Failed;
            }
        }
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Exit::Clean,
        Err(_) => Exit::Failed,
    }
}

/// The text under a heading that says where it is, each line made safe to
/// print.
fn shown(heading: &str, text: &str) -> String {
    let mut out = format!("// {}\n", visible(heading));
    for line in text.lines() {
        out.push_str(&visible_but_tabs(line));
        out.push('\n');
    }
    out
}

/// The loaded files that `name` names: by the name they are shown under,
/// by their path, or by the policy, schema or file name they go by.
fn files_named<'a>(name: &str, loaded: &'a Loaded) -> Vec<&'a Arc<Source>> {
    let exact: Vec<&Arc<Source>> = loaded.sources.iter().filter(|s| s.name == name).collect();
    if !exact.is_empty() {
        return exact;
    }
    let path = Path::new(name);
    if path.exists() {
        let canonical = std::fs::canonicalize(path).ok();
        let by_path: Vec<&Arc<Source>> = loaded
            .sources
            .iter()
            .filter(|s| {
                !s.is_builtin() && std::fs::canonicalize(Path::new(&s.name)).ok() == canonical
            })
            .collect();
        if !by_path.is_empty() {
            return by_path;
        }
    }
    let mut found: Vec<&Arc<Source>> = Vec::new();
    for (source, names) in aliases(loaded) {
        if names.iter().any(|n| n == name) && !found.iter().any(|f| Arc::ptr_eq(f, source)) {
            found.push(source);
        }
    }
    found
}

/// Each loaded file with the other names it goes by: its file name without
/// `.proviso`, the policies it declares and the schemas it declares.
fn aliases(loaded: &Loaded) -> Vec<(&Arc<Source>, Vec<String>)> {
    loaded
        .sources
        .iter()
        .map(|source| {
            let file = source
                .name
                .strip_prefix(BUILTIN_PREFIX)
                .unwrap_or(&source.name);
            let mut names: Vec<String> = Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .into_iter()
                .collect();
            for rule in &loaded.program.rules {
                if Arc::ptr_eq(&rule.span.src, source) && !names.contains(&rule.policy) {
                    names.push(rule.policy.clone());
                }
            }
            for schema in &loaded.program.types.schemas {
                if Arc::ptr_eq(&schema.span.src, source) {
                    names.push(schema.id.clone());
                }
            }
            (source, names)
        })
        .collect()
}

/// Nothing of that name: what is close, or what there is.
fn unknown(name: &str, loaded: &Loaded) -> Exit {
    if let Some(check) = Builtin::ALL.into_iter().find(|b| b.id() == name) {
        say(&format!(
            "error: `{}` is built into proviso; it has no policy source",
            check.id()
        ));
        say("help: `proviso rules` describes it");
        return Exit::Failed;
    }
    say(&format!(
        "error: no rule or policy file named `{}`",
        visible(name)
    ));
    let aliases = aliases(loaded);
    let candidates = loaded
        .program
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(loaded.sources.iter().map(|s| s.name.as_str()))
        .chain(
            aliases
                .iter()
                .flat_map(|(_, n)| n.iter().map(String::as_str)),
        )
        .chain(Builtin::ALL.iter().map(|b| b.id()));
    match did_you_mean(name, candidates) {
        Some(close) => say(&format!("help: did you mean `{}`?", visible(close))),
        None => say("help: `proviso rules` lists the rules; a policy file goes by its name, such as `ftc2012`, or its path"),
    }
    Exit::Failed
}

/// Writes a line to stderr; a closed stderr does not stop the command.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
