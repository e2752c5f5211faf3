//! The project configuration, `proviso.yaml`: the defaults a project sets
//! for its runs, so that `proviso check` with no arguments does what the
//! project wants.
//!
//! ```yaml
//! policies: [builtin, policies/]    # `builtin` is the shipped catalogue
//! paths: [partners/]                # what `proviso check` checks by default
//! exclude: ["partners/drafts/**"]   # globs that discovery skips
//! fail_on: warning
//! max_waiver_days: 180
//! max_file_size: 1MiB
//! format: short
//! output: reports/proviso.txt
//! ```
//!
//! The file is looked for in the starting directory, then in each parent
//! in turn ([`Config::find`]); the first found is the project's. The search
//! also ends at a repository's root, a directory that holds `.git` (a
//! directory, or the file a worktree or submodule has): a `proviso.yaml`
//! above the repository is not the project's, and a stray one in a home or
//! temporary directory must not change what a repository's check does.
//!
//! Relative paths in the file are relative to the file's directory,
//! wherever proviso runs. Every setting is optional, and a flag given on
//! the command line wins over it. An unknown setting or a value of the
//! wrong kind is an error at its line and column, with "did you mean"
//! where a name is close; every problem of the file is reported together.

mod paths;
mod values;
mod yaml;

use crate::diagnostics::Diag;
use crate::diagnostics::Suggestion;
use crate::manifest::discover::{path_text, Exclude};
use crate::source::{Source, Span};
use crate::suggest::did_you_mean;
use clap::ValueEnum;
use serde_yaml::Value;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use yaml::Target;

use paths::absolute;
pub use paths::{normalize, relative_to};
pub use values::{parse_days, parse_size, FailOn, Format, MAX_FILE_SIZE_LIMIT};

/// The configuration file's name.
pub const FILE_NAME: &str = "proviso.yaml";

/// The name that stands for the shipped catalogue in a list of policies,
/// on the command line (`--policy builtin`) as in `policies:`.
pub const BUILTIN: &str = "builtin";

/// The settings, as written in the file.
const SETTINGS: [&str; 8] = [
    "policies",
    "paths",
    "exclude",
    "fail_on",
    "max_waiver_days",
    "max_file_size",
    "format",
    "output",
];

/// The largest configuration file read: it is a few lines.
const MAX_SIZE: u64 = 1024 * 1024;

/// A policy to load: the shipped catalogue, or a `.proviso` file or a
/// directory of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyPath {
    Builtin,
    Path(PathBuf),
}

impl PolicyPath {
    /// A policy as written: `builtin` is the shipped catalogue, anything
    /// else a path (`./builtin` is the file or directory of that name).
    pub fn parse(written: &Path) -> PolicyPath {
        if written.as_os_str() == BUILTIN {
            PolicyPath::Builtin
        } else {
            PolicyPath::Path(written.to_path_buf())
        }
    }
}

/// A project's `proviso.yaml`, read and checked. A setting the file does
/// not hold is `None`; paths are absolute, resolved from the file's
/// directory.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file, as found (absolute).
    pub file: PathBuf,
    /// Its directory: relative paths in the file are relative to it.
    pub dir: PathBuf,
    /// The file's text, for diagnostics about its settings.
    pub source: Arc<Source>,
    pub policies: Option<Vec<PolicyPath>>,
    pub paths: Option<Vec<PathBuf>>,
    pub exclude: Option<Exclude>,
    pub fail_on: Option<FailOn>,
    pub max_waiver_days: Option<i64>,
    pub max_file_size: Option<u64>,
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
}

impl Config {
    /// The configuration that applies in `start` (a directory; for a file,
    /// its directory): `proviso.yaml` there or in the nearest parent, the
    /// search ending at the first found, at a repository's root (a
    /// directory holding `.git`) or at the file system's root. `Ok(None)`
    /// when there is none; every problem of a file that is found is an
    /// error, with its place in the file.
    pub fn find(start: &Path) -> Result<Option<Config>, Vec<Diag>> {
        match Config::file_for(start) {
            Some(file) => Config::load(&file).map(Some),
            None => Ok(None),
        }
    }

    /// The search of [`Config::find`] alone: the configuration file that
    /// applies in `start`, if there is one.
    pub fn file_for(start: &Path) -> Option<PathBuf> {
        let start = absolute(start);
        let start = std::fs::canonicalize(&start).unwrap_or(start);
        let start = if start.is_file() {
            start
                .parent()
                .map_or_else(|| start.clone(), Path::to_path_buf)
        } else {
            start
        };
        for dir in start.ancestors() {
            let file = dir.join(FILE_NAME);
            // Whatever it is, a `proviso.yaml` is the project's: one that
            // is not a readable file is an error, not a reason to look
            // further up.
            if std::fs::symlink_metadata(&file).is_ok() {
                return Some(file);
            }
            if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
                return None;
            }
        }
        None
    }

    /// Reads and checks a configuration file.
    pub fn load(file: &Path) -> Result<Config, Vec<Diag>> {
        let file = normalize(&absolute(file));
        let shown = std::env::current_dir()
            .ok()
            .map(|cwd| normalize(&std::fs::canonicalize(&cwd).unwrap_or(cwd)))
            .map_or_else(|| file.clone(), |cwd| relative_to(&file, &cwd));
        let name = path_text(&shown);
        let text = match crate::manifest::read::read_text(&file, MAX_SIZE) {
            Ok(text) => crate::manifest::read::normalize(text),
            Err((message, help)) => {
                let source = Source::new(name, "");
                let message = if std::fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
                    "the configuration is a directory, not a file".to_string()
                } else {
                    message
                };
                return Err(vec![Diag::new(&Span::new(&source, 0..0), message)
                    .label("cannot read the project configuration")
                    .help_opt(help)]);
            }
        };
        let source = Source::new(name, text);
        let dir = file
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        Config::read(file, dir, source)
    }

    /// Checks the text of a configuration file that lies in `dir`.
    fn read(file: PathBuf, dir: PathBuf, source: Arc<Source>) -> Result<Config, Vec<Diag>> {
        let settings = match yaml::settings(&source.text) {
            Ok(settings) => settings,
            Err(e) => {
                let start = e.line_col.map_or(0, |(line, col)| {
                    crate::manifest::read::offset_of(&source.text, line, col)
                });
                let end = yaml::token_end(&source.text, start);
                return Err(vec![
                    Diag::new(&Span::new(&source, start..end), e.message).label(e.label)
                ]);
            }
        };
        let mut config = Config {
            file,
            dir,
            source: Arc::clone(&source),
            policies: None,
            paths: None,
            exclude: None,
            fail_on: None,
            max_waiver_days: None,
            max_file_size: None,
            format: None,
            output: None,
        };
        let mut problems = Vec::new();
        for (key, value) in &settings {
            config.set(key, value, &mut problems);
        }
        if problems.is_empty() {
            return Ok(config);
        }
        let more = problems.len().saturating_sub(yaml::MAX_PROBLEMS);
        let mut diags: Vec<Diag> = problems
            .into_iter()
            .take(yaml::MAX_PROBLEMS)
            .map(|p| p.diag(&source))
            .collect();
        if more > 0 {
            diags.push(
                Diag::new(
                    &Span::new(&source, 0..0),
                    format!("and {more} more problems"),
                )
                .label("not shown"),
            );
        }
        Err(diags)
    }

    /// Takes one setting, or says what is wrong with it.
    fn set(&mut self, key: &str, value: &Value, problems: &mut Vec<Problem>) {
        let dir = self.dir.clone();
        let at_dir = |p: &str| normalize(&dir.join(p));
        match key {
            "policies" => {
                self.policies = list(key, value, "a policy path", problems).map(|items| {
                    items
                        .into_iter()
                        .map(|(_, p)| match PolicyPath::parse(Path::new(&p)) {
                            PolicyPath::Builtin => PolicyPath::Builtin,
                            PolicyPath::Path(_) => PolicyPath::Path(at_dir(&p)),
                        })
                        .collect()
                })
            }
            "paths" => {
                self.paths = list(key, value, "a path", problems)
                    .map(|items| items.into_iter().map(|(_, p)| at_dir(&p)).collect())
            }
            "exclude" => self.exclude = self.excludes(value, problems),
            "fail_on" => self.fail_on = keyword(key, value, "a severity", problems),
            "format" => self.format = keyword(key, value, "a format", problems),
            "max_waiver_days" => {
                self.max_waiver_days = match value {
                    Value::Number(n) if n.is_i64() || n.is_u64() => parse_days(&n.to_string())
                        .map_err(|e| problems.push(Problem::refused(key, &e, "not allowed")))
                        .ok(),
                    other => {
                        problems.push(
                            Problem::value(
                                key,
                                format!(
                                    "`max_waiver_days` is a whole number of days, not {}",
                                    kind(other)
                                ),
                                "not a number of days",
                            )
                            .help("for example `max_waiver_days: 365`"),
                        );
                        None
                    }
                }
            }
            "max_file_size" => {
                let written = match value {
                    Value::Number(n) if n.is_u64() => Some(n.to_string()),
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                };
                self.max_file_size = match written {
                    Some(s) => parse_size(&s)
                        .map_err(|e| problems.push(Problem::refused(key, &e, "not a size")))
                        .ok(),
                    None => {
                        problems.push(
                            Problem::value(
                                key,
                                format!(
                                    "`max_file_size` is a size, not {}",
                                    kind(value)
                                ),
                                "not a size",
                            )
                            .help("write bytes, or a number with KiB, MiB or GiB, for example `max_file_size: 8MiB`"),
                        );
                        None
                    }
                }
            }
            "output" => {
                self.output = match value {
                    Value::String(s) if !s.is_empty() => Some(at_dir(s)),
                    other => {
                        problems.push(Problem::value(
                            key,
                            format!("`output` is the path of a file, not {}", kind(other)),
                            "not a path",
                        ));
                        None
                    }
                }
            }
            unknown => {
                let problem = Problem {
                    place: Place::Key(unknown.to_string()),
                    message: format!("unknown setting `{unknown}`"),
                    label: "not a setting of proviso.yaml".into(),
                    help: None,
                    replacement: None,
                };
                problems.push(match did_you_mean(unknown, SETTINGS) {
                    Some(s) => problem.did_you_mean(s, format!("did you mean `{s}`?")),
                    None => problem.help(format!("the settings are {}", SETTINGS.join(", "))),
                });
            }
        }
    }

    /// `exclude:` as a glob set matched against paths relative to the
    /// file's directory.
    fn excludes(&self, value: &Value, problems: &mut Vec<Problem>) -> Option<Exclude> {
        // An empty list is no exclusion, as written.
        if matches!(value, Value::Sequence(items) if items.is_empty()) {
            return Some(Exclude::new(self.dir.clone(), globset::GlobSet::empty()));
        }
        let patterns = list("exclude", value, "a glob", problems)?;
        let mut set = globset::GlobSetBuilder::new();
        let mut ok = true;
        for (i, written) in patterns {
            let pattern = written.strip_prefix("./").unwrap_or(&written);
            let pattern = pattern.trim_end_matches('/');
            let bad = |message: String, help: &str| {
                Problem::item("exclude", i, message, "not a glob here").help(help)
            };
            if pattern.starts_with('/') || Path::new(pattern).is_absolute() {
                problems.push(bad(
                    format!("`{written}` is an absolute path"),
                    "exclude patterns are relative to the directory of proviso.yaml",
                ));
                ok = false;
                continue;
            }
            if Path::new(pattern)
                .components()
                .any(|c| c == Component::ParentDir)
            {
                problems.push(bad(
                    format!("`{written}` leads out of the directory of proviso.yaml"),
                    "exclude patterns match paths inside the directory of proviso.yaml",
                ));
                ok = false;
                continue;
            }
            match globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            {
                Ok(glob) => {
                    set.add(glob);
                }
                Err(e) => {
                    problems.push(bad(
                        format!("`{written}` is not a glob: {}", e.kind()),
                        "`*` matches within a name, `**` any number of directories, `?` one character, `[ab]` one of a set",
                    ));
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        match set.build() {
            Ok(set) => Some(Exclude::new(self.dir.clone(), set)),
            Err(e) => {
                problems.push(Problem::value(
                    "exclude",
                    format!("the globs cannot be used together: {e}"),
                    "not usable",
                ));
                None
            }
        }
    }
}

/// A list of text items, each with its index; `None` after a problem.
fn list(
    key: &str,
    value: &Value,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<Vec<(usize, String)>> {
    match value {
        Value::Sequence(items) if items.is_empty() => {
            problems.push(
                Problem::value(key, format!("`{key}` lists nothing"), "an empty list").help(
                    format!("list {what} at least, or remove `{key}` for its default"),
                ),
            );
            None
        }
        Value::Sequence(items) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if !s.is_empty() => out.push((i, s.clone())),
                    Value::String(_) => {
                        problems.push(Problem::item(
                            key,
                            i,
                            format!("an empty item in `{key}`"),
                            format!("not {what}"),
                        ));
                        ok = false;
                    }
                    other => {
                        let mut problem = Problem::item(
                            key,
                            i,
                            format!("an item of `{key}` is {}, not {what}", kind(other)),
                            format!("not {what}"),
                        );
                        if matches!(other, Value::Number(_) | Value::Bool(_)) {
                            problem = problem.help("quote it to make it text");
                        }
                        problems.push(problem);
                        ok = false;
                    }
                }
            }
            ok.then_some(out)
        }
        Value::String(s) => {
            problems.push(
                Problem::value(key, format!("`{key}` is a list"), "not a list")
                    .help(format!("write `{key}: [{s}]`")),
            );
            None
        }
        other => {
            problems.push(Problem::value(
                key,
                format!("`{key}` is a list of {what}s, not {}", kind(other)),
                "not a list",
            ));
            None
        }
    }
}

/// One of the names of a closed set (`fail_on:`, `format:`), as the flag
/// of the same name takes it.
fn keyword<E: ValueEnum>(
    key: &str,
    value: &Value,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<E> {
    let names: Vec<String> = E::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect();
    let listed = names.join(", ");
    match value {
        Value::String(s) => match E::from_str(s, false) {
            Ok(v) => Some(v),
            Err(_) => {
                let problem = Problem::value(
                    key,
                    format!("unknown `{key}` value `{s}`"),
                    format!("not {what}"),
                );
                problems.push(match did_you_mean(s, names.iter().map(String::as_str)) {
                    Some(close) => problem.did_you_mean(
                        close,
                        format!("did you mean `{close}`? The values are {listed}"),
                    ),
                    None => problem.help(format!("the values are {listed}")),
                });
                None
            }
        },
        other => {
            problems.push(
                Problem::value(
                    key,
                    format!("`{key}` is one of {listed}, not {}", kind(other)),
                    format!("not {what}"),
                )
                .help(format!(
                    "for example `{key}: {}`",
                    names.first().map_or("", String::as_str)
                )),
            );
            None
        }
    }
}

/// What a value is, in words.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "true or false",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "a number",
        Value::String(s) if s.is_empty() => "empty text",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Where in the file a problem is.
#[derive(Debug)]
enum Place {
    Key(String),
    Value(String),
    Item(String, usize),
}

/// A problem with a setting, placed when it is reported.
#[derive(Debug)]
struct Problem {
    place: Place,
    message: String,
    label: String,
    help: Option<String>,
    /// What the setting's name or value should be ("did you mean").
    replacement: Option<String>,
}

impl Problem {
    fn value(key: &str, message: impl Into<String>, label: impl Into<String>) -> Problem {
        Problem {
            place: Place::Value(key.to_string()),
            message: message.into(),
            label: label.into(),
            help: None,
            replacement: None,
        }
    }

    /// A value refused as the flag of the same name refuses it: the
    /// message, then after `; ` the fix.
    fn refused(key: &str, why: &str, label: &str) -> Problem {
        match why.split_once("; ") {
            Some((message, help)) => Problem::value(key, message, label).help(help),
            None => Problem::value(key, why, label),
        }
    }

    fn item(
        key: &str,
        index: usize,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Problem {
        Problem {
            place: Place::Item(key.to_string(), index),
            message: message.into(),
            label: label.into(),
            help: None,
            replacement: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// A "did you mean": `replacement` for the text at the problem's place,
    /// with `help` saying it.
    fn did_you_mean(mut self, replacement: &str, help: String) -> Problem {
        self.replacement = Some(replacement.to_string());
        self.help(help)
    }

    /// The diagnostic, at the place in the file: an item, else its list,
    /// else its setting's name.
    fn diag(self, source: &Arc<Source>) -> Diag {
        let text = &source.text;
        let exact = match &self.place {
            Place::Key(key) => yaml::locate(text, Target::Key(key)),
            Place::Value(key) => yaml::locate(text, Target::Value(key)),
            Place::Item(key, i) => yaml::locate(text, Target::Item(key, *i)),
        };
        let at = exact.or_else(|| match &self.place {
            Place::Key(_) => None,
            Place::Value(key) => yaml::locate(text, Target::Key(key)),
            Place::Item(key, _) => yaml::locate(text, Target::Value(key))
                .or_else(|| yaml::locate(text, Target::Key(key))),
        });
        let start = at.map_or(0, |(line, col)| {
            crate::manifest::read::offset_of(text, line, col)
        });
        let end = yaml::token_end(text, start);
        let mut diag = Diag::new(&Span::new(source, start..end), self.message)
            .label(self.label)
            .help_opt(self.help);
        // Only the place itself is replaced, never a fallback near it.
        diag.fix = self
            .replacement
            .filter(|_| exact.is_some())
            .map(|r| Box::new(Suggestion::new(start..end, r)));
        diag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Config, Vec<Diag>> {
        Config::read(
            PathBuf::from("/p/proviso.yaml"),
            PathBuf::from("/p"),
            Source::new("proviso.yaml", text),
        )
    }

    /// Each error as `line:col: message (help)` and the text it underlines.
    fn errors(text: &str) -> Vec<(String, String)> {
        read(text)
            .unwrap_err()
            .iter()
            .map(|d| {
                let (line, col) = d.span.start_line_col();
                let help = d
                    .help
                    .as_deref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                (
                    format!("{line}:{col}: {}{help}", d.message),
                    d.span.text().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_setting_is_read() {
        let c = read(
            "policies: [builtin, ./builtin, ../shared/pol]\npaths: [partners]\nexclude: [\"drafts/**\"]\n\
             fail_on: warning\nmax_waiver_days: 180\nmax_file_size: 1MiB\nformat: sarif\noutput: out/r.sarif\n",
        )
        .unwrap();
        assert_eq!(
            c.policies.unwrap(),
            [
                PolicyPath::Builtin,
                PolicyPath::Path("/p/builtin".into()),
                PolicyPath::Path("/shared/pol".into())
            ]
        );
        assert_eq!(c.paths.unwrap(), [PathBuf::from("/p/partners")]);
        let exclude = c.exclude.unwrap();
        assert!(exclude.matches(Path::new("/p/drafts/a.yaml")));
        assert!(!exclude.matches(Path::new("/p/partners/a.yaml")));
        assert_eq!(c.fail_on, Some(FailOn::Warning));
        assert_eq!(c.max_waiver_days, Some(180));
        assert_eq!(c.max_file_size, Some(1024 * 1024));
        assert_eq!(c.format, Some(Format::Sarif));
        assert_eq!(c.output.unwrap(), PathBuf::from("/p/out/r.sarif"));
        assert_eq!(
            read("max_file_size: 4096\n").unwrap().max_file_size,
            Some(4096)
        );
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        let c = read("# proviso runs with its defaults here\n").unwrap();
        assert!(c.policies.is_none() && c.paths.is_none() && c.fail_on.is_none());
    }

    #[test]
    fn a_misspelt_setting_is_refused_at_its_name_with_a_suggestion() {
        assert_eq!(
            errors("paths: [a]\npolices: [builtin]\n"),
            [(
                "2:1: unknown setting `polices` (did you mean `policies`?)".to_string(),
                "polices".to_string()
            )]
        );
        let e = errors("colour: always\n");
        assert!(e[0].0.contains("the settings are policies, paths"), "{e:?}");
    }

    #[test]
    fn a_suggestion_is_data_at_the_name_or_value_it_replaces() {
        let text = "paths: [a]\npolices: [builtin]\nfail_on: \"eror\"\nformat: shrt\n";
        let diags = read(text).err().unwrap();
        let fixes: Vec<(&str, &str)> = diags
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .map(|f| (&text[f.range.clone()], f.replacement.as_str()))
            .collect();
        assert_eq!(
            fixes,
            [
                ("polices", "policies"),
                ("\"eror\"", "error"),
                ("shrt", "short")
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_at_its_value() {
        let e = errors(
            "fail_on: eror\nformat: 3\nmax_waiver_days: \"365\"\npaths: partners\npolicies: [builtin, 7]\n\
             max_file_size: 2GiB\nexclude: [\"a[\", /abs]\noutput: []\nfail_ob: never\n",
        );
        let shown: Vec<(&str, &str)> = e.iter().map(|(m, t)| (m.as_str(), t.as_str())).collect();
        assert_eq!(
            shown,
            [
                (
                    "1:10: unknown `fail_on` value `eror` (did you mean `error`? The values are error, warning, note, never)",
                    "eror"
                ),
                ("2:9: `format` is one of human, short, json, sarif, junit, github, html, not a number (for example `format: human`)", "3"),
                ("3:18: `max_waiver_days` is a whole number of days, not text (for example `max_waiver_days: 365`)", "\"365\""),
                ("4:8: `paths` is a list (write `paths: [partners]`)", "partners"),
                ("5:21: an item of `policies` is a number, not a policy path (quote it to make it text)", "7"),
                ("6:16: `2GiB` is more than the largest allowed size, 1GiB", "2GiB"),
                ("7:11: `a[` is not a glob: unclosed character class; missing ']' (`*` matches within a name, `**` any number of directories, `?` one character, `[ab]` one of a set)", "\"a[\""),
                ("7:17: `/abs` is an absolute path (exclude patterns are relative to the directory of proviso.yaml)", "/abs"),
                ("8:9: `output` is the path of a file, not a list", "[]"),
                ("9:1: unknown setting `fail_ob` (did you mean `fail_on`?)", "fail_ob"),
            ]
        );
    }

    #[test]
    fn a_yaml_error_is_placed_where_serde_yaml_finds_it() {
        assert_eq!(
            errors("paths: [a\nfail_on: error\n"),
            [(
                "2:8: did not find expected ',' or ']', while parsing a flow sequence".to_string(),
                String::new()
            )]
        );
        let e = errors("paths: [a]\npaths: [b]\n");
        assert_eq!(e[0].0, "2:1: `paths` is set twice");
        assert_eq!(e[0].1, "paths");
    }

    #[test]
    fn empty_lists_are_refused_where_a_default_would_do() {
        let e = errors("policies: []\n");
        assert_eq!(e[0].0, "1:11: `policies` lists nothing (list a policy path at least, or remove `policies` for its default)");
        assert!(read("exclude: []\n").unwrap().exclude.is_some());
    }

    #[test]
    fn only_the_bare_word_is_the_catalogue() {
        assert_eq!(PolicyPath::parse(Path::new("builtin")), PolicyPath::Builtin);
        assert_eq!(
            PolicyPath::parse(Path::new("./builtin")),
            PolicyPath::Path("./builtin".into())
        );
    }
}
