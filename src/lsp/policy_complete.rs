//! Completion in a policy being typed: the fields of a record after a
//! path and `.`, the values of an enum beside a comparison, and a rule's
//! clauses at the start of a line. The types come from the last policies
//! that checked; the text before the cursor says what is being written.

use crate::check::ir::Rule;
use crate::check::Program;
use crate::schema::{Ty, Types};

/// What may be written at the cursor, each with a detail.
pub fn offer(program: &Program, text: &str, offset: usize) -> Vec<(String, String, Item)> {
    let Some(before) = text.get(..offset) else {
        return Vec::new();
    };
    let Some(rule) = enclosing_rule(program, before) else {
        return Vec::new();
    };
    let line = before.rsplit('\n').next().unwrap_or("");
    // A path and a dot: the fields of what the path is.
    let path = trailing_path(line);
    if let Some((path, _partial)) = path.as_deref().and_then(|p| p.rsplit_once('.')) {
        if let Some(Ty::Record(id)) = type_of(program, rule, path).as_ref().map(Ty::required) {
            if let Some(record) = program.types.record(*id) {
                return record
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            program.types.display(&f.ty).to_string(),
                            Item::Field,
                        )
                    })
                    .collect();
            }
        }
        return Vec::new();
    }
    // A comparison with an enum: its values.
    let trimmed = line.trim_end();
    for op in ["==", "!=", "in [", "in["] {
        let Some(head) = trimmed.strip_suffix(op) else {
            continue;
        };
        let Some(path) = trailing_path(head.trim_end()) else {
            continue;
        };
        let mut ty = type_of(program, rule, &path);
        while let Some(Ty::List(inner)) = ty.as_ref().map(Ty::required) {
            ty = Some((**inner).clone());
        }
        if let Some(Ty::Enum(id)) = ty.as_ref().map(Ty::required) {
            if let Some(def) = program.types.enum_def(*id) {
                return def
                    .values
                    .iter()
                    .map(|v| (v.clone(), def.name.clone(), Item::Value))
                    .collect();
            }
        }
        return Vec::new();
    }
    // The start of a line in a rule: its clauses.
    if line.trim().chars().all(|c| c.is_ascii_lowercase()) {
        return [
            "title", "severity", "each", "where", "require", "at", "message", "help",
        ]
        .iter()
        .map(|c| (c.to_string(), "clause".to_string(), Item::Clause))
        .collect();
    }
    Vec::new()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Field,
    Value,
    Clause,
}

/// The rule the cursor is in, by the last `rule ID {` before it.
fn enclosing_rule<'p>(program: &'p Program, before: &str) -> Option<&'p Rule> {
    let at = before.rfind("rule ")?;
    // Inside the rule: no closing brace at the start of a line since.
    if before
        .get(at..)?
        .lines()
        .skip(1)
        .any(|l| l.starts_with('}'))
    {
        return None;
    }
    let id = before.get(at + 5..)?.split_whitespace().next()?;
    program.rule(id.trim_end_matches('{'))
}

/// The dotted path that ends the text, with the partial word after its
/// last dot: `grant.consent.` or `grant.consent.mec`.
fn trailing_path(text: &str) -> Option<String> {
    let start = text
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let path = text.get(start..)?;
    (!path.is_empty() && !path.starts_with('.')).then(|| path.to_string())
}

/// The type of a dotted path in a rule: from a variable its `each` or a
/// quantifier bound, or from a root field of the rule's schema.
fn type_of(program: &Program, rule: &Rule, path: &str) -> Option<Ty> {
    let types: &Types = &program.types;
    let mut parts = path.split('.');
    let first = parts.next()?;
    let bound = rule
        .requirements
        .iter()
        .flat_map(|r| &r.each)
        .find(|e| e.name == first)
        .and_then(|e| match e.collection.ty.required() {
            Ty::List(elem) => Some((**elem).clone()),
            _ => None,
        });
    let root = types.schemas.get(rule.schema).map(|s| Ty::Record(s.root))?;
    let mut ty = match bound {
        Some(ty) => ty,
        None => types.record_field_ty(&root, first)?.clone(),
    };
    for part in parts {
        ty = types.record_field_ty(&ty, part)?.clone();
    }
    Some(ty)
}

#[cfg(test)]
mod tests {
    use super::{offer, Item};

    fn labels(text: &str) -> Vec<(String, Item)> {
        let program = crate::shipped::program().unwrap();
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        offer(&program, &text, at)
            .into_iter()
            .map(|(l, _, k)| (l, k))
            .collect()
    }

    const RULE: &str = "policy ftc2012 for partnership/v1\nrule ftc2012/messages-consent {\n  title \"t\"\n  severity error\n  each grant in grants\n";

    #[test]
    fn fields_after_a_path_values_beside_a_comparison_and_clauses() {
        let fields = labels(&format!("{RULE}  require grant.consent.|"));
        assert!(
            fields.contains(&("mechanism".into(), Item::Field)),
            "{fields:?}"
        );
        let root = labels(&format!("{RULE}  require partner.|"));
        assert!(root.contains(&("country".into(), Item::Field)), "{root:?}");
        let values = labels(&format!("{RULE}  require grant.consent.mechanism == |"));
        assert!(
            values.contains(&("per_scope_opt_in".into(), Item::Value)),
            "{values:?}"
        );
        let listed = labels(&format!("{RULE}  require grant.operations in [|"));
        assert!(listed.contains(&("read".into(), Item::Value)), "{listed:?}");
        let clauses = labels(&format!("{RULE}  |"));
        assert!(
            clauses.contains(&("require".into(), Item::Clause)),
            "{clauses:?}"
        );
        assert!(labels(&format!("{RULE}}}\n|")).is_empty());
    }
}
