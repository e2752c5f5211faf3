//! `tool.driver.rules`: the catalogue as code scanning shows it beside an
//! alert. Each rule has a readable name that is not its id (SARIF1001), its
//! doc comment, its help and where it is declared, a link to its section
//! of the documentation when proviso ships it, and tags to filter by.

use super::root::Root;
use super::{level, CatalogueEntry};
use crate::ast::Severity;
use serde_json::{json, Map, Value};

/// The project's repository: `tool.driver.informationUri`.
pub const REPOSITORY: &str = "https://github.com/proviso/proviso";

/// The documentation of the shipped rules and built-in checks, one section
/// each: each such rule's `helpUri` is this page and the anchor GitHub
/// gives the rule's heading. There is no site apart from the repository,
/// so the page is the repository's own, on its default branch.
pub const RULES_DOC: &str = "https://github.com/proviso/proviso/blob/main/docs/rules.md";

/// The descriptors of the catalogue, in its order.
pub fn descriptors(entries: &[CatalogueEntry<'_>], root: &Root) -> Vec<Value> {
    let names = names(entries);
    entries
        .iter()
        .zip(names)
        .map(|(entry, name)| descriptor(entry, name, root))
        .collect()
}

fn descriptor(entry: &CatalogueEntry<'_>, name: String, root: &Root) -> Value {
    let doc = entry.doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let full = if doc.is_empty() {
        match entry.source {
            Some(_) => entry.title.to_string(),
            None => format!(
                "{}: a check built into proviso; it runs whatever the policies and cannot be waived",
                entry.title
            ),
        }
    } else {
        doc.clone()
    };
    let shipped = entry.source.is_none_or(|span| span.src.is_builtin());
    let help_uri = shipped.then(|| format!("{RULES_DOC}#{}", anchor(entry.id)));
    let (text, markdown) = help(entry, &doc, root, help_uri.as_deref());
    let mut rule = Map::new();
    rule.insert("id".into(), json!(entry.id));
    rule.insert("name".into(), json!(name));
    rule.insert("shortDescription".into(), json!({ "text": entry.title }));
    rule.insert("fullDescription".into(), json!({ "text": full }));
    rule.insert("help".into(), json!({ "text": text, "markdown": markdown }));
    if let Some(uri) = help_uri {
        rule.insert("helpUri".into(), json!(uri));
    }
    rule.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(entry.severity) }),
    );
    let tags = match entry.source {
        Some(_) => vec![entry.policy, "privacy"],
        None => vec![entry.policy],
    };
    rule.insert(
        "properties".into(),
        json!({
            "tags": tags,
            // A rule decides from the manifest's values alone: a finding
            // is never a guess.
            "precision": "very-high",
            "problem.severity": match entry.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "recommendation",
            },
            "policy": entry.policy,
        }),
    );
    Value::Object(rule)
}

/// The rule's help, as text and as Markdown: its doc comment (which cites
/// its source) and help line, then where it is declared. A shipped policy
/// is compiled into proviso, not a file of the repository, so it is
/// described here rather than pointed at (see `rule_location` in the
/// parent module).
fn help(
    entry: &CatalogueEntry<'_>,
    doc: &str,
    root: &Root,
    help_uri: Option<&str>,
) -> (String, String) {
    let id = entry.id;
    let declared = match entry.source {
        None => "A check built into proviso: it runs on every file checked, whatever the policies, and cannot be waived.".to_string(),
        Some(span) if span.src.is_builtin() => {
            let policy = entry.policy;
            format!(
                "Declared in `{}`, the `{policy}` policy shipped inside proviso (not a file of this repository): `proviso show {id}` prints the rule, `proviso show {policy}` the whole policy.",
                span.src.name
            )
        }
        Some(span) => {
            let place = root.artifact(span.src.name.as_bytes());
            format!(
                "Declared in `{}`, line {}: `proviso show {id}` prints it.",
                place.shown,
                span.start_line_col().0
            )
        }
    };
    let mut text = Vec::new();
    let mut markdown = Vec::new();
    if !doc.is_empty() {
        text.push(doc.to_string());
        markdown.push(md(doc));
    }
    if let Some(help) = &entry.help {
        text.push(format!("How to fix: {help}"));
        markdown.push(format!(
            "**How to fix:** {}",
            help.lines().map(md).collect::<Vec<_>>().join("  \n")
        ));
    }
    text.push(declared.clone());
    markdown.push(md(&declared));
    if let Some(uri) = help_uri {
        text.push(format!("Documentation: {uri}"));
        markdown.push(format!("[Documentation of `{id}`]({uri})"));
    }
    (text.join("\n\n"), markdown.join("\n\n"))
}

/// Each rule's name: its whole id in PascalCase
/// (`ftc2012/messages-consent` is `Ftc2012MessagesConsent`), so that a
/// rule's name is the same whatever other rules are loaded beside it.
fn names(entries: &[CatalogueEntry<'_>]) -> Vec<String> {
    entries.iter().map(|e| pascal(e.id)).collect()
}

/// `messages-consent` as `MessagesConsent`: each run of letters and digits
/// capitalised, the rest left out.
pub fn pascal(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(chars)
        })
        .collect()
}

/// The anchor GitHub gives a Markdown heading that is the rule's id:
/// lowercase, punctuation other than `-` and `_` left out, spaces as `-`
/// (`ftc2012/messages-consent` is `ftc2012messages-consent`).
pub fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Text from a policy as Markdown: code spans (between backticks) stay
/// code, and outside them the characters Markdown would read as markup
/// are escaped. With an odd number of backticks nothing is code. An `_`
/// inside a word (`per_scope_opt_in`) is no markup and stays as written.
fn md(text: &str) -> String {
    let spans = text.matches('`').count() % 2 == 0;
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' && spans {
            in_code = !in_code;
        } else if !in_code {
            let next = chars.peek().copied().unwrap_or(' ');
            let markup = match c {
                '_' => !(prev.is_alphanumeric() && next.is_alphanumeric()),
                '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => true,
                _ => false,
            };
            if markup {
                out.push('\\');
            }
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal("messages-consent"), "MessagesConsent");
        assert_eq!(pascal("ftc2012/messages-consent"), "Ftc2012MessagesConsent");
        assert_eq!(pascal("waiver_too--long"), "WaiverTooLong");
    }

    #[test]
    fn anchors_are_githubs() {
        assert_eq!(
            anchor("ftc2012/messages-consent"),
            "ftc2012messages-consent"
        );
        assert_eq!(anchor("Repo/Unique_ID"), "repounique_id");
    }

    #[test]
    fn markdown_keeps_code_and_escapes_the_rest() {
        assert_eq!(
            md("keep `own_purpose_use: false` and special.* <b>"),
            r"keep `own_purpose_use: false` and special.\* \<b\>"
        );
        assert_eq!(md("a ` b_c _d_"), r"a \` b_c \_d\_");
    }
}
