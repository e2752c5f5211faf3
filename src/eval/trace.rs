//! A rule's evaluation written down: every binding of its `each` clauses,
//! whether each `where` let it through, and for each sub-condition of the
//! `require` its value and the manifest values it compared. This is what
//! `proviso explain` shows, what `proviso test` prints beside a case that
//! does not hold, and what its coverage counts.
//!
//! A trace evaluates every item (no join narrows the lists), so it costs
//! more than a check; it runs on demand, for one manifest, within the same
//! budget of steps.

use super::{Blame, Evaluator, HashMap, SlotPlace, BUDGET};
use crate::check::ir::{Expr, Kind, Requirement, Rule};
use crate::date::Date;
use crate::manifest::path::Path;
use crate::schema::Types;
use crate::source::Span;
use crate::value::Value;
use std::rc::Rc;

/// Bindings written down per requirement, at most; the rest are counted.
pub const MAX_BINDINGS: usize = 1000;

#[derive(Debug, Clone)]
pub struct RuleTrace {
    pub requirements: Vec<ReqTrace>,
}

#[derive(Debug, Clone)]
pub struct ReqTrace {
    pub span: Span,
    pub bindings: Vec<BindingTrace>,
    /// Bindings past [`MAX_BINDINGS`], evaluated but not written down.
    pub more: usize,
    /// Why the requirement could not be evaluated, if it could not.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BindingTrace {
    /// Each variable bound, with the place of its value.
    pub vars: Vec<(String, Path)>,
    /// The `where` of each `each` clause bound so far, in order; a binding
    /// that one of them stopped ends with it, false.
    pub each_filters: Vec<Cond>,
    /// The requirement's own `where`, when the bindings got that far.
    pub filter: Option<Cond>,
    /// The condition, when every `where` let the binding through.
    pub require: Option<Cond>,
}

impl BindingTrace {
    /// Whether every `where` let this binding through.
    pub fn applies(&self) -> bool {
        self.require.is_some()
    }

    /// Whether the requirement failed for this binding.
    pub fn fails(&self) -> bool {
        self.require
            .as_ref()
            .is_some_and(|c| c.value == Some(false))
    }
}

/// One condition, evaluated.
#[derive(Debug, Clone)]
pub struct Cond {
    /// The condition as written in the policy.
    pub span: Span,
    /// Its value; `None` when it was not reached (the other side of an
    /// `and` or `or` decided) or could not be evaluated.
    pub value: Option<bool>,
    pub error: Option<String>,
    /// The values it compared, for a condition that is not `and`, `or` or
    /// `not`.
    pub operands: Vec<Operand>,
    /// The manifest values that decided it, as a failure would name them.
    pub blame: Vec<Blame>,
    /// The conditions of an `and`, `or` or `not`.
    pub children: Vec<Cond>,
}

/// A value a condition compared.
#[derive(Debug, Clone)]
pub struct Operand {
    /// As written in the policy.
    pub text: String,
    /// As a policy would write it; `None` when not set.
    pub value: Option<String>,
    /// Where it sits in the manifest, for a manifest value.
    pub place: Option<Path>,
}

impl Cond {
    /// Every condition of the tree, this one first.
    pub fn walk(&self, out: &mut Vec<Cond>) {
        let mut me = self.clone();
        me.children = Vec::new();
        out.push(me);
        for c in &self.children {
            c.walk(out);
        }
    }
}

/// Evaluates `rule` on `manifest`, writing every binding down.
pub fn trace_rule<'m>(
    rule: &'m Rule,
    manifest: &'m Value,
    types: &Types,
    today: Date,
) -> RuleTrace {
    let mut ev = Evaluator {
        manifest,
        types,
        today,
        slots: vec![None; rule.slots],
        explain: true,
        steps: 0,
        budget: BUDGET,
        joins: HashMap::default(),
    };
    let mut requirements = Vec::new();
    for req in &rule.requirements {
        let mut out = ReqTrace {
            span: req.span.clone(),
            bindings: Vec::new(),
            more: 0,
            error: None,
        };
        let mut path = Vec::new();
        if let Err(e) = ev.trace_bindings(req, 0, &mut path, &mut out) {
            out.error = Some(e);
        }
        requirements.push(out);
    }
    RuleTrace { requirements }
}

impl<'m> Evaluator<'m, '_> {
    fn trace_bindings(
        &mut self,
        req: &'m Requirement,
        depth: usize,
        so_far: &mut Vec<((String, Path), Option<Cond>)>,
        out: &mut ReqTrace,
    ) -> super::R<()> {
        let Some(each) = req.each.get(depth) else {
            let filter = req.filter.as_ref().map(|f| self.cond(f));
            let through = filter.as_ref().is_none_or(|f| f.value == Some(true));
            let require = through.then(|| self.cond(&req.require));
            record(so_far, filter, require, out);
            return Ok(());
        };
        let coll = self.value(&each.collection)?;
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        let items = super::manifest_items(&coll, &each.collection)?;
        for (i, item) in items.iter().enumerate() {
            if let Some(slot) = self.slots.get_mut(each.slot) {
                *slot = Some((
                    item,
                    SlotPlace {
                        base: Rc::clone(&base),
                        index: Some(i),
                    },
                ));
            }
            let var = (each.name.clone(), base.index(i));
            let filter = each.filter.as_ref().map(|f| self.cond(f));
            let through = filter.as_ref().is_none_or(|f| f.value == Some(true));
            so_far.push((var, filter));
            if through {
                self.trace_bindings(req, depth + 1, so_far, out)?;
            } else {
                record(so_far, None, None, out);
            }
            so_far.pop();
        }
        Ok(())
    }

    /// A condition, evaluated with its parts.
    fn cond(&mut self, e: &'m Expr) -> Cond {
        let mut c = Cond {
            span: e.span.clone(),
            value: None,
            error: None,
            operands: Vec::new(),
            blame: Vec::new(),
            children: Vec::new(),
        };
        match &e.kind {
            Kind::And(a, b) | Kind::Or(a, b) => {
                let is_and = matches!(e.kind, Kind::And(..));
                let left = self.cond(a);
                let decided = left.value == Some(!is_and);
                let right = if decided || left.value.is_none() {
                    None
                } else {
                    Some(self.cond(b))
                };
                c.value = match (&left.value, right.as_ref().map(|r| r.value)) {
                    (Some(l), _) if *l != is_and => Some(*l),
                    (Some(_), Some(r)) => r,
                    _ => None,
                };
                c.children.push(left);
                c.children.push(right.unwrap_or_else(|| Cond {
                    span: b.span.clone(),
                    value: None,
                    error: None,
                    operands: Vec::new(),
                    blame: Vec::new(),
                    children: Vec::new(),
                }));
                if c.children.iter().any(|k| k.error.is_some()) && c.value.is_none() {
                    c.error = Some("a part could not be evaluated".into());
                }
            }
            Kind::Not(a) => {
                let inner = self.cond(a);
                c.value = inner.value.map(|v| !v);
                c.children.push(inner);
            }
            _ => {
                match self.truth(e) {
                    Ok((v, blame)) => {
                        c.value = Some(v);
                        c.blame = blame;
                    }
                    Err(err) => c.error = Some(err),
                }
                for part in operands(e) {
                    let op = match self.value(part) {
                        Ok(ev) => Operand {
                            text: part.span.text().to_string(),
                            value: ev.value.as_ref().map(|v| {
                                let shown = self.show_set(v.get(), &part.ty);
                                match part.ty.required() {
                                    crate::schema::Ty::List(_) => format!("[{shown}]"),
                                    _ => shown,
                                }
                            }),
                            place: ev.place,
                        },
                        Err(_) => continue,
                    };
                    c.operands.push(op);
                }
            }
        }
        c
    }
}

/// The values a condition compares, as written: literals are left out
/// (they read the same in the policy).
fn operands(e: &Expr) -> Vec<&Expr> {
    let parts: Vec<&Expr> = match &e.kind {
        Kind::Cmp(_, a, b) | Kind::Has(_, a, b) | Kind::Text(_, a, b) => vec![a, b],
        Kind::In { elem, set, .. } => vec![elem, set],
        Kind::Matches(a, _) => vec![a],
        Kind::IsSet { expr, .. } => vec![expr],
        Kind::Quant { collection, .. } => vec![collection],
        Kind::Agg { .. }
        | Kind::Field { .. }
        | Kind::Var(_)
        | Kind::Arith(..)
        | Kind::Today
        | Kind::Root
        | Kind::Manifests
        | Kind::List(_)
        | Kind::Lit(_)
        | Kind::Not(_)
        | Kind::And(..)
        | Kind::Or(..) => vec![e],
    };
    parts
        .into_iter()
        .filter(|p| !matches!(p.kind, Kind::Lit(_) | Kind::List(_)))
        .collect()
}

/// Writes a binding down, or counts it past the limit.
fn record(
    so_far: &[((String, Path), Option<Cond>)],
    filter: Option<Cond>,
    require: Option<Cond>,
    out: &mut ReqTrace,
) {
    if out.bindings.len() >= MAX_BINDINGS {
        out.more += 1;
        return;
    }
    out.bindings.push(BindingTrace {
        vars: so_far.iter().map(|(v, _)| v.clone()).collect(),
        each_filters: so_far.iter().filter_map(|(_, c)| c.clone()).collect(),
        filter,
        require,
    });
}
