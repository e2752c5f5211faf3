//! `path:line:col: severity[rule-id]: message`, one finding a line: the
//! format editors and CI problem matchers read.

use crate::diagnostics::{Diag, Finding};

/// A suggestion ("did you mean `consent`?") is part of the line: it is
/// what an editor's quick view needs most. Other help stays out, to keep
/// lines short.
pub fn finding(f: &Finding) -> String {
    let (line, col) = f.location.line_col();
    let suggestion = f
        .help
        .as_deref()
        .filter(|h| h.starts_with("did you mean"))
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    let waived = match &f.waiver {
        Some(w) => format!(
            " (waived until {} by {}: {})",
            w.expires,
            one_line(&w.approved_by),
            one_line(&w.reason)
        ),
        None => String::new(),
    };
    format!(
        "{}:{line}:{col}: {}[{}]: {}{suggestion}{waived}",
        f.location.path,
        f.severity.as_str(),
        f.rule,
        one_line(&f.message)
    )
}

pub fn diag(d: &Diag) -> String {
    let (line, col) = d.span.start_line_col();
    let help = d
        .help
        .as_deref()
        .map(|h| format!(" ({})", one_line(h)))
        .unwrap_or_default();
    format!(
        "{}:{line}:{col}: error: {}{help}",
        d.span.src.name,
        one_line(&d.message)
    )
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
