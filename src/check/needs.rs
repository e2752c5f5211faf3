//! What rules across manifests read. Such rules run once every manifest is
//! loaded, so each manifest is kept until then: only the fields these rules
//! read are kept, worked out here from the rules.

use super::ir::{Expr, Kind, Part, Rule};
use crate::value::Value;
use std::collections::BTreeMap;

/// The fields of a value that are read: all of it, or some of its fields
/// (by index), each with what of it is read. Lists are transparent: what is
/// read of a list is read of each item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Need {
    pub whole: bool,
    pub fields: BTreeMap<usize, Need>,
}

impl Need {
    fn add(&mut self, path: &[usize]) {
        if self.whole {
            return;
        }
        match path.split_first() {
            None => {
                self.whole = true;
                self.fields.clear();
            }
            Some((first, rest)) => self.fields.entry(*first).or_default().add(rest),
        }
    }

    /// Whether nothing is read.
    pub fn is_empty(&self) -> bool {
        !self.whole && self.fields.is_empty()
    }

    /// The part of `value` that is read; fields not read are left out.
    pub fn project(&self, value: &Value) -> Value {
        if self.whole {
            return value.clone();
        }
        match value {
            Value::Record(fields) => {
                // Fields past the last one read are left off altogether: a
                // kept manifest costs what its read fields cost.
                let len = self
                    .fields
                    .keys()
                    .next_back()
                    .map_or(0, |last| last + 1)
                    .min(fields.len());
                Value::Record(
                    fields
                        .iter()
                        .take(len)
                        .enumerate()
                        .map(|(i, f)| {
                            let need = self.fields.get(&i)?;
                            f.as_ref().map(|v| need.project(v))
                        })
                        .collect(),
                )
            }
            Value::List(items) => Value::List(items.iter().map(|v| self.project(v)).collect()),
            Value::Bool(_)
            | Value::Int(_)
            | Value::Str(_)
            | Value::Date(_)
            | Value::Duration(_)
            | Value::Enum(_)
            | Value::Map(_)
            | Value::Invalid => value.clone(),
        }
    }
}

/// What the rules across manifests of each schema read of a manifest, by
/// schema index; `None` for a schema no such rule checks.
pub fn needs(rules: &[Rule], schemas: usize) -> Vec<Option<Need>> {
    let mut out: Vec<Option<Need>> = vec![None; schemas];
    for rule in rules.iter().filter(|r| r.across) {
        let mut walk = Walk {
            origins: vec![None; rule.slots],
            need: Need::default(),
        };
        for req in &rule.requirements {
            for each in &req.each {
                walk.bind(each.slot, &each.collection);
                walk.expr(&each.collection);
                if let Some(f) = &each.filter {
                    walk.expr(f);
                }
            }
            let holes = req
                .message
                .iter()
                .chain(req.help.iter().flatten())
                .filter_map(|p| match p {
                    Part::Hole(e) => Some(e),
                    Part::Text(_) => None,
                });
            for e in req
                .filter
                .iter()
                .chain(std::iter::once(&req.require))
                .chain(req.at.iter())
                .chain(holes)
            {
                walk.expr(e);
            }
        }
        if let Some(slot) = out.get_mut(rule.schema) {
            let need = slot.get_or_insert_with(Need::default);
            merge(need, walk.need);
        }
    }
    out
}

fn merge(into: &mut Need, from: Need) {
    if from.whole {
        into.add(&[]);
        return;
    }
    for (i, n) in from.fields {
        if into.whole {
            return;
        }
        merge(into.fields.entry(i).or_default(), n);
    }
}

struct Walk {
    /// For each variable slot bound to items under a manifest, the fields
    /// from the manifest's root to those items.
    origins: Vec<Option<Vec<usize>>>,
    need: Need,
}

impl Walk {
    fn bind(&mut self, slot: usize, collection: &Expr) {
        let origin = match &collection.kind {
            Kind::Manifests => Some(Vec::new()),
            _ => self.access(collection),
        };
        if let Some(o) = self.origins.get_mut(slot) {
            *o = origin;
        }
    }

    /// The fields from a manifest's root to the value of `e`, when `e` is a
    /// path from a variable bound under a manifest.
    fn access(&self, e: &Expr) -> Option<Vec<usize>> {
        match &e.kind {
            Kind::Var(slot) => self.origins.get(*slot).cloned().flatten(),
            Kind::Field { base, index, .. } => {
                let mut path = self.access(base)?;
                path.push(*index);
                Some(path)
            }
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            Kind::Var(_) | Kind::Field { .. } => match self.access(e) {
                Some(path) => self.need.add(&path),
                None => {
                    if let Kind::Field { base, .. } = &e.kind {
                        self.expr(base);
                    }
                }
            },
            Kind::Root | Kind::Manifests | Kind::Lit(_) | Kind::Today => {}
            Kind::List(items) => items.iter().for_each(|i| self.expr(i)),
            Kind::Not(a) => self.expr(a),
            Kind::IsSet { expr, .. } => self.expr(expr),
            Kind::Matches(a, _) => self.expr(a),
            Kind::And(a, b)
            | Kind::Or(a, b)
            | Kind::Cmp(_, a, b)
            | Kind::Has(_, a, b)
            | Kind::Text(_, a, b)
            | Kind::Arith(_, a, b)
            | Kind::In {
                elem: a, set: b, ..
            } => {
                self.expr(a);
                self.expr(b);
            }
            Kind::Quant {
                slot,
                collection,
                body,
                ..
            } => {
                self.bind(*slot, collection);
                self.collection(collection);
                self.expr(body);
            }
            Kind::Agg {
                slot,
                collection,
                body,
                ..
            } => match (slot, body) {
                (Some(slot), Some(body)) => {
                    self.bind(*slot, collection);
                    self.collection(collection);
                    self.expr(body);
                }
                _ => self.expr(collection),
            },
        }
    }

    /// A list iterated: its items are read only as the body reads them,
    /// but the list itself must be there.
    fn collection(&mut self, e: &Expr) {
        match self.access(e) {
            Some(path) => {
                let mut need = &mut self.need;
                for i in path {
                    if need.whole {
                        return;
                    }
                    need = need.fields.entry(i).or_default();
                }
            }
            None => self.expr(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{compile, Program};
    use crate::schema::Ty;
    use crate::source::Source;

    fn program(rules: &str) -> Program {
        compile(&[
            crate::shipped::schema(),
            Source::new("r.proviso", format!("policy r for partnership/v1\n{rules}")),
        ])
        .unwrap_or_else(|e| panic!("{e:#?}"))
    }

    /// The fields read of a manifest, as dotted names, sorted.
    fn read(rules: &str) -> Vec<String> {
        let program = program(rules);
        let (schema, def) = program.types.schema("partnership/v1").unwrap();
        let mut out = Vec::new();
        if let Some(need) = &program.needs[schema] {
            names(&program, def.root, need, "", &mut out);
        }
        out.sort();
        out
    }

    fn names(program: &Program, rid: usize, need: &Need, prefix: &str, out: &mut Vec<String>) {
        if need.whole {
            out.push(format!("{prefix}*"));
            return;
        }
        let rec = program.types.record(rid).unwrap();
        for (i, n) in &need.fields {
            let f = &rec.fields[*i];
            let name = format!("{prefix}{}", f.name);
            let inner = match f.ty.required() {
                Ty::List(t) => t.required().clone(),
                other => other.clone(),
            };
            match inner {
                Ty::Record(r) if !n.whole => names(program, r, n, &format!("{name}."), out),
                _ => out.push(name),
            }
        }
    }

    #[test]
    fn only_the_fields_rules_across_manifests_read_are_kept() {
        // The shipped catalogue keeps the partner's id, and nothing else.
        let shipped = crate::shipped::program().unwrap();
        let (schema, _) = shipped.types.schema("partnership/v1").unwrap();
        let need = shipped.needs[schema].clone().unwrap();
        assert_eq!(need.fields.len(), 1);
        assert_eq!(
            read("rule r/u { title \"t\" severity error require unique(m in manifests: m.partner.id) message \"m\" }"),
            ["partner.id"]
        );
        // Items of a list keep what is read of each; a list counted whole
        // is kept whole; a message hole is read too.
        assert_eq!(
            read(
                "rule r/c { title \"t\" severity error
                   each m in manifests
                   require count(g in m.grants: g.retention is set) <= count(m.features)
                   message \"{m.partner.name}\" }"
            ),
            ["features", "grants.retention", "partner.name"]
        );
        // Rules of one manifest keep nothing.
        let program = program(
            "rule r/n { title \"t\" severity error require count(grants) <= 3 message \"m\" }",
        );
        assert!(program.needs.iter().all(Option::is_none));
    }

    #[test]
    fn a_projection_leaves_out_what_is_not_read() {
        let mut need = Need::default();
        need.add(&[1]);
        need.add(&[2, 0]);
        let v = Value::Record(vec![
            Some(Value::Int(1)),
            Some(Value::Str("kept".into())),
            Some(Value::List(vec![Value::Record(vec![
                Some(Value::Bool(true)),
                Some(Value::Bool(false)),
            ])])),
        ]);
        assert_eq!(
            need.project(&v),
            Value::Record(vec![
                None,
                Some(Value::Str("kept".into())),
                Some(Value::List(vec![Value::Record(vec![Some(Value::Bool(
                    true
                ))])])),
            ])
        );
    }
}
