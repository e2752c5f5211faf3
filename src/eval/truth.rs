//! Conditions: each kind of condition evaluated, with the manifest values
//! that decided it when a failure is being explained.

use super::blame::{blame_of, compare_label, is_guard, is_join, place_name, Blame, MAX_BLAME};
use super::{chosen_items, Cow, Ev, Evaluator, SlotPlace, R};
use crate::ast::Quantifier;
use crate::check::ir::{Cmp, Expr, Has, Kind, Pattern, Text};
use crate::value::Value;
use std::rc::Rc;

type Truth = R<(bool, Vec<Blame>)>;

impl<'m> Evaluator<'m, '_> {
    /// Evaluates a condition and says which manifest values decided it.
    pub(super) fn truth(&mut self, e: &'m Expr) -> Truth {
        self.step()?;
        match &e.kind {
            Kind::Not(inner) => {
                let (b, blame) = self.truth(inner)?;
                Ok((!b, blame))
            }
            Kind::And(a, b) => self.and(a, b),
            Kind::Or(a, b) => self.or(a, b),
            Kind::IsSet { expr, negated } => self.is_set(expr, *negated),
            Kind::Cmp(op, a, b) => self.compare(*op, a, b),
            Kind::In { elem, set, negated } => self.member(elem, set, *negated),
            Kind::Has(has, a, b) => self.has(*has, a, b, e),
            Kind::Text(op, a, b) => self.text(*op, a, b, None),
            Kind::Matches(a, pattern) => self.text(Text::Matches, a, a, Some(pattern)),
            Kind::Quant {
                quantifier,
                slot,
                collection,
                body,
            } => self.quantified(*quantifier, *slot, collection, body),
            Kind::Agg { .. } => self.aggregate_truth(e),
            Kind::Root
            | Kind::Manifests
            | Kind::Var(_)
            | Kind::Field { .. }
            | Kind::Lit(_)
            | Kind::Today
            | Kind::List(_)
            | Kind::Arith(..) => self.boolean(e),
        }
    }

    /// A boolean value: a literal, or a field of the manifest.
    fn boolean(&mut self, e: &'m Expr) -> Truth {
        let ev = self.value(e)?;
        match self.need(&ev, e)? {
            Value::Bool(b) => {
                let blame = ev
                    .place
                    .clone()
                    .map(|p| Blame::at(p, format!("is `{b}`")))
                    .into_iter()
                    .collect();
                Ok((*b, blame))
            }
            Value::Int(_)
            | Value::Str(_)
            | Value::Date(_)
            | Value::Duration(_)
            | Value::Enum(_)
            | Value::List(_)
            | Value::Record(_)
            | Value::Map(_)
            | Value::Invalid => Err(format!("`{}` is not a condition", e.span.text())),
        }
    }

    fn and(&mut self, a: &'m Expr, b: &'m Expr) -> Truth {
        let (x, mut bx) = self.truth(a)?;
        if x {
            let (y, by) = self.truth(b)?;
            if y {
                // Explaining why both hold: a guard (`x is set`) or a join
                // (`f.id == grant.feature`) adds nothing beside the
                // condition it serves.
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
        // Both false sides are to blame; the right side may depend on a
        // guard on the left, so it may not be evaluable.
        if let Ok((false, by)) = self.truth(b) {
            bx.extend(by);
        }
        Ok((false, bx))
    }

    fn or(&mut self, a: &'m Expr, b: &'m Expr) -> Truth {
        let (x, mut bx) = self.truth(a)?;
        if x {
            return Ok((true, bx));
        }
        let (y, by) = self.truth(b)?;
        if y {
            return Ok((true, by));
        }
        // In `x is not set or <condition on x>`, the guard says nothing
        // useful: the condition is what failed.
        if is_guard(a) && !by.is_empty() {
            return Ok((false, by));
        }
        if is_guard(b) && !bx.is_empty() {
            return Ok((false, bx));
        }
        bx.extend(by);
        Ok((false, bx))
    }

    fn is_set(&mut self, expr: &'m Expr, negated: bool) -> Truth {
        let ev = self.value(expr)?;
        let set = ev.value.is_some();
        let blame = match (&ev.place, set) {
            (Some(p), true) => vec![Blame::at(p.clone(), "is set")],
            (Some(p), false) => {
                let name = place_name(&ev, expr);
                vec![Blame::item(
                    p.parent().unwrap_or_default(),
                    format!("`{name}` is not set"),
                )]
            }
            (None, _) => Vec::new(),
        };
        Ok((set != negated, blame))
    }

    fn compare(&mut self, op: Cmp, a: &'m Expr, b: &'m Expr) -> Truth {
        let (l, r) = (self.value(a)?, self.value(b)?);
        let (lv, rv) = (self.need(&l, a)?, self.need(&r, b)?);
        let result = op.holds(lv, rv);
        if !self.explain {
            return Ok((result, Vec::new()));
        }
        // A count past a limit is blamed on the items past it.
        if let Some(blame) = self.past_limit(op, a, b, lv, rv, result)? {
            return Ok((result, blame));
        }
        let (ls, rs) = (self.show(lv, &a.ty), self.show(rv, &b.ty));
        // Said of the blamed value, the first from the manifest.
        let label = if l.place.is_some() {
            compare_label(
                &place_name(&l, a),
                &ls,
                op,
                &rs,
                result,
                // Two fields of one name are told apart by their paths.
                r.place.as_ref().map(|_| {
                    let other = place_name(&r, b);
                    if other == place_name(&l, a) {
                        b.span.text().to_string()
                    } else {
                        other
                    }
                }),
                matches!(lv, Value::Date(_)),
            )
        } else {
            compare_label(
                &place_name(&r, b),
                &rs,
                op.flipped(),
                &ls,
                result,
                None,
                matches!(rv, Value::Date(_)),
            )
        };
        Ok((result, blame_of(&[&l, &r], label)))
    }

    fn member(&mut self, elem: &'m Expr, set: &'m Expr, negated: bool) -> Truth {
        let (x, s) = (self.value(elem)?, self.value(set)?);
        let (xv, sv) = (self.need(&x, elem)?, self.need(&s, set)?);
        // A scan costs a step per item, so that the budget sees a test of
        // every item of one long list against another.
        let found = match sv {
            Value::List(items) => {
                self.charge(items.len())?;
                items.contains(xv)
            }
            Value::Map(entries) => {
                self.charge(entries.len())?;
                entries.iter().any(|(k, _)| k == xv)
            }
            Value::Bool(_)
            | Value::Int(_)
            | Value::Str(_)
            | Value::Date(_)
            | Value::Duration(_)
            | Value::Enum(_)
            | Value::Record(_)
            | Value::Invalid => return Err(format!("`{}` is not a list", set.span.text())),
        };
        if !self.explain {
            return Ok((found != negated, Vec::new()));
        }
        let xs = self.show(xv, &elem.ty);
        let label = match (sv, found) {
            (Value::Map(_), true) => format!("`{xs}` has an entry in `{}`", set.span.text()),
            (Value::Map(_), false) => format!("`{xs}` has no entry in `{}`", set.span.text()),
            (_, true) => format!("`{xs}` is in [{}]", self.show_set(sv, &set.ty)),
            (_, false) => format!("`{xs}` is not in [{}]", self.show_set(sv, &set.ty)),
        };
        Ok((found != negated, blame_of(&[&x, &s], label)))
    }

    fn has(&mut self, has: Has, a: &'m Expr, b: &'m Expr, e: &'m Expr) -> Truth {
        let (l, r) = (self.value(a)?, self.value(b)?);
        let (Value::List(xs), Value::List(ys)) = (self.need(&l, a)?, self.need(&r, b)?) else {
            return Err(format!("`{}` does not compare lists", e.span.text()));
        };
        self.charge(xs.len().saturating_mul(ys.len()))?;
        let result = has.holds(xs, ys);
        if !self.explain {
            return Ok((result, Vec::new()));
        }
        let common: Vec<&Value> = ys.iter().filter(|y| xs.contains(y)).collect();
        let missing: Vec<&Value> = ys.iter().filter(|y| !xs.contains(y)).collect();
        let elem_ty = match &b.ty {
            crate::schema::Ty::List(t) => (**t).clone(),
            other => other.clone(),
        };
        let list = |vs: &[&Value]| {
            vs.iter()
                .map(|v| format!("`{}`", self.show(v, &elem_ty)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let label = match (has, result) {
            (Has::Any, false) => format!("has none of {}", list(&ys.iter().collect::<Vec<_>>())),
            (Has::Any, true) | (Has::None, false) => format!("has {}", list(&common)),
            (Has::All, true) => "has all of them".to_string(),
            (Has::All, false) => format!("lacks {}", list(&missing)),
            (Has::None, true) => "has none of them".to_string(),
        };
        Ok((result, blame_of(&[&l, &r], label)))
    }

    /// `s starts with t`, `s ends with t`, `s contains t`, or `s matches`
    /// a compiled pattern (then `b` is unused).
    fn text(&mut self, op: Text, a: &'m Expr, b: &'m Expr, pattern: Option<&'m Pattern>) -> Truth {
        let l = self.value(a)?;
        let s = match self.need(&l, a)? {
            Value::Str(s) => s.as_str(),
            _ => return Err(format!("`{}` is not a string", a.span.text())),
        };
        let (result, other) = match pattern {
            Some(p) => {
                self.charge(s.len() / 64)?;
                (p.regex.is_match(s), p.source.clone())
            }
            None => {
                let r = self.value(b)?;
                let t = match self.need(&r, b)? {
                    Value::Str(t) => t.clone(),
                    _ => return Err(format!("`{}` is not a string", b.span.text())),
                };
                self.charge(s.len() / 64)?;
                (op.holds(s, &t).unwrap_or(false), t)
            }
        };
        if !self.explain {
            return Ok((result, Vec::new()));
        }
        let verb = match (op, result) {
            (Text::Matches, true) => "matches",
            (Text::Matches, false) => "does not match",
            (Text::StartsWith, true) => "starts with",
            (Text::StartsWith, false) => "does not start with",
            (Text::EndsWith, true) => "ends with",
            (Text::EndsWith, false) => "does not end with",
            (Text::Contains, true) => "contains",
            (Text::Contains, false) => "does not contain",
        };
        let shown = self.show(&Value::Str(s.to_string()), &a.ty);
        let label = format!(
            "`{}` is `{shown}`, which {verb} `{other}`",
            place_name(&l, a)
        );
        Ok((result, blame_of(&[&l], label)))
    }

    fn quantified(
        &mut self,
        quantifier: Quantifier,
        slot: usize,
        collection: &'m Expr,
        body: &'m Expr,
    ) -> Truth {
        let coll = self.value(collection)?;
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        let items = self.items(&coll, collection)?;
        let (mut matched, mut failed) = (0usize, 0usize);
        let mut matching = Vec::new();
        let mut failing = Vec::new();
        // `any` and `no` ask whether some item qualifies; only the items a
        // join selects can. `all`, and a failure being explained item by
        // item, look at every item.
        let mut chosen = match quantifier {
            Quantifier::Any | Quantifier::No => self.candidates(collection, slot, body, items)?,
            Quantifier::All => None,
        };
        // Explaining a result, a few items the join rules out show what
        // was compared (`f-1` is not `f-2`), as many as can be labelled.
        if let (true, Some(list)) = (self.explain, chosen.as_mut()) {
            let mut others = (0..items.len())
                .filter(|i| list.binary_search(i).is_err())
                .take(MAX_BLAME);
            let extra: Vec<usize> = others.by_ref().collect();
            list.extend(extra);
            list.sort_unstable();
        }
        for (i, item) in chosen_items(items, chosen) {
            self.bind(slot, item, &base, i);
            let (b, blame) = self.truth(body)?;
            if b {
                matched += 1;
                if matching.len() < MAX_BLAME {
                    matching.extend(blame);
                }
                if quantifier == Quantifier::Any {
                    break;
                }
            } else {
                failed += 1;
                if failing.len() < MAX_BLAME {
                    failing.extend(blame);
                }
            }
        }
        self.unbind(slot);
        // A missing list has nothing to point at; the other parts of the
        // requirement carry the blame.
        let whole = |label: &str| -> Vec<Blame> {
            coll.place
                .clone()
                .filter(|_| coll.value.is_some())
                .map(|p| Blame::at(p, label))
                .into_iter()
                .collect()
        };
        // Each item's own reasons explain the result; when items have none
        // to give (or there are no items), the list does.
        let or_whole = |blame: Vec<Blame>, label: &str| {
            if blame.is_empty() {
                whole(label)
            } else {
                blame
            }
        };
        Ok(match quantifier {
            Quantifier::Any if matched > 0 => (true, or_whole(matching, "an item qualifies")),
            Quantifier::Any => (false, or_whole(failing, "no item qualifies")),
            Quantifier::All if failed == 0 => (true, whole("every item qualifies")),
            Quantifier::All => (false, or_whole(failing, "not every item qualifies")),
            Quantifier::No if matched == 0 => (true, whole("no item qualifies")),
            Quantifier::No => (false, or_whole(matching, "an item qualifies")),
        })
    }

    /// The items of a list of the manifest; a missing optional list has
    /// none. Bindings point into the manifest, so a computed list is an
    /// error the checker prevents.
    pub(super) fn items(&self, coll: &Ev<'m>, collection: &Expr) -> R<&'m [Value]> {
        match &coll.value {
            None => Ok(&[]),
            Some(Cow::Ref(Value::List(list))) => Ok(list),
            Some(_) => Err(format!(
                "`{}` is not a list of the manifest",
                collection.span.text()
            )),
        }
    }

    /// Binds the item `i` of the list at `base` to `slot`.
    pub(super) fn bind(
        &mut self,
        slot: usize,
        item: &'m Value,
        base: &Rc<crate::manifest::path::Path>,
        i: usize,
    ) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Some((
                item,
                SlotPlace {
                    base: Rc::clone(base),
                    index: Some(i),
                },
            ));
        }
    }

    pub(super) fn unbind(&mut self, slot: usize) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = None;
        }
    }
}
