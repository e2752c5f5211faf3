//! Equality joins: `each feature in features where feature.id ==
//! grant.feature`, or `any f in features: f.id == grant.feature`, answered
//! from an index of the list built once, so that a join costs the sum of
//! the lists' lengths, not their product.

use super::{Cow, Evaluator, SlotPlace, R};
use crate::check::ir::{Cmp, Expr, Kind};
use crate::date::Date;
use crate::manifest::path::Path;
use crate::value::Value;
use std::rc::Rc;

type HashMap<K, V> = super::HashMap<K, V>;

/// A scalar of the manifest as a hash key.
#[derive(PartialEq, Eq, Hash)]
pub(super) enum Key<'m> {
    Str(&'m str),
    Int(i64),
    Bool(bool),
    Enum(u32),
    Date(Date),
    Duration(crate::date::Days),
}

impl<'m> Key<'m> {
    /// A manifest value as a key; `None` for a computed value, which the
    /// index cannot borrow.
    pub(super) fn of(v: &Cow<'m>) -> Option<Key<'m>> {
        match v {
            Cow::Ref(v) => Key::scalar(v),
            Cow::Own(_) => None,
        }
    }

    /// A scalar as a key; `None` for lists, records and maps.
    pub(super) fn scalar(v: &'m Value) -> Option<Key<'m>> {
        Some(match v {
            Value::Str(s) => Key::Str(s),
            Value::Int(i) => Key::Int(*i),
            Value::Bool(b) => Key::Bool(*b),
            Value::Enum(e) => Key::Enum(*e),
            Value::Date(d) => Key::Date(*d),
            Value::Duration(d) => Key::Duration(*d),
            Value::List(_) | Value::Record(_) | Value::Map(_) | Value::Invalid => return None,
        })
    }
}

/// For a condition over the items of a list that holds `item.f == e` (as
/// itself or as a conjunct), with `e` free of the item: the items by the
/// value of `item.f`. Only those items can satisfy the condition, so a join
/// of two lists costs the sum of their lengths, not the product.
pub(super) struct JoinIndex<'m> {
    /// The side of the equality that does not depend on the item.
    probe: &'m Expr,
    items: HashMap<Key<'m>, Vec<usize>>,
}

/// The items to visit, with their indices: those a join chose (in list
/// order), or all of them.
pub(super) fn chosen_items(
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
        Kind::Root | Kind::Manifests | Kind::Lit(_) | Kind::Today => false,
        // Anything else is not a plain path: treat it as dependent, which
        // only ever turns the index off.
        Kind::List(_)
        | Kind::Not(_)
        | Kind::And(..)
        | Kind::Or(..)
        | Kind::Cmp(..)
        | Kind::In { .. }
        | Kind::Has(..)
        | Kind::Text(..)
        | Kind::Matches(..)
        | Kind::Agg { .. }
        | Kind::Arith(..)
        | Kind::IsSet { .. }
        | Kind::Quant { .. } => true,
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
        Kind::Root | Kind::Manifests => true,
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
    /// The items of `items` (the collection `collection` bound in `slot`)
    /// that can satisfy `cond`: those an equality join selects, or all.
    pub(super) fn candidates(
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
}
