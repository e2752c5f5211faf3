//! Manifest validation errors as users see them. Each
//! `tests/manifest_errors/*.yaml` is checked with the shipped policies; the
//! snapshot beside it holds the `short` lines (with their line:col), the
//! text each finding underlines, and the rendered report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::compile;
use proviso::date::Date;
use proviso::report::{human::Renderer, short};
use proviso::run::{check_text, FileKind, Options};
use proviso::source::ColumnUnit;

#[test]
fn manifest_errors_point_at_the_offending_key_or_value() {
    let sources: Vec<_> = proviso::shipped::sources();
    let program = compile(&sources).unwrap();
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 8 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    let renderer = Renderer::new(false, ColumnUnit::default());
    insta::glob!("manifest_errors/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/manifest_errors/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let report = check_text(&program, &name, text, &opts);
        // A manifest that does not validate is never evaluated, so it can
        // never pass.
        assert_eq!(report.kind, FileKind::Broken, "{name} should not validate");
        let mut out = String::new();
        for f in &report.findings {
            assert!(f.rule.starts_with("manifest/"), "{name}: {}", f.rule);
            let underlined = match (&f.location.source, &f.location.range) {
                (Some(src), Some(r)) => src.text[r.clone()].to_string(),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{}\nunderlined: `{underlined}`\n",
                short::finding(f, ColumnUnit::default())
            ));
        }
        out.push('\n');
        for f in &report.findings {
            out.push_str(&renderer.finding(f));
        }
        insta::assert_snapshot!(out);
    });
}
