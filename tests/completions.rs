#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `proviso completions SHELL` and `proviso man`: both are made from the
//! command line's own definitions, so every command and flag is in them.

use clap::CommandFactory;
use proviso::cli::Cli;
use std::process::Command;

fn proviso(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn subcommands() -> Vec<String> {
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in ["check", "rules", "schema", "completions", "man"] {
        assert!(names.iter().any(|n| n == name), "{names:?}");
    }
    names
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, stdout, stderr) = proviso(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.contains("proviso"), "{shell}");
        assert_eq!(stderr, "", "{shell}");
    }
    let (code, stdout, stderr) = proviso(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("bash"), "{stderr}");
}

#[test]
fn the_bash_script_names_every_command() {
    let (_, script, _) = proviso(&["completions", "bash"]);
    for name in subcommands() {
        assert!(
            script.contains(&format!("proviso,{name})")),
            "`{name}` is not completed"
        );
    }
    // And the flags of `check`.
    for flag in [
        "--policy",
        "--format",
        "--fail-on",
        "--as-of",
        "--allow-empty",
    ] {
        assert!(script.contains(flag), "{flag}");
    }
}

#[test]
fn bash_completes_a_command_from_its_first_letters() {
    if Command::new("bash").arg("-c").arg("true").status().is_err() {
        eprintln!("bash is not installed: completion not run");
        return;
    }
    let (_, script, _) = proviso(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proviso.bash");
    std::fs::write(&file, script).unwrap();
    // What bash does on `proviso ch<TAB>`: it calls the function the script
    // registered for `proviso`, with the words of the line.
    let complete = r#"
        source "$1"
        complete -p proviso
        COMP_WORDS=(proviso "$2")
        COMP_CWORD=1
        COMP_LINE="proviso $2"
        COMP_POINT=${#COMP_LINE}
        _proviso proviso "$2" proviso
        printf 'reply: %s\n' "${COMPREPLY[@]}"
    "#;
    let run = |word: &str| {
        let out = Command::new("bash")
            .args(["-c", complete, "bash"])
            .arg(&file)
            .arg(word)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.starts_with("complete ") && stdout.contains(" -F _proviso proviso\n"),
            "not registered: {stdout}"
        );
        stdout
            .lines()
            .filter_map(|l| l.strip_prefix("reply: "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(run("ch"), ["check"]);
    assert_eq!(run("sch"), ["schema"]);
    let all = run("");
    for name in subcommands() {
        assert!(all.contains(&name), "{name} not offered: {all:?}");
    }
}

#[test]
fn the_man_page_holds_every_command_and_the_flags_of_check() {
    let (code, page, stderr) = proviso(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH proviso 1 "));
    assert_eq!(page.matches(".ds Aq").count(), 2, "one preamble");
    for name in subcommands() {
        if name == "help" {
            continue;
        }
        let heading = format!(".SH \"PROVISO {}\"\n", name.to_uppercase());
        assert!(page.contains(&heading), "no section for `{name}`");
    }
    let cmd = Cli::command();
    let check = cmd.find_subcommand("check").unwrap();
    let mut flags = 0;
    for arg in check.get_arguments() {
        let Some(long) = arg.get_long() else {
            continue;
        };
        // roff writes a hyphen as `\-`.
        let shown = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
        assert!(page.contains(&shown), "`--{long}` is not in the page");
        flags += 1;
    }
    assert!(flags >= 8, "{flags}");
}

#[test]
fn man_reads_the_page() {
    let Ok(status) = Command::new("man").arg("--version").output() else {
        eprintln!("man is not installed: page not rendered");
        return;
    };
    if !status.status.success() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proviso.1");
    let (_, page, _) = proviso(&["man"]);
    std::fs::write(&file, page).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for shown in [
        "PROVISO CHECK",
        "--max-waiver-days <DAYS>",
        "proviso schema",
    ] {
        assert!(text.contains(shown), "`{shown}` not in:\n{text}");
    }
}
