//! Blame: which manifest values explain a result, and what a label says
//! about each, in English.

use super::Ev;
use crate::check::ir::{Cmp, Expr, Kind};
use crate::manifest::path::{Path, Seg};

/// A manifest value that explains a result, and what to say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Blame {
    /// The value to point at. For a missing field, its parent.
    pub path: Path,
    pub label: String,
    /// Point at the item or record at `path` as a whole (its key, or a list
    /// item's `id`), not at its contents: a field of it is missing, or the
    /// item itself is what is blamed (one counted past a limit).
    pub missing: bool,
    /// Shown beside the values to blame, never blamed itself: the first
    /// occurrence of a repeated value, an item counted within a limit. A
    /// finding across manifests is never placed in a file for it.
    pub context: bool,
}

impl Blame {
    pub fn at(path: Path, label: impl Into<String>) -> Blame {
        Blame {
            path,
            label: label.into(),
            missing: false,
            context: false,
        }
    }

    /// A value shown beside those to blame.
    pub fn context(path: Path, label: impl Into<String>) -> Blame {
        Blame {
            context: true,
            ..Blame::at(path, label)
        }
    }

    /// The item at `path` as a whole.
    pub fn item(path: Path, label: impl Into<String>) -> Blame {
        Blame {
            path,
            label: label.into(),
            missing: true,
            context: false,
        }
    }
}

/// A finding labels at most this many values: past it, more labels tell a
/// reader nothing new, and their cost grows with the lists involved.
pub(super) const MAX_BLAME: usize = 32;

/// A guard (`x is set`) explains nothing beside the condition it serves.
pub(super) fn is_guard(e: &Expr) -> bool {
    matches!(e.kind, Kind::IsSet { .. })
}

/// `a == b` between two values of the manifest: it matches records up
/// (a feature to its grant) rather than testing a fact.
pub(super) fn is_join(e: &Expr) -> bool {
    let from_manifest = |e: &Expr| matches!(e.kind, Kind::Field { .. } | Kind::Var(_));
    matches!(&e.kind, Kind::Cmp(Cmp::Eq, a, b) if from_manifest(a) && from_manifest(b))
}

/// The first operand that comes from the manifest is blamed: in
/// `x <= y` that is `x` when `x` is a manifest value.
pub(super) fn blame_of(operands: &[&Ev], label: String) -> Vec<Blame> {
    operands
        .iter()
        .find_map(|ev| ev.place.clone())
        .map(|path| Blame::at(path, label))
        .into_iter()
        .collect()
}

/// The name a value goes by in a label: its field, or the expression (a
/// function's call, an item, a computed value).
pub(super) fn place_name(ev: &Ev, e: &Expr) -> String {
    if matches!(e.kind, Kind::Agg { .. }) {
        return e.span.text().to_string();
    }
    match ev.place.as_ref().and_then(|p| p.segs().last()) {
        Some(Seg::Key(k)) => k.clone(),
        Some(Seg::Index(_)) | None => e.span.text().to_string(),
    }
}

/// Blamed values once each, at most [`MAX_BLAME`] of them, in order; a
/// value blamed twice keeps the first label that says something.
pub(super) fn dedupe(blame: Vec<Blame>) -> Vec<Blame> {
    let mut unique: Vec<Blame> = Vec::new();
    let mut seen: super::HashMap<Path, usize> = super::HashMap::default();
    let mut left_out: super::HashMap<Path, ()> = super::HashMap::default();
    for b in blame {
        let len = unique.len();
        match seen.get(&b.path).and_then(|&i| unique.get_mut(i)) {
            Some(u) if u.label.is_empty() => u.label = b.label,
            Some(_) => {}
            None if len < MAX_BLAME => {
                seen.insert(b.path.clone(), len);
                unique.push(b);
            }
            None => {
                left_out.insert(b.path, ());
            }
        }
    }
    // The reader is told that there is more than is shown.
    if let Some(last) = unique.last_mut().filter(|_| !left_out.is_empty()) {
        let more = match left_out.len() {
            1 => "1 more value is not labelled".to_string(),
            n => format!("{n} more values are not labelled"),
        };
        last.label = if last.label.is_empty() {
            more
        } else {
            format!("{}; {more}", last.label)
        };
    }
    unique
}

/// A comparison in English, said of `name` (whose value is `value`)
/// against `other`: "`lawful_basis` is `legitimate_interests`, not
/// `consent`", "`storage` is `partner_servers`; it must not be".
/// `other_name` is the other side's name when it too is a manifest value.
pub(super) fn compare_label(
    name: &str,
    value: &str,
    op: Cmp,
    other: &str,
    holds: bool,
    other_name: Option<String>,
    dates: bool,
) -> String {
    let (less, more) = if dates {
        ("before", "after")
    } else {
        ("less than", "more than")
    };
    let (not_less, not_more) = if dates {
        ("not before", "not after")
    } else {
        ("at least", "at most")
    };
    let is = format!("`{name}` is `{value}`");
    match (op, holds) {
        (Cmp::Eq, true) => is,
        (Cmp::Eq, false) => format!("{is}, not `{other}`"),
        (Cmp::Ne, true) => format!("{is}, not `{other}`"),
        (Cmp::Ne, false) => match other_name {
            Some(o) => format!("{is}, the same as `{o}`"),
            None => format!("{is}; it must not be"),
        },
        (Cmp::Lt, true) | (Cmp::Ge, false) => format!("{is}, {less} `{other}`"),
        (Cmp::Lt, false) | (Cmp::Ge, true) => format!("{is}, {not_less} `{other}`"),
        (Cmp::Gt, true) | (Cmp::Le, false) => format!("{is}, {more} `{other}`"),
        (Cmp::Gt, false) | (Cmp::Le, true) => format!("{is}, {not_more} `{other}`"),
    }
}

#[cfg(test)]
mod label_tests {
    use super::{compare_label, Cmp};

    #[test]
    fn comparisons_are_labelled_in_english() {
        let l = |op, holds, other: Option<&str>, dates| {
            compare_label("v", "a", op, "b", holds, other.map(String::from), dates)
        };
        assert_eq!(l(Cmp::Eq, false, None, false), "`v` is `a`, not `b`");
        assert_eq!(l(Cmp::Ne, false, None, false), "`v` is `a`; it must not be");
        assert_eq!(
            l(Cmp::Ne, false, Some("id"), false),
            "`v` is `a`, the same as `id`"
        );
        assert_eq!(l(Cmp::Le, false, None, true), "`v` is `a`, after `b`");
        assert_eq!(l(Cmp::Le, false, None, false), "`v` is `a`, more than `b`");
        assert_eq!(l(Cmp::Ge, false, None, false), "`v` is `a`, less than `b`");
        assert_eq!(l(Cmp::Lt, false, None, true), "`v` is `a`, not before `b`");
        assert_eq!(l(Cmp::Gt, true, None, false), "`v` is `a`, more than `b`");
    }
}
