//! Whatever the input, proviso answers with findings or errors, never a
//! panic. Random edits of real manifests and policies probe the loader, the
//! span index, evaluation and the policy checker.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use proviso::check::{compile, Program};
use proviso::date::Date;
use proviso::run::{check_text, FileKind, Options};
use proviso::source::Source;
use std::sync::OnceLock;

fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| compile(&shipped()).unwrap())
}

fn shipped() -> Vec<std::sync::Arc<Source>> {
    proviso::shipped::sources()
}

const MANIFESTS: &[&str] = &[
    include_str!("../examples/facebook-2018/spotify.yaml"),
    include_str!("../examples/facebook-2018/yahoo.yaml"),
    include_str!("../examples/compliant/hanse-direktbank.yaml"),
    include_str!("language/manifest.yaml"),
];

/// Pieces of YAML and text that tend to break parsers.
const PIECES: &[&str] = &[
    "\n",
    " ",
    "\t",
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "#",
    "&a ",
    "*a",
    "!tag ",
    "|\n",
    ">\n",
    "---\n",
    "~",
    "null",
    "true",
    "2019-02-30",
    "30d",
    "99999999999999999999",
    "é",
    "💬",
    "\r",
    "\u{feff}",
    "<<: ",
    "? ",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::Insert(at, p)),
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..10, 0..PIECES.len())
            .prop_map(|(at, n, p)| Edit::Replace(at, n, p)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for e in edits {
        let boundary = |s: &str, at: usize| {
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match *e {
            Edit::Insert(at, p) => {
                let at = boundary(&s, at);
                s.insert_str(at, PIECES[p]);
            }
            Edit::Delete(at, n) | Edit::Replace(at, n, _) => {
                let start = boundary(&s, at);
                let end = boundary(&s, start.saturating_add(n).min(s.len()));
                let with = match *e {
                    Edit::Replace(_, _, p) => PIECES[p],
                    _ => "",
                };
                s.replace_range(start..end, with);
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn edited_manifests_get_findings_not_panics(which in 0..MANIFESTS.len(), edits in prop::collection::vec(edit(), 1..6)) {
        let text = apply(MANIFESTS[which], &edits);
        let opts = Options { today: Date::parse("2018-12-18").unwrap(), max_file_size: 1 << 20, max_waiver_days: 365 };
        let report = check_text(program(), "m.yaml", text, &opts);
        // Every finding points inside its file.
        for f in &report.findings {
            if let (Some(src), Some(r)) = (&f.location.source, &f.location.range) {
                prop_assert!(r.end <= src.text.len() && src.text.is_char_boundary(r.start) && src.text.is_char_boundary(r.end));
            }
        }
        // A broken manifest always says why.
        if report.kind == FileKind::Broken {
            prop_assert!(!report.findings.is_empty());
        }
    }

    #[test]
    fn edited_policies_get_errors_not_panics(edits in prop::collection::vec(edit(), 1..6), which in 1..proviso::shipped::POLICIES.len()) {
        let mut sources = shipped();
        let (name, text) = proviso::shipped::POLICIES[which];
        sources[which] = Source::new(name, apply(text, &edits));
        if let Err(errors) = compile(&sources) {
            prop_assert!(!errors.is_empty());
            for d in errors {
                prop_assert!(d.span.end <= d.span.src.text.len());
            }
        }
    }
}
