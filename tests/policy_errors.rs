//! Policy errors as users see them. Each `tests/policy_errors/*.proviso` is
//! checked together with the shipped schema; the snapshot beside it holds
//! every error's location, the text it underlines, and the rendered report.
//! A case `NAME.proviso` may have a directory `NAME/` beside it: its
//! `.proviso` files are loaded too, after the schema and before the case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::compile;
use proviso::report::human::Renderer;
use proviso::report::short;
use proviso::source::ColumnUnit;
use proviso::source::Source;
use std::sync::Arc;

fn schema() -> Arc<Source> {
    proviso::shipped::schema()
}

fn render_errors(sources: &[Arc<Source>]) -> String {
    let errors = match compile(sources) {
        Ok(_) => panic!("expected policy errors"),
        Err(e) => e,
    };
    let renderer = Renderer::new(false, ColumnUnit::default());
    let mut out = String::new();
    for d in &errors {
        out.push_str(&format!(
            "{}\nunderlined: `{}`\n\n",
            short::diag(d, ColumnUnit::default()),
            d.span.text()
        ));
        out.push_str(&renderer.diag(d));
        out.push('\n');
    }
    out
}

/// The files of the directory named like a case, in name order.
fn beside(case: &std::path::Path) -> Vec<Arc<Source>> {
    let dir = case.with_extension("");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "proviso"))
        .map(|p| {
            let name = format!(
                "tests/policy_errors/{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                p.file_name().unwrap().to_string_lossy()
            );
            Source::new(name, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

#[test]
fn policy_errors_render_with_their_underlined_text() {
    insta::glob!("policy_errors/*.proviso", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/policy_errors/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let mut sources = vec![schema()];
        sources.extend(beside(path));
        sources.push(Source::new(name, text));
        let rendered = render_errors(&sources);
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn errors_of_every_policy_file_are_reported_in_one_run() {
    let a = Source::new("a.proviso", "policy a for partnership/v1\nrule a/x { title \"x\" severity error require rol == controller message \"x\" }\n");
    let b = Source::new("b.proviso", "policy b for partnership/v1\nrule b/y { title \"y\" severity note require own_purpose_us message \"y\" }\n");
    let c = Source::new("c.proviso", "rule c/z {\n");
    let errors = compile(&[schema(), a, b, c]).unwrap_err();
    let files: Vec<&str> = errors.iter().map(|d| d.span.src.name.as_str()).collect();
    assert_eq!(
        files,
        ["c.proviso", "a.proviso", "b.proviso"],
        "{errors:#?}"
    );
    assert_eq!(errors[1].span.text(), "rol");
    assert_eq!(errors[1].help.as_deref(), Some("did you mean `role`?"));
    assert_eq!(errors[2].span.text(), "own_purpose_us");
}

#[test]
fn shipped_policies_check_cleanly() {
    let sources: Vec<_> = proviso::shipped::sources();
    let program = compile(&sources).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(program.rule("ftc2012/messages-consent").is_some());
}
