//! The project configuration, `proviso.yaml`, and the policy list every
//! command resolves the same way (`--policy`, else `policies:`, else
//! `builtin`): the real binary, run in a temporary project.
//!
//! Every project is fenced: its root holds a `.git` file, as a git
//! worktree's does, and the search for `proviso.yaml` ends at a
//! repository's root. A stray `proviso.yaml` in a parent of the temporary
//! directory (`/tmp/proviso.yaml`) cannot change what these tests see.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{edit, Run, COMPLIANT};
use std::path::PathBuf;
use std::process::Command;
use tempfile::TempDir;

const AS_OF: &str = "2018-12-18";

/// A temporary project directory, its root fenced with a `.git` file.
struct Project {
    _dir: TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Project {
        let dir = common::fenced_tempdir();
        let root = dir.path().canonicalize().unwrap();
        Project { _dir: dir, root }
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Project {
        let path = self.root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Runs `proviso ARGS` in the project's directory `cwd`.
    fn run(&self, cwd: &str, args: &[&str]) -> Run {
        let dir = self.root.join(cwd);
        std::fs::create_dir_all(&dir).unwrap();
        let run = Run::of(
            Command::new(env!("CARGO_BIN_EXE_proviso"))
                .args(args)
                .current_dir(dir)
                .env_remove("NO_COLOR")
                .env_remove("FORCE_COLOR")
                .env_remove("CLICOLOR_FORCE")
                .env_remove("COLUMNS")
                .output()
                .unwrap(),
        );
        assert!(!run.stderr.contains("panicked"), "{run}");
        run
    }

    /// `proviso check ARGS --as-of 2018-12-18` in `cwd`.
    fn check(&self, cwd: &str, args: &[&str]) -> Run {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--as-of", AS_OF]);
        self.run(cwd, &all)
    }
}

/// The compliant manifest with the consent the FTC order forbids: two
/// errors (`ftc2012/messages-consent`, `ftc2012/subject-consent`).
fn violating() -> String {
    let t = edit(
        COMPLIANT,
        "mechanism: per_scope_opt_in",
        "mechanism: platform_login",
    );
    let t = edit(&t, "covers: [user, friends]", "covers: [user]");
    edit(&t, "recorded: true", "recorded: false")
}

/// The compliant manifest keeping data for 400 days: one warning
/// (`gdpr/retention-limit`), no error.
fn warning_only() -> String {
    edit(COMPLIANT, "retention: 30d", "retention: 400d")
}

/// A project rule: every partner names an owner in the `acme` team.
const OURS: &str = "\
policy ours for partnership/v1

/// Internal policy P-7: partnerships are owned by the partnerships team.
rule ours/owner-team {
  title    \"the owner is the partnerships team\"
  severity error
  require partner.owner is set and partner.owner starts with \"acme-\"
  message \"{partner.name} is not owned by the partnerships team\"
  help    \"set `partner.owner` to an acme- address\"
}
";

/// The rule ids of the finding lines of a `short` run, in order.
fn rules_found(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter_map(|l| {
            let start = l.find('[')? + 1;
            let end = l[start..].find(']')? + start;
            Some(l[start..end].to_string())
        })
        .collect()
}

/// The number of rules a run checked, from its summary line.
fn rules_checked(run: &Run) -> usize {
    let at = run.stderr.find(" against ").unwrap() + " against ".len();
    run.stderr[at..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn without_a_configuration_a_check_runs_as_before() {
    let p = Project::new();
    p.write("m.yaml", violating());
    let run = p.check("", &["--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        rules_found(&run),
        ["ftc2012/subject-consent", "ftc2012/messages-consent"]
    );
    assert!(
        run.stdout.lines().all(|l| l.starts_with("m.yaml:")),
        "{run}"
    );
    // The same run with the defaults written out.
    let explicit = p.check(
        "",
        &[
            ".",
            "--policy",
            "builtin",
            "--format",
            "short",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(explicit.stdout, run.stdout);
    assert_eq!(explicit.code, run.code);
}

#[test]
fn the_configuration_is_found_from_a_subdirectory() {
    let p = Project::new();
    p.write(
        "proviso.yaml",
        "# what `proviso check` does in this project\npaths: [partners]\nfail_on: warning\n",
    );
    p.write("partners/spotify.yaml", warning_only());
    p.write("elsewhere/not-checked.yaml", violating());
    for cwd in ["", "partners", "docs/deep/er"] {
        let run = p.check(cwd, &["--format", "short"]);
        assert_eq!(run.code, 1, "from `{cwd}`: {run}");
        assert_eq!(rules_found(&run), ["gdpr/retention-limit"], "{run}");
        assert!(run.stderr.contains("checked 1 manifest "), "{run}");
    }
    // Paths are shown relative to where proviso runs.
    let run = p.check("docs/deep", &["--format", "short"]);
    assert!(
        run.stdout.starts_with("../../partners/spotify.yaml:"),
        "{run}"
    );
    let run = p.check("partners", &["--format", "short"]);
    assert!(run.stdout.starts_with("spotify.yaml:"), "{run}");
}

#[test]
fn a_configured_path_that_does_not_exist_is_said_to_come_from_the_file() {
    let p = Project::new();
    p.write("proviso.yaml", "paths: [partners]\n");
    let run = p.check("sub", &["--format", "short"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.starts_with("error: cannot check `../partners`: ")
            && run.stderr.contains(
                "help: `paths` in `../proviso.yaml` lists it; paths there are relative to its directory"
            ),
        "{run}"
    );
}

#[test]
fn without_paths_the_configurations_directory_is_checked() {
    let p = Project::new();
    p.write("proviso.yaml", "fail_on: error\n");
    p.write("a/m.yaml", violating());
    let run = p.check("b", &["--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.starts_with("../a/m.yaml:"), "{run}");
}

#[test]
fn flags_win_over_the_configuration() {
    let p = Project::new();
    p.write(
        "proviso.yaml",
        "paths: [partners]\nfail_on: warning\nformat: json\nmax_waiver_days: 10\npolicies: [ours.proviso]\n",
    );
    p.write("ours.proviso", OURS);
    p.write("partners/w.yaml", warning_only());
    p.write("other/v.yaml", violating());
    // The configuration alone: its policy, JSON, failing on warnings.
    let run = p.check("", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.trim_start().starts_with('{'), "{run}");
    assert!(run.stdout.contains("ours/owner-team"), "{run}");
    assert!(!run.stdout.contains("gdpr/retention-limit"), "{run}");
    // Every flag given wins over its setting.
    let run = p.check(
        "",
        &[
            "partners",
            "--policy",
            "builtin",
            "--format",
            "short",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(
        run.code, 0,
        "a warning does not fail with --fail-on error: {run}"
    );
    assert_eq!(rules_found(&run), ["gdpr/retention-limit"], "{run}");
    let run = p.check("", &["other", "--policy", "builtin", "--format", "short"]);
    assert_eq!(
        rules_found(&run),
        ["ftc2012/subject-consent", "ftc2012/messages-consent"],
        "{run}"
    );
}

#[test]
fn waiver_and_size_limits_come_from_the_configuration() {
    let p = Project::new();
    let waived = format!(
        "{}waivers:\n  - rule: gdpr/retention-limit\n    reason: kept for audits (LEGAL-9)\n    approved_by: privacy-legal\n    expires: 2019-03-01\n",
        warning_only()
    );
    p.write("m.yaml", &waived);
    // 73 days ahead: too long for a maximum of 30 days.
    p.write("proviso.yaml", "max_waiver_days: 30\n");
    let run = p.check("", &["--format", "short"]);
    assert!(
        rules_found(&run).contains(&"proviso/waiver-too-long".to_string()),
        "{run}"
    );
    let run = p.check("", &["--format", "short", "--max-waiver-days", "100"]);
    assert!(
        !rules_found(&run).contains(&"proviso/waiver-too-long".to_string()),
        "{run}"
    );
    // A size as the flag takes it.
    p.write("proviso.yaml", "max_file_size: 1KiB\n");
    let run = p.check("", &["--format", "short"]);
    assert_eq!(rules_found(&run), ["manifest/unreadable"], "{run}");
    assert!(run.stdout.contains("the limit is 1.0 KiB"), "{run}");
    let run = p.check("", &["--format", "short", "--max-file-size", "1MiB"]);
    assert!(!run.stdout.contains("manifest/unreadable"), "{run}");
}

#[test]
fn a_misspelt_setting_is_an_error_at_its_line_with_a_suggestion() {
    let p = Project::new();
    p.write("m.yaml", COMPLIANT);
    p.write(
        "proviso.yaml",
        "# project settings\npaths: [.]\npolcies: [builtin]\n",
    );
    let run = p.check("sub", &["--format", "short"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "../proviso.yaml:3:1: error: unknown setting `polcies` (did you mean `policies`?)",
        "{run}"
    );
    assert!(
        run.stderr
            .contains("error: the project configuration has 1 error; no manifest was checked"),
        "{run}"
    );
    // Other commands read the same configuration, and refuse it the same.
    for args in [&["rules"][..], &["show", "ftc2012"]] {
        let run = p.run("", args);
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(run.stderr.contains("unknown setting `polcies`"), "{run}");
    }
}

#[test]
fn configuration_errors_render_as_other_errors_do() {
    let p = Project::new();
    p.write(
        "proviso.yaml",
        "paths: [partners]\nfail_on: warnings\nmax_file_size: huge\nexclude: [\"drafts/[\"]\n",
    );
    let run = p.check("", &["--format", "human"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_value_of_the_wrong_kind_is_an_error_at_the_value() {
    let cases: &[(&str, &str)] = &[
        ("fail_on: 1\n", "proviso.yaml:1:10: error: `fail_on` is one of error, warning, note, never, not a number"),
        ("format: xml\n", "proviso.yaml:1:9: error: unknown `format` value `xml`"),
        ("paths: partners\n", "proviso.yaml:1:8: error: `paths` is a list (write `paths: [partners]`)"),
        ("policies:\n  - builtin\n  - true\n", "proviso.yaml:3:5: error: an item of `policies` is true or false, not a policy path"),
        ("max_waiver_days: -1\n", "proviso.yaml:1:18: error: `-1` is out of range (write a number of days from 0 to 36500)"),
        ("output:\n", "proviso.yaml:1:8: error: `output` is the path of a file, not empty"),
        ("- builtin\n", "proviso.yaml:1:1: error: invalid type: sequence, expected a mapping of settings"),
        ("paths: [a]\npaths: [b]\n", "proviso.yaml:2:1: error: `paths` is set twice"),
    ];
    for (text, expected) in cases {
        let p = Project::new();
        p.write("proviso.yaml", text);
        p.write("m.yaml", COMPLIANT);
        let run = p.check("", &["--format", "short"]);
        assert_eq!(run.code, 2, "{text:?}: {run}");
        assert!(
            run.stderr.lines().next().unwrap().starts_with(expected),
            "{text:?}: {run}"
        );
    }
}

#[test]
fn relative_paths_are_resolved_from_the_configurations_directory() {
    let p = Project::new();
    p.write(
        "proviso.yaml",
        "policies: [builtin, rules/]\npaths: [partners]\noutput: reports/proviso.txt\n",
    );
    p.write("rules/ours.proviso", OURS);
    p.write("partners/m.yaml", COMPLIANT);
    // As with `--output`, the directory must exist.
    std::fs::create_dir(p.path("reports")).unwrap();
    let run = p.check("partners/deeper", &["--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.is_empty(),
        "the report goes to the configured file: {run}"
    );
    let report = std::fs::read_to_string(p.path("reports/proviso.txt")).unwrap();
    assert!(
        report.starts_with("../m.yaml:") && report.contains("error[ours/owner-team]"),
        "{report}"
    );
    assert!(!p.path("partners/deeper/reports").exists());
    assert!(!p.path("partners/deeper/rules").exists());
}

#[test]
fn excluded_paths_are_not_walked_and_are_counted() {
    let p = Project::new();
    p.write(
        "proviso.yaml",
        "exclude:\n  - partners/drafts\n  - \"**/*.draft.yaml\"\n",
    );
    p.write("partners/ok.yaml", COMPLIANT);
    p.write("partners/drafts/wip.yaml", violating());
    p.write("partners/deep/next.draft.yaml", violating());
    let run = p.check("", &["--format", "short"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
    assert!(
        run.stderr.contains(
            "2 paths excluded by proviso.yaml (`partners/deep/next.draft.yaml`, `partners/drafts`)"
        ),
        "{run}"
    );
    // Inside a directory given on the command line too, and matched from
    // the configuration's directory, not from where proviso runs.
    let run = p.check("partners", &["--format", "short", "."]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
    // A file named on the command line is checked whatever the excludes.
    let run = p.check("", &["--format", "short", "partners/drafts/wip.yaml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.starts_with("partners/drafts/wip.yaml:"), "{run}");
}

#[test]
fn the_search_ends_at_the_repository_root() {
    let p = Project::new();
    // Above the repository: not the project's configuration.
    p.write("proviso.yaml", "paths: [nothing-here]\n");
    p.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    p.write("repo/m.yaml", violating());
    let run = p.check("repo/sub", &["--format", "short", ".."]);
    assert_eq!(run.code, 1, "{run}");
    let run = p.check("repo", &["--format", "short"]);
    assert_eq!(
        run.code, 1,
        "the repository is checked as if it had no configuration: {run}"
    );
    // At the repository's root it is found.
    p.write("repo/proviso.yaml", "fail_on: never\n");
    let run = p.check("repo/sub", &["--format", "short"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("../m.yaml:"), "{run}");
}

#[test]
fn builtin_keeps_the_shipped_rules_beside_a_projects_own() {
    let p = Project::new();
    p.write("ours.proviso", OURS);
    p.write("m.yaml", violating());
    let shipped = p.check("", &["--format", "short"]);
    let ours = p.check("", &["--format", "short", "--policy", "ours.proviso"]);
    let both = p.check(
        "",
        &[
            "--format",
            "short",
            "--policy",
            "builtin",
            "--policy",
            "./ours.proviso",
        ],
    );
    assert_eq!(rules_found(&ours), ["ours/owner-team"], "{ours}");
    assert_eq!(rules_checked(&both), rules_checked(&shipped) + 1, "{both}");
    assert!(rules_checked(&shipped) >= 19, "{shipped}");
    let mut found = rules_found(&both);
    found.sort();
    assert_eq!(
        found,
        [
            "ftc2012/messages-consent",
            "ftc2012/subject-consent",
            "ours/owner-team"
        ],
        "{both}"
    );
    // The same from the configuration.
    p.write("proviso.yaml", "policies: [builtin, ours.proviso]\n");
    let configured = p.check("", &["--format", "short", "m.yaml"]);
    assert_eq!(configured.stdout, both.stdout);
    // `proviso rules` lists both.
    let rules = p.run("", &["rules"]);
    assert!(rules.stdout.contains("ours/owner-team"), "{rules}");
    assert!(rules.stdout.contains("ftc2012/messages-consent"), "{rules}");
}

#[test]
fn dot_slash_builtin_is_the_directory_of_that_name() {
    let p = Project::new();
    p.write("builtin/ours.proviso", OURS);
    p.write("m.yaml", COMPLIANT);
    let run = p.check("", &["--format", "short", "--policy", "./builtin"]);
    assert_eq!(rules_checked(&run), 1, "{run}");
    assert!(!run.stderr.contains("warning:"), "{run}");
    // The bare word is the catalogue, and says so when a path of that
    // name is there.
    let run = p.check("", &["--format", "short", "--policy", "builtin"]);
    assert!(rules_checked(&run) >= 19, "{run}");
    assert!(
        run.stderr.contains(
            "warning: `builtin` names the shipped policies, not `builtin`; write `./builtin` for that"
        ),
        "{run}"
    );
}

#[test]
fn the_shipped_schema_is_loaded_for_a_policy_that_does_not_use_it() {
    let p = Project::new();
    p.write(
        "vendor.proviso",
        "schema acme/vendor {\n  name: string\n}\npolicy vendor for acme/vendor\n\
         rule vendor/named {\n  title \"vendors are named\"\n  severity error\n  require name != \"\"\n  message \"a vendor without a name\"\n}\n",
    );
    p.write("vendor.yaml", "schema: acme/vendor\nname: \"\"\n");
    p.write("partner.yaml", violating());
    let run = p.check("", &["--format", "short", "--policy", "vendor.proviso"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(!run.stdout.contains("unknown schema"), "{run}");
    // The partnership is read against the shipped schema: its shape is
    // checked, and no shipped rule runs.
    assert_eq!(rules_found(&run), ["vendor/named"], "{run}");
    assert!(
        run.stderr.contains("checked 2 manifests against 1 rule"),
        "{run}"
    );
    let broken = edit(COMPLIANT, "kind: integration_partner", "kind: integration");
    p.write("partner.yaml", broken);
    let run = p.check("", &["--format", "short", "--policy", "vendor.proviso"]);
    assert!(
        run.stdout.contains("error[manifest/schema]") && run.stdout.contains("integration_partner"),
        "{run}"
    );
}

#[test]
fn a_schema_declared_twice_names_both_files_and_the_way_out() {
    let p = Project::new();
    let schema = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/partnership.proviso"
    ))
    .unwrap();
    p.write("ours/partnership.proviso", &schema);
    p.write("m.yaml", COMPLIANT);
    let run = p.check(
        "",
        &[
            "--format", "short", "--policy", "builtin", "--policy", "ours",
        ],
    );
    assert_eq!(run.code, 2, "{run}");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("declared twice"))
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        line.starts_with("ours/partnership.proviso:")
            && line.contains("error: schema `partnership/v1` is declared twice")
            && line.contains("`builtin:partnership.proviso` (loaded with `builtin`) declares `partnership/v1` already"),
        "{line}"
    );
    // Without `builtin`, the copy is the schema.
    let run = p.check("", &["--format", "short", "--policy", "ours"]);
    assert_eq!(run.code, 0, "{run}");
}
