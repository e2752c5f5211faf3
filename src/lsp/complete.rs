//! Completion in a manifest being typed: the keys a record may still take,
//! and the values of an enum field. The text is read line by line, by its
//! indentation, since a file being typed is seldom valid YAML: block
//! mappings and lists, as manifests are written.

use crate::schema::{RecordDef, Ty, Types};

/// What may be written at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    /// Keys of the record, with their types; those already present are
    /// left out.
    Keys(Vec<(String, String)>),
    /// The values of the enum the key's field holds.
    Values(Vec<String>),
}

/// One line, read: its indentation, whether it starts a list item, and its
/// key and the text after the colon.
struct Line<'a> {
    /// Column of the key (after any `- `).
    indent: usize,
    /// Column of the `- ` that starts a list item here, if one does.
    dash: Option<usize>,
    key: Option<&'a str>,
    value: &'a str,
}

fn line(text: &str) -> Option<Line<'_>> {
    let trimmed = text.trim_start_matches(' ');
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let mut indent = text.len() - trimmed.len();
    let mut rest = trimmed;
    let mut dash = None;
    while let Some(after) = rest
        .strip_prefix("- ")
        .or_else(|| (rest == "-").then_some(""))
    {
        dash.get_or_insert(indent);
        let inner = after.trim_start_matches(' ');
        indent += rest.len() - inner.len();
        rest = inner;
    }
    let (key, value) = match rest.split_once(':') {
        Some((k, v)) if !k.is_empty() && !k.contains(['{', '[', '"', '\'', ' ']) => {
            (Some(k), v.trim())
        }
        _ => (None, rest.trim()),
    };
    Some(Line {
        indent,
        dash,
        key,
        value,
    })
}

enum Step<'a> {
    Key(&'a str),
    Item,
}

/// What may be written at `offset` of `text`, a manifest of the schema its
/// `schema:` line names.
pub fn offer(types: &Types, text: &str, offset: usize) -> Option<Offer> {
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let current = before.get(line_start..)?;
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("schema:"))
        .map(|v| v.trim().trim_matches(['"', '\'']))?;
    let (_, schema) = types.schema(id)?;
    // The cursor's line: a key being typed, or a value after `key:`.
    let here = line(current);
    let (indent, value_of) = match &here {
        Some(l) => (l.indent, l.key.filter(|_| current.contains(':'))),
        None => (current.len(), None),
    };
    let lines_before: Vec<&str> = text.get(..line_start)?.lines().collect();
    let lines_after: Vec<&str> = text.get(line_start..)?.lines().skip(1).collect();
    let starts_item = here.as_ref().and_then(|l| l.dash);
    // The keys already in the record: lines at the cursor's column, up to
    // the start of its list item or its parent, and down to the next item
    // or the parent's end.
    let mut siblings: Vec<&str> = Vec::new();
    if starts_item.is_none() {
        for l in lines_before.iter().rev().filter_map(|t| line(t)) {
            if l.indent < indent {
                break;
            }
            if l.indent == indent {
                siblings.extend(l.key);
                if l.dash.is_some() {
                    break;
                }
            }
        }
    }
    for l in lines_after.iter().filter_map(|t| line(t)) {
        if l.indent < indent || (l.indent == indent && l.dash.is_some()) {
            break;
        }
        if l.indent == indent {
            siblings.extend(l.key);
        }
    }
    // The keys and list items that enclose the cursor, innermost first.
    let mut steps: Vec<Step> = Vec::new();
    let mut want = indent;
    let mut in_item = false;
    if let Some(dash) = starts_item {
        steps.push(Step::Item);
        want = dash;
        in_item = true;
    }
    for l in lines_before.iter().rev().filter_map(|t| line(t)) {
        if want == 0 && !in_item {
            break;
        }
        if l.indent == want && l.dash.is_some() && !in_item {
            // The line that starts the list item the cursor is in.
            steps.push(Step::Item);
            want = l.dash.unwrap_or(0);
            in_item = true;
            continue;
        }
        // A parent: a key with nothing after it, less indented (or, for a
        // list written at its key's column, as indented).
        let parent = l.indent < want || (in_item && l.indent == want && l.dash.is_none());
        if !parent {
            continue;
        }
        match l.key {
            Some(k) if l.value.is_empty() => steps.push(Step::Key(k)),
            _ => return None,
        }
        want = l.indent;
        in_item = false;
        if let Some(dash) = l.dash {
            steps.push(Step::Item);
            want = dash;
            in_item = true;
        }
    }
    // From the root down to the record the cursor is in.
    let mut ty = Ty::Record(schema.root);
    for step in steps.iter().rev() {
        ty = match (step, ty.required()) {
            (Step::Key(k), Ty::Record(id)) => types.record(*id)?.field(k)?.1.ty.clone(),
            (Step::Item, Ty::List(elem)) => (**elem).clone(),
            (Step::Key(_), Ty::Map(_, v)) => (**v).clone(),
            _ => return None,
        };
    }
    let Ty::Record(id) = ty.required() else {
        return None;
    };
    let record = types.record(*id)?;
    match value_of {
        Some(key) => values(types, record, key),
        None => Some(Offer::Keys(
            record
                .fields
                .iter()
                .filter(|f| !siblings.contains(&f.name.as_str()))
                .map(|f| (f.name.clone(), types.display(&f.ty).to_string()))
                .collect(),
        )),
    }
}

fn values(types: &Types, record: &RecordDef, key: &str) -> Option<Offer> {
    let mut ty = record.field(key)?.1.ty.required();
    while let Ty::List(inner) = ty {
        ty = inner.required();
    }
    match ty {
        Ty::Enum(id) => Some(Offer::Values(types.enum_def(*id)?.values.clone())),
        Ty::Bool => Some(Offer::Values(vec!["true".into(), "false".into()])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{offer, Offer};

    fn program() -> crate::check::Program {
        crate::shipped::program().unwrap()
    }

    fn keys(text: &str) -> Vec<String> {
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        match offer(&program().types, &text, at) {
            Some(Offer::Keys(keys)) => keys.into_iter().map(|(k, _)| k).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn values(text: &str) -> Vec<String> {
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        match offer(&program().types, &text, at) {
            Some(Offer::Values(v)) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_not_yet_present_at_the_root_in_a_record_and_in_a_list_item() {
        let root = keys("schema: partnership/v1\npartner:\n  id: x\n|\ngrants: []\n");
        assert!(root.contains(&"role".to_string()), "{root:?}");
        assert!(
            !root.contains(&"partner".to_string()) && !root.contains(&"grants".to_string()),
            "{root:?}"
        );
        let partner = keys("schema: partnership/v1\npartner:\n  id: x\n  |\nrole: processor\n");
        assert!(
            partner.contains(&"name".to_string()) && !partner.contains(&"id".to_string()),
            "{partner:?}"
        );
        let grant = keys("schema: partnership/v1\ngrants:\n  - id: g\n    feature: f\n    |\n");
        assert!(grant.contains(&"api".to_string()), "{grant:?}");
        assert!(
            !grant.contains(&"id".to_string()) && !grant.contains(&"feature".to_string()),
            "{grant:?}"
        );
        let indentless = keys("schema: partnership/v1\ngrants:\n- id: g\n  |\n");
        assert!(
            indentless.contains(&"api".to_string()) && !indentless.contains(&"id".to_string()),
            "{indentless:?}"
        );
        let new_item = keys("schema: partnership/v1\ngrants:\n  - id: g\n  - |\n");
        assert!(new_item.contains(&"id".to_string()), "{new_item:?}");
        let nested = keys("schema: partnership/v1\ngrants:\n  - id: g\n    consent:\n      |\n");
        assert!(nested.contains(&"mechanism".to_string()), "{nested:?}");
    }

    #[test]
    fn values_of_an_enum_field() {
        let kinds = values("schema: partnership/v1\npartner:\n  kind: |\n");
        assert!(
            kinds.contains(&"integration_partner".to_string()),
            "{kinds:?}"
        );
        let ops = values("schema: partnership/v1\ngrants:\n  - id: g\n    operations: |\n");
        assert!(ops.contains(&"read".to_string()), "{ops:?}");
        let b = values("schema: partnership/v1\nown_purpose_use: |\n");
        assert_eq!(b, ["true", "false"]);
    }
}
