//! `path:line:col: severity[rule-id]: message`, one finding a line: the
//! format editors and CI problem matchers read.

use crate::diagnostics::{Diag, Finding};

pub fn finding(f: &Finding) -> String {
    let (line, col) = f.location.line_col();
    format!(
        "{}:{line}:{col}: {}[{}]: {}",
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
