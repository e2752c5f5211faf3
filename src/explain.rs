//! Why a rule passed or failed on a manifest: its trace (see
//! [`crate::eval::trace_rule`]) placed in the manifest's lines and the
//! policy's, as data (`--format json`) and as text.

use crate::check::ir::Rule;
use crate::check::Program;
use crate::date::Date;
use crate::eval::{trace_rule, BindingTrace, Blame, Cond, RuleTrace};
use crate::manifest::path::{Path, Seg};
use crate::manifest::spans::Spans;
use crate::report::escape::visible;
use crate::run::Place;
use crate::source::{Source, Span};
use crate::value::Value;
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// A rule's evaluation on one manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub rule: String,
    pub title: String,
    /// Where the rule is declared, `file:line:col`.
    pub declared: String,
    pub manifest: String,
    pub as_of: String,
    /// `pass`, `fail`, `n/a` or `error`.
    pub outcome: &'static str,
    pub requirements: Vec<RequirementView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementView {
    /// Where the requirement is written, `file:line:col`.
    pub at: String,
    pub bindings: Vec<BindingView>,
    /// Bindings evaluated but not shown.
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BindingView {
    pub vars: Vec<VarView>,
    /// `fail`, `pass`, or `filtered` (a `where` let it through not).
    pub outcome: &'static str,
    /// Each `where` evaluated, in order.
    #[serde(rename = "where")]
    pub filters: Vec<CondView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require: Option<CondView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VarView {
    pub name: String,
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The file the line is in, when it is not the manifest's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CondView {
    /// The condition as written.
    pub text: String,
    /// Where it is written, `file:line:col`.
    pub at: String,
    /// `true`, `false`, or `null` when it was not reached or failed.
    pub value: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decided_by: Vec<ValueView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<CondView>,
}

/// A value a condition read, or one that decided it.
#[derive(Debug, Clone, Serialize)]
pub struct ValueView {
    /// The expression, or what a failure would say about the value.
    pub text: String,
    /// The value as a policy writes it; absent when not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The file the line is in, when it is not the manifest's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A valid manifest, as loaded.
pub struct Loaded<'a> {
    pub src: &'a Arc<Source>,
    pub value: &'a Value,
    pub spans: &'a Spans,
}

/// Traces `rule` on the manifest and places the trace. A rule across
/// manifests is evaluated over this manifest alone.
pub fn explain(program: &Program, rule: &Rule, manifest: &Loaded, today: Date) -> Explanation {
    let types = &program.types;
    let across;
    let (value, across_rule) = if rule.across {
        across = Value::List(vec![manifest.value.clone()]);
        (&across, true)
    } else {
        (manifest.value, false)
    };
    let trace = trace_rule(rule, value, types, today);
    let place = Place {
        spans: manifest.spans,
        types,
        text: &manifest.src.text,
    };
    let placer = Placer {
        place,
        src: manifest.src,
        across: across_rule,
    };
    view(rule, &trace, &placer, &manifest.src.name, today)
}

/// The outcome a trace gives: `pass`, `fail`, `n/a` or `error`, as a
/// test file writes it.
pub fn outcome(trace: &RuleTrace) -> &'static str {
    let bindings = || trace.requirements.iter().flat_map(|r| &r.bindings);
    if trace.requirements.iter().any(|r| r.error.is_some()) {
        "error"
    } else if bindings().any(BindingTrace::fails) {
        "fail"
    } else if bindings().any(BindingTrace::applies) {
        "pass"
    } else {
        "n/a"
    }
}

/// A JSON pointer as shown: `/` for the manifest itself.
pub fn pointer_text(path: &Path) -> String {
    if path.segs().is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    }
}

struct Placer<'a> {
    place: Place<'a>,
    src: &'a Arc<Source>,
    across: bool,
}

impl Placer<'_> {
    /// The path within this manifest (a rule across manifests sees it as
    /// item 0 of a list).
    fn own(&self, path: &Path) -> Path {
        match (self.across, path.segs().split_first()) {
            (true, Some((Seg::Index(0), rest))) => Path(rest.to_vec()),
            _ => path.clone(),
        }
    }

    fn line(&self, b: &Blame) -> Option<usize> {
        let b = Blame {
            path: self.own(&b.path),
            ..b.clone()
        };
        let range = self.place.blamed(&b)?;
        Some(self.src.line_col(range.start).0)
    }

    fn at(&self, path: &Path) -> (String, Option<usize>) {
        let own = self.own(path);
        let line = self.line(&Blame::at(own.clone(), ""));
        (pointer_text(&own), line)
    }
}

fn span_at(span: &Span) -> String {
    let (line, col) = span.start_line_col();
    format!("{}:{line}:{col}", span.src.name)
}

fn view(
    rule: &Rule,
    trace: &RuleTrace,
    placer: &Placer,
    manifest: &str,
    today: Date,
) -> Explanation {
    Explanation {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        declared: span_at(&rule.id_span),
        manifest: manifest.to_string(),
        as_of: today.to_string(),
        outcome: outcome(trace),
        requirements: trace
            .requirements
            .iter()
            .map(|r| RequirementView {
                at: span_at(&r.span),
                bindings: r.bindings.iter().map(|b| binding(b, placer)).collect(),
                more: r.more,
                error: r.error.clone(),
            })
            .collect(),
    }
}

fn binding(b: &BindingTrace, placer: &Placer) -> BindingView {
    let mut filters: Vec<CondView> = b.each_filters.iter().map(|c| cond(c, placer)).collect();
    filters.extend(b.filter.iter().map(|c| cond(c, placer)));
    BindingView {
        vars: b
            .vars
            .iter()
            .map(|(name, path)| {
                let own = placer.own(path);
                let line = placer.line(&Blame::item(own.clone(), ""));
                VarView {
                    name: name.clone(),
                    pointer: pointer_text(&own),
                    line,
                    file: None,
                }
            })
            .collect(),
        outcome: if b.fails() {
            "fail"
        } else if b.applies() {
            "pass"
        } else {
            "filtered"
        },
        filters,
        require: b.require.as_ref().map(|c| cond(c, placer)),
    }
}

fn cond(c: &Cond, placer: &Placer) -> CondView {
    CondView {
        text: one_line(c.span.text()),
        at: span_at(&c.span),
        value: c.value,
        error: c.error.clone(),
        values: c
            .operands
            .iter()
            .map(|o| {
                let (pointer, line) = match &o.place {
                    Some(p) => {
                        let (ptr, line) = placer.at(p);
                        (Some(ptr), line)
                    }
                    None => (None, None),
                };
                ValueView {
                    text: one_line(&o.text),
                    value: o.value.clone(),
                    pointer,
                    line,
                    file: None,
                }
            })
            .collect(),
        decided_by: c
            .blame
            .iter()
            .filter(|b| !b.label.is_empty())
            .map(|b| ValueView {
                text: b.label.clone(),
                value: None,
                pointer: Some(pointer_text(&placer.own(&b.path))),
                line: placer.line(b),
                file: None,
            })
            .collect(),
        conditions: c.children.iter().map(|k| cond(k, placer)).collect(),
    }
}

/// A policy's expression on one line, its runs of white space made one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The explanation as text, for a terminal or a log.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} ({})",
        visible(&e.rule),
        e.outcome,
        visible(&e.title)
    );
    let _ = writeln!(
        out,
        "  manifest {} as of {}; rule declared at {}",
        visible(&e.manifest),
        e.as_of,
        visible(&e.declared)
    );
    for (i, r) in e.requirements.iter().enumerate() {
        out.push('\n');
        if e.requirements.len() > 1 {
            let _ = writeln!(out, "  requirement {} ({})", i + 1, visible(&r.at));
        }
        if let Some(err) = &r.error {
            let _ = writeln!(out, "    could not be evaluated: {}", visible(err));
        }
        if r.bindings.is_empty() && r.error.is_none() {
            let _ = writeln!(out, "    no binding: the lists it reads are empty");
        }
        for b in &r.bindings {
            render_binding(&mut out, b, "    ");
        }
        if r.more > 0 {
            let _ = writeln!(out, "    … {} more bindings not shown", r.more);
        }
    }
    out
}

/// One binding of an explanation, indented.
pub fn render_binding(out: &mut String, b: &BindingView, indent: &str) {
    if b.vars.is_empty() {
        let _ = writeln!(out, "{indent}the manifest: {}", b.outcome);
    } else {
        let vars: Vec<String> = b
            .vars
            .iter()
            .map(|v| {
                let line = where_(v.file.as_deref(), v.line, ", ");
                format!("{} = {}{line}", visible(&v.name), visible(&v.pointer))
            })
            .collect();
        let _ = writeln!(out, "{indent}{}: {}", vars.join("; "), b.outcome);
    }
    let inner = format!("{indent}  ");
    for f in &b.filters {
        render_cond(out, f, &inner, "where");
    }
    if let Some(r) = &b.require {
        render_cond(out, r, &inner, "require");
    }
}

fn mark(value: Option<bool>, error: bool) -> &'static str {
    match (value, error) {
        (Some(true), _) => "true",
        (Some(false), _) => "false",
        (None, true) => "error",
        (None, false) => "not reached",
    }
}

fn render_cond(out: &mut String, c: &CondView, indent: &str, head: &str) {
    let head = if head.is_empty() {
        String::new()
    } else {
        format!("{head} ")
    };
    let _ = writeln!(
        out,
        "{indent}{head}{}  → {}",
        visible(&c.text),
        mark(c.value, c.error.is_some())
    );
    let inner = format!("{indent}    ");
    if let Some(err) = &c.error {
        let _ = writeln!(out, "{inner}{}", visible(err));
    }
    for v in &c.values {
        let value = v.value.as_deref().map_or("not set".into(), visible);
        let place = match &v.pointer {
            Some(p) => format!(
                "  ({}{})",
                visible(p),
                where_(v.file.as_deref(), v.line, ", ")
            ),
            None => String::new(),
        };
        if v.text == v.value.as_deref().unwrap_or("") {
            continue;
        }
        let _ = writeln!(out, "{inner}{} = {value}{place}", visible(&v.text));
    }
    if c.value == Some(false) && c.conditions.is_empty() {
        for d in &c.decided_by {
            let place = match &d.pointer {
                Some(p) => format!("{}{}", visible(p), where_(d.file.as_deref(), d.line, ", ")),
                None => String::new(),
            };
            let _ = writeln!(out, "{inner}{place}: {}", visible(&d.text));
        }
    }
    for k in &c.conditions {
        render_cond(out, k, &format!("{indent}  "), "");
    }
}

/// `, line 12`, or `, base.yaml:12` when the line is in another file.
fn where_(file: Option<&str>, line: Option<usize>, sep: &str) -> String {
    match (file, line) {
        (Some(f), Some(l)) => format!("{sep}{}:{l}", visible(f)),
        (None, Some(l)) => format!("{sep}line {l}"),
        _ => String::new(),
    }
}

/// A manifest's rules explained so far, by rule id.
type Explained = Vec<(String, Explanation)>;

/// Explanations of the findings of `proviso check --explain`: each rule
/// is traced once per manifest, and each finding shows its own binding.
pub struct Explainer<'p> {
    program: &'p Program,
    today: Date,
    /// The manifest last explained, and its rules' explanations.
    cache: Option<(Arc<Source>, Explained)>,
}

impl<'p> Explainer<'p> {
    pub fn new(program: &'p Program, today: Date) -> Explainer<'p> {
        Explainer {
            program,
            today,
            cache: None,
        }
    }

    /// The failing binding of a finding's rule, indented, or nothing for a
    /// finding that no rule's condition explains (a schema error, a waiver).
    pub fn finding(&mut self, f: &crate::diagnostics::Finding) -> String {
        let Some(src) = &f.location.source else {
            return String::new();
        };
        let Some(rule) = self.program.rule(&f.rule) else {
            return String::new();
        };
        if rule.across {
            return "    (a rule across manifests: `proviso explain` evaluates it on one)\n".into();
        }
        let fresh = !matches!(&self.cache, Some((s, _)) if Arc::ptr_eq(s, src));
        if fresh {
            self.cache = Some((Arc::clone(src), Vec::new()));
        }
        let Some((_, done)) = self.cache.as_mut() else {
            return String::new();
        };
        if !done.iter().any(|(id, _)| *id == rule.id) {
            let crate::manifest::load::Loaded::Manifest {
                schema,
                value,
                issues,
                spans,
            } = crate::manifest::load::load(&src.text, &self.program.types)
            else {
                return String::new();
            };
            if !issues.is_empty() || schema != rule.schema {
                return String::new();
            }
            let loaded = Loaded {
                src,
                value: &value,
                spans: &spans,
            };
            done.push((
                rule.id.clone(),
                explain(self.program, rule, &loaded, self.today),
            ));
        }
        let Some((_, e)) = done.iter().find(|(id, _)| *id == rule.id) else {
            return String::new();
        };
        let wanted: Vec<String> = f.bindings.iter().map(pointer_text).collect();
        let mut out = String::new();
        for r in &e.requirements {
            for b in r.bindings.iter().filter(|b| b.outcome == "fail") {
                let vars: Vec<&str> = b.vars.iter().map(|v| v.pointer.as_str()).collect();
                if vars == wanted {
                    render_binding(&mut out, b, "    ");
                }
            }
        }
        out
    }
}
