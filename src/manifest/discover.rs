//! Finding the YAML files to check under the paths a user gives.
//!
//! Nothing drops out without a word: what is passed over (hidden
//! directories, links that lead out of the checked paths, FIFOs and
//! devices) is counted and named, so that a file cannot hide from the
//! check by its name or its place.

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One thing found while walking.
#[derive(Debug)]
pub enum Entry {
    /// A file to read, and the path to show for it; `raw` holds the shown
    /// path's bytes when they are not UTF-8 (and `display` escapes them).
    File {
        path: PathBuf,
        display: String,
        raw: Option<std::sync::Arc<[u8]>>,
    },
    /// Something in the tree that could not be walked (a symlink loop, a
    /// directory without permission); it is reported for its own path.
    Broken { display: String, message: String },
}

/// What a walk found, and what it passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub entries: Vec<Entry>,
    pub passed_over: PassedOver,
}

/// What a walk did not enter or read, by reason, with the paths shown.
#[derive(Debug, Default, Clone)]
pub struct PassedOver {
    /// Hidden directories (`.git`, `.github`) inside the given paths.
    pub hidden_dirs: Vec<String>,
    /// Symbolic links whose target lies outside every given path.
    pub links_outside: Vec<String>,
    /// FIFOs, sockets and devices: reading one could block or never end.
    pub special: Vec<String>,
}

impl PassedOver {
    pub fn is_empty(&self) -> bool {
        self.hidden_dirs.is_empty() && self.links_outside.is_empty() && self.special.is_empty()
    }
}

/// A path argument that does not exist: the run itself cannot go on.
#[derive(Debug)]
pub struct MissingPath {
    pub path: String,
    pub message: String,
}

/// `*.yaml` and `*.yml`, whatever the case (`Mixed.Yaml`), and whatever
/// white space trails the name (`acme.yaml `): a name must not be a way to
/// slip past the check.
pub fn is_yaml(path: &Path) -> bool {
    has_extension(path, &["yaml", "yml"])
}

/// Whether a file name ends in one of `extensions`, whatever the case and
/// whatever a reader would not see in it: white space and dots after it,
/// and characters that are neither ASCII nor letters or digits (zero-width,
/// format, variation and combining characters) in or after it
/// (`x.yaml.`, `x.yaml\u{200b}`, `x.ya\u{200b}ml`).
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name: String = name
        .to_string_lossy()
        .chars()
        .filter(|&c| !invisible(c))
        .collect();
    let name = name.trim_end_matches(|c: char| c.is_whitespace() || c == '.');
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    extensions.iter().any(|e| ext.eq_ignore_ascii_case(e))
}

/// A character that may take no room where a name is shown: anything
/// that is not ASCII and neither a letter nor a digit, nor a space.
/// Visible symbols are caught too; for matching an extension, that errs on
/// the side of checking a file.
pub fn invisible(c: char) -> bool {
    !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace()
}

/// A file name as text: bytes that are not UTF-8 are shown as `\xNN`, so
/// the name stays visible and distinct rather than turning into U+FFFD.
pub fn path_text(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let mut out = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// The path as the user should see it: relative to the working directory
/// when it lies under it, as editors expect.
fn shown<'p>(path: &'p Path, cwd: Option<&Path>) -> &'p Path {
    let shown = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    shown.strip_prefix("./").unwrap_or(shown)
}

/// The bytes of the path as shown, when they are not UTF-8.
fn raw_bytes(path: &Path, cwd: Option<&Path>) -> Option<std::sync::Arc<[u8]>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = shown(path, cwd).as_os_str().as_bytes();
        std::str::from_utf8(bytes)
            .is_err()
            .then(|| std::sync::Arc::from(bytes))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, cwd);
        None
    }
}

/// [`shown`] as text, with bytes that are not UTF-8 escaped.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let shown = path_text(shown(path, cwd));
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name != "." && name != ".."
}

/// Walks the given paths. Files named explicitly are checked whatever their
/// extension; inside directories, YAML files are, hidden ones included,
/// except under hidden directories (`.git`, `.github`, ...). A symbolic
/// link is followed only when its target lies inside a given path, as a
/// link out of the tree (to `/usr`, say) would check files nobody asked
/// about; a loop is reported once and not entered.
pub fn discover(paths: &[PathBuf]) -> Result<Discovery, Vec<MissingPath>> {
    let cwd = std::env::current_dir().ok();
    let mut missing = Vec::new();
    let mut roots = Vec::new();
    for root in paths {
        match std::fs::canonicalize(root) {
            Ok(canonical) => roots.push(canonical),
            Err(e) => missing.push(MissingPath {
                path: path_text(root),
                message: e.to_string(),
            }),
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let inside = |target: &Path| roots.iter().any(|r| target.starts_with(r));
    let mut found = Discovery::default();
    for root in paths {
        let mut passed = PassedOver::default();
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let shown = || display_path(e.path(), cwd.as_deref());
                if e.path_is_symlink() {
                    let target = std::fs::canonicalize(e.path());
                    // A dangling link is walked, so that it is reported.
                    if target.as_deref().is_ok_and(|t| !inside(t)) {
                        passed.links_outside.push(shown());
                        return false;
                    }
                }
                if e.file_type().is_dir() && is_hidden(e.file_name()) {
                    passed.hidden_dirs.push(shown());
                    return false;
                }
                true
            });
        for item in walker {
            match item {
                Ok(entry) => {
                    let explicit = entry.depth() == 0;
                    let kind = entry.file_type();
                    let display = || display_path(entry.path(), cwd.as_deref());
                    if explicit && !kind.is_file() && !kind.is_dir() {
                        let display = display();
                        found.entries.push(Entry::Broken {
                            message: format!("`{display}` is not a regular file"),
                            display,
                        });
                    } else if kind.is_file() && (explicit || is_yaml(entry.path())) {
                        found.entries.push(Entry::File {
                            path: entry.path().to_path_buf(),
                            display: display(),
                            raw: raw_bytes(entry.path(), cwd.as_deref()),
                        });
                    } else if !kind.is_file() && !kind.is_dir() {
                        found.passed_over.special.push(display());
                    }
                }
                Err(err) => {
                    let display = err
                        .path()
                        .map(|p| display_path(p, cwd.as_deref()))
                        .unwrap_or_else(|| path_text(root));
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
                    found.entries.push(Entry::Broken { display, message });
                }
            }
        }
        found.passed_over.hidden_dirs.extend(passed.hidden_dirs);
        found.passed_over.links_outside.extend(passed.links_outside);
    }
    // A file reached twice (named and inside a named directory, or through
    // a symbolic link) is checked once.
    let mut seen = std::collections::HashSet::new();
    found.entries.retain(|e| match e {
        Entry::File { path, .. } => {
            seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
        }
        Entry::Broken { display, .. } => seen.insert(PathBuf::from(display)),
    });
    for list in [
        &mut found.passed_over.hidden_dirs,
        &mut found.passed_over.links_outside,
        &mut found.passed_over.special,
    ] {
        list.sort();
        list.dedup();
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_by_extension_whatever_the_case_or_trailing_space() {
        for name in [
            "a.yaml",
            "Mixed.Yaml",
            "B.YML",
            "c.yml ",
            ".acme.yaml",
            "d.yaml\t",
        ] {
            assert!(is_yaml(Path::new(name)), "{name:?}");
        }
        for name in ["yaml", "a.json", "a.yaml~", "a.yamll"] {
            assert!(!is_yaml(Path::new(name)), "{name:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_visible() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"dir/caf\xe9.yaml"));
        assert_eq!(path_text(path), "dir/caf\\xE9.yaml");
    }
}
