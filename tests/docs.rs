//! The examples of docs/language.md, run: the reference cannot drift from
//! the language.
//!
//! - A ```` ```proviso ```` block is a whole policy file: it loads beside the
//!   shipped schema, as `proviso check --policy FILE` loads it.
//! - A ```` ```proviso fails ```` block does not load: each error is on a
//!   line whose `// error: TEXT` comment gives part of its message, and
//!   each such comment has its error.
//! - A ```` ```text ```` block right after a `proviso` block holds the lines
//!   `proviso check examples --policy FILE --format short` prints for that
//!   file's rules, in order.
//! - Every policy example is laid out as `proviso fmt` lays it out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::compile;
use proviso::source::Source;
use std::process::Command;

const DOC: &str = include_str!("../docs/language.md");

struct Block {
    info: String,
    /// 1-based line of the block's first line of code.
    line: usize,
    code: String,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    line: i + 2,
                    code: String::new(),
                })
            }
            (Some(_), Some("")) => out.push(open.take().unwrap()),
            (Some(b), _) => {
                b.code.push_str(line);
                b.code.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(
        open.is_none(),
        "a code block of docs/language.md is never closed"
    );
    out
}

fn load(b: &Block) -> Result<proviso::check::Program, Vec<proviso::diagnostics::Diag>> {
    let name = format!("docs/language.md:{}", b.line);
    compile(&[
        proviso::shipped::schema(),
        Source::new(name, b.code.clone()),
    ])
}

fn rule_ids(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| l.trim().strip_prefix("rule "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_block_is_a_policy_example_or_its_output() {
    let all = blocks(DOC);
    assert!(all.len() >= 10, "{} blocks", all.len());
    for (i, b) in all.iter().enumerate() {
        let known = match b.info.as_str() {
            "proviso" | "proviso fails" => true,
            "text" => i > 0 && all[i - 1].info == "proviso",
            _ => false,
        };
        assert!(
            known,
            "docs/language.md:{}: a ```{} block is not checked by this test",
            b.line - 1,
            b.info
        );
    }
}

#[test]
fn policy_examples_load() {
    let mut n = 0;
    for b in blocks(DOC).iter().filter(|b| b.info == "proviso") {
        if let Err(errors) = load(b) {
            let shown: Vec<String> = errors
                .iter()
                .map(|d| {
                    let (line, col) = d.span.start_line_col();
                    format!("{}:{line}:{col}: {}", d.span.src.name, d.message)
                })
                .collect();
            panic!(
                "the example at docs/language.md:{} does not load:\n{}",
                b.line,
                shown.join("\n")
            );
        }
        n += 1;
    }
    assert!(n >= 8, "{n} examples");
}

#[test]
fn policy_examples_are_formatted() {
    for b in blocks(DOC).iter().filter(|b| b.info.starts_with("proviso")) {
        let formatted = proviso::fmt::format_source(&b.code)
            .unwrap_or_else(|e| panic!("docs/language.md:{}: {e:#?}", b.line));
        assert!(
            formatted == b.code,
            "docs/language.md:{}: the example is not laid out as `proviso fmt` lays it out:\n{formatted}",
            b.line
        );
    }
}

#[test]
fn failing_examples_fail_where_their_comments_say() {
    let mut n = 0;
    for b in blocks(DOC).iter().filter(|b| b.info == "proviso fails") {
        let Err(errors) = load(b) else {
            panic!("the example at docs/language.md:{} loads", b.line);
        };
        let lines: Vec<&str> = b.code.lines().collect();
        for d in &errors {
            let (line, _) = d.span.start_line_col();
            let said = lines[line - 1]
                .split_once("// error: ")
                .map(|(_, s)| s.trim())
                .unwrap_or_else(|| {
                    panic!(
                        "docs/language.md:{}: an error no comment announces: {}",
                        b.line + line - 1,
                        d.message
                    )
                });
            assert!(
                d.message.contains(said),
                "docs/language.md:{}: `{}` does not say `{said}`",
                b.line + line - 1,
                d.message
            );
        }
        for (i, l) in lines.iter().enumerate() {
            if l.contains("// error: ") {
                assert!(
                    errors.iter().any(|d| d.span.start_line_col().0 == i + 1),
                    "docs/language.md:{}: no error on this line",
                    b.line + i
                );
                n += 1;
            }
        }
    }
    assert!(n >= 2);
}

#[test]
fn shown_findings_are_what_the_examples_get() {
    let all = blocks(DOC);
    let mut n = 0;
    for pair in all.windows(2) {
        let [policy, output] = pair else {
            continue;
        };
        if policy.info != "proviso" || output.info != "text" {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("example.proviso");
        std::fs::write(&file, &policy.code).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "check",
                "examples",
                "--format",
                "short",
                "--as-of",
                "2018-12-18",
            ])
            .arg("--policy")
            .arg(&file)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let ids = rule_ids(&policy.code);
        let got: Vec<&str> = stdout
            .lines()
            .filter(|l| ids.iter().any(|id| l.contains(&format!("[{id}]"))))
            .collect();
        let want: Vec<&str> = output.code.lines().collect();
        assert_eq!(
            got,
            want,
            "docs/language.md:{}: the findings shown are not the ones reported\n{}",
            output.line,
            String::from_utf8_lossy(&out.stderr)
        );
        n += 1;
    }
    assert!(n >= 2, "{n} examples with findings");
}
