#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The hook of `.pre-commit-hooks.yaml`, run by the real pre-commit (from
//! the Python package index; `.ci/run` installs the pinned version) on
//! `git commit` in throwaway repositories.
//!
//! Each test makes a hook repository whose `.pre-commit-hooks.yaml` is this
//! repository's, with one change: `language: system` instead of `language:
//! rust`, so that pre-commit runs the `proviso` built for the tests (first
//! on `PATH`) rather than building its own with `cargo install`. Everything
//! else pre-commit reads (`entry`, `files`, `pass_filenames`,
//! `require_serial`) is the hook under test. A project repository then uses
//! it by path and commit, as a project uses the published hook by URL and
//! tag, and commits go through `pre-commit install`'s git hook.
//!
//! `language: rust` itself is tested once, by
//! `the_hook_installs_with_cargo`, which is ignored by default: pre-commit
//! builds proviso from scratch there (`cargo test -- --ignored` runs it).

mod common;

use common::{edit, COMPLIANT};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A policy of the project's own, which the compliant manifest (retention
/// 30 days) passes.
const ACME: &str = "\
policy acme for partnership/v1

/// Internal policy ACME-7: a partner keeps what it reads for 90 days at most.
rule acme/retention {
  title    \"partners keep data for 90 days at most\"
  severity error
  each grant in grants
  require grant.retention is set and grant.retention <= 90d
  message \"{partner.name} keeps data from `{grant.id}` for {grant.retention}\"
  help    \"agree a retention of 90 days or less\"
}
";

const CONFIG: &str = "policies: [builtin, policies/]\npaths: [partners/]\n";

/// The compliant manifest with another partner id, so that it can sit
/// beside the first in a run over every manifest.
fn compliant(id: &str) -> String {
    edit(COMPLIANT, "  id: spotify\n", &format!("  id: {id}\n"))
}

/// A manifest with one finding: it bypasses the users' privacy settings.
fn bypassing(id: &str) -> String {
    edit(
        &compliant(id),
        "honors_privacy_settings: true",
        "honors_privacy_settings: false",
    )
}

/// The pre-commit found on `PATH`, or a failure that says how to install it.
fn pre_commit() -> &'static str {
    let version = Command::new("pre-commit").arg("--version").output();
    match version {
        Ok(out) if out.status.success() => "pre-commit",
        _ => panic!(
            "pre-commit is needed for this test: `pip install pre-commit==4.7.0` (.ci/run installs it)"
        ),
    }
}

/// How the hook repository gets its `proviso`.
#[derive(Clone, Copy, PartialEq)]
enum Build {
    /// `language: system`: the `proviso` built for the tests, on `PATH`.
    System,
    /// `language: rust`, as published: pre-commit builds it from the hook
    /// repository, which holds a copy of this working tree.
    Cargo,
}

/// A throwaway project repository whose commits run the hook.
struct Project {
    _tmp: tempfile::TempDir,
    /// The project's working tree.
    dir: PathBuf,
    /// Where git's and pre-commit's own settings and caches are kept, so
    /// that nothing of the user's applies.
    home: PathBuf,
    build: Build,
}

impl Project {
    /// A repository with `.pre-commit-config.yaml` (the hook, with `args`
    /// when given) and `files`, committed without running the hook, and
    /// the hook installed for later commits.
    fn new(files: &[(&str, &str)], args: Option<&str>) -> Project {
        Project::with(Build::System, files, args)
    }

    fn with(build: Build, files: &[(&str, &str)], args: Option<&str>) -> Project {
        let pre_commit = pre_commit();
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let dir = tmp.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            home.join("gitconfig"),
            "[user]\n\tname = Test\n\temail = test@example.com\n\
             [init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        )
        .unwrap();
        let project = Project {
            _tmp: tmp,
            dir,
            home,
            build,
        };
        let (hooks, rev) = project.hook_repository();
        project.git(&["init", "-q"]);
        let args = args.map_or(String::new(), |a| format!("        args: {a}\n"));
        project.write(
            ".pre-commit-config.yaml",
            &format!(
                "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: proviso-check\n{args}",
                hooks.display()
            ),
        );
        for (path, text) in files {
            project.write(path, text);
        }
        project.git(&["add", "-A"]);
        project.git(&["commit", "-q", "--no-verify", "-m", "start"]);
        let install = project.command(pre_commit).arg("install").output().unwrap();
        assert!(install.status.success(), "{}", text(&install));
        project
    }

    /// A repository holding this repository's `.pre-commit-hooks.yaml`,
    /// committed: with `Build::System`, that file alone, with `language:
    /// system`; with `Build::Cargo`, the whole working tree (its files
    /// tracked or not, less those git ignores). Its path and commit.
    fn hook_repository(&self) -> (PathBuf, String) {
        let hooks = self.home.join("hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        match self.build {
            Build::System => {
                let text = std::fs::read_to_string(Path::new(REPO).join(".pre-commit-hooks.yaml"))
                    .unwrap();
                std::fs::write(hooks.join(".pre-commit-hooks.yaml"), system_hook(&text)).unwrap();
            }
            Build::Cargo => {
                let listed = self
                    .command("git")
                    .args([
                        "ls-files",
                        "-z",
                        "--cached",
                        "--others",
                        "--exclude-standard",
                    ])
                    .current_dir(REPO)
                    .output()
                    .unwrap();
                assert!(listed.status.success(), "{}", text(&listed));
                for file in listed.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
                    let file = std::str::from_utf8(file).unwrap();
                    let from = Path::new(REPO).join(file);
                    // A tracked file deleted in the working tree is not
                    // part of its state.
                    if from.is_file() {
                        let to = hooks.join(file);
                        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                        std::fs::copy(&from, &to).unwrap();
                    }
                }
            }
        }
        let git = |args: &[&str]| {
            let out = self
                .command("git")
                .args(args)
                .current_dir(&hooks)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", text(&out));
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "hooks"]);
        (
            hooks.clone(),
            git(&["rev-parse", "HEAD"]).trim().to_string(),
        )
    }

    /// A command run in the project, with the built `proviso` first on
    /// `PATH` and the settings of git and pre-commit kept in `home`.
    fn command(&self, program: &str) -> Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = Vec::new();
        if self.build == Build::System {
            paths.push(built().parent().unwrap().to_path_buf());
        }
        paths.extend(std::env::split_paths(&path));
        let mut command = Command::new(program);
        command
            .current_dir(&self.dir)
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("PRE_COMMIT_HOME", self.home.join("pre-commit"))
            .env("PRE_COMMIT_COLOR", "never")
            .env("GIT_CONFIG_GLOBAL", self.home.join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("SKIP")
            .env_remove("NO_COLOR");
        command
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.command("git").args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes and stages `files`, and commits: whether the commit landed,
    /// and what the hook printed.
    fn commit(&self, files: &[(&str, &str)]) -> (bool, String) {
        for (path, text) in files {
            self.write(path, text);
            self.git(&["add", "--", path]);
        }
        let before = self.git(&["rev-parse", "HEAD"]);
        let out = self
            .command("git")
            .args(["commit", "-q", "-m", "change"])
            .output()
            .unwrap();
        let after = self.git(&["rev-parse", "HEAD"]);
        let landed = out.status.success() && before != after;
        assert_eq!(
            out.status.success(),
            landed,
            "a commit that succeeded must move HEAD: {}",
            text(&out)
        );
        (landed, text(&out))
    }
}

/// The `proviso` built for the tests.
fn built() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_proviso"))
}

/// The hook definitions with `proviso-check` run from `PATH` (`language:
/// system`) instead of built by pre-commit; nothing else changed.
fn system_hook(published: &str) -> String {
    let mut defs: serde_yaml::Value = serde_yaml::from_str(published).unwrap();
    let hook = defs
        .as_sequence_mut()
        .unwrap()
        .iter_mut()
        .find(|h| h["id"] == "proviso-check")
        .expect("`.pre-commit-hooks.yaml` declares `proviso-check`");
    assert_eq!(
        hook["language"], "rust",
        "the published hook builds proviso with cargo"
    );
    hook["language"] = "system".into();
    serde_yaml::to_string(&defs).unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The project every test starts from: a configuration, a policy of its
/// own, and one compliant manifest.
fn project() -> Project {
    let spotify = compliant("spotify");
    Project::new(
        &[
            ("proviso.yaml", CONFIG),
            ("policies/acme.proviso", ACME),
            ("partners/spotify.yaml", &spotify),
        ],
        None,
    )
}

#[test]
fn a_staged_compliant_manifest_passes() {
    let project = project();
    let (landed, out) = project.commit(&[("partners/nordlys.yaml", &compliant("nordlys"))]);
    assert!(landed, "{out}");
    assert!(
        out.contains("proviso check") && out.contains("Passed"),
        "{out}"
    );
}

#[test]
fn a_staged_manifest_with_a_finding_blocks_the_commit() {
    let project = project();
    let (landed, out) = project.commit(&[("partners/nordlys.yaml", &bypassing("nordlys"))]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("partners/nordlys.yaml:41:30: error[ftc2012/privacy-settings]"),
        "{out}"
    );
    assert!(
        out.contains("checked 1 manifest"),
        "only the staged manifest: {out}"
    );
}

#[test]
fn an_upper_case_extension_is_checked() {
    let project = project();
    let (landed, out) = project.commit(&[("partners/SPOTIFY-EU.YAML", &bypassing("spotify-eu"))]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("partners/SPOTIFY-EU.YAML:41:30: error[ftc2012/privacy-settings]"),
        "{out}"
    );
}

#[test]
fn a_policy_change_checks_every_manifest() {
    let project = project();
    // Nothing but the policy is staged; the manifest it now fails was
    // committed before.
    let stricter = edit(ACME, "grant.retention <= 90d", "grant.retention <= 14d");
    let (landed, out) = project.commit(&[("policies/acme.proviso", &stricter)]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("partners/spotify.yaml:44:16: error[acme/retention]"),
        "{out}"
    );
    assert!(
        out.contains(
            "note: `policies/acme.proviso` is a policy, not a manifest: it stands for every manifest of the project, so `partners` is checked (the `paths` of `proviso.yaml`)"
        ),
        "{out}"
    );
    // A policy change that every manifest passes lands.
    let looser = edit(ACME, "grant.retention <= 90d", "grant.retention <= 60d");
    let (landed, out) = project.commit(&[("policies/acme.proviso", &looser)]);
    assert!(landed, "{out}");
}

#[test]
fn a_configuration_change_checks_every_manifest() {
    let spotify = compliant("spotify");
    let yahoo = bypassing("yahoo");
    // `archive/` is outside the configured paths at first.
    let project = Project::new(
        &[
            ("proviso.yaml", CONFIG),
            ("policies/acme.proviso", ACME),
            ("partners/spotify.yaml", &spotify),
            ("archive/yahoo.yaml", &yahoo),
        ],
        None,
    );
    let (landed, out) = project.commit(&[(
        "proviso.yaml",
        "policies: [builtin, policies/]\npaths: [partners/, archive/]\n",
    )]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("archive/yahoo.yaml:41:30: error[ftc2012/privacy-settings]"),
        "{out}"
    );
    assert!(out.contains("checked 2 manifests"), "{out}");
}

#[test]
fn an_untracked_broken_file_does_not_block_a_manifest_only_commit() {
    let project = project();
    project.write(
        "partners/draft.yaml",
        "schema: partnership/v1\npartner: [unfinished\n",
    );
    let (landed, out) = project.commit(&[("partners/nordlys.yaml", &compliant("nordlys"))]);
    assert!(landed, "{out}");
    // A policy change checks every manifest of the working tree, the
    // draft included, as CI would once it is added.
    let changed = format!("{ACME}\n// reviewed\n");
    let (landed, out) = project.commit(&[("policies/acme.proviso", &changed)]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("partners/draft.yaml:") && out.contains("error[manifest/syntax]"),
        "{out}"
    );
}

#[test]
fn staged_yaml_that_is_not_a_manifest_passes() {
    let project = project();
    let (landed, out) = project.commit(&[(".github/workflows/ci.yml", "on: [push]\njobs: {}\n")]);
    assert!(landed, "{out}");
    assert!(out.contains("Passed"), "{out}");
}

/// The staged files come after `--`: a file named like a flag is checked
/// as a file, and cannot add a flag to the run.
#[test]
fn a_staged_file_named_like_a_flag_is_a_file() {
    let project = project();
    let kept_long = edit(&bypassing("nordlys"), "retention: 30d", "retention: 120d");
    let (landed, out) = project.commit(&[("-x.yaml", &kept_long)]);
    assert!(!landed, "{out}");
    assert!(out.contains("-x.yaml:"), "checked as a manifest: {out}");
    assert!(out.contains("error[acme/retention]"), "{out}");
    let (landed, out) = project.commit(&[
        ("--policy=p.proviso", "policy p for partnership/v1\n"),
        ("--output=o.yaml", &kept_long),
    ]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("--output=o.yaml:"),
        "checked as a manifest: {out}"
    );
    assert!(
        out.contains("error[acme/retention]"),
        "the project's policies still apply: {out}"
    );
}

/// `proviso check PATH...` in `dir`.
fn check(dir: &Path, args: &[&str]) -> common::Run {
    common::Run::of(
        Command::new(built())
            .arg("check")
            .args(args)
            .args(["--format", "short"])
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// A directory with the project's files: a configuration (`config`, when
/// given), the policy, a compliant manifest under `partners/` and one
/// with a finding outside it.
fn fenced(config: Option<&str>) -> tempfile::TempDir {
    let dir = common::fenced_tempdir();
    let files = [
        ("policies/acme.proviso", ACME.to_string()),
        ("partners/spotify.yaml", compliant("spotify")),
        ("archive/yahoo.yaml", bypassing("yahoo")),
    ];
    for (path, text) in files
        .iter()
        .chain(config.map(|c| ("proviso.yaml", c.to_string())).iter())
    {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_policy_named_stands_for_the_configured_paths() {
    let dir = fenced(Some(CONFIG));
    let run = check(dir.path(), &["policies/acme.proviso"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("checked 1 manifest against 21 rules"),
        "{run}"
    );
    assert!(
        run.stderr.contains("note: `policies/acme.proviso` is a policy, not a manifest: it stands for every manifest of the project, so `partners` is checked (the `paths` of `proviso.yaml`)"),
        "{run}"
    );
    // With a manifest named beside it, that one too; a manifest under the
    // configured paths is checked once.
    let run = check(
        dir.path(),
        &[
            "archive/yahoo.yaml",
            "policies/acme.proviso",
            "partners/spotify.yaml",
        ],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("checked 2 manifests"), "{run}");
    assert_eq!(
        run.stdout,
        "archive/yahoo.yaml:41:30: error[ftc2012/privacy-settings]: Spotify AB bypasses users' privacy settings through `inbox`\n",
        "{run}"
    );
    // So does the configuration itself.
    let run = check(dir.path(), &["proviso.yaml"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("note: `proviso.yaml` is the project configuration, not a manifest"),
        "{run}"
    );
    assert!(run.stderr.contains("checked 1 manifest"), "{run}");
    // Manifests named alone are checked alone.
    let run = check(dir.path(), &["archive/yahoo.yaml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("checked 1 manifest"), "{run}");
    assert!(!run.stderr.contains("note: `"), "{run}");
}

#[test]
fn without_paths_configured_a_policy_named_stands_for_the_project_directory() {
    let dir = fenced(Some("policies: [builtin, policies/]\n"));
    let run = check(dir.path(), &["policies/acme.proviso"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("checked 2 manifests"), "{run}");
    assert!(
        run.stderr
            .contains("so `.` is checked (the directory of `proviso.yaml`)"),
        "{run}"
    );
    // From a subdirectory, what is checked is still the project's.
    let run = check(&dir.path().join("partners"), &["../policies/acme.proviso"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("checked 2 manifests"), "{run}");
    assert!(run.stderr.contains("so `..` is checked"), "{run}");
}

#[test]
fn without_a_configuration_a_policy_named_stands_for_the_working_directory() {
    let dir = fenced(None);
    let run = check(dir.path(), &["policies/acme.proviso"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains("checked 2 manifests against 20 rules"),
        "{run}"
    );
    assert!(run.stderr.contains("so `.` is checked\n"), "{run}");
    // The policy is not loaded: its rules are not what was checked.
    assert!(
        run.stderr.contains("note: `policies/acme.proviso` is not among the policies this run loads, so its rules are not checked; pass `--policy builtin --policy policies/acme.proviso`"),
        "{run}"
    );
    let run = check(
        dir.path(),
        &[
            "--policy",
            "builtin",
            "--policy",
            "policies",
            "policies/acme.proviso",
        ],
    );
    assert!(
        run.stderr.contains("checked 2 manifests against 21 rules"),
        "{run}"
    );
    assert!(!run.stderr.contains("is not among the policies"), "{run}");
}

#[test]
fn a_policy_named_that_is_not_there_is_an_error() {
    let dir = fenced(Some(CONFIG));
    let run = check(dir.path(), &["policies/gone.proviso"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("error: cannot check `policies/gone.proviso`"),
        "{run}"
    );
}

/// The hook as published, `language: rust`: pre-commit builds proviso
/// from a copy of this working tree with `cargo install`, and the commit
/// runs what it built. Ignored by default, for the time a build from
/// scratch takes.
#[test]
#[ignore = "pre-commit builds proviso from scratch with cargo install (about 9 minutes cold): run it with `cargo test --test precommit -- --ignored`"]
fn the_published_hook_builds_and_runs() {
    let spotify = compliant("spotify");
    let project = Project::with(
        Build::Cargo,
        &[
            ("proviso.yaml", CONFIG),
            ("policies/acme.proviso", ACME),
            ("partners/spotify.yaml", &spotify),
        ],
        None,
    );
    let started = std::time::Instant::now();
    let install = project
        .command(pre_commit())
        .arg("install-hooks")
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", text(&install));
    eprintln!("pre-commit built the hook in {:.0?}", started.elapsed());
    let (landed, out) = project.commit(&[("partners/nordlys.yaml", &compliant("nordlys"))]);
    assert!(landed, "{out}");
    let (landed, out) = project.commit(&[("partners/SPOTIFY-EU.YAML", &bypassing("spotify-eu"))]);
    assert!(!landed, "{out}");
    assert!(
        out.contains("partners/SPOTIFY-EU.YAML:41:30: error[ftc2012/privacy-settings]"),
        "{out}"
    );
}
