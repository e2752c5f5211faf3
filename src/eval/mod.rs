//! Evaluation of checked rules against one manifest.
//!
//! Every rule ends as pass, fail, not applicable (no binding got past the
//! `where`) or error. A failure carries its blame: the manifest values that
//! made the requirement false, so the diagnostic can point at them rather
//! than at the file.

mod render;

use crate::ast::Quantifier;
use crate::check::ir::{Agg, Arith, Cmp, Expr, Has, Kind, Part, Requirement, Rule};
use crate::date::{Date, Days};
use crate::manifest::path::{Path, Seg};
use crate::schema::{Ty, Types};
use crate::value::Value;
pub use render::render;
use std::collections::HashMap as StdHashMap;
use std::rc::Rc;

/// Hash maps keyed by manifest values: foldhash is several times cheaper
/// than SipHash on short keys, and seeded per process, so a manifest cannot
/// be written to make its keys collide.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

/// A manifest value that explains a result, and what to say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Blame {
    /// The value to point at. For a missing field, its parent.
    pub path: Path,
    pub label: String,
    /// The blamed field is missing and `path` is its parent: point at the
    /// parent's key (or first line), not at its whole contents.
    pub missing: bool,
}

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

type R<T> = Result<T, String>;

/// A value during evaluation: borrowed from the manifest or computed, with
/// where it came from (`None` for literals and computed values).
#[derive(Clone)]
struct Ev<'m> {
    value: Option<Cow<'m>>,
    place: Option<Path>,
}

#[derive(Clone)]
enum Cow<'m> {
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

struct Evaluator<'m, 't> {
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
struct SlotPlace {
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

/// A finding labels at most this many values: past it, more labels tell a
/// reader nothing new, and their cost grows with the lists involved.
const MAX_BLAME: usize = 32;

/// A scalar of the manifest as a hash key.
#[derive(PartialEq, Eq, Hash)]
enum Key<'m> {
    Str(&'m str),
    Int(i64),
    Bool(bool),
    Enum(u32),
    Date(Date),
    Duration(crate::date::Days),
}

impl<'m> Key<'m> {
    fn of(v: &Cow<'m>) -> Option<Key<'m>> {
        let Cow::Ref(v) = v else {
            return None;
        };
        Some(match v {
            Value::Str(s) => Key::Str(s),
            Value::Int(i) => Key::Int(*i),
            Value::Bool(b) => Key::Bool(*b),
            Value::Enum(e) => Key::Enum(*e),
            Value::Date(d) => Key::Date(*d),
            Value::Duration(d) => Key::Duration(*d),
            _ => return None,
        })
    }
}

/// For a condition over the items of a list that holds `item.f == e` (as
/// itself or as a conjunct), with `e` free of the item: the items by the
/// value of `item.f`. Only those items can satisfy the condition, so a join
/// of two lists costs the sum of their lengths, not the product.
struct JoinIndex<'m> {
    /// The side of the equality that does not depend on the item.
    probe: &'m Expr,
    items: HashMap<Key<'m>, Vec<usize>>,
}

/// The items to visit, with their indices: those a join chose (in list
/// order), or all of them.
fn chosen_items(
    items: &[Value],
    chosen: Option<Vec<usize>>,
) -> Box<dyn Iterator<Item = (usize, &Value)> + '_> {
    match chosen {
        Some(list) => Box::new(list.into_iter().filter_map(|i| Some((i, items.get(i)?)))),
        None => Box::new(items.iter().enumerate()),
    }
}

/// Whether an expression refers to the variable in `slot`.
fn mentions(e: &Expr, slot: usize) -> bool {
    match &e.kind {
        Kind::Var(s) => *s == slot,
        Kind::Field { base, .. } => mentions(base, slot),
        Kind::Root | Kind::Lit(_) | Kind::Today => false,
        // Anything else is not a plain path: treat it as dependent, which
        // only ever turns the index off.
        _ => true,
    }
}

/// A path from the item itself: `item.id`, `item.a.b`.
fn from_item(e: &Expr, slot: usize) -> bool {
    match &e.kind {
        Kind::Var(s) => *s == slot,
        Kind::Field { base, .. } => from_item(base, slot),
        _ => false,
    }
}

/// A list of the manifest reached from its root: the same for every
/// binding, so an index over it is built once.
fn from_root(e: &Expr) -> bool {
    match &e.kind {
        Kind::Root => true,
        Kind::Field { base, .. } => from_root(base),
        _ => false,
    }
}

/// The equality that joins the item in `slot` to the rest, if the
/// condition holds one at its top level: (item side, other side).
fn join_in(cond: &Expr, slot: usize) -> Option<(&Expr, &Expr)> {
    match &cond.kind {
        Kind::And(a, b) => join_in(a, slot).or_else(|| join_in(b, slot)),
        Kind::Cmp(Cmp::Eq, a, b) => {
            if from_item(a, slot) && !mentions(b, slot) {
                Some((a, b))
            } else if from_item(b, slot) && !mentions(a, slot) {
                Some((b, a))
            } else {
                None
            }
        }
        _ => None,
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
        let items: &'m [Value] = match &coll.value {
            None => &[],
            Some(Cow::Ref(Value::List(list))) => list,
            Some(_) => {
                return Err(format!(
                    "`{}` is not a list of the manifest",
                    each.collection.span.text()
                ))
            }
        };
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

    fn binding(&mut self, rule: &'m Requirement, applicable: &mut bool, out: &mut Vec<Failure>) -> R<()> {
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
        let explained = self.explain_failure(rule);
        self.explain = false;
        out.push(explained?);
        Ok(())
    }

    fn explain_failure(&mut self, rule: &'m Requirement) -> R<Failure> {
        let (_, mut blame) = self.truth(&rule.require)?;
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
                blame.push(Blame {
                    path: place.path(),
                    label: String::new(),
                    missing: true,
                });
            }
        }
        let mut unique: Vec<Blame> = Vec::new();
        let mut seen: HashMap<Path, usize> = HashMap::default();
        for b in blame.drain(..) {
            let len = unique.len();
            match seen.get(&b.path).and_then(|&i| unique.get_mut(i)) {
                Some(u) if u.label.is_empty() => u.label = b.label,
                Some(_) => {}
                None if len < MAX_BLAME => {
                    seen.insert(b.path.clone(), len);
                    unique.push(b);
                }
                None => {}
            }
        }
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
            message: self.template(&rule.message)?,
            help: match &rule.help {
                Some(h) => Some(self.template(h)?),
                None => None,
            },
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
                "it took more than {} steps on this manifest: its `each` clauses and quantifiers multiply lists that no equality join (`a.id == b.ref`) narrows",
                self.budget
            ));
        }
        Ok(())
    }

    /// The items of `items` (the collection `collection` bound in `slot`)
    /// that can satisfy `cond`: those an equality join selects, or all.
    fn candidates(
        &mut self,
        collection: &'m Expr,
        slot: usize,
        cond: &'m Expr,
        items: &'m [Value],
    ) -> R<Option<Vec<usize>>> {
        if !from_root(collection) {
            return Ok(None);
        }
        let id = cond as *const Expr as usize;
        if !self.joins.contains_key(&id) {
            let index = self.build_join(slot, cond, items)?;
            self.joins.insert(id, index);
        }
        let Some(Some(index)) = self.joins.get(&id) else {
            return Ok(None);
        };
        let probe = index.probe;
        let explain = std::mem::replace(&mut self.explain, false);
        let value = self.value(probe);
        self.explain = explain;
        let Some(key) = value?.value.as_ref().and_then(Key::of) else {
            return Ok(None);
        };
        let Some(Some(index)) = self.joins.get(&id) else {
            return Ok(None);
        };
        Ok(Some(index.items.get(&key).cloned().unwrap_or_default()))
    }

    fn build_join(
        &mut self,
        slot: usize,
        cond: &'m Expr,
        items: &'m [Value],
    ) -> R<Option<JoinIndex<'m>>> {
        let Some((item_side, probe)) = join_in(cond, slot) else {
            return Ok(None);
        };
        let saved = self.slots.get(slot).cloned().flatten();
        let explain = std::mem::replace(&mut self.explain, false);
        let mut by_key: HashMap<Key<'m>, Vec<usize>> = HashMap::default();
        let mut usable = true;
        let root = Rc::new(Path::root());
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.slots.get_mut(slot) {
                *s = Some((
                    item,
                    SlotPlace {
                        base: Rc::clone(&root),
                        index: None,
                    },
                ));
            }
            let value = self.value(item_side);
            // An item whose key is missing or not a scalar would make the
            // equality an error or false in ways the index cannot know:
            // such a list is evaluated item by item.
            match value.map(|v| v.value.as_ref().and_then(Key::of)) {
                Ok(Some(key)) => by_key.entry(key).or_default().push(i),
                Ok(None) => {
                    usable = false;
                    break;
                }
                Err(e) => {
                    self.explain = explain;
                    return Err(e);
                }
            }
        }
        self.explain = explain;
        if let Some(s) = self.slots.get_mut(slot) {
            *s = saved;
        }
        Ok(usable.then_some(JoinIndex {
            probe,
            items: by_key,
        }))
    }

    fn value(&mut self, e: &'m Expr) -> R<Ev<'m>> {
        self.step()?;
        Ok(match &e.kind {
            Kind::Root => Ev {
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
                let v = match (op, lv, rv.get()) {
                    (Arith::Add, Value::Date(d), Value::Duration(n)) => {
                        d.0.checked_add(n.days).map(|x| Value::Date(Date(x)))
                    }
                    (Arith::Sub, Value::Date(d), Value::Duration(n)) => {
                        d.0.checked_sub(n.days).map(|x| Value::Date(Date(x)))
                    }
                    (Arith::Sub, Value::Date(d), Value::Date(e)) => {
                        d.0.checked_sub(e.0).map(|n| Value::Duration(Days::new(n)))
                    }
                    (Arith::Add, Value::Duration(x), Value::Duration(y)) => x
                        .days
                        .checked_add(y.days)
                        .map(|n| Value::Duration(Days::new(n))),
                    (Arith::Sub, Value::Duration(x), Value::Duration(y)) => x
                        .days
                        .checked_sub(y.days)
                        .map(|n| Value::Duration(Days::new(n))),
                    (Arith::Add, Value::Int(x), Value::Int(y)) => x.checked_add(*y).map(Value::Int),
                    (Arith::Sub, Value::Int(x), Value::Int(y)) => x.checked_sub(*y).map(Value::Int),
                    _ => return Err(format!("cannot compute `{}`", e.span.text())),
                };
                let Some(v) = v else {
                    return Err(format!("`{}` is out of range", e.span.text()));
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
            _ => {
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

    /// Evaluates a condition and says which manifest values decided it.
    fn truth(&mut self, e: &'m Expr) -> R<(bool, Vec<Blame>)> {
        self.step()?;
        match &e.kind {
            Kind::Lit(Value::Bool(b)) => Ok((*b, Vec::new())),
            Kind::Not(inner) => {
                let (b, blame) = self.truth(inner)?;
                Ok((!b, blame))
            }
            Kind::And(a, b) => {
                let (x, mut bx) = self.truth(a)?;
                if x {
                    let (y, by) = self.truth(b)?;
                    if y {
                        // Explaining why both hold: a guard (`x is set`) or
                        // a join (`f.id == grant.feature`) adds nothing
                        // beside the condition it serves.
                        if (is_guard(a) || is_join(a)) && !by.is_empty() {
                            return Ok((true, by));
                        }
                        if (is_guard(b) || is_join(b)) && !bx.is_empty() {
                            return Ok((true, bx));
                        }
                        bx.extend(by);
                        return Ok((true, bx));
                    }
                    return Ok((false, by));
                }
                // Both false sides are to blame; the right side may depend
                // on a guard on the left, so it may not be evaluable.
                if let Ok((false, by)) = self.truth(b) {
                    bx.extend(by);
                }
                Ok((false, bx))
            }
            Kind::Or(a, b) => {
                let (x, mut bx) = self.truth(a)?;
                if x {
                    return Ok((true, bx));
                }
                let (y, by) = self.truth(b)?;
                if y {
                    return Ok((true, by));
                }
                // In `x is not set or <condition on x>`, the guard says
                // nothing useful: the condition is what failed.
                if is_guard(a) && !by.is_empty() {
                    return Ok((false, by));
                }
                if is_guard(b) && !bx.is_empty() {
                    return Ok((false, bx));
                }
                bx.extend(by);
                Ok((false, bx))
            }
            Kind::IsSet { expr, negated } => {
                let ev = self.value(expr)?;
                let set = ev.value.is_some();
                let blame = match (&ev.place, set) {
                    (Some(p), true) => vec![Blame {
                        path: p.clone(),
                        label: "is set".into(),
                        missing: false,
                    }],
                    (Some(p), false) => {
                        let name = match p.segs().last() {
                            Some(Seg::Key(k)) => k.clone(),
                            _ => expr.span.text().to_string(),
                        };
                        vec![Blame {
                            path: p.parent().unwrap_or_default(),
                            label: format!("`{name}` is not set"),
                            missing: true,
                        }]
                    }
                    (None, _) => Vec::new(),
                };
                Ok((set != *negated, blame))
            }
            Kind::Cmp(op, a, b) => {
                let (l, r) = (self.value(a)?, self.value(b)?);
                let (lv, rv) = (self.need(&l, a)?, self.need(&r, b)?);
                let ord = compare(lv, rv);
                let result = match op {
                    Cmp::Eq => lv == rv,
                    Cmp::Ne => lv != rv,
                    Cmp::Lt => ord == Some(std::cmp::Ordering::Less),
                    Cmp::Le => matches!(
                        ord,
                        Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                    ),
                    Cmp::Gt => ord == Some(std::cmp::Ordering::Greater),
                    Cmp::Ge => matches!(
                        ord,
                        Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
                    ),
                };
                if !self.explain {
                    return Ok((result, Vec::new()));
                }
                let (ls, rs) = (self.show(lv, &a.ty), self.show(rv, &b.ty));
                // Said of the blamed value, the first from the manifest.
                let label = if l.place.is_some() {
                    compare_label(
                        &place_name(&l, a),
                        &ls,
                        *op,
                        &rs,
                        result,
                        r.place.as_ref().map(|_| place_name(&r, b)),
                        matches!(lv, Value::Date(_)),
                    )
                } else {
                    compare_label(
                        &place_name(&r, b),
                        &rs,
                        flipped(*op),
                        &ls,
                        result,
                        None,
                        matches!(rv, Value::Date(_)),
                    )
                };
                Ok((result, blame_of(&[&l, &r], label)))
            }
            Kind::In { elem, set, negated } => {
                let (x, s) = (self.value(elem)?, self.value(set)?);
                let (xv, sv) = (self.need(&x, elem)?, self.need(&s, set)?);
                // A scan costs a step per item, so that the budget sees a
                // test of every item of one long list against another.
                let scanned = match sv {
                    Value::List(items) => items.len(),
                    Value::Map(entries) => entries.len(),
                    _ => 0,
                };
                self.charge(scanned)?;
                let found = match sv {
                    Value::List(items) => items.contains(xv),
                    Value::Map(entries) => entries.iter().any(|(k, _)| k == xv),
                    _ => return Err(format!("`{}` is not a list", set.span.text())),
                };
                if !self.explain {
                    return Ok((found != *negated, Vec::new()));
                }
                let xs = self.show(xv, &elem.ty);
                let label = match (sv, found) {
                    (Value::Map(_), true) => {
                        format!("`{xs}` has an entry in `{}`", set.span.text())
                    }
                    (Value::Map(_), false) => {
                        format!("`{xs}` has no entry in `{}`", set.span.text())
                    }
                    (_, true) => format!("`{xs}` is in [{}]", self.show_set(sv, &set.ty)),
                    (_, false) => format!("`{xs}` is not in [{}]", self.show_set(sv, &set.ty)),
                };
                Ok((found != *negated, blame_of(&[&x, &s], label)))
            }
            Kind::Has(has, a, b) => {
                let (l, r) = (self.value(a)?, self.value(b)?);
                let (Value::List(xs), Value::List(ys)) = (self.need(&l, a)?, self.need(&r, b)?)
                else {
                    return Err(format!("`{}` does not compare lists", e.span.text()));
                };
                self.charge(xs.len().saturating_mul(ys.len()))?;
                if !self.explain {
                    let result = match has {
                        Has::Any => ys.iter().any(|y| xs.contains(y)),
                        Has::All => ys.iter().all(|y| xs.contains(y)),
                        Has::None => !ys.iter().any(|y| xs.contains(y)),
                    };
                    return Ok((result, Vec::new()));
                }
                let common: Vec<&Value> = ys.iter().filter(|y| xs.contains(y)).collect();
                let missing: Vec<&Value> = ys.iter().filter(|y| !xs.contains(y)).collect();
                let elem_ty = match &b.ty {
                    Ty::List(t) => (**t).clone(),
                    other => other.clone(),
                };
                let list = |vs: &[&Value]| {
                    vs.iter()
                        .map(|v| format!("`{}`", self.show(v, &elem_ty)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let (result, label) = match has {
                    Has::Any if common.is_empty() => (
                        false,
                        format!("has none of {}", list(&ys.iter().collect::<Vec<_>>())),
                    ),
                    Has::Any => (true, format!("has {}", list(&common))),
                    Has::All if missing.is_empty() => (true, "has all of them".to_string()),
                    Has::All => (false, format!("lacks {}", list(&missing))),
                    Has::None if common.is_empty() => (true, "has none of them".to_string()),
                    Has::None => (false, format!("has {}", list(&common))),
                };
                Ok((result, blame_of(&[&l, &r], label)))
            }
            Kind::Quant {
                quantifier,
                slot,
                collection,
                body,
            } => {
                let coll = self.value(collection)?;
                let base = Rc::new(coll.place.clone().unwrap_or_default());
                let items: &'m [Value] = match &coll.value {
                    None => &[],
                    Some(Cow::Ref(Value::List(list))) => list,
                    Some(_) => {
                        return Err(format!(
                            "`{}` is not a list of the manifest",
                            collection.span.text()
                        ))
                    }
                };
                let (mut matched, mut failed) = (0usize, 0usize);
                let mut matching = Vec::new();
                let mut failing = Vec::new();
                // `any` and `no` ask whether some item qualifies; only the
                // items a join selects can. `all`, and a failure being
                // explained item by item, look at every item.
                let mut chosen = match quantifier {
                    Quantifier::Any | Quantifier::No => {
                        self.candidates(collection, *slot, body, items)?
                    }
                    Quantifier::All => None,
                };
                // Explaining a result, a few items the join rules out show
                // what was compared (`f-1` is not `f-2`), as many as can be
                // labelled.
                if let (true, Some(list)) = (self.explain, chosen.as_mut()) {
                    let mut others = (0..items.len())
                        .filter(|i| list.binary_search(i).is_err())
                        .take(MAX_BLAME);
                    let extra: Vec<usize> = others.by_ref().collect();
                    list.extend(extra);
                    list.sort_unstable();
                }
                for (i, item) in chosen_items(items, chosen) {
                    if let Some(s) = self.slots.get_mut(*slot) {
                        *s = Some((
                            item,
                            SlotPlace {
                                base: Rc::clone(&base),
                                index: Some(i),
                            },
                        ));
                    }
                    let (b, blame) = self.truth(body)?;
                    if b {
                        matched += 1;
                        if matching.len() < MAX_BLAME {
                            matching.extend(blame);
                        }
                        if *quantifier == Quantifier::Any {
                            break;
                        }
                    } else {
                        failed += 1;
                        if failing.len() < MAX_BLAME {
                            failing.extend(blame);
                        }
                    }
                }
                if let Some(s) = self.slots.get_mut(*slot) {
                    *s = None;
                }
                // A missing list has nothing to point at; the other parts of
                // the requirement carry the blame.
                let whole = |label: &str| -> Vec<Blame> {
                    coll.place
                        .clone()
                        .filter(|_| coll.value.is_some())
                        .map(|p| Blame {
                            path: p,
                            label: label.to_string(),
                            missing: false,
                        })
                        .into_iter()
                        .collect()
                };
                // Each item's own reasons explain the result; when items
                // have none to give (or there are no items), the list does.
                let or_whole = |blame: Vec<Blame>, label: &str| {
                    if blame.is_empty() {
                        whole(label)
                    } else {
                        blame
                    }
                };
                Ok(match quantifier {
                    Quantifier::Any if matched > 0 => {
                        (true, or_whole(matching, "an item qualifies"))
                    }
                    Quantifier::Any => (false, or_whole(failing, "no item qualifies")),
                    Quantifier::All if failed == 0 => (true, whole("every item qualifies")),
                    Quantifier::All => (false, or_whole(failing, "not every item qualifies")),
                    Quantifier::No if matched == 0 => (true, whole("no item qualifies")),
                    Quantifier::No => (false, or_whole(matching, "an item qualifies")),
                })
            }
            _ => {
                let ev = self.value(e)?;
                match self.need(&ev, e)? {
                    Value::Bool(b) => {
                        let blame = ev
                            .place
                            .clone()
                            .map(|p| Blame {
                                path: p,
                                label: format!("is `{b}`"),
                                missing: false,
                            })
                            .into_iter()
                            .collect();
                        Ok((*b, blame))
                    }
                    _ => Err(format!("`{}` is not a condition", e.span.text())),
                }
            }
        }
    }
}

fn is_guard(e: &Expr) -> bool {
    matches!(e.kind, Kind::IsSet { .. })
}

/// `a == b` between two values of the manifest: it matches records up
/// (a feature to its grant) rather than testing a fact.
fn is_join(e: &Expr) -> bool {
    let from_manifest = |e: &Expr| matches!(e.kind, Kind::Field { .. } | Kind::Var(_));
    matches!(&e.kind, Kind::Cmp(Cmp::Eq, a, b) if from_manifest(a) && from_manifest(b))
}

fn own<'m>(v: Value) -> Ev<'m> {
    Ev {
        value: Some(Cow::Own(v)),
        place: None,
    }
}

/// The first operand that comes from the manifest is blamed: in
/// `x <= y` that is `x` when `x` is a manifest value.
fn blame_of(operands: &[&Ev], label: String) -> Vec<Blame> {
    operands
        .iter()
        .find_map(|ev| ev.place.clone())
        .map(|path| Blame {
            path,
            label,
            missing: false,
        })
        .into_iter()
        .collect()
}

/// The name a value goes by in a label: its field, or the expression.
fn place_name(ev: &Ev, e: &Expr) -> String {
    match ev.place.as_ref().and_then(|p| p.segs().last()) {
        Some(Seg::Key(k)) => k.clone(),
        _ => e.span.text().to_string(),
    }
}

/// `a < b` said from `b`'s side.
fn flipped(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

/// A comparison in English, said of `name` (whose value is `value`)
/// against `other`: "`lawful_basis` is `legitimate_interests`, not
/// `consent`", "`storage` is `partner_servers`; it must not be".
/// `other_name` is the other side's name when it too is a manifest value.
fn compare_label(
    name: &str,
    value: &str,
    op: Cmp,
    other: &str,
    holds: bool,
    other_name: Option<String>,
    dates: bool,
) -> String {
    let (less, more) = if dates {
        ("before", "after")
    } else {
        ("less than", "more than")
    };
    let (not_less, not_more) = if dates {
        ("not before", "not after")
    } else {
        ("at least", "at most")
    };
    let is = format!("`{name}` is `{value}`");
    match (op, holds) {
        (Cmp::Eq, true) => is,
        (Cmp::Eq, false) => format!("{is}, not `{other}`"),
        (Cmp::Ne, true) => format!("{is}, not `{other}`"),
        (Cmp::Ne, false) => match other_name {
            Some(o) => format!("{is}, the same as `{o}`"),
            None => format!("{is}; it must not be"),
        },
        (Cmp::Lt, true) | (Cmp::Ge, false) => format!("{is}, {less} `{other}`"),
        (Cmp::Lt, false) | (Cmp::Ge, true) => format!("{is}, {not_less} `{other}`"),
        (Cmp::Gt, true) | (Cmp::Le, false) => format!("{is}, {more} `{other}`"),
        (Cmp::Gt, false) | (Cmp::Le, true) => format!("{is}, {not_more} `{other}`"),
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod label_tests {
    use super::{compare_label, Cmp};

    #[test]
    fn comparisons_are_labelled_in_english() {
        let l = |op, holds, other: Option<&str>, dates| {
            compare_label("v", "a", op, "b", holds, other.map(String::from), dates)
        };
        assert_eq!(l(Cmp::Eq, false, None, false), "`v` is `a`, not `b`");
        assert_eq!(l(Cmp::Ne, false, None, false), "`v` is `a`; it must not be");
        assert_eq!(
            l(Cmp::Ne, false, Some("id"), false),
            "`v` is `a`, the same as `id`"
        );
        assert_eq!(l(Cmp::Le, false, None, true), "`v` is `a`, after `b`");
        assert_eq!(l(Cmp::Le, false, None, false), "`v` is `a`, more than `b`");
        assert_eq!(l(Cmp::Ge, false, None, false), "`v` is `a`, less than `b`");
        assert_eq!(l(Cmp::Lt, false, None, true), "`v` is `a`, not before `b`");
        assert_eq!(l(Cmp::Gt, true, None, false), "`v` is `a`, more than `b`");
    }
}
