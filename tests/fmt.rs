//! `proviso fmt`: the layout (snapshots of messy files formatted), the
//! guarantees (properties on generated policies: formatting twice changes
//! nothing more, the checked program and the comments stay the same), and
//! the command line (`--check`, `--diff`, rewriting in place, files that
//! do not parse). The shipped policies are formatted: a change to them
//! that is not fails here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use proviso::check::{compile, image};
use proviso::fmt::{comments, format_source};
use proviso::source::Source;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// Formats `text`, and checks what formatting must keep: the formatted
/// text formats to itself, has the same comments, and the same syntax
/// tree; with the shipped schema beside it, it checks to the same program
/// (positions aside) or fails with the same errors.
fn formatted(text: &str) -> String {
    let out = format_source(text).unwrap_or_else(|e| panic!("{e:#?}\n--- input\n{text}"));
    let again = format_source(&out).unwrap_or_else(|e| panic!("{e:#?}\n--- output\n{out}"));
    assert_eq!(
        again, out,
        "formatting twice changed the text\n--- input\n{text}"
    );
    assert_eq!(
        comments(text),
        comments(&out),
        "--- input\n{text}\n--- output\n{out}"
    );
    assert_same_meaning(text, &out);
    out
}

fn assert_same_meaning(before: &str, after: &str) {
    let parse = |text: &str| {
        let (_, inner) = proviso::fmt::Envelope::open(text);
        let (file, errors) = proviso::syntax::parse_file(&Source::new("p.proviso", inner));
        assert!(errors.is_empty(), "{errors:#?}\n{text}");
        file
    };
    assert!(
        parse(before) == parse(after),
        "the syntax trees differ\n--- input\n{before}\n--- output\n{after}"
    );
    match (checked(before), checked(after)) {
        (Ok(a), Ok(b)) => assert!(
            a == b,
            "the programs differ\n--- input\n{before}\n--- output\n{after}"
        ),
        (Err(a), Err(b)) => assert_eq!(a, b, "--- input\n{before}\n--- output\n{after}"),
        (a, b) => panic!(
            "one checks, the other not: {a:?} / {b:?}\n--- input\n{before}\n--- output\n{after}"
        ),
    }
}

/// The program of `text` beside the shipped schema, as bytes without
/// positions; or its errors' messages.
fn checked(text: &str) -> Result<Vec<u8>, Vec<String>> {
    let (_, inner) = proviso::fmt::Envelope::open(text);
    let sources = vec![proviso::shipped::schema(), Source::new("p.proviso", inner)];
    match compile(&sources) {
        Ok(program) => Ok(image::meaning(&program, &sources).unwrap()),
        Err(errors) => Err(errors
            .iter()
            .map(|d| format!("{}: {}", d.message, d.label))
            .collect()),
    }
}

#[test]
fn messy_policies_are_laid_out_again() {
    insta::glob!("fmt/*.proviso", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(formatted(&text));
    });
}

#[test]
fn the_shipped_policies_are_formatted() {
    for (name, text) in proviso::shipped::POLICIES {
        assert_eq!(
            &formatted(text),
            text,
            "{name} is not formatted: run `proviso fmt policies/`"
        );
    }
    let run = proviso(
        &["fmt", "--check", "policies/"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
}

#[test]
fn a_byte_order_mark_and_crlf_line_breaks_stay() {
    let text = "\u{feff}policy p for partnership/v1\r\n\r\n\r\n// c\r\nconst   A: int = 1\r\n";
    assert_eq!(
        formatted(text),
        "\u{feff}policy p for partnership/v1\r\n\r\n// c\r\nconst A: int = 1\r\n"
    );
    assert_eq!(formatted("const A: int = 1"), "const A: int = 1\n");
    assert_eq!(formatted(""), "");
    assert_eq!(
        formatted("\n\n// only a comment   \n\n"),
        "// only a comment\n"
    );
}

#[test]
fn comments_that_look_like_code_and_code_that_looks_like_comments_keep_their_place() {
    let text = "const S: string = \"a // b\" // c \"d\"\nconst LONGER: string = \"\\\"// e\" //f\n";
    assert_eq!(
        formatted(text),
        "const S: string = \"a // b\"      // c \"d\"\nconst LONGER: string = \"\\\"// e\" //f\n"
    );
}

#[test]
fn a_text_that_does_not_parse_is_not_formatted() {
    let errors =
        format_source("policy p for partnership/v1\nrule p/r {\n  title \"t\"\n").unwrap_err();
    assert!(!errors.is_empty());
    assert!(format_source("const A: int = 99999999999999999999").is_err());
}

// ---- properties ------------------------------------------------------------

/// What comes between two generated tokens: white space of every kind,
/// blank lines, and comments that end a line or have a line of their own.
const GAPS: &[&str] = &[
    " ",
    " ",
    " ",
    "  ",
    "\n",
    "\n    ",
    "\t",
    "\n\n\n  ",
    " // c\n",
    "  //tight \n",
    "\n// own line\n",
    "\n\n  // after a blank line\n\n",
    " // \"quoted\" // and /// slashes\n",
    "\r\n",
    " //\n",
];

/// Names that are no keyword of the language.
const NAMES: &[&str] = &["a", "b", "c1", "grant", "items", "x_y", "partner"];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES).prop_map(str::to_string)
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(name(), 1..4).prop_map(|p| p.join("."))
}

type Toks = Vec<String>;

fn toks(parts: &[&str]) -> Toks {
    parts.iter().map(|s| s.to_string()).collect()
}

fn cat(parts: Vec<Toks>) -> Toks {
    parts.into_iter().flatten().collect()
}

fn literal() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "42",
        "1_000",
        "2019-06-01",
        "30d",
        "2w",
        "today",
        "true",
        "false",
        "\"s\"",
        "\"a // b\"",
        "\"q \\\" x\"",
        "\"\\.com$\"",
        "\"é 💬 {x}\"",
    ])
    .prop_map(str::to_string)
}

const OPS: &[&str] = &[
    "and",
    "and",
    "or",
    "or",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "has any",
    "has all",
    "has none",
    "matches",
    "starts with",
    "ends with",
    "contains",
    "+",
    "-",
];

/// Any expression the grammar takes, as tokens.
fn expr() -> impl Strategy<Value = Toks> {
    let leaf = prop_oneof![
        path().prop_map(|p| vec![p]),
        literal().prop_map(|l| vec![l]),
        path().prop_map(|p| vec![format!("{p}.*")]),
    ];
    leaf.prop_recursive(4, 32, 4, |e| {
        prop_oneof![
            4 => (e.clone(), prop::sample::select(OPS), e.clone())
                .prop_map(|(a, op, b)| cat(vec![a, toks(&[op]), b])),
            1 => e.clone().prop_map(|x| cat(vec![toks(&["not"]), x])),
            1 => (e.clone(), prop::sample::select(vec!["is set", "is not set"]))
                .prop_map(|(x, s)| cat(vec![x, toks(&[s])])),
            2 => e.clone().prop_map(|x| cat(vec![toks(&["("]), x, toks(&[")"])])),
            1 => (prop::collection::vec(e.clone(), 0..5), any::<bool>()).prop_map(|(items, trailing)| {
                let mut out = toks(&["["]);
                let n = items.len();
                for (i, item) in items.into_iter().enumerate() {
                    out.extend(item);
                    if i + 1 < n || trailing {
                        out.push(",".into());
                    }
                }
                out.push("]".into());
                out
            }),
            1 => (prop::sample::select(vec!["any", "all", "no"]), name(), path(), e.clone())
                .prop_map(|(q, v, p, body)| cat(vec![toks(&[q, &v, "in", &p, ":"]), body])),
            1 => (prop::sample::select(vec!["count", "unique", "length", "sum"]), e.clone())
                .prop_map(|(f, x)| cat(vec![toks(&[f, "("]), x, toks(&[")"])])),
            1 => (prop::sample::select(vec!["count", "unique", "sum"]), name(), path(), e.clone())
                .prop_map(|(f, v, p, body)| {
                    cat(vec![toks(&[f, "(", &v, "in", &p, ":"]), body, toks(&[")"])])
                }),
        ]
    })
}

fn docs() -> impl Strategy<Value = Toks> {
    prop::collection::vec(
        prop::sample::select(vec!["/// doc", "///", "///  indented ", "//// four"]),
        0..3,
    )
    .prop_map(|d| d.into_iter().map(str::to_string).collect())
}

fn ty() -> impl Strategy<Value = Toks> {
    let leaf = prop::sample::select(vec!["int", "string", "Grant", "date"])
        .prop_map(|t| vec![t.to_string()]);
    leaf.prop_recursive(2, 6, 2, |t| {
        prop_oneof![
            t.clone()
                .prop_map(|x| cat(vec![toks(&["["]), x, toks(&["]"])])),
            (t.clone(), t.clone()).prop_map(|(k, v)| cat(vec![
                toks(&["map", "<"]),
                k,
                toks(&[","]),
                v,
                toks(&[">"])
            ])),
            t.clone().prop_map(|mut x| {
                if x.last().is_some_and(|l| l != "?") {
                    x.push("?".into());
                }
                x
            }),
        ]
    })
}

fn field() -> impl Strategy<Value = Toks> {
    let constraint = prop::sample::select(vec!["unique", "not blank", ">= 0", "<= 1_000", ">=-5"]);
    (
        docs(),
        name(),
        ty(),
        prop::collection::vec(constraint, 0..3),
        any::<bool>(),
    )
        .prop_map(|(d, n, t, cs, comma)| {
            let mut out = cat(vec![d, toks(&[&n, ":"]), t]);
            out.extend(cs.into_iter().map(str::to_string));
            if comma {
                out.push(",".into());
            }
            out
        })
}

fn enum_items() -> impl Strategy<Value = Toks> {
    let item = (docs(), name())
        .prop_map(|(d, n)| cat(vec![d, vec![n]]))
        .boxed();
    let items = |item: BoxedStrategy<Toks>| {
        (prop::collection::vec((item, any::<bool>()), 0..5)).prop_map(|items| {
            let mut out = toks(&["{"]);
            for (item, comma) in items {
                out.extend(item);
                if comma {
                    out.push(",".into());
                }
            }
            out.push("}".into());
            out
        })
    };
    let flat = items(item.clone()).boxed();
    let nested =
        (docs(), name(), flat.clone()).prop_map(|(d, n, inner)| cat(vec![d, vec![n], inner]));
    prop_oneof![flat, items(prop_oneof![item, nested].boxed())]
}

fn template() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "\"m\"",
        "\"{a.b} and {c1}\"",
        "\"\\{not a hole\\}\"",
        "\"// not a comment\"",
    ])
    .prop_map(str::to_string)
}

fn requirement() -> impl Strategy<Value = Toks> {
    let each = (name(), path(), prop::option::of(expr())).prop_map(|(v, p, w)| {
        let mut out = toks(&["each", &v, "in", &p]);
        if let Some(w) = w {
            out.push("where".into());
            out.extend(w);
        }
        out
    });
    (
        prop::collection::vec(each, 0..3),
        prop::option::of(expr()),
        expr(),
        prop::option::of(path()),
        template(),
        prop::option::of(template()),
    )
        .prop_map(|(eaches, filter, require, at, message, help)| {
            let mut out: Toks = eaches.into_iter().flatten().collect();
            if let Some(w) = filter {
                out.push("where".into());
                out.extend(w);
            }
            out.push("require".into());
            out.extend(require);
            if let Some(at) = at {
                out.extend(toks(&["at", &at]));
            }
            out.extend(toks(&["message", &message]));
            if let Some(help) = help {
                out.extend(toks(&["help", &help]));
            }
            out
        })
}

fn declaration() -> impl Strategy<Value = Toks> {
    prop_oneof![
        (docs(), prop::collection::vec(field(), 0..4)).prop_map(|(d, fs)| cat(vec![
            d,
            toks(&["schema", "t/v1", "{"]),
            fs.concat(),
            toks(&["}"])
        ])),
        (docs(), name(), prop::collection::vec(field(), 0..4)).prop_map(|(d, n, fs)| cat(vec![
            d,
            toks(&["record", &n, "{"]),
            fs.concat(),
            toks(&["}"])
        ])),
        (docs(), name(), enum_items()).prop_map(|(d, n, items)| cat(vec![
            d,
            toks(&["enum", &n]),
            items
        ])),
        (docs(), name(), ty(), expr()).prop_map(|(d, n, t, e)| cat(vec![
            d,
            toks(&["const", &n, ":"]),
            t,
            toks(&["="]),
            e
        ])),
        docs().prop_map(|d| cat(vec![d, toks(&["policy", "p", "for", "partnership/v1"])])),
        (
            docs(),
            prop::sample::select(vec!["error", "warning", "note"]),
            prop::collection::vec(requirement(), 1..3)
        )
            .prop_map(|(d, severity, reqs)| {
                cat(vec![
                    d,
                    toks(&["rule", "p/r", "{", "title", "\"t\"", "severity", severity]),
                    reqs.concat(),
                    toks(&["}"]),
                ])
            }),
    ]
}

/// Tokens joined by the gaps chosen; a doc comment always ends its line.
fn join(tokens: &[String], gaps: &[usize]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        out.push_str(t);
        let gap = GAPS[gaps[i % gaps.len()] % GAPS.len()];
        if t.starts_with("///") && !gap.contains('\n') {
            out.push('\n');
        } else {
            out.push_str(gap);
        }
    }
    out
}

fn policy_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(declaration(), 0..4),
        prop::collection::vec(0..GAPS.len() * 3, 1..64),
    )
        .prop_map(|(decls, gaps)| {
            // Mostly spaces: a gap index past the list is one space.
            let gaps: Vec<usize> = gaps
                .into_iter()
                .map(|g| if g >= GAPS.len() { 0 } else { g })
                .collect();
            join(&decls.concat(), &gaps)
        })
}

/// Conditions that check against `partnership/v1` inside `each grant in
/// grants`, each whole (brackets around what would take more).
const GRANT_CONDITIONS: &[&str] = &[
    "grant.consent.recorded",
    "grant.honors_privacy_settings",
    "not grant.hides_access_indicators",
    "grant.data has any special.*",
    "grant.data has any [content.posts, content.photos,]",
    "grant.retention is set",
    "(grant.retention is set and grant.retention <= 30d)",
    "grant.lawful_basis == consent",
    "grant.consent.mechanism not in [none, opt_out]",
    "grant.granted <= today - 30d",
    "(any feature in features: feature.id == grant.feature)",
];

/// Conditions on the whole manifest.
const CONDITIONS: &[&str] = &[
    "own_purpose_use",
    "role != processor",
    "partner.country in [SE, DE, FR]",
    "partner.country in NEAR",
    "count(grants) <= 3",
    "count(g in grants: g.consent.recorded) >= 1",
    "unique(g in grants: g.id)",
    "partner.name starts with \"A\"",
    "partner.id matches \"^[a-z]+$\"",
    "length(partner.name) < 40",
    "governance.access_logs",
    "(all a in agreements: a.purpose_restricted and a.onward_transfer_prohibited)",
];

fn condition(atoms: Vec<&'static str>) -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(atoms).prop_map(str::to_string);
    leaf.prop_recursive(3, 16, 2, |c| {
        prop_oneof![
            (
                c.clone(),
                prop::sample::select(vec!["and", "or"]),
                c.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            c.clone().prop_map(|x| format!("({x})")),
            c.clone().prop_map(|x| format!("not ({x})")),
        ]
    })
}

/// A policy that checks against the shipped schema: rules over grants and
/// over the manifest, with a constant.
fn typed_policy() -> impl Strategy<Value = String> {
    let grant_atoms: Vec<&str> = GRANT_CONDITIONS.iter().chain(CONDITIONS).copied().collect();
    let rule = (
        condition(grant_atoms.clone()),
        prop::option::of(condition(grant_atoms)),
        prop::option::of(condition(CONDITIONS.to_vec())),
        any::<bool>(),
    );
    prop::collection::vec(rule, 1..3).prop_map(|rules| {
        let mut text = String::from("policy gen for partnership/v1\n/// Near.\nconst NEAR: [Country] = [SE, DK, NO, FI,\n  DE, NL,]\n");
        for (i, (require, filter, root, at)) in rules.into_iter().enumerate() {
            text.push_str(&format!("/// Rule {i}.\nrule gen/r{i} {{ title \"t\" severity warning each grant in grants "));
            if let Some(f) = filter {
                text.push_str(&format!("where {f} "));
            }
            text.push_str(&format!("require {require} "));
            if at {
                text.push_str("at grant.id ");
            }
            text.push_str("message \"{partner.name}: {grant.id}\" help \"h\" ");
            if let Some(r) = root {
                text.push_str(&format!("require {r} message \"m\" "));
            }
            text.push_str("}\n");
        }
        text
    })
}

/// The typed policy with its spaces replaced by the gaps chosen.
fn laid_out(text: &str, gaps: &[usize]) -> String {
    // Split at spaces and punctuation outside strings; a doc comment is
    // one token.
    let mut tokens = Vec::new();
    for line in text.lines() {
        if line.starts_with("///") {
            tokens.push(line.to_string());
            continue;
        }
        let mut cur = String::new();
        let mut in_string = false;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '"' if !escaped => in_string = !in_string,
                ' ' if !in_string => {
                    if !cur.is_empty() {
                        tokens.push(std::mem::take(&mut cur));
                    }
                    continue;
                }
                '(' | ')' | '[' | ']' | ',' | ':' if !in_string => {
                    if !cur.is_empty() {
                        tokens.push(std::mem::take(&mut cur));
                    }
                    tokens.push(c.to_string());
                    continue;
                }
                _ => {}
            }
            escaped = c == '\\' && !escaped;
            cur.push(c);
        }
        if !cur.is_empty() {
            tokens.push(cur);
        }
    }
    // `not in`, `has any`, `is set`, ... are tokens whose words may be
    // split by white space but not by a comment.
    let mut joined: Vec<String> = Vec::new();
    for t in tokens {
        let glue = matches!(
            (joined.last().and_then(|l| l.rsplit(' ').next()), t.as_str()),
            (
                Some("not" | "has" | "is" | "starts" | "ends"),
                "in" | "any" | "all" | "none" | "set" | "not" | "with"
            )
        );
        match (glue, joined.last_mut()) {
            (true, Some(last)) => {
                last.push(' ');
                last.push_str(&t);
            }
            _ => joined.push(t),
        }
    }
    join(&joined, gaps)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_policy_formats_to_the_same_tree_comments_and_errors(text in policy_text()) {
        let (_, inner) = proviso::fmt::Envelope::open(&text);
        let (_, errors) = proviso::syntax::parse_file(&Source::new("p.proviso", inner));
        prop_assert!(errors.is_empty(), "the generator made a text that does not parse: {errors:#?}\n{text}");
        formatted(&text);
    }

    #[test]
    fn checked_policies_format_to_the_same_program(
        text in typed_policy(),
        gaps in prop::collection::vec(0..GAPS.len() * 3, 1..64),
    ) {
        let gaps: Vec<usize> = gaps.into_iter().map(|g| if g >= GAPS.len() { 0 } else { g }).collect();
        let text = laid_out(&text, &gaps);
        prop_assert!(checked(&text).is_ok(), "the generator made a policy that does not check: {:?}\n{text}", checked(&text));
        formatted(&text);
    }

    #[test]
    fn edited_shipped_policies_format_or_are_refused(
        which in 0..proviso::shipped::POLICIES.len(),
        at in any::<usize>(),
        len in 0usize..8,
        with in prop::sample::select(vec!["", "\n", " ", "//", "(", ")", "\"", "and ", "\r\n"]),
    ) {
        let mut text = proviso::shipped::POLICIES[which].1.to_string();
        let mut start = at % (text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(start..end, with);
        if let Ok(out) = format_source(&text) {
            prop_assert_eq!(format_source(&out).ok(), Some(out.clone()));
            prop_assert_eq!(comments(&text), comments(&out));
        }
    }
}

// ---- the command line ------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn proviso(args: &[&str], dir: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const FORMATTED: &str = "\
policy team for partnership/v1

rule team/owner {
  title    \"partners have an owner\"
  severity warning
  require partner.owner is set
  message \"{partner.name} has no owner\"
}
";

const UNFORMATTED: &str = "\
policy team for partnership/v1
rule team/kind { title \"no banks\" severity note
  require  partner.kind != bank // why
  message  \"{partner.name}\" }
";

const UNFORMATTED_AFTER: &str = "\
policy team for partnership/v1
rule team/kind {
  title    \"no banks\"
  severity note
  require partner.kind != bank // why
  message \"{partner.name}\"
}
";

fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn read(dir: &TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

#[test]
fn check_names_each_file_that_would_change_and_writes_nothing() {
    let dir = dir_with(&[("a.proviso", FORMATTED), ("rules/b.proviso", UNFORMATTED)]);
    let run = proviso(&["fmt", "--check", "."], dir.path());
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.stdout, "would reformat: ./rules/b.proviso\n", "{run}");
    assert_eq!(read(&dir, "rules/b.proviso"), UNFORMATTED);

    let run = proviso(&["fmt", "--check", "a.proviso"], dir.path());
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", ""),
        "{run}"
    );
}

#[test]
fn diff_prints_the_changes_and_writes_nothing() {
    let dir = dir_with(&[("b.proviso", UNFORMATTED)]);
    let run = proviso(&["fmt", "--diff", "b.proviso"], dir.path());
    assert_eq!(run.code, 1, "{run}");
    insta::assert_snapshot!(run.stdout);
    assert_eq!(read(&dir, "b.proviso"), UNFORMATTED);
}

#[test]
fn without_flags_files_are_rewritten_in_place() {
    let dir = dir_with(&[
        ("a.proviso", FORMATTED),
        ("b.proviso", UNFORMATTED),
        (".hidden/c.proviso", UNFORMATTED),
        ("notes.txt", UNFORMATTED),
    ]);
    let run = proviso(&["fmt"], dir.path());
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "reformatted: ./b.proviso\n", ""),
        "{run}"
    );
    assert_eq!(read(&dir, "b.proviso"), UNFORMATTED_AFTER);
    assert_eq!(read(&dir, "a.proviso"), FORMATTED);
    assert_eq!(
        read(&dir, ".hidden/c.proviso"),
        UNFORMATTED,
        "hidden directories are not entered"
    );
    assert_eq!(read(&dir, "notes.txt"), UNFORMATTED);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "no temporary file is left: {names:?}");

    let run = proviso(&["fmt", "."], dir.path());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
}

#[cfg(unix)]
#[test]
fn a_rewritten_file_keeps_its_permissions_and_a_link_stays_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&[("real/b.proviso", UNFORMATTED)]);
    let real = dir.path().join("real/b.proviso");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link.proviso")).unwrap();
    let run = proviso(&["fmt", "link.proviso"], dir.path());
    assert_eq!(run.code, 0, "{run}");
    assert!(std::fs::symlink_metadata(dir.path().join("link.proviso"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), UNFORMATTED_AFTER);
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A link named like a policy file to a file that is not one.
    std::fs::write(dir.path().join("notes.txt"), UNFORMATTED).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("notes.txt"),
        dir.path().join("notes.proviso"),
    )
    .unwrap();
    let run = proviso(&["fmt", "notes.proviso"], dir.path());
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("error: cannot write `notes.proviso`: it links to `"),
        "{run}"
    );
    assert_eq!(read(&dir, "notes.txt"), UNFORMATTED);
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_and_the_others_are_formatted() {
    let broken = "policy team for partnership/v1\nrule team/x {\n  title \"t\" severity error\n  require role = processor\n  message \"m\"\n}\n";
    let dir = dir_with(&[("a.proviso", broken), ("b.proviso", UNFORMATTED)]);
    let run = proviso(&["fmt", "."], dir.path());
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("`=` is not a comparison"), "{run}");
    assert!(run.stderr.contains("./a.proviso:4:16"), "{run}");
    assert_eq!(run.stdout, "reformatted: ./b.proviso\n", "{run}");
    assert_eq!(read(&dir, "a.proviso"), broken);
    assert_eq!(read(&dir, "b.proviso"), UNFORMATTED_AFTER);

    let run = proviso(&["fmt", "--check", "a.proviso"], dir.path());
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run}");
}

#[test]
fn only_policy_files_are_formatted() {
    let dir = dir_with(&[("b.txt", UNFORMATTED), ("empty/readme.md", "")]);
    let run = proviso(&["fmt", "b.txt", "missing.proviso", "empty"], dir.path());
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains("error: `b.txt` is not a policy file"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("error: cannot read policy `missing.proviso`"),
        "{run}"
    );
    assert!(
        run.stderr.contains("error: no `.proviso` files in `empty`"),
        "{run}"
    );
    assert_eq!(read(&dir, "b.txt"), UNFORMATTED);
}

#[test]
fn files_that_check_only_together_or_not_at_all_are_formatted() {
    // A schema in one file, its rules in another, and a rule that reads a
    // field no schema has: each file alone, and all together, format.
    let schema = "schema vendor/v1 {   name: string   }\n";
    let rules = "policy v for vendor/v1\nrule v/named { title \"t\" severity note require name != \"\" message \"m\" }\n";
    let wrong = "policy w for partnership/v1\nrule w/x { title \"t\" severity note require nmae != \"\" message \"m\" }\n";
    let dir = dir_with(&[
        ("a/schema.proviso", schema),
        ("a/rules.proviso", rules),
        ("w.proviso", wrong),
    ]);
    let run = proviso(&["fmt", "a", "w.proviso"], dir.path());
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        read(&dir, "a/schema.proviso"),
        "schema vendor/v1 {\n  name: string\n}\n"
    );
    assert!(read(&dir, "w.proviso").contains("\n  require nmae != \"\"\n"));
    let run = proviso(
        &["check", "--policy", "a", "--allow-empty", "a"],
        dir.path(),
    );
    assert_eq!(run.code, 0, "{run}");
}
