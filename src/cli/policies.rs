//! Loading the policies a command runs with: the shipped ones, or those
//! given with `--policy`.

use crate::ast::Item;
use crate::check::{compile_parsed, parse, Parsed, Program};
use crate::diagnostics::Diag;
use crate::manifest::discover::path_text;
use crate::report::escape::visible;
use crate::report::{self, human::Renderer};
use crate::shipped;
use crate::source::Source;
use std::io::{IsTerminal, Write};
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::sync::Arc;

/// The policy files that `paths` name: each file as given, and each
/// `*.proviso` file under each directory (hidden directories left out),
/// in name order, each file once. Beside them, an error for each entry
/// that could not be read and each directory without a policy file: a
/// policy silently left out would let its rules pass everything.
pub(crate) fn policy_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = Vec::new();
        let mut unreadable = Vec::new();
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && is_hidden(e)));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && is_policy(e.path()) => {
                    found.push(e.into_path())
                }
                Ok(_) => {}
                Err(err) => {
                    let shown = err.path().map_or_else(|| path_text(path), path_text);
                    let why = match (err.loop_ancestor(), err.io_error()) {
                        (Some(_), _) => "a symbolic link loop".to_string(),
                        (None, Some(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                            "a symbolic link to nothing".to_string()
                        }
                        (None, Some(io)) => lowercase_first(&io.to_string()),
                        (None, None) => err.to_string(),
                    };
                    unreadable.push(format!("cannot read policy `{}`: {why}", visible(&shown)));
                }
            }
        }
        found.sort();
        if found.is_empty() && unreadable.is_empty() {
            errors.push(format!(
                "no `.proviso` files in `{}`",
                visible(&path_text(path))
            ));
        }
        files.extend(found);
        errors.extend(unreadable);
    }
    // The same file given twice (or through its directory) is read once.
    let mut seen = Vec::new();
    files.retain(|f| {
        let key = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    (files, errors)
}

/// Reads and parses the policy files given with `--policy` (files, or
/// directories searched for `*.proviso`).
fn load_policies(paths: &[PathBuf]) -> Result<Vec<Parsed>, String> {
    let (files, errors) = policy_files(paths);
    if !errors.is_empty() {
        return Err(errors.join("\nerror: "));
    }
    let mut sources = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| {
            format!(
                "cannot read policy `{}`: {}",
                visible(&path_text(&file)),
                lowercase_first(&e.to_string())
            )
        })?;
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        // A line break written as a lone carriage return (old Mac files)
        // is one: made a line feed, which keeps every offset.
        let text = lone_cr_to_lf(text);
        sources.push(Source::new(path_text(&file), text));
    }
    parser_threads();
    let mut parsed = parse(&sources);
    add_shipped_schema(&mut parsed);
    Ok(parsed)
}

/// Policy files are parsed in parallel; parsing recurses once per level of
/// an expression (bounded by the parser), so the threads get room for that
/// whatever the platform's default.
pub(crate) fn parser_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(16 * 1024 * 1024)
        .build_global();
}

/// The shipped schema is loaded beside the given rules when they check
/// manifests of it and no given file declares it: a team can add its own
/// rules without a copy of the schema, or bring its own schema. It goes
/// first; returns its source when it was added.
pub(crate) fn add_shipped_schema(parsed: &mut Vec<Parsed>) -> Option<Arc<Source>> {
    let (declared, wanted) = schemas_of(parsed);
    if wanted.iter().any(|id| !declared.contains(id)) {
        let source = shipped::schema();
        let schema = parse(std::slice::from_ref(&source));
        let (provides, _) = schemas_of(&schema);
        if provides
            .iter()
            .any(|id| wanted.contains(id) && !declared.contains(id))
        {
            parsed.splice(0..0, schema);
            return Some(source);
        }
    }
    None
}

/// `*.proviso`, whatever the case or trailing white space, as manifests'
/// extensions are matched.
pub(crate) fn is_policy(path: &std::path::Path) -> bool {
    crate::manifest::discover::has_extension(path, &["proviso"])
}

fn is_hidden(e: &walkdir::DirEntry) -> bool {
    e.file_name().to_string_lossy().starts_with('.')
}

/// The schemas the files declare, and the schemas their policies check.
fn schemas_of(parsed: &[Parsed]) -> (Vec<String>, Vec<String>) {
    let (mut declared, mut wanted) = (Vec::new(), Vec::new());
    for (file, _) in parsed {
        for item in &file.items {
            match item {
                Item::Schema(decl) => declared.push(decl.name.name.clone()),
                Item::Policy(policy) => wanted.push(policy.schema.name.clone()),
                _ => {}
            }
        }
    }
    (declared, wanted)
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reads and checks the policies: the shipped ones (checked when proviso
/// was built), or those given with `--policy`. On failure the errors are
/// printed to stderr (one line each when `short`) and `None` is returned:
/// the caller exits 2.
///
/// The program serves the command until the process ends, and is never
/// freed: taking its thousands of nodes apart at exit would cost a
/// one-manifest run a tenth of its work, and give nothing back.
pub fn load_program(paths: &[PathBuf], short: bool) -> Option<ManuallyDrop<Program>> {
    let compiled = if paths.is_empty() {
        shipped::program()
    } else {
        match load_policies(paths) {
            Ok(parsed) => compile_parsed(parsed),
            Err(message) => {
                let _ = writeln!(std::io::stderr(), "error: {message}");
                return None;
            }
        }
    };
    match compiled {
        Ok(p) => {
            if p.rules.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: the policies declare no rules; only the manifests' shape is checked"
                );
            }
            Some(ManuallyDrop::new(p))
        }
        Err(errors) => {
            print_policy_errors(&errors, short);
            None
        }
    }
}

/// Writes policy errors to stderr, one line each when `short`, else as
/// reports with the snippet they point at.
pub(crate) fn print_diags(errors: &[Diag], short: bool) {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let renderer = Renderer::new(color);
    let mut err = std::io::stderr().lock();
    for d in errors {
        let text = if short {
            format!("{}\n", report::short::diag(d))
        } else {
            renderer.diag(d)
        };
        let _ = err.write_all(text.as_bytes());
    }
}

fn print_policy_errors(errors: &[Diag], short: bool) {
    print_diags(errors, short);
    let n = errors.len();
    let _ = writeln!(
        std::io::stderr(),
        "error: the policies have {n} {}; no manifest was checked",
        if n == 1 { "error" } else { "errors" }
    );
}

/// `text` with each carriage return not followed by a line feed turned into
/// a line feed (the same length).
fn lone_cr_to_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\r', Some('\n')) => out.push('\r'),
            ('\r', _) => out.push('\n'),
            (other, _) => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lone_cr_to_lf;

    #[test]
    fn lone_carriage_returns_break_lines() {
        assert_eq!(lone_cr_to_lf("a\rb\r\nc\r".into()), "a\nb\r\nc\n");
    }
}
