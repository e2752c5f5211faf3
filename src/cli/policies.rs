//! Loading what a command runs with: the project configuration
//! (`proviso.yaml`) and the policies, resolved the same way for every
//! command: `--policy` values when any are given, else the
//! configuration's `policies:`, else the shipped catalogue (`builtin`).

use super::Exit;
use crate::ast::Item;
use crate::check::{compile_parsed, parse, Parsed, Program};
use crate::config::{Config, PolicyPath, BUILTIN};
use crate::diagnostics::Diag;
use crate::manifest::discover::path_text;
use crate::report::escape::visible;
use crate::report::term::{self, ColorChoice};
use crate::report::{self, human::Renderer};
use crate::shipped;
use crate::source::{ColumnUnit, Source, BUILTIN_PREFIX};
use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How errors found before a report (the configuration's, the policies')
/// are written to stderr: one line each when `short`, else as reports with
/// the snippet they point at; their columns counted in `columns`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorStyle {
    pub short: bool,
    pub columns: ColumnUnit,
    /// Whether reports are coloured, judged on stderr.
    pub color: ColorChoice,
}

impl ErrorStyle {
    /// One line each when `short`, columns in the line formats' default
    /// unit, colour as the environment says.
    pub fn lines(short: bool) -> ErrorStyle {
        ErrorStyle {
            short,
            columns: ColumnUnit::default(),
            color: ColorChoice::Auto,
        }
    }
}

/// The project configuration that applies in the working directory (see
/// [`Config::find`]), or `None`. When it has errors they are printed to
/// stderr (as `style` says) and `Err(Exit::Failed)` is
/// returned: a run must not go on with settings the project did not mean.
pub fn config(style: ErrorStyle) -> Result<Option<Config>, Exit> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    Config::find(&cwd).map_err(|errors| {
        print_errors(&errors, style, "the project configuration");
        Exit::Failed
    })
}

/// The policies a command runs with: the `--policy` values when any were
/// given, else the configuration's `policies:`, else the shipped catalogue.
/// Paths from the configuration are shown relative to the working
/// directory.
pub fn resolve(flags: &[PathBuf], config: Option<&Config>) -> Vec<PolicyPath> {
    if !flags.is_empty() {
        if flags.iter().any(|f| f.as_os_str() == BUILTIN) && Path::new(BUILTIN).exists() {
            warn_builtin_path(Path::new(BUILTIN));
        }
        return dedup(flags.iter().map(|f| PolicyPath::parse(f)).collect());
    }
    match config.and_then(|c| c.policies.as_ref().map(|p| (c, p))) {
        Some((config, policies)) => {
            if policies.contains(&PolicyPath::Builtin) && config.dir.join(BUILTIN).exists() {
                warn_builtin_path(&shown(&config.dir.join(BUILTIN)));
            }
            dedup(
                policies
                    .iter()
                    .map(|p| match p {
                        PolicyPath::Builtin => PolicyPath::Builtin,
                        PolicyPath::Path(path) => PolicyPath::Path(shown(path)),
                    })
                    .collect(),
            )
        }
        None => vec![PolicyPath::Builtin],
    }
}

/// `builtin` names the shipped catalogue even where a file or directory of
/// that name exists; that is said, so that nobody is left wondering why
/// theirs did not load.
fn warn_builtin_path(path: &Path) {
    let _ = writeln!(
        std::io::stderr(),
        "warning: `{BUILTIN}` names the shipped policies, not `{}`; write `./{BUILTIN}` for that",
        visible(&path_text(path))
    );
}

/// An absolute path as the user should see it: relative to the working
/// directory when they share more than the root.
pub fn shown(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => {
            let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
            crate::config::relative_to(path, &crate::config::normalize(&cwd))
        }
        Err(_) => path.to_path_buf(),
    }
}

/// The same policy named twice is loaded once.
fn dedup(list: Vec<PolicyPath>) -> Vec<PolicyPath> {
    let mut out: Vec<PolicyPath> = Vec::with_capacity(list.len());
    for p in list {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Reads and parses the policies: the shipped files for `builtin`, and
/// the files given (or the `*.proviso` files in the directories given).
/// Each is parsed, in the order given.
fn load_policies(
    policies: &[PolicyPath],
    open: &[(PathBuf, String)],
) -> Result<(Vec<Parsed>, Vec<Arc<Source>>), String> {
    // The files in the order given; `None` where the shipped ones go.
    let mut files: Vec<Option<PathBuf>> = Vec::new();
    let mut unreadable = Vec::new();
    for policy in policies {
        let path = match policy {
            PolicyPath::Builtin => {
                files.push(None);
                continue;
            }
            PolicyPath::Path(path) => path,
        };
        let (found, errors) = policy_files(std::slice::from_ref(path));
        files.extend(found.into_iter().map(Some));
        unreadable.extend(errors);
    }
    if !unreadable.is_empty() {
        return Err(unreadable.join("\nerror: "));
    }
    once_each(&mut files, Option::as_deref);
    let builtin = files.contains(&None);
    let mut sources = Vec::new();
    for file in files {
        let Some(file) = file else {
            sources.extend(shipped::sources());
            continue;
        };
        // A file open in an editor is read as it is there.
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        let edited = open.iter().find(|(p, _)| *p == key).map(|(_, t)| t.clone());
        let text = match edited {
            Some(text) => text,
            None => std::fs::read_to_string(&file).map_err(|e| {
                format!(
                    "cannot read policy `{}`: {}",
                    visible(&path_text(&file)),
                    lowercase_first(&e.to_string())
                )
            })?,
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        // A line break written as a lone carriage return (old Mac files)
        // is one: made a line feed, which keeps every offset.
        let text = lone_cr_to_lf(text);
        // A file of the user's is never named as a shipped one.
        let mut name = path_text(&file);
        if name.starts_with(BUILTIN_PREFIX) {
            name.insert_str(0, "./");
        }
        sources.push(Source::new(name, text));
    }
    parser_threads();
    let mut parsed = parse(&sources);
    // Without `builtin`, the shipped schema is still loaded unless a given
    // file declares it: a manifest that names `partnership/v1` is read
    // against it, whether or not a given policy checks it. A team can add
    // its own rules without a copy of the schema, or bring its own.
    if !builtin {
        if let Some(source) = add_shipped_schema(&mut parsed) {
            sources.insert(0, source);
        }
    }
    Ok((parsed, sources))
}

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
    once_each(&mut files, |f| Some(f.as_path()));
    (files, errors)
}

/// The same file given twice (or through its directory) is kept once, where
/// it first comes; items without a path are all kept.
fn once_each<T>(items: &mut Vec<T>, path: impl Fn(&T) -> Option<&Path>) {
    let mut seen: Vec<PathBuf> = Vec::new();
    items.retain(|item| {
        let Some(f) = path(item) else {
            return true;
        };
        let key = std::fs::canonicalize(f).unwrap_or_else(|_| f.to_path_buf());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

/// Policy files are parsed in parallel; parsing recurses once per level of
/// an expression (bounded by the parser), so the threads get room for that
/// whatever the platform's default.
pub(crate) fn parser_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(16 * 1024 * 1024)
        .build_global();
}

/// Adds the shipped schema before the parsed files unless one of them
/// declares a schema it declares; returns its source when it was added.
pub(crate) fn add_shipped_schema(parsed: &mut Vec<Parsed>) -> Option<Arc<Source>> {
    let declared = schemas_of(parsed);
    let source = shipped::schema();
    let schema = parse(std::slice::from_ref(&source));
    if schemas_of(&schema).iter().all(|id| !declared.contains(id)) {
        parsed.splice(0..0, schema);
        return Some(source);
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

/// The schemas the files declare.
fn schemas_of(parsed: &[Parsed]) -> Vec<String> {
    let mut declared = Vec::new();
    for (file, _) in parsed {
        for item in &file.items {
            if let Item::Schema(decl) = item {
                declared.push(decl.name.name.clone());
            }
        }
    }
    declared
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The checked policies, and the files they were read from.
pub struct Loaded {
    pub program: ManuallyDrop<Program>,
    pub sources: Vec<Arc<Source>>,
}

/// Reads and checks the policies (see [`resolve`]): the shipped catalogue
/// alone is read from the image checked when proviso was built. On
/// failure the errors are printed to stderr (as `style` says)
/// and `None` is returned: the caller exits 2.
///
/// The program serves the command until the process ends, and is never
/// freed: taking its thousands of nodes apart at exit would cost a
/// one-manifest run a tenth of its work, and give nothing back.
pub fn load(policies: &[PolicyPath], style: ErrorStyle) -> Option<Loaded> {
    let (compiled, sources) = match compile(policies, &[]) {
        Ok(compiled) => compiled,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            return None;
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
            Some(Loaded {
                program: ManuallyDrop::new(p),
                sources,
            })
        }
        Err(errors) => {
            print_errors(&errors, style, "the policies");
            None
        }
    }
}

/// The project configuration and the policies it (or `--policy`) names,
/// loaded: what a command runs with. Errors are printed as [`config`] and
/// [`load`] print them, and the command exits 2.
pub fn configured(flags: &[PathBuf], style: ErrorStyle) -> Result<(Option<Config>, Loaded), Exit> {
    let config = config(style)?;
    let list = resolve(flags, config.as_ref());
    named_policies_exist(flags, config.as_ref())?;
    let loaded = load(&list, style).ok_or(Exit::Failed)?;
    Ok((config, loaded))
}

/// Reads and checks the policies, the texts of `open` files (by canonical
/// path) in place of what is on disk. `Err` is a file that cannot be read;
/// the inner result is the check.
#[allow(clippy::type_complexity)]
pub fn compile(
    policies: &[PolicyPath],
    open: &[(PathBuf, String)],
) -> Result<(Result<Program, Vec<Diag>>, Vec<Arc<Source>>), String> {
    if policies.is_empty() || policies == [PolicyPath::Builtin] {
        let sources = shipped::sources();
        return Ok((shipped::program_of(&sources), sources));
    }
    let (parsed, sources) = load_policies(policies, open)?;
    Ok((compile_parsed(parsed), sources))
}

/// A policy path the configuration names that is not there is an error
/// that says where it was named (a path given with `--policy` is reported
/// as such when it is read).
pub fn named_policies_exist(flags: &[PathBuf], config: Option<&Config>) -> Result<(), Exit> {
    let (true, Some(c)) = (flags.is_empty(), config) else {
        return Ok(());
    };
    let missing: Vec<PathBuf> = resolve(flags, Some(c))
        .into_iter()
        .filter_map(|p| match p {
            PolicyPath::Path(path) if !path.exists() => Some(path),
            _ => None,
        })
        .collect();
    for path in &missing {
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot read policy `{}`: no such file or directory\nhelp: it is listed under `policies:` in `{}`, relative to its directory",
            visible(&path_text(path)),
            visible(&c.source.name)
        );
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Exit::Failed)
    }
}

/// [`load`], for a command that needs only the program.
pub fn load_program(policies: &[PolicyPath], style: ErrorStyle) -> Option<ManuallyDrop<Program>> {
    load(policies, style).map(|loaded| loaded.program)
}

/// Prints errors of a file the run depends on, as a report or one line
/// each, and a last line that says nothing was checked.
pub fn print_errors(errors: &[Diag], style: ErrorStyle, what: &str) {
    print_diags(errors, style);
    let n = errors.len();
    // After reports, the last line stands apart, as a check's summary does.
    if !style.short && n > 0 {
        let _ = writeln!(std::io::stderr());
    }
    let _ = writeln!(
        std::io::stderr(),
        "error: {what} {} {n} {}; no manifest was checked",
        if what.ends_with('s') { "have" } else { "has" },
        if n == 1 { "error" } else { "errors" }
    );
}

/// Writes errors to stderr, one line each when `short`, else as reports
/// with the snippet they point at, a blank line between two.
pub(crate) fn print_diags(errors: &[Diag], style: ErrorStyle) {
    let renderer = Renderer::new(style.color.on(term::Stream::Stderr), style.columns)
        .with_width(term::width(term::Stream::Stderr));
    let mut gap = report::human::Gap::default();
    let mut err = std::io::stderr().lock();
    for d in errors {
        let text = if style.short {
            format!("{}\n", report::short::diag(d, style.columns))
        } else {
            format!("{}{}", gap.before(), renderer.diag(d))
        };
        let _ = err.write_all(text.as_bytes());
    }
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
