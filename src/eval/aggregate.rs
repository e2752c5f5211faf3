//! Functions over lists and strings: `count`, `sum`, `unique`, `length`,
//! and their blame: a count past a limit points at the items past it, a
//! repeated value at its repetition with the first occurrence beside it.

use super::blame::{Blame, MAX_BLAME};
use super::join::Key;
use super::{chosen_items, own, Cow, Ev, Evaluator, R};
use crate::check::ir::{Agg, Cmp, Expr, Kind};
use crate::date::Days;
use crate::value::Value;
use std::rc::Rc;

type HashMap<K, V> = super::HashMap<K, V>;

impl<'m> Evaluator<'m, '_> {
    /// The value of `count(...)`, `sum(...)`, `unique(...)` or
    /// `length(...)`; its place is the list's (or the string's).
    pub(super) fn aggregate(
        &mut self,
        agg: Agg,
        slot: Option<usize>,
        collection: &'m Expr,
        body: Option<&'m Expr>,
    ) -> R<Ev<'m>> {
        let coll = self.value(collection)?;
        let place = coll.place.clone();
        let value = match (agg, &coll.value) {
            (Agg::Length, Some(v)) if matches!(v.get(), Value::Str(_)) => {
                let Value::Str(s) = v.get() else {
                    return Err(format!("`{}` is not a string", collection.span.text()));
                };
                self.charge(s.len() / 64)?;
                Value::Int(len(s.chars().count()))
            }
            (Agg::Count | Agg::Length, Some(v)) if matches!(v.get(), Value::Map(_)) => {
                let Value::Map(entries) = v.get() else {
                    return Err(format!("`{}` is not a map", collection.span.text()));
                };
                Value::Int(len(entries.len()))
            }
            (Agg::Count | Agg::Length, _) => {
                Value::Int(len(self.counted(slot, collection, &coll, body)?.len()))
            }
            (Agg::Sum, _) => {
                let values = self.item_values(slot, collection, &coll, body)?;
                sum(values
                    .iter()
                    .filter_map(|ev| ev.value.as_ref().map(Cow::get)))
                .ok_or_else(|| format!("`{}` is out of range", collection.span.text()))?
            }
            (Agg::Unique, _) => Value::Bool(self.is_unique(slot, collection, &coll, body)?),
        };
        Ok(Ev {
            value: Some(Cow::Own(value)),
            place,
        })
    }

    /// The indices of the items a count counts: all of them, or those for
    /// which the body holds (only the items an equality join selects can).
    fn counted(
        &mut self,
        slot: Option<usize>,
        collection: &'m Expr,
        coll: &Ev<'m>,
        body: Option<&'m Expr>,
    ) -> R<Vec<usize>> {
        let items = self.items(coll, collection)?;
        let (Some(slot), Some(body)) = (slot, body) else {
            self.charge(items.len())?;
            return Ok((0..items.len()).collect());
        };
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        let chosen = self.candidates(collection, slot, body, items)?;
        let explain = std::mem::replace(&mut self.explain, false);
        let mut counted = Vec::new();
        let mut result = Ok(());
        for (i, item) in chosen_items(items, chosen) {
            self.bind(slot, item, &base, i);
            match self.truth(body) {
                Ok((true, _)) => counted.push(i),
                Ok((false, _)) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.unbind(slot);
        self.explain = explain;
        result.map(|()| counted)
    }

    /// The values `sum` adds up or `unique` compares: the items, or the
    /// body's value for each item; missing values are left out.
    fn item_values(
        &mut self,
        slot: Option<usize>,
        collection: &'m Expr,
        coll: &Ev<'m>,
        body: Option<&'m Expr>,
    ) -> R<Vec<Ev<'m>>> {
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        let items: &'m [Value] = match (&coll.value, slot) {
            (Some(Cow::Own(Value::List(list))), None) => {
                // A computed list (a literal): its items have no place.
                self.charge(list.len())?;
                return Ok(list.iter().cloned().map(own).collect());
            }
            _ => self.items(coll, collection)?,
        };
        let (Some(slot), Some(body)) = (slot, body) else {
            self.charge(items.len())?;
            return Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| Ev {
                    value: Some(Cow::Ref(v)),
                    place: self.explain.then(|| base.index(i)),
                })
                .collect());
        };
        let mut values = Vec::with_capacity(items.len());
        let mut result = Ok(());
        for (i, item) in items.iter().enumerate() {
            self.bind(slot, item, &base, i);
            match self.value(body) {
                Ok(ev) if ev.value.is_some() => values.push(ev),
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.unbind(slot);
        result.map(|()| values)
    }

    /// Whether no two values repeat, stopping at the first that does: only
    /// the values seen are held, borrowed from the manifest. A computed
    /// value (which cannot be borrowed) is compared the long way.
    fn is_unique(
        &mut self,
        slot: Option<usize>,
        collection: &'m Expr,
        coll: &Ev<'m>,
        body: Option<&'m Expr>,
    ) -> R<bool> {
        let items: &'m [Value] = match (&coll.value, slot) {
            (Some(Cow::Own(_)), _) => {
                let values = self.item_values(slot, collection, coll, body)?;
                return Ok(repeats(&values).is_empty());
            }
            _ => self.items(coll, collection)?,
        };
        self.charge(items.len())?;
        let mut seen: super::HashMap<Key<'m>, ()> = super::HashMap::default();
        seen.reserve(items.len());
        let base = Rc::new(coll.place.clone().unwrap_or_default());
        let mut unique = true;
        let mut result = Ok(());
        for (i, item) in items.iter().enumerate() {
            let key = match (slot, body) {
                (Some(slot), Some(body)) => {
                    self.bind(slot, item, &base, i);
                    match self.value(body) {
                        Ok(ev) => match ev.value {
                            None => continue,
                            Some(v) => match Key::of(&v) {
                                Some(k) => k,
                                None => {
                                    self.unbind(slot);
                                    let values =
                                        self.item_values(Some(slot), collection, coll, Some(body))?;
                                    return Ok(repeats(&values).is_empty());
                                }
                            },
                        },
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                _ => match Key::scalar(item) {
                    Some(k) => k,
                    None => continue,
                },
            };
            if seen.insert(key, ()).is_some() {
                unique = false;
                break;
            }
        }
        if let Some(slot) = slot {
            self.unbind(slot);
        }
        result.map(|()| unique)
    }

    /// `unique(...)` as a condition: a repeated value is blamed where it
    /// repeats, with its first occurrence beside it.
    pub(super) fn aggregate_truth(&mut self, e: &'m Expr) -> R<(bool, Vec<Blame>)> {
        let Kind::Agg {
            agg: Agg::Unique,
            slot,
            collection,
            body,
        } = &e.kind
        else {
            let ev = self.value(e)?;
            return match self.need(&ev, e)? {
                Value::Bool(b) => Ok((*b, Vec::new())),
                _ => Err(format!("`{}` is not a condition", e.span.text())),
            };
        };
        let coll = self.value(collection)?;
        if !self.explain {
            let unique = self.is_unique(*slot, collection, &coll, body.as_deref())?;
            return Ok((unique, Vec::new()));
        }
        let values = self.item_values(*slot, collection, &coll, body.as_deref())?;
        let repeated = repeats(&values);
        if repeated.is_empty() {
            let blame = coll
                .place
                .filter(|_| coll.value.is_some())
                .map(|p| Blame::at(p, "no two values are equal"))
                .into_iter()
                .collect();
            return Ok((true, blame));
        }
        let ty = match body {
            Some(b) => b.ty.required().clone(),
            None => match collection.ty.required() {
                crate::schema::Ty::List(elem) => elem.required().clone(),
                other => other.clone(),
            },
        };
        let mut blame = Vec::new();
        // Every repetition: `require unique(...)` makes a finding of each.
        for (again, first) in repeated {
            let (Some(again), Some(first)) = (values.get(again), values.get(first)) else {
                continue;
            };
            let shown = again
                .value
                .as_ref()
                .map(|v| self.show(v.get(), &ty))
                .unwrap_or_default();
            if let Some(p) = &again.place {
                blame.push(Blame::at(p.clone(), format!("`{shown}` appears again")));
            }
            if let Some(p) = &first.place {
                blame.push(Blame::context(
                    p.clone(),
                    format!("`{shown}` first appears here"),
                ));
            }
        }
        Ok((false, blame))
    }

    /// When `count(...) <= n` (or `< n`, `== n`) fails because there are
    /// too many, the blame is the items past the limit, in list order.
    /// `None` for every other comparison.
    pub(super) fn past_limit(
        &mut self,
        op: Cmp,
        a: &'m Expr,
        b: &'m Expr,
        lv: &Value,
        rv: &Value,
        holds: bool,
    ) -> R<Option<Vec<Blame>>> {
        if holds {
            return Ok(None);
        }
        let counts = |e: &Expr| match &e.kind {
            Kind::Agg {
                agg: Agg::Count | Agg::Length,
                collection,
                ..
            } => matches!(collection.ty.required(), crate::schema::Ty::List(_)),
            _ => false,
        };
        let (count_expr, count, limit, op) = match (lv, rv) {
            (Value::Int(c), Value::Int(n)) if counts(a) => (a, *c, *n, op),
            (Value::Int(n), Value::Int(c)) if counts(b) => (b, *c, *n, op.flipped()),
            _ => return Ok(None),
        };
        let max = match op {
            Cmp::Le | Cmp::Eq => limit,
            Cmp::Lt => limit.saturating_sub(1),
            Cmp::Ne | Cmp::Gt | Cmp::Ge => return Ok(None),
        };
        if count <= max {
            return Ok(None);
        }
        let Kind::Agg {
            slot,
            collection,
            body,
            ..
        } = &count_expr.kind
        else {
            return Ok(None);
        };
        let coll = self.value(collection)?;
        let Some(base) = coll.place.clone() else {
            return Ok(None);
        };
        let counted = self.counted(*slot, collection, &coll, body.as_deref())?;
        let skip = usize::try_from(max.max(0)).unwrap_or(usize::MAX);
        let what = count_expr.span.text();
        // The items past the limit first (the first of them is where the
        // finding points), then those within it: each is labelled, at the
        // value that made it count when the count has a condition.
        // Every item past the limit is blamed (across manifests, each is a
        // finding of its own file); of those within it, a few are shown.
        let past = counted.iter().enumerate().skip(skip);
        let within = counted.iter().enumerate().take(skip.min(MAX_BLAME));
        let mut blame = Vec::new();
        let items: &'m [Value] = self.items(&coll, collection)?;
        let list = Rc::new(base.clone());
        for (k, i) in past.chain(within) {
            let label = if k >= skip {
                format!(
                    "number {} of {count} counted by `{what}`, past the limit of {max}",
                    k + 1
                )
            } else {
                format!("number {} of {count} counted by `{what}`", k + 1)
            };
            let at = match (slot, body, items.get(*i)) {
                (Some(slot), Some(body), Some(item)) => {
                    self.bind(*slot, item, &list, *i);
                    let explained = self.truth(body);
                    self.unbind(*slot);
                    explained?
                        .1
                        .into_iter()
                        .next()
                        .filter(|b| b.path.segs().starts_with(base.index(*i).segs()))
                }
                _ => None,
            };
            let mut b = match at {
                Some(b) => Blame::at(b.path, label),
                None => Blame::item(base.index(*i), label),
            };
            b.context = k < skip;
            blame.push(b);
        }
        Ok((!blame.is_empty()).then_some(blame))
    }
}

/// A length or count as an int.
fn len(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The sum of ints or durations; `None` when it overflows. No values sum
/// to the int 0.
fn sum<'a>(values: impl Iterator<Item = &'a Value>) -> Option<Value> {
    let mut total: Option<Value> = None;
    for v in values {
        total = Some(match (total, v) {
            (None, Value::Int(n)) => Value::Int(*n),
            (None, Value::Duration(d)) => Value::Duration(*d),
            (Some(Value::Int(t)), Value::Int(n)) => Value::Int(t.checked_add(*n)?),
            (Some(Value::Duration(t)), Value::Duration(d)) => {
                Value::Duration(Days::new(t.days.checked_add(d.days)?))
            }
            _ => return None,
        });
    }
    Some(total.unwrap_or(Value::Int(0)))
}

/// Each value that repeats an earlier one, with the earlier one's index:
/// (repetition, first occurrence), in list order.
fn repeats(values: &[Ev<'_>]) -> Vec<(usize, usize)> {
    let mut first: HashMap<Key<'_>, usize> = HashMap::default();
    let mut out = Vec::new();
    for (i, ev) in values.iter().enumerate() {
        let Some(key) = ev.value.as_ref().and_then(|v| Key::scalar(v.get())) else {
            continue;
        };
        match first.get(&key) {
            Some(&j) => out.push((i, j)),
            None => {
                first.insert(key, i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::path::Path;

    #[test]
    fn sums_add_ints_and_durations_and_refuse_overflow() {
        let ints = [Value::Int(2), Value::Int(3)];
        assert_eq!(sum(ints.iter()), Some(Value::Int(5)));
        let days = [Value::Duration(Days::new(7)), Value::Duration(Days::new(7))];
        assert_eq!(sum(days.iter()), Some(Value::Duration(Days::new(14))));
        assert_eq!(sum([].iter()), Some(Value::Int(0)));
        let big = [Value::Int(i64::MAX), Value::Int(1)];
        assert_eq!(sum(big.iter()), None);
    }

    #[test]
    fn repeats_point_at_the_later_occurrence() {
        let values: Vec<Value> = ["a", "b", "a", "a"]
            .iter()
            .map(|s| Value::Str(s.to_string()))
            .collect();
        let evs: Vec<Ev> = values
            .iter()
            .map(|v| Ev {
                value: Some(Cow::Ref(v)),
                place: Some(Path::root()),
            })
            .collect();
        assert_eq!(repeats(&evs), vec![(2, 0), (3, 0)]);
    }
}
