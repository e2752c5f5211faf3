//! Coverage of the rules by the cases: how many cases made each rule
//! pass, fail and not apply, and which of its conditions (each `where`,
//! the `require`, and each part of an `and`, `or` or `not` in them) no
//! case made true, or none made false.

use crate::check::ir::{Expr, Kind, Rule};
use crate::check::Program;
use crate::eval::{Cond, RuleTrace};
use serde::Serialize;
use std::collections::BTreeMap;

/// A condition, by where it is written.
type Key = (String, usize, usize);

#[derive(Default)]
pub struct Coverage {
    rules: BTreeMap<usize, RuleCoverage>,
}

#[derive(Default)]
struct RuleCoverage {
    pass: usize,
    fail: usize,
    not_applicable: usize,
    other: usize,
    /// Per condition: seen true, seen false.
    seen: BTreeMap<Key, (bool, bool)>,
}

/// A rule's coverage, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub rule: String,
    pub pass: usize,
    pub fail: usize,
    pub not_applicable: usize,
    /// Conditions no case made true.
    pub never_true: Vec<CondReport>,
    /// Conditions no case made false.
    pub never_false: Vec<CondReport>,
    /// Conditions no case reached.
    pub never_reached: Vec<CondReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CondReport {
    pub text: String,
    /// `file:line:col`.
    pub at: String,
}

impl RuleReport {
    /// A rule no case makes fail, or none makes pass.
    pub fn incomplete(&self) -> bool {
        self.pass == 0 || self.fail == 0
    }

    pub fn conditions_complete(&self) -> bool {
        self.never_true.is_empty() && self.never_false.is_empty() && self.never_reached.is_empty()
    }
}

impl Coverage {
    /// Counts one case's outcome and trace for a rule.
    pub fn add(&mut self, rule: usize, outcome: &str, trace: &RuleTrace) {
        let c = self.rules.entry(rule).or_default();
        match outcome {
            "pass" => c.pass += 1,
            "fail" => c.fail += 1,
            "n/a" => c.not_applicable += 1,
            _ => c.other += 1,
        }
        for r in &trace.requirements {
            for b in &r.bindings {
                for cond in b
                    .each_filters
                    .iter()
                    .chain(b.filter.iter())
                    .chain(b.require.iter())
                {
                    mark(cond, &mut c.seen);
                }
            }
        }
    }

    /// The report for `rules` (indices into the program), in their order.
    pub fn report(&self, program: &Program, rules: &[usize]) -> Vec<RuleReport> {
        let empty = RuleCoverage::default();
        rules
            .iter()
            .filter_map(|&i| {
                let rule = program.rules.get(i)?;
                let c = self.rules.get(&i).unwrap_or(&empty);
                let mut report = RuleReport {
                    rule: rule.id.clone(),
                    pass: c.pass,
                    fail: c.fail,
                    not_applicable: c.not_applicable,
                    never_true: Vec::new(),
                    never_false: Vec::new(),
                    never_reached: Vec::new(),
                };
                for e in conditions(rule) {
                    let key = key(&e.span);
                    let shown = CondReport {
                        text: e
                            .span
                            .text()
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" "),
                        at: {
                            let (l, col) = e.span.start_line_col();
                            format!("{}:{l}:{col}", e.span.src.name)
                        },
                    };
                    match c.seen.get(&key) {
                        None | Some((false, false)) => report.never_reached.push(shown),
                        Some((false, true)) => report.never_true.push(shown),
                        Some((true, false)) => report.never_false.push(shown),
                        Some((true, true)) => {}
                    }
                }
                Some(report)
            })
            .collect()
    }
}

fn key(span: &crate::source::Span) -> Key {
    let r = span.range();
    (span.src.name.clone(), r.start, r.end)
}

fn mark(c: &Cond, seen: &mut BTreeMap<Key, (bool, bool)>) {
    if let Some(v) = c.value {
        let e = seen.entry(key(&c.span)).or_default();
        if v {
            e.0 = true;
        } else {
            e.1 = true;
        }
    }
    for k in &c.children {
        mark(k, seen);
    }
}

/// Every condition of a rule, as a trace writes them: each `where`, the
/// `require`, and the parts of their `and`, `or` and `not`.
pub fn conditions(rule: &Rule) -> Vec<&Expr> {
    let mut out = Vec::new();
    for r in &rule.requirements {
        for each in &r.each {
            if let Some(f) = &each.filter {
                parts(f, &mut out);
            }
        }
        if let Some(f) = &r.filter {
            parts(f, &mut out);
        }
        parts(&r.require, &mut out);
    }
    out
}

fn parts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    out.push(e);
    match &e.kind {
        Kind::And(a, b) | Kind::Or(a, b) => {
            parts(a, out);
            parts(b, out);
        }
        Kind::Not(a) => parts(a, out),
        _ => {}
    }
}
