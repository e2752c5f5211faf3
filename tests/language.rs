//! The policy language's semantics, one small rule at a time: what passes,
//! what fails, and which manifest text a failure underlines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::compile;
use proviso::date::Date;
use proviso::run::{check_text, FileKind, Options, RuleResult};
use proviso::source::Source;

const MANIFEST: &str = include_str!("language/manifest.yaml");

/// Runs `rule` (the body of one rule, without the `rule id { }` around it)
/// on the test manifest. Returns the rule's result and, for each finding,
/// the texts it underlines (primary first).
fn run(rule: &str) -> (RuleResult, Vec<Vec<String>>) {
    run_on(rule, MANIFEST)
}

fn run_on(rule: &str, manifest: &str) -> (RuleResult, Vec<Vec<String>>) {
    run_whole(&format!("{rule}\n message \"m\""), manifest)
}

/// Runs a rule whose body (after `severity`) is given whole, messages
/// included.
fn run_whole(body: &str, manifest: &str) -> (RuleResult, Vec<Vec<String>>) {
    let schema = proviso::shipped::schema();
    let policy = format!(
        "policy t for partnership/v1\nrule t/r {{\n title \"t\"\n severity error\n{body}\n}}\n"
    );
    let program = compile(&[schema.clone(), Source::new("t.proviso", policy)])
        .unwrap_or_else(|e| panic!("{e:#?}"));
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 1 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    let report = check_text(&program, "m.yaml", manifest.to_string(), &opts);
    assert_eq!(report.kind, FileKind::Manifest, "{:#?}", report.findings);
    let result = report
        .results
        .iter()
        .find(|(i, _)| program.rules[*i].id == "t/r")
        .unwrap()
        .1;
    let underlined = report
        .findings
        .iter()
        .map(|f| {
            let src = f.location.source.as_ref().unwrap();
            f.labels
                .iter()
                .map(|(r, _)| src.text[r.clone()].to_string())
                .collect()
        })
        .collect();
    (result, underlined)
}

fn fails(rule: &str) -> Vec<Vec<String>> {
    let (result, found) = run(rule);
    assert_eq!(result, RuleResult::Fail, "{rule}");
    found
}

fn passes(rule: &str) {
    let (result, found) = run(rule);
    assert_eq!(result, RuleResult::Pass, "{rule}: {found:?}");
}

#[test]
fn and_blames_every_false_side() {
    let found = fails("each grant in grants where grant.id == \"inbox\" require grant.consent.mechanism in [per_scope_opt_in] and grant.consent.recorded");
    assert_eq!(found, [["platform_login", "false"]]);
}

#[test]
fn and_blames_only_the_false_side() {
    let found = fails("each grant in grants where grant.id == \"inbox\" require grant.consent.withdrawable and grant.consent.recorded");
    assert_eq!(found, [["false"]]);
}

#[test]
fn or_passes_when_either_side_holds() {
    passes("each grant in grants where grant.id == \"inbox\" require grant.consent.recorded or grant.consent.withdrawable");
}

#[test]
fn membership_blames_the_element() {
    let found =
        fails("each grant in grants each s in grant.subjects require s in grant.consent.covers");
    assert_eq!(found, [["friends"], ["user"]]);
}

#[test]
fn map_membership_tests_keys() {
    let found = fails("each grant in grants where grant.id == \"inbox\" each op in grant.operations require op in grant.necessity");
    assert_eq!(found, [["delete"]]);
}

#[test]
fn has_any_all_none_compare_lists() {
    passes("each grant in grants where grant.id == \"inbox\" require grant.operations has any [read, export]");
    passes("each grant in grants where grant.id == \"inbox\" require grant.operations has all [read, write]");
    let found = fails("each grant in grants where grant.id == \"inbox\" require grant.operations has none [delete, export]");
    assert_eq!(found, [["[read, write, delete]"]]);
}

#[test]
fn taxonomy_branches_match_every_leaf() {
    passes("each grant in grants where grant.id == \"inbox\" require grant.data has any content.*");
    passes("each grant in grants require grant.data has none special.*");
}

#[test]
fn a_missing_optional_blames_its_parent() {
    // The `contacts` grant has no retention: the finding points at the
    // grant (by its id), not at the file.
    let found =
        fails("each grant in grants require grant.retention is set and grant.retention <= 365d");
    assert_eq!(found, [["contacts"]]);
}

#[test]
fn date_arithmetic_blames_the_date_it_started_from() {
    let found = fails("each grant in grants where grant.revoked is set each feature in features where feature.id == grant.feature and feature.retired is set require grant.revoked <= feature.retired + 30d");
    assert_eq!(found, [["2018-12-01"]]);
}

#[test]
fn a_missing_optional_outside_a_list_blames_its_key() {
    let found = fails("require governance.dpia is set");
    assert_eq!(found, [["governance"]]);
}

#[test]
fn at_chooses_where_a_failure_points() {
    let found = fails("each grant in grants where grant.id == \"inbox\" require grant.consent.recorded at grant.id");
    assert_eq!(found, [["inbox", "false"]]);
    // A missing value named by `at` points at its parent.
    let found = fails("each grant in grants where grant.id == \"contacts\" require grant.consent.recorded at grant.retention");
    assert_eq!(found, [["contacts", "false"]]);
}

#[test]
fn lists_compare_with_the_empty_list() {
    passes("require grants != []");
    let (result, _) = run("where features == [] require own_purpose_use");
    assert_eq!(result, RuleResult::NotApplicable);
}

#[test]
fn ages_are_dates_subtracted() {
    let found = fails("require governance.last_certification is set and today - governance.last_certification <= 365d");
    assert_eq!(found, [["2017-01-10"]]);
    passes("require governance.last_certification is set and today - governance.last_certification <= 800d");
}

#[test]
fn quantifiers_any_all_no() {
    passes("require any a in agreements: a.purpose_restricted");
    let found = fails("require all g in grants: g.honors_privacy_settings");
    assert_eq!(found, [["false"]]);
    let found = fails("require no g in grants: g.hides_access_indicators");
    assert_eq!(found, [["true"]]);
    // No item qualifies: each item's failing value is blamed.
    let found = fails("require any g in grants: g.storage == platform_only");
    assert_eq!(found, [["partner_servers", "on_device"]]);
    // With no items at all, the empty list is.
    let manifest = MANIFEST.replace(
        "    retired: 2015-01-01\n",
        "    retired: 2015-01-01\ntransfers: []\n",
    );
    let (result, found) = run_on("require any t in transfers: t.mechanism != none", &manifest);
    assert_eq!(result, RuleResult::Fail);
    assert_eq!(found, [["[]"]]);
}

#[test]
fn where_that_matches_nothing_is_not_applicable() {
    let (result, found) = run(
        "each grant in grants where grant.data has any special.* require grant.consent.recorded",
    );
    assert_eq!(result, RuleResult::NotApplicable);
    assert!(found.is_empty());
}

#[test]
fn a_missing_optional_list_iterates_as_empty() {
    let (result, _) = run("each t in transfers require t.mechanism != none");
    assert_eq!(result, RuleResult::NotApplicable);
}

#[test]
fn one_finding_per_failing_binding() {
    let found = fails("each grant in grants each op in grant.operations require op in [read]");
    assert_eq!(found, [["write"], ["delete"]]);
}

#[test]
fn not_explains_with_the_inner_value() {
    let found = fails("each grant in grants require not grant.hides_access_indicators");
    assert_eq!(found, [["true"]]);
}

#[test]
fn columns_and_underlines_survive_non_ascii_text() {
    let manifest = MANIFEST.replace("name: Example Partner", "name: Ëxämplé 💬 Partner");
    let (_, found) = run_on(
        "each grant in grants each s in grant.subjects require s in grant.consent.covers",
        &manifest,
    );
    assert_eq!(found, [["friends"], ["user"]]);
}

#[test]
fn quantifiers_decide_by_their_items_not_by_what_they_blame() {
    passes("require any g in grants: true");
    passes("require all g in grants: g.granted <= today");
    let (result, _) = run("require all g in grants: false");
    assert_eq!(result, RuleResult::Fail);
    let (result, _) = run("require no g in grants: true");
    assert_eq!(result, RuleResult::Fail);
}

#[test]
fn any_that_fails_blames_what_failed_in_each_item() {
    let found = fails("each grant in grants require any f in features: grant.feature == \"nope\" and f.id == grant.feature");
    assert_eq!(found, [["chat"], ["chat"]]);
}

#[test]
fn branches_inside_a_list_literal_expand() {
    passes("each grant in grants require grant.data has none [special.*, location.precise]");
    let found = fails("each grant in grants where grant.id == \"inbox\" require grant.data has none [special.*, content.*]");
    assert_eq!(found, [["[content.private_messages]"]]);
}

#[test]
fn a_missing_record_in_a_message_reads_not_set() {
    let (_, found) =
        run("each grant in grants where grant.id == \"contacts\" require grant.consent.recorded");
    assert_eq!(found.len(), 1);
}

#[test]
fn require_without_manifest_values_points_at_the_binding() {
    let found = fails("each grant in grants where grant.id == \"contacts\" require false");
    assert_eq!(found, [["contacts"]]);
}

#[test]
fn date_arithmetic_out_of_range_is_an_error_not_a_wrong_answer() {
    let manifest = MANIFEST.replace("retention: 30d", "retention: 9223372036854775807d");
    let (result, _) = run_on(
        "each grant in grants where grant.retention is set require grant.granted + grant.retention > today",
        &manifest,
    );
    assert_eq!(result, RuleResult::Error);
}

#[test]
fn constants_name_values_for_rules() {
    let policy_const = "const NEAR: [Country] = [US, CA, MX]\n";
    let schema = proviso::shipped::schema();
    let policy = format!(
        "{policy_const}policy t for partnership/v1\nrule t/r {{\n title \"t\"\n severity error\n require partner.country not in NEAR\n message \"{{partner.country}} is in {{partner.name}}\"\n}}\n"
    );
    let program = compile(&[schema.clone(), Source::new("t.proviso", policy)]).unwrap();
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 1 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };
    let report = check_text(&program, "m.yaml", MANIFEST.to_string(), &opts);
    let f = report.findings.iter().find(|f| f.rule == "t/r").unwrap();
    let src = f.location.source.as_ref().unwrap();
    assert_eq!(&src.text[f.location.range.clone().unwrap()], "US");
}

#[test]
fn a_constant_may_use_an_earlier_one() {
    let schema = proviso::shipped::schema();
    let policy = "const NORDICS: [Country] = [SE, NO, DK, FI, IS]\nconst HOME: [Country] = NORDICS\n\
        policy t for partnership/v1\nrule t/r {\n title \"t\"\n severity error\n require partner.country in HOME\n message \"m\"\n}\n";
    let program = compile(&[schema.clone(), Source::new("t.proviso", policy)]).unwrap();
    assert_eq!(program.rules.len(), 1);
}

/// A team's schema, loaded beside the shipped policies, may declare its
/// own `Partner` and `Country`: a file's own names come first. It may also
/// use a shipped enum it does not declare, and the shipped files keep
/// theirs (`gdpr`'s `EEA` is a list of the shipped `Country`).
#[test]
fn a_file_declares_names_of_its_own_beside_the_shipped_ones() {
    let vendor = "schema vendor/v1 {\n  partner: Partner\n  shares: [Data]\n}\n\
        record Partner {\n  name: string\n  country: Country\n}\n\
        enum Country { north, south }\n\
        policy vendor for vendor/v1\n\
        rule vendor/north {\n title \"t\"\n severity error\n require partner.country == north and shares has none special.*\n message \"{partner.name} is in {partner.country}\"\n}\n";
    let mut sources = proviso::shipped::sources();
    sources.push(Source::new("vendor.proviso", vendor));
    let program = compile(&sources).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(program.rule("vendor/north").is_some());
    assert!(program.rule("gdpr/lawful-basis").is_some());
    let eea = program
        .types
        .consts
        .iter()
        .find(|c| c.name == "EEA")
        .unwrap();
    let proviso::schema::Ty::List(elem) = &eea.ty else {
        panic!("{:?}", eea.ty);
    };
    let proviso::schema::Ty::Enum(country) = **elem else {
        panic!("{elem:?}");
    };
    let country = program.types.enum_def(country).unwrap();
    assert_eq!(country.span.src.name, "builtin:partnership.proviso");
    let opts = Options {
        today: Date::parse("2018-12-18").unwrap(),
        max_file_size: 1 << 20,
        max_waiver_days: proviso::run::DEFAULT_MAX_WAIVER_DAYS,
    };

    // The shipped schema's manifests still take the shipped `Country`.
    let shipped = check_text(&program, "m.yaml", MANIFEST.to_string(), &opts);
    assert_eq!(shipped.kind, FileKind::Manifest);
    assert!(
        shipped.findings.iter().all(|f| f.rule != "manifest/schema"),
        "{:#?}",
        shipped.findings
    );

    // The team's manifests take the team's.
    let ours = "schema: vendor/v1\npartner:\n  name: Acme\n  country: south\nshares: [content.posts, special.health]\n";
    let report = check_text(&program, "v.yaml", ours.to_string(), &opts);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["vendor/north"], "{:#?}", report.findings);
    let theirs = ours.replace("country: south", "country: SE");
    let report = check_text(&program, "v.yaml", theirs, &opts);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "manifest/schema")
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert!(f.message.contains("SE"), "{}", f.message);
}

#[test]
fn a_count_past_its_limit_blames_the_items_past_it() {
    // Two grants, one allowed: the second grant (by its id) is to blame,
    // and the one within the limit is labelled too.
    assert_eq!(fails("require count(grants) <= 1"), [["contacts", "inbox"]]);
    assert_eq!(fails("require count(grants) < 2"), [["contacts", "inbox"]]);
    passes("require count(grants) == 2 and count(features) == 1");
    // Too few: the list itself, at its key.
    assert_eq!(fails("require count(grants) >= 3"), [["grants"]]);
}

#[test]
fn a_count_with_a_condition_counts_the_items_it_holds_for() {
    passes("require count(g in grants: g.operations has any [write]) == 1");
    // Each counted item at the value that made it count.
    assert_eq!(
        fails("require count(g in grants: g.operations has any [read]) <= 1"),
        [["[read]", "[read, write, delete]"]]
    );
    // A missing optional list counts as empty.
    passes("require count(t in transfers: t.mechanism == none) == 0");
}

#[test]
fn unique_blames_the_repetition_beside_the_first_occurrence() {
    passes("require unique(g in grants: g.id)");
    let found = fails("require unique(g in grants: g.feature)");
    assert_eq!(found, [["chat", "chat"]]);
    passes("each grant in grants require unique(grant.operations)");
}

#[test]
fn sums_add_what_is_there() {
    // Only `inbox` states a retention.
    passes("require sum(g in grants: g.retention) == 30d");
    fails("require sum(g in grants: g.retention) < 30d");
}

#[test]
fn strings_are_tested_by_length_prefix_suffix_part_and_pattern() {
    passes(
        r#"require partner.id starts with "ex" and partner.id ends with "le"
                   and partner.name contains "Partner" and partner.id matches "^[a-z]+$"
                   and length(partner.name) == 15
                   and partner.name matches "^\w+\s\w+$" and partner.name matches "\x20""#,
    );
    assert_eq!(
        fails(r#"require partner.name matches "^[a-z]+$""#),
        [["Example Partner"]]
    );
    assert_eq!(
        fails(r#"require not (partner.name starts with "Example")"#),
        [["Example Partner"]]
    );
    assert_eq!(
        fails("require length(partner.name) <= 7"),
        [["Example Partner"]]
    );
}

#[test]
fn each_requirement_of_a_rule_has_its_own_bindings_and_blame() {
    let body = r#"
  each grant in grants
    where grant.retention is set
  require grant.retention <= 7d
  message "kept too long"

  require partner.country in [SE, NO]
  at      partner.country
  message "outside the Nordics"
  help    "move"
"#;
    let (result, found) = run_whole(body, MANIFEST);
    assert_eq!(result, RuleResult::Fail);
    // One finding per requirement, in the rule's order.
    assert_eq!(found, [vec!["30d"], vec!["US"]]);
    // A requirement whose bindings are all filtered out does not make the
    // rule pass or fail; the other one decides.
    let body = r#"
  each grant in grants
    where grant.id == "nothing"
  require false
  message "never"

  require partner.country == US
  message "always holds"
"#;
    assert_eq!(run_whole(body, MANIFEST).0, RuleResult::Pass);
}

#[test]
fn a_self_join_points_at_the_binding_it_is_about() {
    // Each grant's own `api` is compared with the others': the finding of
    // each grant leads with a value of that grant.
    let (result, found) =
        run("each g in grants require any h in grants: h.api == g.api and h.id != g.id");
    assert_eq!(result, RuleResult::Fail);
    assert_eq!(
        found,
        [
            ["inbox", "device/contacts"],
            ["contacts", "messaging/inbox"]
        ]
    );
}

#[test]
fn syntax_errors_of_many_declarations_are_reported_up_to_a_limit_that_is_said() {
    let mut policy = String::from("policy t for partnership/v1\n");
    for i in 0..20 {
        policy.push_str(&format!(
            "rule t/r{i} {{\n  title \"x\n  severity error\n  require true\n  message \"m\"\n}}\n"
        ));
    }
    let errors = compile(&[proviso::shipped::schema(), Source::new("t.proviso", policy)])
        .err()
        .unwrap();
    assert_eq!(errors.len(), 17, "{errors:#?}");
    assert!(errors[..16]
        .iter()
        .all(|d| d.message == "this string is never closed"));
    assert!(errors[16]
        .message
        .starts_with("more than 16 declarations have syntax errors"));
}

/// A misspelt constant where an enum value could stand reads as an
/// unknown value: the constant is suggested, as data that replaces the
/// name.
#[test]
fn a_misspelt_constant_is_suggested() {
    let schema = proviso::shipped::schema();
    let policy = "policy t for partnership/v1\nconst NORDIC: [Country] = [DK, FI, IS, NO, SE]\n\
                  rule t/r {\n title \"t\"\n severity error\n require partner.country in NORDCI\n message \"m\"\n}\n";
    let errors = compile(&[schema, Source::new("t.proviso", policy)]).unwrap_err();
    let fixes: Vec<(&str, &str)> = errors
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .map(|f| (&policy[f.range.clone()], f.replacement.as_str()))
        .collect();
    assert_eq!(fixes, [("NORDCI", "NORDIC")], "{errors:#?}");
}
