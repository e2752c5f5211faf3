//! Waivers: what they silence, for how long, and what they say about
//! themselves when they are wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::ast::Severity;
use proviso::check::{compile, Program};
use proviso::date::Date;
use proviso::diagnostics::Finding;
use proviso::run::{check_text, Options};
use proviso::source::Source;

const MANIFEST: &str = include_str!("language/manifest.yaml");

fn program() -> Program {
    let sources: Vec<_> = proviso::shipped::sources();
    compile(&sources).unwrap()
}

/// Checks the test manifest with `waivers` appended, as of `today`.
fn check(waivers: &str, today: &str) -> Vec<Finding> {
    let text = format!("{MANIFEST}waivers:\n{waivers}");
    let opts = Options {
        today: Date::parse(today).unwrap(),
        max_file_size: 1 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    check_text(&program(), "m.yaml", text, &opts).findings
}

fn of<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

fn underlined(f: &Finding) -> String {
    let src = f.location.source.as_ref().unwrap();
    src.text[f.location.range.clone().unwrap()].to_string()
}

const SUBJECTS: &str = "  - rule: ftc2012/subject-consent
    reason: friends' consent is collected from 2019
    approved_by: privacy-legal
    expires: 2018-12-31
";

#[test]
fn an_active_waiver_marks_its_rules_findings_as_waived() {
    let findings = check(SUBJECTS, "2018-12-18");
    let covered = of(&findings, "ftc2012/subject-consent");
    assert_eq!(covered.len(), 2);
    for f in covered {
        let w = f.waiver.as_ref().expect("waived");
        assert_eq!(w.approved_by, "privacy-legal");
        assert_eq!(w.pointer.to_string(), "/waivers/0");
    }
    // Other rules' findings are untouched.
    assert!(of(&findings, "ftc2012/messages-consent")
        .iter()
        .all(|f| f.waiver.is_none()));
}

#[test]
fn a_waiver_still_works_on_its_expiry_date() {
    let findings = check(SUBJECTS, "2018-12-31");
    assert!(of(&findings, "ftc2012/subject-consent")
        .iter()
        .all(|f| f.waiver.is_some()));
    assert!(of(&findings, "proviso/waiver-expired").is_empty());
}

#[test]
fn an_expired_waiver_is_an_error_and_its_findings_come_back() {
    let findings = check(SUBJECTS, "2019-01-01");
    assert!(of(&findings, "ftc2012/subject-consent")
        .iter()
        .all(|f| f.waiver.is_none()));
    let expired = of(&findings, "proviso/waiver-expired");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].severity, Severity::Error);
    assert_eq!(underlined(expired[0]), "2018-12-31");
}

#[test]
fn a_grant_waiver_covers_only_that_grant() {
    let waiver = SUBJECTS.replace("    reason:", "    grant: contacts\n    reason:");
    let findings = check(&waiver, "2018-12-18");
    let subject = of(&findings, "ftc2012/subject-consent");
    let waived: Vec<String> = subject
        .iter()
        .filter(|f| f.waiver.is_some())
        .map(|f| f.location.pointer.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(waived, ["/grants/1/subjects/0"]);
    assert_eq!(subject.iter().filter(|f| f.waiver.is_none()).count(), 1);
}

#[test]
fn a_waiver_naming_no_rule_is_an_error_with_a_suggestion() {
    let findings = check(
        &SUBJECTS.replace("subject-consent", "subject-consnet"),
        "2018-12-18",
    );
    let unknown = of(&findings, "proviso/waiver-unknown-rule");
    assert_eq!(unknown.len(), 1);
    assert_eq!(underlined(unknown[0]), "ftc2012/subject-consnet");
    assert_eq!(
        unknown[0].help.as_deref(),
        Some("did you mean `ftc2012/subject-consent`?")
    );
}

#[test]
fn built_in_findings_cannot_be_waived() {
    let findings = check(
        &SUBJECTS.replace("ftc2012/subject-consent", "manifest/schema"),
        "2018-12-18",
    );
    let refused = of(&findings, "proviso/waiver-unknown-rule");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].message.contains("cannot be waived"),
        "{}",
        refused[0].message
    );
}

#[test]
fn a_waiver_that_matches_nothing_is_a_warning() {
    let waiver = SUBJECTS.replace("ftc2012/subject-consent", "gdpr/special-category");
    let findings = check(&waiver, "2018-12-18");
    let unused = of(&findings, "proviso/waiver-unused");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0].severity, Severity::Warning);
    assert_eq!(underlined(unused[0]), "gdpr/special-category");
}

#[test]
fn a_grant_waiver_does_not_cover_findings_about_several_grants() {
    // `retention` is missing from one grant; the rule is not bound to a
    // grant, so its one finding is about the manifest, not about `inbox`.
    let sources = vec![
        proviso::shipped::schema(),
        Source::new(
            "all.proviso",
            "policy all for partnership/v1\nrule all/retention {\n title \"t\"\n severity error\n require all grant in grants: grant.retention is set\n message \"m\"\n}\n",
        ),
    ];
    let program = compile(&sources).unwrap();
    let text = format!(
        "{MANIFEST}waivers:\n  - rule: all/retention\n    grant: inbox\n    reason: r\n    approved_by: a\n    expires: 2019-01-01\n"
    );
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 1 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    let findings = check_text(&program, "m.yaml", text, &opts).findings;
    assert!(of(&findings, "all/retention")
        .iter()
        .all(|f| f.waiver.is_none()));
    let unused = of(&findings, "proviso/waiver-unused");
    assert_eq!(unused.len(), 1);
    assert!(
        unused[0].message.contains("not about that grant"),
        "{}",
        unused[0].message
    );
}

#[test]
fn a_waiver_for_a_misspelled_grant_suggests_the_grant() {
    let waiver = SUBJECTS.replace("    reason:", "    grant: contact\n    reason:");
    let findings = check(&waiver, "2018-12-18");
    let unused = of(&findings, "proviso/waiver-unused");
    assert_eq!(unused.len(), 1);
    assert_eq!(underlined(unused[0]), "contact");
    assert_eq!(unused[0].help.as_deref(), Some("did you mean `contacts`?"));
}
