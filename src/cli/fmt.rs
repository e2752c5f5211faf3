//! `proviso fmt`: rewrites policy files in the canonical layout, or says
//! what it would change (`--check`, `--diff`).
//!
//! A file is written only when its formatted text says what it said
//! before: `fmt::format` checks each file's syntax tree and comments, and
//! here the files given together are checked together (a policy file may
//! need another's schema), with the shipped schema beside them as
//! `--policy` loads it: the checked program of the formatted files must be
//! the program of the files as they were, positions aside. When the files
//! do not check, before as after, with the same errors, the syntax trees
//! are what is compared. Otherwise no file of the run is written.

use super::policies::{
    add_shipped_schema, is_policy, lowercase_first, parser_threads, policy_files, print_diags,
};
use super::Exit;
use crate::check::{compile_parsed, image, parse};
use crate::diagnostics::Diag;
use crate::fmt::{format, Envelope};
use crate::manifest::discover::path_text;
use crate::report::escape::visible;
use crate::source::Source;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Change no file: name each file that would change, and exit 1 if one would.
    #[arg(long)]
    check: bool,
    /// Change no file: print the changes as a unified diff, and exit 1 if there are any.
    #[arg(long)]
    diff: bool,
    /// Policy files, or directories searched for `*.proviso` files [default: .]
    paths: Vec<PathBuf>,
}

/// A policy file of the run.
struct File {
    path: PathBuf,
    /// Its text as read.
    raw: String,
    envelope: Envelope,
    /// Its text, with `\n` line breaks and no byte-order mark.
    source: Arc<Source>,
    /// The same, formatted; `None` when it could not be.
    formatted: Option<Arc<Source>>,
}

impl File {
    fn changed(&self) -> bool {
        self.formatted
            .as_ref()
            .is_some_and(|f| f.text != self.source.text)
    }

    /// The text to write: the formatted one, in the file's own envelope.
    fn output(&self) -> Option<String> {
        let out = self.envelope.close(&self.formatted.as_ref()?.text);
        (out != self.raw).then_some(out)
    }
}

pub fn run(args: FmtArgs) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (mut found, errors) = policy_files(&paths);
    // A link that leads out of the given directories is not followed: fmt
    // writes, and must not write to files elsewhere. (A file named on the
    // command line is formatted wherever it is.)
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    found.retain(|f| {
        if paths.contains(f) {
            return true;
        }
        let inside = std::fs::canonicalize(f).is_ok_and(|c| roots.iter().any(|r| c.starts_with(r)));
        if !inside {
            let _ = writeln!(
                std::io::stderr(),
                "note: not formatted: `{}`, reached through a link that leads outside the given paths",
                visible(&path_text(f))
            );
        }
        inside
    });
    let mut failed = !errors.is_empty();
    for e in &errors {
        error(e);
    }
    let mut files = Vec::new();
    for path in found {
        match read(&path) {
            Ok(file) => files.push(file),
            Err(e) => {
                error(&e);
                failed = true;
            }
        }
    }
    for file in &mut files {
        match format(&file.source) {
            Ok(text) => file.formatted = Some(Source::new(file.source.name.clone(), text)),
            Err(diags) => {
                print_diags(&diags, super::policies::ErrorStyle::lines(false));
                failed = true;
            }
        }
    }
    if let Err(e) = same_program(&files) {
        error(&e);
        failed = true;
        files.iter_mut().for_each(|f| f.formatted = None);
    }
    let mut changed = false;
    let mut out = std::io::stdout().lock();
    for file in &files {
        let Some(text) = file.output() else {
            continue;
        };
        changed = true;
        let shown = visible(&path_text(&file.path)).into_owned();
        if args.check {
            let _ = writeln!(out, "would reformat: {shown}");
        }
        if args.diff {
            let _ = out.write_all(diff(&shown, &file.raw, &text, file.envelope).as_bytes());
        }
        if !args.check && !args.diff {
            match write(&file.path, &text) {
                Ok(()) => {
                    let _ = writeln!(out, "reformatted: {shown}");
                }
                Err(e) => {
                    error(&format!("cannot write `{shown}`: {e}"));
                    failed = true;
                }
            }
        }
    }
    if failed {
        Exit::Failed
    } else if changed && (args.check || args.diff) {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

fn error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

fn read(path: &Path) -> Result<File, String> {
    let shown = visible(&path_text(path)).into_owned();
    if !is_policy(path) {
        return Err(format!(
            "`{shown}` is not a policy file: `proviso fmt` formats `*.proviso` files only, and leaves others as they are"
        ));
    }
    let raw = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read policy `{shown}`: {}",
            lowercase_first(&e.to_string())
        )
    })?;
    let (envelope, text) = Envelope::open(&raw);
    Ok(File {
        path: path.to_path_buf(),
        source: Source::new(path_text(path), text),
        raw,
        envelope,
        formatted: None,
    })
}

/// Checks that the files that were formatted mean together what they
/// meant (the module's comment says how); the error names the files that
/// would have changed.
fn same_program(files: &[File]) -> Result<(), String> {
    if !files.iter().any(File::changed) {
        return Ok(());
    }
    let kept: Vec<&File> = files.iter().filter(|f| f.formatted.is_some()).collect();
    let before: Vec<Arc<Source>> = kept.iter().map(|f| Arc::clone(&f.source)).collect();
    let after: Vec<Arc<Source>> = kept
        .iter()
        .filter_map(|f| f.formatted.as_ref().map(Arc::clone))
        .collect();
    let same = match (compile_set(before), compile_set(after)) {
        (Ok((a, sa)), Ok((b, sb))) => {
            let (a, b) = (image::meaning(&a, &sa), image::meaning(&b, &sb));
            a.is_ok() && a == b
        }
        (Err(a), Err(b)) => a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_error(x, y)),
        _ => false,
    };
    if same {
        return Ok(());
    }
    let names: Vec<String> = files
        .iter()
        .filter(|f| f.changed())
        .map(|f| format!("`{}`", visible(&path_text(&f.path))))
        .collect();
    Err(format!(
        "formatting would change what the policies mean ({}), so no file is written; this is a fault of `proviso fmt`: please report it with the files",
        names.join(", ")
    ))
}

type Compiled = (crate::check::Program, Vec<Arc<Source>>);

/// Checks policy files as `--policy` would, the shipped schema beside them
/// when they need it; the program comes with its sources, in order.
fn compile_set(mut sources: Vec<Arc<Source>>) -> Result<Compiled, Vec<Diag>> {
    parser_threads();
    let mut parsed = parse(&sources);
    if let Some(schema) = add_shipped_schema(&mut parsed) {
        sources.insert(0, schema);
    }
    compile_parsed(parsed).map(|program| (program, sources))
}

/// Two errors are the same one when they say the same, wherever they are.
/// Messages quote the policy's text as written, and formatting changes only
/// its white space: that is left out of the comparison (the syntax trees
/// were compared already).
fn same_error(a: &Diag, b: &Diag) -> bool {
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let related = |d: &Diag| -> Vec<(String, String)> {
        d.related
            .iter()
            .map(|(span, label)| (span.src.name.clone(), squeeze(label)))
            .collect()
    };
    squeeze(&a.message) == squeeze(&b.message)
        && squeeze(&a.label) == squeeze(&b.label)
        && a.help.as_deref().map(squeeze) == b.help.as_deref().map(squeeze)
        && a.span.src.name == b.span.src.name
        && related(a) == related(b)
}

/// Replaces the file at `path` with `text` at once: the text goes to a new
/// file beside it, which is renamed over it, so that the file is never
/// half written. A symbolic link stays one: the file it names is replaced,
/// if that is a policy file too.
fn write(path: &Path, text: &str) -> Result<(), String> {
    let io = |e: std::io::Error| lowercase_first(&e.to_string());
    let target = std::fs::canonicalize(path).map_err(io)?;
    if !is_policy(&target) {
        return Err(format!(
            "it links to `{}`, which is not a `.proviso` file, so it is left as it is",
            visible(&path_text(&target))
        ));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target).map_err(io)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".proviso-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(text.as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temp.path(), permissions).map_err(io)?;
    temp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

/// The change from `old` to `new` as a unified diff with three lines of
/// context. Each line is shown without its line break, and made safe to
/// print.
fn diff(shown: &str, old: &str, new: &str, envelope: Envelope) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = format!("--- {shown}\n+++ {shown}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            };
            let line = change.value();
            let line = line
                .strip_suffix(envelope.newline)
                .or_else(|| line.strip_suffix('\n'))
                .unwrap_or(line);
            out.push(sign);
            out.push_str(&visible(line));
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}
