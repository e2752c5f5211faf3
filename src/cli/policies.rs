//! Loading the policies a command runs with: the shipped ones, or those
//! given with `--policy`.

use crate::check::{compile, Program};
use crate::diagnostics::Diag;
use crate::report::{self, human::Renderer};
use crate::shipped;
use crate::source::Source;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Reads the policy files: the shipped ones, or those given with
/// `--policy` (files, or directories searched for `*.proviso`).
fn load_policies(paths: &[PathBuf]) -> Result<Vec<Arc<Source>>, String> {
    if paths.is_empty() {
        return Ok(shipped::POLICIES
            .iter()
            .map(|(name, text)| Source::new(*name, *text))
            .collect());
    }
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "proviso")
                })
                .map(|e| e.into_path())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("no `.proviso` files in `{}`", path.display()));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut sources = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read policy `{}`: {e}", file.display()))?;
        sources.push(Source::new(file.to_string_lossy(), text));
    }
    Ok(sources)
}

/// Reads and checks the policies. On failure the errors are printed to
/// stderr (one line each when `short`) and `None` is returned: the caller
/// exits 2.
pub fn load_program(paths: &[PathBuf], short: bool) -> Option<Program> {
    let sources = match load_policies(paths) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return None;
        }
    };
    match compile(&sources) {
        Ok(p) => Some(p),
        Err(errors) => {
            print_policy_errors(&errors, short);
            None
        }
    }
}

fn print_policy_errors(errors: &[Diag], short: bool) {
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
    let n = errors.len();
    let _ = writeln!(
        err,
        "error: the policies have {n} {}; no manifest was checked",
        if n == 1 { "error" } else { "errors" }
    );
}
