//! `proviso check`

use super::policies;
use super::Exit;
use crate::check::Program;
use crate::config::{parse_days, parse_size, Config, FailOn, Format, PolicyPath};
use crate::date::Date;
use crate::diagnostics::Finding;
use crate::manifest::discover::{discover_excluding, path_text};
use crate::report::escape::visible;
use crate::report::term::{self, ColorChoice};
use crate::report::{self, human::Renderer};
use crate::run::{check_each, FileReport, Options, Totals};
use crate::source::ColumnUnit;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Each setting falls back to the project configuration (`proviso.yaml`),
/// then to its default: a flag given wins.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check; a policy file or `proviso.yaml`
    /// named stands for all the project checks [default: the
    /// configuration's `paths`, else .]
    paths: Vec<PathBuf>,
    /// A policy file, a directory of `.proviso` files, or `builtin` (the
    /// shipped policies); repeatable [default: the configuration's
    /// `policies`, else builtin]
    #[arg(long, value_name = "PATH|builtin")]
    policy: Vec<PathBuf>,
    /// Output format [default: human on a terminal, short otherwise]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// How `short`, `github` and the `human` header count columns: bytes
    /// for vim and neovim, utf16 for VS Code, chars for JetBrains IDEs,
    /// display for Emacs (`json` and `sarif` always count characters)
    #[arg(long, value_enum, value_name = "UNIT", default_value = "bytes")]
    column_unit: ColumnUnit,
    /// Write the report to FILE instead of stdout; the summary line still
    /// goes to stderr.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that fails the run [default: error]
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// The date `today` means, YYYY-MM-DD [default: the current UTC date]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Files larger than this are reported, not read (bytes, or with KiB or
    /// MiB) [default: 8MiB]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
    /// How many days after `today` a waiver may expire; a waiver that runs
    /// longer silences nothing and is an error [default: 365]
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    max_waiver_days: Option<i64>,
    /// Exit 0 when no manifest was found, instead of failing the run.
    #[arg(long)]
    allow_empty: bool,
    /// Name every rule that applied to no manifest (the summary counts them).
    #[arg(long, short)]
    verbose: bool,
    /// Under each finding, show why the rule failed: each condition of the
    /// failing binding and the values it read (with `human` and `short`).
    #[arg(long)]
    explain: bool,
    /// The repository's root, which `sarif` URIs are relative to [default:
    /// the nearest directory at or above the working directory holding
    /// `.git`, else the working directory]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Colour the `human` report and errors: auto colours a terminal,
    /// and any output when FORCE_COLOR or CLICOLOR_FORCE is set, unless
    /// NO_COLOR is set
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    color: ColorChoice,
}

pub(super) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, for example 2018-12-18"))
}

/// What a check runs with: the flags over the project configuration over
/// the defaults, resolved once.
struct Settings {
    paths: Vec<PathBuf>,
    /// The configuration file that listed `paths`, when it did.
    paths_from: Option<String>,
    policies: Vec<PolicyPath>,
    format: Format,
    columns: ColumnUnit,
    output: Option<PathBuf>,
    color: ColorChoice,
    fail_on: FailOn,
    opts: Options,
    allow_empty: bool,
    exclude: Option<crate::manifest::discover::Exclude>,
}

impl Settings {
    fn new(args: CheckArgs, config: Option<Config>) -> Settings {
        let config = config.as_ref();
        let output = args
            .output
            .or_else(|| Some(policies::shown(config?.output.as_ref()?)));
        // A file is never a terminal: it gets neither colours (unless
        // asked) nor, by default, the graphical format.
        let stdout_tty = output.is_none() && std::io::stdout().is_terminal();
        let format = args
            .format
            .or_else(|| config?.format)
            .unwrap_or(if stdout_tty {
                Format::Human
            } else {
                Format::Short
            });
        let policies = policies::resolve(&args.policy, config);
        let targets = super::targets::resolve(args.paths, config, &policies);
        Settings {
            paths: targets.paths,
            paths_from: config
                .filter(|_| targets.configured)
                .map(|c| c.source.name.clone()),
            policies,
            format,
            columns: args.column_unit,
            output,
            color: args.color,
            fail_on: args
                .fail_on
                .or_else(|| config?.fail_on)
                .unwrap_or(FailOn::Error),
            opts: Options {
                today: args.as_of.unwrap_or_else(Date::today_utc),
                max_file_size: args
                    .max_file_size
                    .or_else(|| config?.max_file_size)
                    .unwrap_or(crate::run::DEFAULT_MAX_FILE_SIZE),
                max_waiver_days: args
                    .max_waiver_days
                    .or_else(|| config?.max_waiver_days)
                    .unwrap_or(crate::run::DEFAULT_MAX_WAIVER_DAYS),
            },
            allow_empty: args.allow_empty,
            exclude: config.and_then(|c| c.exclude.clone()),
        }
    }
}

pub fn run(args: CheckArgs) -> Exit {
    // Errors before the report (the configuration's, the policies') are
    // one line each when the report would be.
    let short = match args.format {
        Some(format) => format != Format::Human,
        None => !(args.output.is_none() && std::io::stdout().is_terminal()),
    };
    let style = policies::ErrorStyle {
        short,
        columns: args.column_unit,
        color: args.color,
    };
    let config = match policies::config(style) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    if let Err(exit) = policies::named_policies_exist(&args.policy, config.as_ref()) {
        return exit;
    }
    if let Err(errors) = super::targets::other_configurations(&args.paths, config.as_ref()) {
        policies::print_errors(&errors, style, "the configuration named");
        return Exit::Failed;
    }
    // The configuration file, which a report must not replace.
    let config_file = config.as_ref().map(|c| PathBuf::from(&c.source.name));
    let (explain, verbose) = (args.explain, args.verbose);
    let root_dir = args.root.clone();
    let settings = Settings::new(args, config);
    let format = settings.format;

    if explain && !matches!(format, Format::Human | Format::Short) {
        say("error: `--explain` works with `--format human` and `--format short`; `proviso explain RULE MANIFEST --format json` gives the same data as JSON");
        return Exit::Failed;
    }
    let root = match sarif_root(format, root_dir.as_deref()) {
        Ok(root) => root,
        Err(exit) => return exit,
    };
    let Some(program) = policies::load_program(&settings.policies, style) else {
        return Exit::Failed;
    };
    let opts = settings.opts.clone();
    let found = match discover_excluding(&settings.paths, settings.exclude.as_ref()) {
        Ok(found) => found,
        Err(missing) => {
            for m in missing {
                say(&format!(
                    "error: cannot check `{}`: {}",
                    visible(&m.path),
                    m.message
                ));
            }
            if let Some(file) = &settings.paths_from {
                say(&format!(
                    "help: `paths` in `{}` lists it; paths there are relative to its directory",
                    visible(file)
                ));
            }
            return Exit::Failed;
        }
    };
    // proviso never writes to a manifest, a policy or its configuration,
    // even when asked to.
    if let Some(path) = &settings.output {
        let checked = path.exists() && found.file_paths().any(|p| same_file(&p, path))
            || settings.policies.iter().any(|p| match p {
                PolicyPath::Path(p) => same_file(p, path),
                PolicyPath::Builtin => false,
            });
        let configuration = config_file.as_ref().is_some_and(|c| same_file(c, path))
            || path.is_file()
                && path.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy().to_ascii_lowercase();
                    n == "proviso.yaml" || n == "proviso.yml"
                });
        let why = if checked {
            Some("a file being checked")
        } else if configuration {
            Some("which is a project configuration")
        } else {
            protected(path, &program)
        };
        if let Some(why) = why {
            say(&format!(
                "error: refusing to write the report over `{}`, {why}",
                visible(&path_text(path)),
            ));
            return Exit::Failed;
        }
    }
    let threshold = settings.fail_on.threshold();
    let fails = |f: &Finding| threshold.is_some_and(|t| f.severity >= t && f.waiver.is_none());

    // A report file is written beside its place and moved there when the
    // run has not failed: a run that fails leaves the file as it was.
    let mut pending: Option<Pending> = None;
    let mut out: Box<dyn Write> = match &settings.output {
        Some(path) => match Pending::create(path) {
            Ok((file, p)) => {
                pending = Some(p);
                Box::new(std::io::BufWriter::new(file))
            }
            Err(e) => {
                say(&format!(
                    "error: cannot write `{}`: {e}",
                    visible(&path_text(path))
                ));
                return Exit::Failed;
            }
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failing = false;
    // A blank line between two `human` reports, and before the summary.
    let mut gap = report::human::Gap::default();
    // Which rules applied to some manifest (a binding got past its `where`).
    let mut applied = vec![false; program.rules.len()];
    let mut evaluated = false;
    let mut note_applied = |file: &crate::run::FileReport| {
        evaluated |= file.kind == crate::run::FileKind::Manifest;
        for &(i, result) in &file.results {
            if result != crate::run::RuleResult::NotApplicable {
                if let Some(a) = applied.get_mut(i) {
                    *a = true;
                }
            }
        }
    };
    // The first error writing the report: the run stops there.
    let mut write_error: Option<std::io::Error> = None;
    let totals = match format {
        // Line formats are written file by file, as the check goes: memory
        // stays flat and a long run shows progress.
        Format::Human | Format::Short | Format::Github => {
            let stream = match settings.output {
                Some(_) => term::Stream::File,
                None => term::Stream::Stdout,
            };
            let renderer = Renderer::new(settings.color.on(stream), settings.columns)
                .with_width(term::width(stream));
            check_each(&program, &found, &opts, |file| {
                note_applied(&file);
                let mut why = explain.then(|| crate::explain::Explainer::new(&program, opts.today));
                for f in &file.findings {
                    failing |= fails(f);
                    let mut text = match format {
                        Format::Human => format!("{}{}", gap.before(), renderer.finding(f)),
                        Format::Github => {
                            format!("{}\n", report::github::finding(f, settings.columns))
                        }
                        // Only `short` reaches this arm: the documents are
                        // written below.
                        Format::Short
                        | Format::Json
                        | Format::Sarif
                        | Format::Junit
                        | Format::Html => {
                            format!("{}\n", report::short::finding(f, settings.columns))
                        }
                    };
                    if let Some(why) = why.as_mut() {
                        text.push_str(&why.finding(f));
                    }
                    if let Err(e) = out.write_all(text.as_bytes()) {
                        write_error = Some(e);
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            })
        }
        // Documents are written as the check goes too: each file's part as
        // its batch completes, and what needs the run's totals at the end.
        Format::Json | Format::Sarif | Format::Junit | Format::Html => {
            let start = Start {
                program: &program,
                root,
                fail_on: settings.fail_on,
                as_of: opts.today,
            };
            let mut document = match Document::start(format, start, &mut out) {
                Ok(document) => document,
                Err(e) => {
                    say(&format!("error: cannot render the report: {e}"));
                    return Exit::Failed;
                }
            };
            let totals = check_each(&program, &found, &opts, |file| {
                note_applied(&file);
                failing |= file.findings.iter().any(fails);
                match document.file(&file) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(e) => {
                        write_error = Some(e);
                        ControlFlow::Break(())
                    }
                }
            });
            let mut totals = totals;
            if write_error.is_none() {
                // The HTML page is written here, after the last file: the
                // summary's time includes it.
                let writing = std::time::Instant::now();
                write_error = document.finish(&totals).err();
                totals.elapsed += writing.elapsed();
            }
            totals
        }
    };
    let exit = finish_run(Finish {
        out: &mut out,
        settings: &settings,
        totals: &totals,
        write_error,
        gap,
        unapplied: evaluated.then(|| unapplied(&program, &applied, verbose)),
        failing,
    });
    drop(out);
    match pending {
        Some(p) if exit != Exit::Failed => p.persist().map_or_else(
            |e| {
                say(&format!("error: cannot write the report: {e}"));
                Exit::Failed
            },
            |()| exit,
        ),
        _ => exit,
    }
}

/// What ends a run, once every file is checked.
struct Finish<'a> {
    out: &'a mut Box<dyn Write>,
    settings: &'a Settings,
    totals: &'a Totals,
    write_error: Option<std::io::Error>,
    gap: report::human::Gap,
    /// The note on rules that applied to no manifest, when one was evaluated.
    unapplied: Option<String>,
    failing: bool,
}

/// Writes the summary, says what failed, and decides the exit code.
fn finish_run(f: Finish<'_>) -> Exit {
    let Finish {
        out,
        settings,
        totals,
        mut write_error,
        mut gap,
        unapplied,
        failing,
    } = f;
    let format = settings.format;
    let mut summary = report::summary(totals);
    if let Some(note) = unapplied {
        summary.push_str(&note);
    }
    // The summary closes a report meant for people on stdout; every other
    // format keeps its output for the report alone, so that it stays
    // parseable. The report is flushed first, so that on a terminal the
    // summary comes after it.
    if write_error.is_none() {
        if settings.output.is_none() && format == Format::Human {
            let summary = report::human::wrap_prose(&summary, term::width(term::Stream::Stdout));
            write_error = writeln!(out, "{}{summary}", gap.before())
                .and_then(|()| out.flush())
                .err();
        } else {
            write_error = out.flush().err();
            say(&summary);
        }
    }
    if let Some(e) = write_error {
        // A reader that went away (`| head -1`) has all it wanted: stop
        // without a word, but never as a pass, since not everything was
        // checked and reported. Any other failure is said.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let target = match &settings.output {
                Some(path) => format!("`{}`", visible(&path_text(path))),
                None => "standard output".to_string(),
            };
            say(&format!("error: cannot write the report to {target}: {e}"));
        }
        return Exit::Failed;
    }
    if !totals.crashed.is_empty() {
        for path in &totals.crashed {
            say(&format!(
                "error: proviso failed while checking `{}`; its findings are missing (please report this)",
                visible(path)
            ));
        }
        return Exit::Failed;
    }
    if totals.manifests == 0 && !settings.allow_empty {
        say(&format!("error: {}", report::nothing_checked(totals)));
        say("help: check the paths given; pass `--allow-empty` to accept a run without manifests");
        return Exit::Failed;
    }
    if failing {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// A report file being written: a temporary file in the report's
/// directory, moved over the report's path when the run succeeds.
struct Pending {
    temp: tempfile::NamedTempFile,
    /// Where the report goes: the path given, or the file a symbolic link
    /// there points to.
    target: PathBuf,
}

impl Pending {
    fn create(path: &std::path::Path) -> std::io::Result<(std::fs::File, Pending)> {
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
            }
            Ok(m) if m.is_dir() => {
                return Err(std::io::Error::other("it is a directory"));
            }
            _ => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".proviso-report-")
            .tempfile_in(&dir)?;
        // The report gets the permissions of the file it replaces, or a
        // new file's usual ones.
        let permissions = match std::fs::metadata(&target) {
            Ok(m) => Some(m.permissions()),
            Err(_) => new_file_permissions(),
        };
        if let Some(permissions) = permissions {
            std::fs::set_permissions(temp.path(), permissions)?;
        }
        let file = temp.as_file().try_clone()?;
        Ok((file, Pending { temp, target }))
    }

    /// Moves the report into place.
    fn persist(self) -> Result<(), String> {
        self.temp.persist(&self.target).map(drop).map_err(|e| {
            format!(
                "cannot move it to `{}`: {}",
                visible(&path_text(&self.target)),
                e.error
            )
        })
    }
}

/// A new report's permissions: read by all, written by its owner (a
/// temporary file is made readable by its owner alone).
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// A tool's document, written as the check goes; the HTML page, which
/// needs every manifest before its matrix, at the end.
enum Document<'p, W: Write> {
    Json(report::json::Stream<W>),
    Sarif(report::sarif::Stream<'p, W>),
    Junit(report::junit::Stream<'p, W>),
    Html(report::html::Collector<'p, W>),
}

/// What a document starts from.
struct Start<'p> {
    program: &'p Program,
    root: Option<report::sarif::Root>,
    fail_on: FailOn,
    as_of: Date,
}

impl<'p, W: Write> Document<'p, W> {
    fn start(format: Format, start: Start<'p>, out: W) -> std::io::Result<Document<'p, W>> {
        let Start {
            program,
            root,
            fail_on,
            as_of,
        } = start;
        Ok(match format {
            Format::Sarif => {
                let root = root.ok_or_else(|| std::io::Error::other("no root for SARIF's URIs"))?;
                Document::Sarif(report::sarif::Stream::start(program, root, out)?)
            }
            Format::Junit => Document::Junit(report::junit::Stream::start(
                program,
                fail_on.threshold(),
                out,
            )),
            Format::Html => Document::Html(report::html::Collector::start(
                program,
                report::html::Run::now(as_of),
                out,
            )?),
            // The line formats are written without a document.
            Format::Json | Format::Human | Format::Short | Format::Github => {
                Document::Json(report::json::Stream::start(out)?)
            }
        })
    }

    fn file(&mut self, file: &FileReport) -> std::io::Result<()> {
        match self {
            Document::Json(s) => s.file(file),
            Document::Sarif(s) => s.file(file),
            Document::Junit(s) => s.file(file),
            Document::Html(s) => s.file(file),
        }
    }

    fn finish(self, totals: &Totals) -> std::io::Result<()> {
        match self {
            Document::Json(s) => s.finish(totals).map(drop),
            Document::Sarif(s) => s.finish().map(drop),
            Document::Junit(s) => s.finish().map(drop),
            Document::Html(s) => s.finish(totals).map(drop),
        }
    }
}

/// The root `sarif` URIs are relative to, for a SARIF report: `--root`
/// works with that format alone.
fn sarif_root(
    format: Format,
    given: Option<&std::path::Path>,
) -> Result<Option<report::sarif::Root>, Exit> {
    if format != Format::Sarif {
        if given.is_some() {
            say("error: `--root` sets the directory SARIF URIs are relative to; it works with `--format sarif`");
            return Err(Exit::Failed);
        }
        return Ok(None);
    }
    report::sarif::Root::find(given).map(Some).map_err(|e| {
        match given {
            Some(dir) => {
                say(&format!(
                    "error: `--root {}`: {e}",
                    visible(&path_text(dir))
                ));
                say("help: give the directory of the repository's root (the one holding `.git`)");
            }
            None => say(&format!("error: {e}")),
        }
        Exit::Failed
    })
}

/// Writes a line to stderr. A closed stderr must not stop the run or turn
/// its exit code into a crash.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Why an existing file must not be overwritten by the report, if it must
/// not: a policy file, or a file proviso would check as a manifest,
/// whether or not this run checks it.
fn protected(path: &std::path::Path, program: &Program) -> Option<&'static str> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if crate::cli::policies::is_policy(path) || crate::cli::policies::is_policy(&target) {
        return Some("which is a policy file");
    }
    if !path.is_file() {
        return None;
    }
    // A policy by its contents, whatever its name (a hard link, say).
    if let Ok(text) = crate::manifest::read::read_text(path, 1024 * 1024) {
        let src = crate::source::Source::new(path_text(path), text);
        let parsed = crate::check::parse(&[src]);
        if parsed
            .iter()
            .any(|(file, errors)| errors.is_empty() && !file.items.is_empty())
        {
            return Some("which is a policy file");
        }
    }
    if looks_like_manifest(path) {
        return Some("which is a manifest (its first key is `schema:`)");
    }
    let text = crate::manifest::read::read_text(path, crate::run::DEFAULT_MAX_FILE_SIZE).ok()?;
    let text = crate::manifest::read::normalize(text);
    match crate::manifest::load::load(&text, &program.types) {
        crate::manifest::load::Loaded::Manifest { .. } => Some("which is a manifest"),
        crate::manifest::load::Loaded::Syntax(e)
            if e.later_document.is_some_and(|d| d.has_schema) =>
        {
            Some("which holds a manifest")
        }
        _ => None,
    }
}

/// Whether an existing file is a manifest by its first key, even when it
/// does not load.
fn looks_like_manifest(path: &std::path::Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, 64 * 1024), &mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.lines()
        .map(str::trim_end)
        .find(|l| {
            let t = l.trim_start();
            !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---")
        })
        .is_some_and(|l| {
            let l = l.strip_prefix("--- ").unwrap_or(l).trim_start();
            ["schema", "\"schema\"", "'schema'"].iter().any(|k| {
                l.strip_prefix(k)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        })
}

/// Whether two paths name the same file, hard links included.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The rules that applied to no manifest: a `where` that lets nothing
/// through may be a typo in a literal. Named all with `--verbose`, else the
/// first few.
fn unapplied(program: &Program, applied: &[bool], verbose: bool) -> String {
    const SHOWN: usize = 5;
    let idle: Vec<&str> = program
        .rules
        .iter()
        .zip(applied)
        .filter(|(_, a)| !**a)
        .map(|(r, _)| r.id.as_str())
        .collect();
    if idle.is_empty() {
        return String::new();
    }
    let n = idle.len();
    let names: Vec<String> = idle
        .iter()
        .take(if verbose { n } else { SHOWN })
        .map(|id| format!("`{}`", visible(id)))
        .collect();
    let more = if n > names.len() {
        format!(" and {} more (`--verbose` names them all)", n - names.len())
    } else {
        String::new()
    };
    format!(
        "\nnote: {n} {} applied to no manifest (every binding was left out by a `where`, or no manifest has what it reads): {}{more}",
        if n == 1 { "rule" } else { "rules" },
        names.join(", ")
    )
}
