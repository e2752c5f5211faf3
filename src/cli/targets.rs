//! What `proviso check` checks: its PATH arguments, resolved against the
//! project configuration.
//!
//! With no PATH, the configuration's `paths` are checked (else its
//! directory; without a configuration, `.`). A PATH that is a policy
//! (`.proviso`) or the project configuration (`proviso.yaml`) is not a
//! manifest to read: naming one stands for every manifest the project
//! checks, since a change to a rule or a setting can change the outcome for
//! any of them. Manifests named beside it are checked too (once, wherever
//! they lie); manifests named alone are checked alone.
//!
//! That is what a pre-commit hook needs, given the staged files: a commit
//! that changes manifests checks those manifests, and one that changes a
//! policy or the configuration checks them all. A line on stderr says when
//! a file named stood for the whole project, so that a run over every
//! manifest is not a surprise.

use super::policies::{is_policy, shown};
use crate::config::{Config, PolicyPath, FILE_NAME};
use crate::manifest::discover::path_text;
use crate::report::escape::visible;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The paths to check.
pub(super) struct Targets {
    pub paths: Vec<PathBuf>,
    /// Whether the configuration's `paths` are among them (an error about
    /// one of them then names the setting).
    pub configured: bool,
}

/// The paths `proviso check` checks, given the PATHs named on its command
/// line, the project configuration and the policies the run loads (to say
/// when a policy named is not one of them).
pub(super) fn resolve(
    named: Vec<PathBuf>,
    config: Option<&Config>,
    policies: &[PolicyPath],
) -> Targets {
    if named.is_empty() {
        return project(config);
    }
    let (standing, manifests): (Vec<PathBuf>, Vec<PathBuf>) =
        named.into_iter().partition(|p| stands_for_project(p));
    if standing.is_empty() {
        return Targets {
            paths: manifests,
            configured: false,
        };
    }
    let project = project(config);
    say(&note(&standing, &project.paths, config));
    for policy in standing.iter().filter(|p| is_policy(p)) {
        if !loaded(policy, policies) {
            say(&not_loaded(policy, config));
        }
    }
    Targets {
        // Only when every path is the configuration's: an error about a
        // manifest named must not be blamed on `paths`.
        configured: project.configured && manifests.is_empty(),
        paths: project.paths.into_iter().chain(manifests).collect(),
    }
}

/// A `proviso.yaml` named that is not the configuration of this run (one
/// of a project nested below, say) is read all the same: its errors fail
/// the run, as they would where it applies, and a valid one gets a line
/// saying its settings do not apply here. Committing a broken
/// configuration cannot pass because it is not the one in effect.
pub(super) fn other_configurations(
    named: &[PathBuf],
    config: Option<&Config>,
) -> Result<(), Vec<crate::diagnostics::Diag>> {
    let in_effect = config.and_then(|c| std::fs::canonicalize(&c.file).ok());
    let mut errors = Vec::new();
    for path in named {
        if !(path.is_file() && path.file_name().is_some_and(|name| name == FILE_NAME)) {
            continue;
        }
        let Ok(file) = std::fs::canonicalize(path) else {
            continue;
        };
        if in_effect.as_ref() == Some(&file) {
            continue;
        }
        match Config::load(path) {
            Err(mut e) => errors.append(&mut e),
            Ok(_) => say(&format!(
                "note: `{}` is not the configuration in effect here{}: it was read and has no errors, but its settings do not apply to this run (run proviso in its directory to use them)",
                visible(&path_text(path)),
                config.map_or(String::new(), |c| format!(
                    " (that is `{}`)",
                    visible(&c.source.name)
                ))
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What the project checks: the configuration's `paths`, else its
/// directory; without a configuration, the working directory.
fn project(config: Option<&Config>) -> Targets {
    match config {
        Some(c) => match &c.paths {
            Some(paths) => Targets {
                paths: paths.iter().map(|p| shown(p)).collect(),
                configured: true,
            },
            None => Targets {
                paths: vec![shown(&c.dir)],
                configured: false,
            },
        },
        None => Targets {
            paths: vec![PathBuf::from(".")],
            configured: false,
        },
    }
}

/// Whether a PATH named is a policy file or a project configuration, which
/// stand for the whole project. A name that is not an existing file is
/// left as it is, so that the check reports it.
fn stands_for_project(path: &Path) -> bool {
    path.is_file() && (is_policy(path) || path.file_name().is_some_and(|name| name == FILE_NAME))
}

/// Whether a policy file named is one the run loads: the file itself, or a
/// file in a directory of policies.
fn loaded(policy: &Path, policies: &[PolicyPath]) -> bool {
    let Ok(file) = std::fs::canonicalize(policy) else {
        return false;
    };
    policies.iter().any(|p| match p {
        PolicyPath::Builtin => false,
        PolicyPath::Path(path) => std::fs::canonicalize(path).is_ok_and(|p| file.starts_with(p)),
    })
}

/// The line that says which files named stood for the project, and what
/// is checked instead.
fn note(standing: &[PathBuf], project: &[PathBuf], config: Option<&Config>) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = standing
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{}`", visible(&path_text(p))))
        .collect();
    if standing.len() > SHOWN {
        names.push(format!("{} more", standing.len() - SHOWN));
    }
    let names = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    let one = standing.len() == 1;
    let policies = standing.iter().filter(|p| is_policy(p)).count();
    let what = match (policies, standing.len() - policies) {
        (1, 0) => "is a policy",
        (_, 0) => "are policies",
        (0, 1) => "is the project configuration",
        // Two configurations: files of that name in two directories.
        (0, _) => "are project configurations",
        (1, _) => "are a policy and the project configuration",
        _ => "are policies and the project configuration",
    };
    let checked: Vec<String> = project
        .iter()
        .map(|p| format!("`{}`", visible(&path_text(p))))
        .collect();
    let whence = match config {
        Some(c) if c.paths.is_some() => {
            format!(" (the `paths` of `{}`)", visible(&c.source.name))
        }
        Some(c) => format!(" (the directory of `{}`)", visible(&c.source.name)),
        None => String::new(),
    };
    format!(
        "note: {names} {what}, not {}: {} for every manifest of the project, so {} {} checked{whence}",
        if one { "a manifest" } else { "manifests" },
        if one { "it stands" } else { "they stand" },
        checked.join(", "),
        if checked.len() == 1 { "is" } else { "are" },
    )
}

/// The line that says a policy named is not one the run loads, so its
/// rules are not what the manifests are checked against.
fn not_loaded(policy: &Path, config: Option<&Config>) -> String {
    let text = path_text(policy);
    let name = visible(&text);
    let fix = match config {
        Some(c) => format!("add it to `policies` in `{}`", visible(&c.source.name)),
        None => format!(
            "pass `--policy builtin --policy {name}`, or write `policies: [builtin, {name}]` in a `{FILE_NAME}`"
        ),
    };
    format!("note: `{name}` is not among the policies this run loads, so its rules are not checked; {fix}")
}

/// Writes a line to stderr; a closed stderr must not stop the run.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
