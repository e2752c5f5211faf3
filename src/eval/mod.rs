//! Evaluation of checked rules against one manifest.
//!
//! Every rule ends as pass, fail, not applicable (no binding got past the
//! `where`) or error. A failure carries its blame: the manifest values that
//! made the requirement false, so the diagnostic can point at them rather
//! than at the file.

mod aggregate;
mod blame;
mod join;
mod render;
mod trace;
mod truth;

use crate::check::ir::{Expr, Kind, Part, Requirement, Rule};
use crate::date::Date;
use crate::manifest::path::Path;
use crate::ops::Computed;
use crate::schema::{Ty, Types};
use crate::value::Value;
pub use blame::Blame;
use join::{chosen_items, JoinIndex};
pub use render::render;
use std::collections::HashMap as StdHashMap;
use std::rc::Rc;
pub use trace::{trace_rule, BindingTrace, Cond, Operand, ReqTrace, RuleTrace};

/// Hash maps keyed by manifest values: foldhash is several times cheaper
/// than SipHash on short keys, and seeded per process, so a manifest cannot
/// be written to make its keys collide.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone)]
pub struct Failure {
    pub blame: Vec<Blame>,
    /// Where each `each` variable was bound (`/grants/1`), outermost first:
    /// what the finding is about, whatever it points at.
    pub bindings: Vec<Path>,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Pass,
    Fail(Vec<Failure>),
    NotApplicable,
    Error(String),
}

/// Evaluates one rule. `manifest` must be a valid record of the rule's
/// schema.
/// The rule and the manifest share a lifetime so that the rule's literals
/// are read in place, like manifest values, rather than copied.
pub fn eval_rule<'m>(rule: &'m Rule, manifest: &'m Value, types: &Types, today: Date) -> Outcome {
    eval_rule_within(rule, manifest, types, today, BUDGET)
}

/// Steps (expressions evaluated) one rule may take on one manifest. The
/// shipped rules take a few per list item; a rule whose `each` clauses and
/// quantifiers multiply lists that no equality join narrows can take the
/// product of their lengths, and stops here with an error rather than
/// stalling the run.
pub const BUDGET: u64 = 20_000_000;

/// [`eval_rule`] with a given budget of steps.
pub fn eval_rule_within<'m>(
    rule: &'m Rule,
    manifest: &'m Value,
    types: &Types,
    today: Date,
    budget: u64,
) -> Outcome {
    let mut ev = Evaluator {
        manifest,
        types,
        today,
        slots: vec![None; rule.slots],
        explain: false,
        steps: 0,
        budget,
        joins: HashMap::default(),
    };
    let mut failures = Vec::new();
    let mut applicable = false;
    for req in &rule.requirements {
        if let Err(e) = ev.bindings(req, 0, &mut applicable, &mut failures) {
            return Outcome::Error(e);
        }
    }
    match (failures.is_empty(), applicable) {
        (false, _) => Outcome::Fail(failures),
        (true, true) => Outcome::Pass,
        (true, false) => Outcome::NotApplicable,
    }
}

pub(super) type R<T> = Result<T, String>;

/// A value during evaluation: borrowed from the manifest or computed, with
/// where it came from (`None` for literals and computed values).
#[derive(Clone)]
pub(super) struct Ev<'m> {
    value: Option<Cow<'m>>,
    place: Option<Path>,
}

#[derive(Clone)]
pub(super) enum Cow<'m> {
    Ref(&'m Value),
    Own(Value),
}

impl Cow<'_> {
    fn get(&self) -> &Value {
        match self {
            Cow::Ref(v) => v,
            Cow::Own(v) => v,
        }
    }
}

pub(super) struct Evaluator<'m, 't> {
    manifest: &'m Value,
    types: &'t Types,
    today: Date,
    slots: Vec<Option<(&'m Value, SlotPlace)>>,
    /// Whether to work out blame (places and labels). Conditions are first
    /// evaluated without it, which is all a passing binding needs; a
    /// failing requirement is evaluated again to explain itself.
    explain: bool,
    /// Steps taken, and how many may be.
    steps: u64,
    budget: u64,
    /// Equality-join indexes, by the address of the condition they serve;
    /// `None` where the condition's join cannot be indexed.
    joins: HashMap<usize, Option<JoinIndex<'m>>>,
}

/// Where a bound variable's value sits: the list it came from and its
/// index. The path is only made when a failure is explained, so binding an
/// item costs no allocation.
#[derive(Clone)]
pub(super) struct SlotPlace {
    base: Rc<Path>,
    index: Option<usize>,
}

impl SlotPlace {
    fn path(&self) -> Path {
        match self.index {
            Some(i) => self.base.index(i),
            None => (*self.base).clone(),
        }
    }
}

impl<'m> Evaluator<'m, '_> {
    fn bindings(
        &mut self,
        rule: &'m Requirement,
        depth: usize,
        applicable: &mut bool,
        out: &mut Vec<Failure>,
    ) -> R<()> {
        let Some(each) = rule.each.get(depth) else {
            return self.binding(rule, applicable, out);
        };
        // The bindings' places are kept whatever the mode: they say what a
        // failure is about.
        let explain = std::mem::replace(&mut self.explain, true);
        let coll = self.value(&each.collection);
        self.explain = explain;
        let coll = coll?;
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        // Bindings point into the manifest, so the collection must be a
        // manifest value; a missing optional list has no items.
        let items = manifest_items(&coll, &each.collection)?;
        let chosen = match &each.filter {
            Some(filter) => self.candidates(&each.collection, each.slot, filter, items)?,
            None => None,
        };
        for (i, item) in chosen_items(items, chosen) {
            if let Some(slot) = self.slots.get_mut(each.slot) {
                *slot = Some((
                    item,
                    SlotPlace {
                        base: Rc::clone(&base),
                        index: Some(i),
                    },
                ));
            }
            if let Some(filter) = &each.filter {
                if !self.truth(filter)?.0 {
                    continue;
                }
            }
            self.bindings(rule, depth + 1, applicable, out)?;
        }
        Ok(())
    }

    fn binding(
        &mut self,
        rule: &'m Requirement,
        applicable: &mut bool,
        out: &mut Vec<Failure>,
    ) -> R<()> {
        if let Some(filter) = &rule.filter {
            if !self.truth(filter)?.0 {
                return Ok(());
            }
        }
        *applicable = true;
        if self.truth(&rule.require)?.0 {
            return Ok(());
        }
        self.explain = true;
        let explained = self.explain_failure(rule, out);
        self.explain = false;
        explained
    }

    /// Explains a failing binding as one failure, or, for `require
    /// unique(...)`, one failure per repeated value (each at the repetition,
    /// with the first occurrence beside it).
    fn explain_failure(&mut self, rule: &'m Requirement, out: &mut Vec<Failure>) -> R<()> {
        let (_, blame) = self.truth(&rule.require)?;
        // Each repetition of `require unique(...)` is a finding: a value to
        // blame starts one, and what is shown beside it goes with it.
        let groups: Vec<Vec<Blame>> = match &rule.require.kind {
            Kind::Agg {
                agg: crate::check::ir::Agg::Unique,
                ..
            } => {
                let mut groups: Vec<Vec<Blame>> = Vec::new();
                for b in blame {
                    match groups.last_mut() {
                        Some(group) if b.context => group.push(b),
                        _ => groups.push(vec![b]),
                    }
                }
                groups
            }
            _ => vec![blame],
        };
        let groups = if groups.is_empty() {
            vec![Vec::new()]
        } else {
            groups
        };
        let message = self.template(&rule.message)?;
        let help = match &rule.help {
            Some(h) => Some(self.template(h)?),
            None => None,
        };
        for blame in groups {
            let failure = self.failure(rule, blame, message.clone(), help.clone())?;
            out.push(failure);
        }
        Ok(())
    }

    fn failure(
        &mut self,
        rule: &'m Requirement,
        mut blame: Vec<Blame>,
        message: String,
        help: Option<String>,
    ) -> R<Failure> {
        if let Some(at) = &rule.at {
            let ev = self.value(at)?;
            if let Some(place) = ev.place {
                let (path, missing) = match ev.value {
                    Some(_) => (place, false),
                    None => (place.parent().unwrap_or_default(), true),
                };
                blame.insert(
                    0,
                    Blame {
                        path,
                        label: String::new(),
                        missing,
                        context: false,
                    },
                );
            }
        }
        // A requirement that names no manifest value (`require false`)
        // still points at what it was checking: the innermost binding.
        if blame.is_empty() {
            if let Some((_, place)) = rule
                .each
                .last()
                .and_then(|e| self.slots.get(e.slot).cloned().flatten())
            {
                blame.push(Blame::item(place.path(), String::new()));
            }
        }
        // What the finding is about comes first: when the first blamed value
        // lies outside every binding (an item another list's join compared
        // it with), a blamed value of the innermost binding leads.
        if rule.at.is_none() {
            if let Some((_, place)) = rule
                .each
                .last()
                .and_then(|e| self.slots.get(e.slot).cloned().flatten())
            {
                let own = place.path();
                let bound: Vec<Path> = rule
                    .each
                    .iter()
                    .filter_map(|e| self.slots.get(e.slot).cloned().flatten())
                    .map(|(_, p)| p.path())
                    .collect();
                let outside =
                    |b: &Blame| !bound.iter().any(|p| b.path.segs().starts_with(p.segs()));
                if blame.first().is_some_and(outside) {
                    if let Some(i) = blame
                        .iter()
                        .position(|b| b.path.segs().starts_with(own.segs()))
                    {
                        let lead = blame.remove(i);
                        blame.insert(0, lead);
                    }
                }
            }
        }
        let unique = blame::dedupe(blame);
        let bindings = rule
            .each
            .iter()
            .filter_map(|e| {
                self.slots
                    .get(e.slot)
                    .cloned()
                    .flatten()
                    .map(|(_, p)| p.path())
            })
            .collect();
        Ok(Failure {
            blame: unique,
            bindings,
            message,
            help,
        })
    }

    fn template(&mut self, parts: &'m [Part]) -> R<String> {
        let mut s = String::new();
        for part in parts {
            match part {
                Part::Text(t) => s.push_str(t),
                Part::Hole(e) => match self.value(e)?.value {
                    Some(v) => s.push_str(&render(v.get(), &e.ty, self.types)),
                    None => s.push_str("not set"),
                },
            }
        }
        Ok(s)
    }

    fn show(&self, v: &Value, ty: &Ty) -> String {
        render(v, ty, self.types)
    }

    /// A list for a label: long ones are cut, since the rule's source is
    /// one click away.
    fn show_set(&self, v: &Value, ty: &Ty) -> String {
        const SHOWN: usize = 6;
        match (v, ty.required()) {
            (Value::List(items), Ty::List(elem)) if items.len() > SHOWN + 2 => {
                let head: Vec<String> = items
                    .iter()
                    .take(SHOWN)
                    .map(|i| self.show(i, elem))
                    .collect();
                format!("{}, … {} more", head.join(", "), items.len() - SHOWN)
            }
            _ => self.show(v, ty),
        }
    }

    /// Counts one step against the budget.
    fn step(&mut self) -> R<()> {
        self.charge(1)
    }

    /// Counts `n` steps against the budget.
    fn charge(&mut self, n: usize) -> R<()> {
        self.steps = self.steps.saturating_add(n as u64);
        if self.steps > self.budget {
            return Err(format!(
                "it took more than {} steps: its `each` clauses and quantifiers multiply long lists (an equality join such as `a.id == b.ref` narrows a list to the items of an equal value, but not when many share one)",
                self.budget
            ));
        }
        Ok(())
    }

    fn value(&mut self, e: &'m Expr) -> R<Ev<'m>> {
        self.step()?;
        Ok(match &e.kind {
            // A rule across manifests is given the list of them as its
            // manifest: each item's place starts with its index.
            Kind::Root | Kind::Manifests => Ev {
                value: Some(Cow::Ref(self.manifest)),
                place: Some(Path::root()),
            },
            Kind::Var(slot) => match self.slots.get(*slot) {
                Some(Some((v, place))) => Ev {
                    value: Some(Cow::Ref(v)),
                    place: self.explain.then(|| place.path()),
                },
                _ => return Err("unbound variable".into()),
            },
            Kind::Field { base, index, name } => {
                let b = self.value(base)?;
                let place = match &b.place {
                    Some(p) if self.explain => Some(p.key(name)),
                    _ => None,
                };
                let value = match b.value {
                    Some(Cow::Ref(Value::Record(fields))) => {
                        fields.get(*index).and_then(|f| f.as_ref()).map(Cow::Ref)
                    }
                    Some(Cow::Own(Value::Record(fields))) => {
                        fields.get(*index).cloned().flatten().map(Cow::Own)
                    }
                    Some(_) => return Err(format!("`{}` is not a record", base.span.text())),
                    // Only reachable in a message, where a field of a
                    // missing record is shown as not set; elsewhere the
                    // checker demands a guard.
                    None => None,
                };
                Ev { value, place }
            }
            Kind::Lit(v) => Ev {
                value: Some(Cow::Ref(v)),
                place: None,
            },
            Kind::Today => own(Value::Date(self.today)),
            Kind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.present(item)?.get().clone());
                }
                own(Value::List(out))
            }
            Kind::Arith(op, a, b) => {
                let left = self.value(a)?;
                let lv = self.need(&left, a)?;
                let rv = self.present(b)?;
                let v = match op.apply(lv, rv.get()) {
                    Computed::Value(v) => v,
                    Computed::OutOfRange => {
                        return Err(format!("`{}` is out of range", e.span.text()))
                    }
                    Computed::Undefined => {
                        return Err(format!("cannot compute `{}`", e.span.text()))
                    }
                };
                // A computed date keeps the place of the value it came from,
                // so `retired + 30d` still blames `retired`.
                Ev {
                    value: Some(Cow::Own(v)),
                    place: match left.place {
                        Some(p) => Some(p),
                        None if self.explain => self.value(b).ok().and_then(|r| r.place),
                        None => None,
                    },
                }
            }
            Kind::Agg {
                agg,
                slot,
                collection,
                body,
            } => self.aggregate(*agg, *slot, collection, body.as_deref())?,
            Kind::Not(_)
            | Kind::And(..)
            | Kind::Or(..)
            | Kind::Cmp(..)
            | Kind::In { .. }
            | Kind::Has(..)
            | Kind::Text(..)
            | Kind::Matches(..)
            | Kind::IsSet { .. }
            | Kind::Quant { .. } => {
                let (b, _) = self.truth(e)?;
                own(Value::Bool(b))
            }
        })
    }

    fn need<'a>(&self, ev: &'a Ev<'m>, e: &Expr) -> R<&'a Value> {
        match &ev.value {
            Some(v) => Ok(v.get()),
            None => Err(format!("`{}` is not set", e.span.text())),
        }
    }

    fn present(&mut self, e: &'m Expr) -> R<Cow<'m>> {
        match self.value(e)?.value {
            Some(v) => Ok(v),
            None => Err(format!("`{}` is not set", e.span.text())),
        }
    }
}

/// The items of an `each` clause's list: bindings point into the
/// manifest, so it must be a manifest value; a missing optional list has
/// no items.
pub(super) fn manifest_items<'m>(coll: &Ev<'m>, e: &Expr) -> R<&'m [Value]> {
    match &coll.value {
        None => Ok(&[]),
        Some(Cow::Ref(Value::List(list))) => Ok(list),
        Some(_) => Err(format!("`{}` is not a list of the manifest", e.span.text())),
    }
}

pub(super) fn own<'m>(v: Value) -> Ev<'m> {
    Ev {
        value: Some(Cow::Own(v)),
        place: None,
    }
}
