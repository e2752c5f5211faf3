//! Rendering findings and errors for people and tools. Nothing else in the
//! crate prints.
//!
//! `human` and `short` are for people and editors; `json`, `sarif`, `junit`
//! and `github` are for tools. A tool's document is the whole of its
//! output: the summary line goes to stderr, so the document stays
//! parseable.

pub mod escape;
mod fit;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod short;
pub mod term;

use crate::ast::Severity;
use crate::builtin::Builtin;
use crate::check::{ir, Program};
use crate::manifest::discover::PassedOver;
use crate::run::Totals;
use crate::source::Span;

/// One entry of the rule catalogue as the machine formats describe it: a
/// rule of the loaded policies, or a check built into proviso.
pub struct CatalogueEntry<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    /// The rule's doc comment; empty for built-in checks.
    pub doc: &'a str,
    /// The policy that declares the rule, or for a built-in check the
    /// prefix of its id (`manifest`, `proviso`).
    pub policy: &'a str,
    /// The rule's id in its policy file; `None` for built-in checks.
    pub source: Option<&'a Span>,
    /// The rule's help as written, holes included; `None` for built-in
    /// checks and rules without `help`.
    pub help: Option<String>,
}

/// The rules of the program in declaration order, then the built-in
/// checks.
pub fn catalogue(program: &Program) -> Vec<CatalogueEntry<'_>> {
    let rules = program.rules.iter().map(|r| CatalogueEntry {
        id: &r.id,
        title: &r.title,
        severity: r.severity,
        doc: &r.doc,
        policy: &r.policy,
        source: Some(&r.id_span),
        help: help_template(r),
    });
    let builtins = Builtin::ALL.into_iter().map(|b| CatalogueEntry {
        id: b.id(),
        title: b.title(),
        severity: b.severity(),
        doc: "",
        policy: builtin_group(b.id()),
        source: None,
        help: None,
    });
    rules.chain(builtins).collect()
}

/// The group of a built-in check: the prefix of its id.
pub fn builtin_group(id: &str) -> &str {
    id.split_once('/').map_or(id, |(prefix, _)| prefix)
}

/// A rule's help as written in its policy, holes included
/// (`shorten {grant.id}`): the catalogue describes the rule, not one
/// finding.
/// The rule's help as written, holes and all; a rule with several
/// requirements gives each one's help, one per line.
fn help_template(rule: &ir::Rule) -> Option<String> {
    let mut helps = Vec::new();
    for parts in rule.requirements.iter().filter_map(|r| r.help.as_ref()) {
        let mut out = String::new();
        for part in parts {
            match part {
                ir::Part::Text(t) => out.push_str(t),
                ir::Part::Hole(e) => {
                    out.push('{');
                    out.push_str(e.span.text());
                    out.push('}');
                }
            }
        }
        if !helps.contains(&out) {
            helps.push(out);
        }
    }
    (!helps.is_empty()).then(|| helps.join("\n"))
}

/// One line that sums up a run.
pub fn summary(totals: &Totals) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let skipped = if totals.skipped == 0 {
        String::new()
    } else {
        format!(
            "; {} skipped (not manifests: no `schema:` naming a schema)",
            plural(totals.skipped, "YAML file", "YAML files")
        )
    };
    let waived = match totals.waived {
        0 => String::new(),
        n => format!(", {n} waived"),
    };
    format!(
        "checked {} against {}: {}, {}, {}{waived}{}{} in {:.2}s",
        plural(totals.manifests, "manifest", "manifests"),
        plural(totals.rules, "rule", "rules"),
        plural(totals.errors, "error", "errors"),
        plural(totals.warnings, "warning", "warnings"),
        plural(totals.notes, "note", "notes"),
        skipped,
        passed_over(&totals.passed_over),
        totals.elapsed.as_secs_f64(),
    )
}

/// What discovery did not enter or read, named (a few of each), so that
/// nothing leaves the check without a word.
fn passed_over(p: &PassedOver) -> String {
    let name = |paths: &[String], one: &str, many: &str| -> Option<String> {
        if paths.is_empty() {
            return None;
        }
        let shown: Vec<String> = paths
            .iter()
            .take(3)
            .map(|p| format!("`{}`", escape::visible(p)))
            .collect();
        let more = match paths.len().saturating_sub(3) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        Some(format!(
            "{} {} ({}{more})",
            paths.len(),
            if paths.len() == 1 { one } else { many },
            shown.join(", ")
        ))
    };
    let parts: Vec<String> = [
        name(&p.hidden_dirs, "hidden directory", "hidden directories"),
        name(
            &p.links_outside,
            "link out of the checked paths",
            "links out of the checked paths",
        ),
        name(&p.special, "FIFO or device", "FIFOs or devices"),
        name(
            &p.excluded,
            "path excluded by proviso.yaml",
            "paths excluded by proviso.yaml",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("; not entered: {}", parts.join(", "))
    }
}

/// Why a run checked no manifest: what it found and passed over.
pub fn nothing_checked(totals: &Totals) -> String {
    let mut found = match totals.skipped {
        0 => "no YAML file was found".to_string(),
        1 => "the one YAML file found is not a manifest (no `schema:` naming a schema)".to_string(),
        n => {
            format!("none of the {n} YAML files found is a manifest (no `schema:` naming a schema)")
        }
    };
    found.push_str(&passed_over(&totals.passed_over));
    format!("no manifest was checked: {found}")
}
