//! `path:line:col: severity[rule-id]: message`, one finding a line: the
//! format editors and CI problem matchers read. Everything that comes from
//! a manifest, a file name or a policy is written [`visible`], so a finding
//! is exactly one line and sends the terminal no control character.

use super::escape::visible;
use crate::diagnostics::{Diag, Finding};
use crate::source::ColumnUnit;

/// A suggestion ("did you mean `consent`?") is part of the line: it is
/// what an editor's quick view needs most. Other help stays out, to keep
/// lines short.
pub fn finding(f: &Finding, columns: ColumnUnit) -> String {
    let (line, col) = f.location.line_column(columns);
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
        "{}:{line}:{col}: {}[{}]: {}{suggestion}{}{waived}",
        visible(&f.location.path),
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
    let places: Vec<String> = f
        .related
        .iter()
        .map(|(l, _)| {
            let (line, col) = l.line_column(columns);
            format!("{}:{line}:{col}", visible(&l.path))
        })
        .collect();
    format!(" (see also {})", places.join(", "))
}

pub fn diag(d: &Diag, columns: ColumnUnit) -> String {
    let (line, col) = d.span.src.line_column(d.span.start, columns);
    let help = d
        .help
        .as_deref()
        .map(|h| format!(" ({})", visible(h)))
        .unwrap_or_default();
    format!(
        "{}:{line}:{col}: error: {}{help}",
        visible(&d.span.src.name),
        visible(&d.message)
    )
}
