//! `--format github`: GitHub Actions workflow commands, one a finding,
//! which the runner turns into annotations on the pull request's diff:
//!
//! ```text
//! ::error file=examples/spotify.yaml,line=31,col=22,endLine=31,endColumn=36,title=ftc2012/subject-consent::Spotify AB receives ...
//! ```
//!
//! `error`, `warning` and `notice` follow the finding's severity. A waived
//! finding does not fail the run, so it is a `notice`, with the waiver's
//! reason appended. The rule's help follows the message on a second line.

use crate::ast::Severity;
use crate::diagnostics::Finding;
use crate::run::Report;

/// Escapes a command's message, as the runner's `toCommandValue` expects.
/// `%` goes first, so the escapes themselves are not escaped again.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): as a message, and `:`
/// and `,`, which would end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn finding(f: &Finding) -> String {
    let command = match (&f.waiver, f.severity) {
        (Some(_), _) | (None, Severity::Note) => "notice",
        (None, Severity::Warning) => "warning",
        (None, Severity::Error) => "error",
    };
    let mut properties = vec![format!("file={}", escape_property(&f.location.path))];
    let loc = &f.location;
    if loc.source.is_some() && loc.range.is_some() {
        let (line, col) = loc.line_col();
        let (end_line, end_col) = loc.end_line_col();
        properties.push(format!(
            "line={line},col={col},endLine={end_line},endColumn={end_col}"
        ));
    }
    properties.push(format!("title={}", escape_property(&f.rule)));
    let message = match (&f.waiver, &f.help) {
        (Some(w), _) => format!("{} (waived: {})", f.message, w.reason),
        (None, Some(help)) => format!("{}\nhelp: {help}", f.message),
        (None, None) => f.message.clone(),
    };
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Every finding, one command a line.
pub fn render(report: &Report) -> String {
    report
        .findings()
        .map(|f| format!("{}\n", finding(f)))
        .collect()
}
