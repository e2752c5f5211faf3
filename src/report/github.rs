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
//!
//! A line break in a message, its help or a waiver's reason is written
//! `\n`, as `short` writes it: no value adds a line to the annotation. The
//! one line break of the format, before `help:`, and any in a file name are
//! the runner's `%0A`, which cannot start a command; every other character
//! that would act on the log's terminal is written
//! [`visible_but_line_breaks`](super::escape::visible_but_line_breaks).

use super::escape::{visible, visible_but_line_breaks as data};
use crate::ast::Severity;
use crate::diagnostics::Finding;
use crate::run::Report;
use crate::source::ColumnUnit;

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

/// One finding as a command; columns counted in `columns`.
pub fn finding(f: &Finding, columns: ColumnUnit) -> String {
    let command = match (&f.waiver, f.severity) {
        (Some(_), _) | (None, Severity::Note) => "notice",
        (None, Severity::Warning) => "warning",
        (None, Severity::Error) => "error",
    };
    let mut properties = vec![format!("file={}", escape_property(&data(&f.location.path)))];
    let loc = &f.location;
    if loc.source.is_some() && loc.range.is_some() {
        let (line, col) = loc.line_column(columns);
        let (end_line, end_col) = loc.end_line_column(columns);
        properties.push(format!(
            "line={line},col={col},endLine={end_line},endColumn={end_col}"
        ));
    }
    properties.push(format!("title={}", escape_property(&data(&f.rule))));
    // The message, its help and a waiver's reason are one line each: a
    // line break in a value is written `\n`, so that no value adds a line
    // to the annotation; the break before `help:` is the format's own.
    let said = format!(
        "{}{}",
        visible(&f.message),
        super::short::see_also(f, columns)
    );
    let message = match (&f.waiver, &f.help) {
        (Some(w), _) => format!("{said} (waived: {})", visible(&w.reason)),
        (None, Some(help)) => format!("{said}\nhelp: {}", visible(help)),
        (None, None) => said,
    };
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Every finding, one command a line.
pub fn render(report: &Report, columns: ColumnUnit) -> String {
    report
        .findings()
        .map(|f| format!("{}\n", finding(f, columns)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;
    use crate::source::Source;

    fn sample(path: &str, message: &str, help: Option<&str>) -> Finding {
        let src = Source::new(path, "partner:\n  name: x\n");
        Finding {
            fix: None,
            rule: "demo/name".to_string(),
            severity: Severity::Error,
            title: "t".to_string(),
            message: message.to_string(),
            help: help.map(str::to_string),
            location: Location {
                path: path.to_string(),
                source: Some(src),
                range: Some(17..18),
                pointer: None,
                raw_path: None,
            },
            labels: Vec::new(),
            rule_span: None,
            waiver: None,
            bindings: Vec::new(),
            related: Vec::new(),
        }
    }

    /// The finding's command, which must be one line.
    fn finding_line(f: &Finding) -> String {
        let line = finding(f, ColumnUnit::Bytes);
        assert_eq!(line.lines().count(), 1, "{line}");
        line
    }

    #[test]
    fn a_file_name_cannot_start_a_command() {
        let f = sample("x\n::error file=evil.yaml::pwned", "m", None);
        let line = finding_line(&f);
        assert_eq!(
            line,
            "::error file=x%0A%3A%3Aerror file=evil.yaml%3A%3Apwned,line=2,col=9,endLine=2,endColumn=10,title=demo/name::m"
        );
    }

    #[test]
    fn data_shows_no_control_character_and_adds_no_line() {
        let f = sample(
            "m\u{1b}[2K.yaml",
            "\u{1b}[32mok\r\n::error::pwned\u{85}",
            Some("fix \u{7}it\nnow"),
        );
        let line = finding_line(&f);
        assert!(
            !line.chars().any(crate::source::is_display_control),
            "{line}"
        );
        assert_eq!(
            line.split_once("::").map(|(_, rest)| rest),
            Some(
                r"error file=m\x1b[2K.yaml,line=2,col=9,endLine=2,endColumn=10,title=demo/name::\x1b[32mok\r\n::error::pwned\u{85}%0Ahelp: fix \x07it\nnow"
            )
        );
    }
}
