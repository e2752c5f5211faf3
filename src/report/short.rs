//! `path:line:col: severity[rule-id]: message`, one finding a line: the
//! format editors and CI problem matchers read. Everything that comes from
//! a manifest, a file name or a policy is written [`visible`], so a finding
//! is exactly one line and sends the terminal no control character.

use super::escape::visible;
use crate::diagnostics::{Diag, Finding, Location};
use crate::source::ColumnUnit;

/// A suggestion ("did you mean `consent`?") is part of the line: it is
/// what an editor's quick view needs most. Other help stays out, to keep
/// lines short.
pub fn finding(f: &Finding, columns: ColumnUnit) -> String {
    let suggestion = f
        .fix
        .as_ref()
        .map(|fix| format!("; {}", visible(&fix.words())))
        .unwrap_or_default();
    let waived = match &f.waiver {
        Some(w) => format!(
            " (waived until {} by {}: {})",
            w.expires,
            visible(&w.approved_by),
            visible(&w.reason)
        ),
        None => String::new(),
    };
    format!(
        "{}: {}[{}]: {}{suggestion}{}{waived}",
        place(&f.location, columns),
        f.severity.as_str(),
        visible(&f.rule),
        visible(&f.message),
        see_also(f, columns)
    )
}

/// The places in other manifests of a finding across manifests, as
/// "(see also path:line:col)".
pub fn see_also(f: &Finding, columns: ColumnUnit) -> String {
    if f.related.is_empty() {
        return String::new();
    }
    let places: Vec<String> = f.related.iter().map(|(l, _)| place(l, columns)).collect();
    format!(" (see also {})", places.join(", "))
}

/// `path:line:col`, for a finding's place and a policy error's alike.
pub fn place(l: &Location, columns: ColumnUnit) -> String {
    let (line, col) = l.line_column(columns);
    format!("{}:{line}:{col}", visible(&l.path))
}

pub fn diag(d: &Diag, columns: ColumnUnit) -> String {
    let help = d
        .help
        .as_deref()
        .map(|h| format!(" ({})", visible(h)))
        .unwrap_or_default();
    format!(
        "{}: error: {}{help}",
        place(&d.location(), columns),
        visible(&d.message)
    )
}
