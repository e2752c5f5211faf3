//! Finding the YAML files to check under the paths a user gives.
//!
//! Nothing drops out without a word: what is passed over (hidden
//! directories, links that lead out of the checked paths, FIFOs and
//! devices) is counted and named, so that a file cannot hide from the
//! check by its name or its place.

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One thing found while walking, as the check takes it.
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

/// What a walk found, in the order it is checked (by the shown path's
/// components, so that `a/x.yaml` comes before `a-b/x.yaml`), and what it
/// passed over.
///
/// A run may find hundreds of thousands of files, and all of them are
/// known before the first is checked. They are held compactly: every path
/// end to end in one buffer, and per file where its path starts, how long
/// it is and where the part shown to the user begins. An [`Entry`] is
/// made for a file only when the file is checked.
#[derive(Debug, Default)]
pub struct Discovery {
    paths: Paths,
    found: Vec<Found>,
    /// What could not be walked: rare, kept as it is.
    broken: Vec<(String, String)>,
    pub passed_over: PassedOver,
}

#[derive(Debug, Clone, Copy)]
enum Found {
    File(Slot),
    /// An index into `broken`.
    Broken(usize),
}

/// A file's path in [`Paths`]: the path is `len` bytes from `start`; the
/// path shown skips its first `hidden` bytes (the working directory, a
/// leading `./`).
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: usize,
    len: u32,
    hidden: u32,
}

/// Paths end to end. On Unix a path is its bytes, whatever they are;
/// elsewhere it is its text, and a path that is not Unicode is reported
/// as unreadable.
#[derive(Debug, Default)]
struct Paths {
    bytes: Vec<u8>,
}

impl Paths {
    /// Stores `path`; `shown` is the part of it shown to the user.
    fn push(&mut self, path: &Path, shown: &Path) -> Option<Slot> {
        let bytes = os_bytes(path)?;
        let shown = os_bytes(shown).filter(|s| bytes.ends_with(s));
        let len = u32::try_from(bytes.len()).ok()?;
        let hidden = u32::try_from(bytes.len() - shown.map_or(bytes.len(), <[u8]>::len)).ok()?;
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        Some(Slot { start, len, hidden })
    }

    fn bytes(&self, slot: Slot) -> &[u8] {
        self.bytes
            .get(slot.start..slot.start + slot.len as usize)
            .unwrap_or_default()
    }

    fn path(&self, slot: Slot) -> std::borrow::Cow<'_, Path> {
        let bytes = self.bytes(slot);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            std::borrow::Cow::Borrowed(Path::new(std::ffi::OsStr::from_bytes(bytes)))
        }
        #[cfg(not(unix))]
        {
            std::borrow::Cow::Owned(PathBuf::from(String::from_utf8_lossy(bytes).into_owned()))
        }
    }

    /// The bytes of the path as shown.
    fn shown(&self, slot: Slot) -> &[u8] {
        self.bytes(slot)
            .get(slot.hidden as usize..)
            .unwrap_or_default()
    }
}

/// A path's bytes: on Unix, always; elsewhere, when it is Unicode.
fn os_bytes(path: &Path) -> Option<&[u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        path.to_str().map(str::as_bytes)
    }
}

/// Shown path bytes as text, as [`display_path`] writes them.
fn shown_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok("") => std::borrow::Cow::Borrowed("."),
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02X}"));
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

impl Discovery {
    /// How many things were found to check.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The `i`th thing to check.
    pub fn entry(&self, i: usize) -> Option<Entry> {
        Some(match *self.found.get(i)? {
            Found::File(slot) => {
                let shown = self.paths.shown(slot);
                Entry::File {
                    path: self.paths.path(slot).into_owned(),
                    display: shown_text(shown).into_owned(),
                    raw: std::str::from_utf8(shown)
                        .is_err()
                        .then(|| std::sync::Arc::from(shown)),
                }
            }
            Found::Broken(i) => {
                let (display, message) = self.broken.get(i)?;
                Entry::Broken {
                    display: display.clone(),
                    message: message.clone(),
                }
            }
        })
    }

    /// The files to read, by the paths they are read from.
    pub fn file_paths(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Path>> {
        self.found.iter().filter_map(|f| match *f {
            Found::File(slot) => Some(self.paths.path(slot)),
            Found::Broken(_) => None,
        })
    }

    /// The path shown for a thing found.
    fn display(&self, found: Found) -> std::borrow::Cow<'_, str> {
        match found {
            Found::File(slot) => shown_text(self.paths.shown(slot)),
            Found::Broken(i) => self
                .broken
                .get(i)
                .map_or(std::borrow::Cow::Borrowed(""), |(d, _)| {
                    std::borrow::Cow::Borrowed(d.as_str())
                }),
        }
    }

    fn push_file(&mut self, path: &Path, cwd: Option<&Path>) {
        match self.paths.push(path, shown(path, cwd)) {
            Some(slot) => self.found.push(Found::File(slot)),
            None => self.push_other(path, cwd),
        }
    }

    #[cfg(unix)]
    fn push_other(&mut self, path: &Path, cwd: Option<&Path>) {
        // A path of 4 GiB or more cannot be opened either.
        let display = display_path(path, cwd);
        self.push_broken(
            format!("cannot read `{display}`: the path is too long"),
            display,
        );
    }

    #[cfg(not(unix))]
    fn push_other(&mut self, path: &Path, cwd: Option<&Path>) {
        let _ = cwd;
        let display = display_path(path, None);
        self.push_broken(
            format!("cannot read `{display}`: the path is not Unicode"),
            display,
        );
    }

    fn push_broken(&mut self, message: String, display: String) {
        self.found.push(Found::Broken(self.broken.len()));
        self.broken.push((display, message));
    }
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
    /// Files and directories that the project's `exclude:` globs match.
    pub excluded: Vec<String>,
}

impl PassedOver {
    pub fn is_empty(&self) -> bool {
        self.hidden_dirs.is_empty()
            && self.links_outside.is_empty()
            && self.special.is_empty()
            && self.excluded.is_empty()
    }
}

/// Paths a walk passes over: globs matched against a path relative to a
/// base directory (the project configuration's). `*` and `?` stay within
/// one name; `**` crosses directories. A directory that matches is not
/// entered.
#[derive(Debug, Clone)]
pub struct Exclude {
    base: PathBuf,
    globs: globset::GlobSet,
}

impl Exclude {
    /// `base` is absolute, with symbolic links resolved, as the paths
    /// [`discover_excluding`] matches are.
    pub fn new(base: PathBuf, globs: globset::GlobSet) -> Exclude {
        Exclude { base, globs }
    }

    /// Whether an absolute path matches; a path outside the base never
    /// does.
    pub fn matches(&self, path: &Path) -> bool {
        path.strip_prefix(&self.base)
            .is_ok_and(|rel| !rel.as_os_str().is_empty() && self.globs.is_match(rel))
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
    discover_excluding(paths, None)
}

/// [`discover`], passing over what `exclude` matches inside the given
/// directories (and saying so in [`PassedOver::excluded`]). A path given
/// itself is walked whatever `exclude` says: it was asked for by name.
pub fn discover_excluding(
    paths: &[PathBuf],
    exclude: Option<&Exclude>,
) -> Result<Discovery, Vec<MissingPath>> {
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
    // Where each root's files start in `found`, in the order the roots
    // were given.
    let mut root_starts = Vec::with_capacity(paths.len());
    for (root, canonical_root) in paths.iter().zip(&roots) {
        root_starts.push(found.found.len());
        let mut passed = PassedOver::default();
        // Not sorted while walking: a sorted walk reads each directory
        // whole before its first entry, and a directory may hold hundreds
        // of thousands of files. The order is made once, at the end.
        let walker = WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let shown = || display_path(e.path(), cwd.as_deref());
                // Matched by the path as walked, under the root's real
                // place: what the user sees, not where a link leads.
                if let Some(exclude) = exclude {
                    let under = e.path().strip_prefix(root).unwrap_or(e.path());
                    if exclude.matches(&canonical_root.join(under)) {
                        passed.excluded.push(shown());
                        return false;
                    }
                }
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
                        found.push_broken(format!("`{display}` is not a regular file"), display);
                    } else if kind.is_file() && (explicit || is_yaml(entry.path())) {
                        found.push_file(entry.path(), cwd.as_deref());
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
                    found.push_broken(message, display);
                }
            }
        }
        found.passed_over.hidden_dirs.extend(passed.hidden_dirs);
        found.passed_over.links_outside.extend(passed.links_outside);
        found.passed_over.excluded.extend(passed.excluded);
    }
    dedup(&mut found, &root_starts);
    // By path components, so that `a/x.yaml` comes before `a-b/x.yaml`.
    let mut order = std::mem::take(&mut found.found);
    order.sort_by(|&a, &b| Path::new(&*found.display(a)).cmp(Path::new(&*found.display(b))));
    found.found = order;
    for list in [
        &mut found.passed_over.hidden_dirs,
        &mut found.passed_over.links_outside,
        &mut found.passed_over.special,
        &mut found.passed_over.excluded,
    ] {
        list.sort();
        list.dedup();
    }
    Ok(found)
}

/// A file reached twice (named and inside a named directory, or through a
/// symbolic link) is checked once, under the path a sorted walk would have
/// reached first: that of the earliest root, then the first by path
/// components. A thing that could not be walked is reported once.
///
/// Files are told apart by a hash of their canonical path rather than the
/// path itself, so that this takes 16 bytes a file; files whose hashes
/// agree are compared by their canonical paths, so a collision never drops
/// a file.
fn dedup(found: &mut Discovery, root_starts: &[usize]) {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let canonical = |slot: Slot| {
        let path = found.paths.path(slot);
        std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned())
    };
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let mut keys: Vec<(u64, usize)> = found
        .found
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match *f {
            Found::File(slot) => Some((hasher.hash_one(canonical(slot)), i)),
            Found::Broken(_) => None,
        })
        .collect();
    keys.sort_unstable();
    let root_of = |i: usize| root_starts.partition_point(|&start| start <= i);
    let slot_of = |i: usize| match found.found.get(i) {
        Some(Found::File(slot)) => Some(*slot),
        _ => None,
    };
    let mut dropped = vec![false; found.found.len()];
    for group in keys.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        let mut members: Vec<(PathBuf, usize, usize)> = group
            .iter()
            .filter_map(|&(_, i)| Some((canonical(slot_of(i)?), root_of(i), i)))
            .collect();
        members.sort_by(|a, b| {
            let walked = |i: usize| slot_of(i).map(|s| found.paths.path(s));
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then_with(|| walked(a.2).cmp(&walked(b.2)))
        });
        for same in members.chunk_by(|a, b| a.0 == b.0) {
            for (_, _, i) in same.iter().skip(1) {
                if let Some(d) = dropped.get_mut(*i) {
                    *d = true;
                }
            }
        }
    }
    drop(keys);
    let mut seen = std::collections::HashSet::new();
    let broken = &found.broken;
    let mut i = 0;
    found.found.retain(|f| {
        let keep = !dropped.get(i).copied().unwrap_or(false)
            && match *f {
                Found::File(_) => true,
                Found::Broken(b) => broken.get(b).is_none_or(|(d, _)| seen.insert(d.clone())),
            };
        i += 1;
        keep
    });
    found.found.shrink_to_fit();
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

    fn displays(found: &Discovery) -> Vec<String> {
        (0..found.len())
            .filter_map(|i| match found.entry(i)? {
                Entry::File { display, .. } | Entry::Broken { display, .. } => Some(display),
            })
            .collect()
    }

    #[test]
    fn files_come_in_path_order_whatever_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        for dir in ["a-b", "a", "a.b", "a/c"] {
            std::fs::create_dir_all(tmp.join(dir)).unwrap();
        }
        for file in [
            "a-b/x.yaml",
            "a/y.yaml",
            "a/c/z.yml",
            "a.b/x.yaml",
            "a/notes.txt",
        ] {
            std::fs::write(tmp.join(file), "schema: partnership/v1\n").unwrap();
        }
        let found = discover(&[tmp.join("a.b"), tmp.to_path_buf()]).unwrap();
        let root = path_text(tmp);
        let shown: Vec<String> = displays(&found)
            .iter()
            .map(|d| d.strip_prefix(&root).unwrap_or(d).to_string())
            .collect();
        assert_eq!(
            shown,
            ["/a/c/z.yml", "/a/y.yaml", "/a-b/x.yaml", "/a.b/x.yaml"],
            "a file reached twice is checked once"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_twice_keeps_the_path_a_sorted_walk_reaches_first() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        std::fs::create_dir_all(tmp.join("inner")).unwrap();
        std::fs::write(tmp.join("inner/real.yaml"), "schema: partnership/v1\n").unwrap();
        std::os::unix::fs::symlink("inner", tmp.join("zlink")).unwrap();
        std::os::unix::fs::symlink("inner", tmp.join("alias")).unwrap();
        let found = discover(&[tmp.to_path_buf()]).unwrap();
        let shown = displays(&found);
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown.iter().all(|d| d.ends_with("/alias/real.yaml")),
            "{shown:?}"
        );
    }
}
