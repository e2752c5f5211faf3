//! Rendering findings and errors for people and tools. Nothing else in the
//! crate prints.

pub mod human;
pub mod short;

use crate::ast::Severity;
use crate::run::Report;

/// One line that sums up a run.
pub fn summary(report: &Report) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let skipped = report.skipped();
    let skipped = if skipped == 0 {
        String::new()
    } else {
        format!(
            "; {} skipped (no `schema:` key)",
            plural(skipped, "YAML file", "YAML files")
        )
    };
    let waived = match report.waived() {
        0 => String::new(),
        n => format!(", {n} waived"),
    };
    format!(
        "checked {} against {}: {}, {}, {}{waived}{} in {:.2}s",
        plural(report.manifests(), "manifest", "manifests"),
        plural(report.rules, "rule", "rules"),
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        plural(report.count(Severity::Note), "note", "notes"),
        skipped,
        report.elapsed.as_secs_f64(),
    )
}
