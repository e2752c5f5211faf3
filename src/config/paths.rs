//! Paths as written in `proviso.yaml`, resolved from its directory, and
//! shown from where proviso runs. Both are lexical: a symbolic link is
//! not followed, so a path is shown as the user wrote it.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the working directory.
pub(super) fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    }
}

/// `path` without `.` components, and with each `..` taking away the
/// component before it, as written (symbolic links are not followed).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    // `/..` is `/`.
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `target` relative to `base` (both absolute and normalized): under it,
/// or up from it with `..`, as long as they share more than the root;
/// else `target` itself.
pub fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let t: Vec<Component> = target.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let shares_more_than_the_root = t
        .iter()
        .take(common)
        .any(|c| matches!(c, Component::Normal(_)));
    if !shares_more_than_the_root {
        return target.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in t.iter().skip(common) {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_and_made_relative() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        let rel = |t: &str, b: &str| relative_to(Path::new(t), Path::new(b));
        assert_eq!(rel("/p/a/x", "/p"), PathBuf::from("a/x"));
        assert_eq!(rel("/p", "/p"), PathBuf::from("."));
        assert_eq!(rel("/p/a", "/p/b/c"), PathBuf::from("../../a"));
        assert_eq!(rel("/etc/x", "/home/u"), PathBuf::from("/etc/x"));
    }
}
