//! Finding the YAML files to check under the paths a user gives.

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One thing found while walking.
#[derive(Debug)]
pub enum Entry {
    /// A file to read, and the path to show for it.
    File { path: PathBuf, display: String },
    /// Something in the tree that could not be walked (a symlink loop, a
    /// directory without permission); it is reported for its own path.
    Broken { display: String, message: String },
}

/// A path argument that does not exist: the run itself cannot go on.
#[derive(Debug)]
pub struct MissingPath {
    pub path: String,
    pub message: String,
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "YAML" | "YML")
    )
}

/// The path as the user should see it: relative to the working directory
/// when it lies under it, as editors expect.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let shown = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let shown = shown.strip_prefix("./").unwrap_or(shown);
    let shown = shown.to_string_lossy().into_owned();
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

/// Walks the given paths. Files named explicitly are checked whatever their
/// extension; inside directories, `*.yaml` and `*.yml` files are, except
/// under hidden directories (`.git`, `.github`, ...). Symbolic links are
/// followed; a loop is reported once and not entered.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Entry>, Vec<MissingPath>> {
    let cwd = std::env::current_dir().ok();
    let mut missing = Vec::new();
    let mut entries = Vec::new();
    for root in paths {
        if let Err(e) = std::fs::metadata(root) {
            missing.push(MissingPath {
                path: root.to_string_lossy().into_owned(),
                message: e.to_string(),
            });
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e
                        .file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with('.') && n.len() > 1)
            });
        for item in walker {
            match item {
                Ok(entry) => {
                    let explicit = entry.depth() == 0;
                    let kind = entry.file_type();
                    if explicit && !kind.is_file() && !kind.is_dir() {
                        let display = display_path(entry.path(), cwd.as_deref());
                        entries.push(Entry::Broken {
                            message: format!("`{display}` is not a regular file"),
                            display,
                        });
                    } else if kind.is_file() && (explicit || is_yaml(entry.path())) {
                        entries.push(Entry::File {
                            path: entry.path().to_path_buf(),
                            display: display_path(entry.path(), cwd.as_deref()),
                        });
                    }
                }
                Err(err) => {
                    let display = err
                        .path()
                        .map(|p| display_path(p, cwd.as_deref()))
                        .unwrap_or_else(|| root.to_string_lossy().into_owned());
                    let message = match err.loop_ancestor() {
                        Some(ancestor) => format!(
                            "symbolic link loop: `{display}` leads back to `{}`, so it is not walked",
                            display_path(ancestor, cwd.as_deref())
                        ),
                        None => match err.io_error() {
                            Some(io) => format!("cannot read `{display}`: {io}"),
                            None => format!("cannot walk `{display}`: {err}"),
                        },
                    };
                    entries.push(Entry::Broken { display, message });
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    // A file reached twice (named and inside a named directory, or through
    // a symbolic link) is checked once.
    let mut seen = std::collections::HashSet::new();
    entries.retain(|e| match e {
        Entry::File { path, .. } => {
            seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
        }
        Entry::Broken { display, .. } => seen.insert(PathBuf::from(display)),
    });
    Ok(entries)
}
