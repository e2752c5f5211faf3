#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The YAML a test case's manifest is written back as (a base patched by
//! the case) reads back as the same tree: the same keys in the same order,
//! the same scalar texts, and every unquoted scalar the same type. A value
//! that changed on the way would make a case test another manifest than
//! the one it names.

use proptest::prelude::*;
use proviso::manifest::load::plain_is_text;
use proviso::manifest::yaml::Style;
use proviso::source::{Source, Span};
use proviso::testing::tree::{emit, read, Kind, Node};

fn span() -> Span {
    let src = Source::new("generated", "");
    Span::new(&src, 0..0)
}

/// Scalar texts with what makes YAML awkward: indicators, `: ` and ` #`,
/// quotes, escapes, leading and trailing spaces, numbers, booleans, nulls,
/// line breaks, control and non-ASCII characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        "[-?:,\\[\\]{}#&*!|>'\"%@` ]{0,3}[a-z0-9 :#.-]{0,6}[ :]{0,2}",
        Just("true".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("-5".to_string()),
        Just("0x1F".to_string()),
        Just("1.5e3".to_string()),
        Just(".inf".to_string()),
        Just("2019-06-01".to_string()),
        Just("30d".to_string()),
        "\\PC{0,6}",
        "[a\n\t\r\\\\\u{7f}\u{85}\u{2028}\u{feff}é漢😀]{0,5}",
    ]
}

fn scalar() -> impl Strategy<Value = Node> {
    (text(), any::<bool>()).prop_map(|(text, quoted)| {
        // An unquoted scalar is only generated where YAML could have read
        // one: no line breaks or control characters, no edge spaces.
        let plain_possible = !text.is_empty()
            && !text.chars().any(char::is_control)
            && text.trim() == text
            && !text.contains(['\u{85}', '\u{2028}', '\u{feff}']);
        Node {
            kind: Kind::Scalar {
                text,
                style: if quoted || !plain_possible {
                    Style::Quoted
                } else {
                    Style::Plain
                },
                tag: None,
            },
            span: span(),
        }
    })
}

fn node() -> impl Strategy<Value = Node> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| Node {
                kind: Kind::Seq(items),
                span: span()
            }),
            prop::collection::vec(("[a-z_][a-z0-9_ -]{0,6}|\\PC{1,4}", inner), 0..4).prop_map(
                |entries| {
                    let mut seen = Vec::new();
                    let entries = entries
                        .into_iter()
                        .filter(|(k, _)| {
                            let fresh = !seen.contains(k);
                            seen.push(k.clone());
                            fresh
                        })
                        .map(|(k, v)| (k, span(), v))
                        .collect();
                    Node {
                        kind: Kind::Map(entries),
                        span: span(),
                    }
                }
            ),
        ]
    })
}

/// The tree read back matches the one written.
fn same(written: &Node, read: &Node) -> Result<(), String> {
    match (&written.kind, &read.kind) {
        (
            Kind::Scalar {
                text: a, style: sa, ..
            },
            Kind::Scalar {
                text: b, style: sb, ..
            },
        ) => {
            if a != b {
                return Err(format!("scalar {a:?} read back as {b:?}"));
            }
            // Quoting an unquoted scalar is right only for one that was a
            // string anyway.
            if *sa == Style::Plain && *sb != Style::Plain && !plain_is_text(a) {
                return Err(format!("unquoted {a:?} (not a string) came back quoted"));
            }
            if *sa != Style::Plain && *sb == Style::Plain && !plain_is_text(b) {
                return Err(format!(
                    "quoted {a:?} came back unquoted, which reads as another type"
                ));
            }
            Ok(())
        }
        (Kind::Seq(a), Kind::Seq(b)) if a.len() == b.len() => {
            a.iter().zip(b).try_for_each(|(x, y)| same(x, y))
        }
        (Kind::Map(a), Kind::Map(b)) if a.len() == b.len() => {
            a.iter().zip(b).try_for_each(|((ka, _, va), (kb, _, vb))| {
                if ka != kb {
                    return Err(format!("key {ka:?} read back as {kb:?}"));
                }
                same(va, vb)
            })
        }
        _ => Err(format!("{} read back as {}", written.what(), read.what())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_written_tree_reads_back_the_same(tree in prop::collection::vec(("[a-z]{1,6}", node()), 1..5)) {
        let mut seen = Vec::new();
        let entries: Vec<(String, Span, Node)> = tree
            .into_iter()
            .filter(|(k, _)| { let fresh = !seen.contains(k); seen.push(k.clone()); fresh })
            .map(|(k, v)| (k, span(), v))
            .collect();
        let root = Node { kind: Kind::Map(entries), span: span() };
        let text = emit(&root);
        let src = Source::new("emitted.yaml", text.clone());
        let back = read(&src).map_err(|d| TestCaseError::fail(format!("{}\n{text}", d.message)))?;
        let back = back.ok_or_else(|| TestCaseError::fail(format!("empty\n{text}")))?;
        if let Err(e) = same(&root, &back) {
            return Err(TestCaseError::fail(format!("{e}\n--- emitted\n{text}")));
        }
    }
}
