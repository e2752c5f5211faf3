//! Where SARIF's URIs start: the repository's root.
//!
//! Code scanning resolves a relative URI against the root of the
//! repository it analyses, whatever directory the check ran in. So every
//! file under the root is named relative to it, with `uriBaseId:
//! "%SRCROOT%"`, and the run gives `%SRCROOT%` as an absolute `file:` URI
//! in `originalUriBaseIds`; a file outside the root keeps an absolute
//! `file:` URI of its own.
//!
//! The root is `--root DIR` when given, else the nearest directory at or
//! above the working directory that holds `.git` (a directory, or the file
//! a worktree or submodule has), else the working directory. Paths are
//! compared with symbolic links resolved, on both sides: code scanning
//! cannot show a result through a link, and a root reached through one
//! must still contain the files under it.

use super::uri;
use std::path::{Component, Path, PathBuf};

/// The id that locations relative to the root name (`uriBaseId`).
pub const SRCROOT: &str = "%SRCROOT%";

/// The root the run's URIs are relative to, and the directory relative
/// paths were given in.
#[derive(Debug, Clone)]
pub struct Root {
    /// Absolute, symbolic links resolved.
    dir: PathBuf,
    /// The working directory, which relative paths are relative to.
    cwd: PathBuf,
}

/// A file's place as SARIF names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub uri: String,
    /// `uri` is relative to the root (`uriBaseId: "%SRCROOT%"`); otherwise
    /// it is an absolute `file:` URI.
    pub under_root: bool,
    /// The path as text for people: relative to the root, with `/`
    /// between directories, or absolute.
    pub shown: String,
}

impl Root {
    /// The root of a run in the working directory: `given` (`--root`), else
    /// the nearest directory holding `.git`, else the working directory.
    pub fn find(given: Option<&Path>) -> Result<Root, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        Root::find_from(&cwd, given)
    }

    /// As [`Root::find`], from `cwd`.
    pub fn find_from(cwd: &Path, given: Option<&Path>) -> Result<Root, String> {
        let cwd = resolved(cwd);
        let dir = match given {
            Some(given) => {
                let dir = cwd.join(given);
                match std::fs::metadata(&dir) {
                    Ok(meta) if meta.is_dir() => resolved(&dir),
                    Ok(_) => return Err("it is not a directory".to_string()),
                    Err(e) => return Err(e.to_string()),
                }
            }
            None => cwd
                .ancestors()
                .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
                .unwrap_or(&cwd)
                .to_path_buf(),
        };
        Ok(Root { dir, cwd })
    }

    /// The root as an absolute `file:` URI ending in `/`, as
    /// `originalUriBaseIds` must give it.
    pub fn uri(&self) -> String {
        let mut out = uri(bytes(&self.dir));
        if !out.ends_with('/') {
            out.push('/');
        }
        out
    }

    /// The URI of the file at `path` (as the report shows it: relative to
    /// the working directory, or absolute), given as the bytes the file
    /// system knows it by.
    pub fn artifact(&self, path: &[u8]) -> Artifact {
        let path = from_bytes(path);
        let absolute = self.cwd.join(path);
        let file = resolved(&absolute);
        match file.strip_prefix(&self.dir) {
            Ok(inside) => Artifact {
                uri: uri(bytes(inside)),
                under_root: true,
                shown: inside
                    .to_string_lossy()
                    .replace(std::path::MAIN_SEPARATOR, "/"),
            },
            Err(_) => Artifact {
                uri: uri(bytes(&file)),
                under_root: false,
                shown: file.to_string_lossy().into_owned(),
            },
        }
    }
}

/// `path` with symbolic links, `.` and `..` resolved; where it cannot be
/// (the file is gone), `.` and `..` are resolved in the text alone.
fn resolved(path: &Path) -> PathBuf {
    match std::fs::canonicalize(path) {
        Ok(real) => plain(real),
        Err(_) => lexical(path),
    }
}

/// `.` and `..` resolved in the text of an absolute path.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Windows gives a resolved path in its extended form (`\\?\C:\repo`),
/// which no URI or other path is written in.
fn plain(path: PathBuf) -> PathBuf {
    #[cfg(windows)]
    {
        let text = path.to_string_lossy();
        if let Some(rest) = text.strip_prefix(r"\\?\UNC\") {
            return PathBuf::from(format!(r"\\{rest}"));
        }
        if let Some(rest) = text.strip_prefix(r"\\?\") {
            return PathBuf::from(rest);
        }
    }
    path
}

#[cfg(unix)]
fn bytes(path: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn from_bytes(path: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(path))
}

#[cfg(not(unix))]
fn from_bytes(path: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(path).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_is_resolved_in_the_text_of_a_missing_path() {
        assert_eq!(
            lexical(Path::new("/repo/sub/../examples/./a.yaml")),
            PathBuf::from("/repo/examples/a.yaml")
        );
        assert_eq!(lexical(Path::new("/../a")), PathBuf::from("/a"));
    }
}
