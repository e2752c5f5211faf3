//! The `human` report on a terminal: its width (`COLUMNS`, the terminal's
//! own, bounds), the blank line between reports, and colour (`--color`,
//! `NO_COLOR`, `FORCE_COLOR`, `CLICOLOR_FORCE`), on stdout and on stderr.
//!
//! The snapshots beside this file show two manifests' reports at 60, 80
//! and 200 columns. On Linux, runs inside a pseudo-terminal check what a
//! real terminal gets: its width and, in `auto`, colour.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const AS_OF: &str = "2018-12-18";
/// Two manifests with long comments beside the blamed values, and labels
/// too long for a narrow terminal.
const MANIFESTS: [&str; 2] = [
    "examples/facebook-2018/blackberry.yaml",
    "examples/facebook-2018/spotify.yaml",
];
const ESC: char = '\u{1b}';

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `proviso ARGS` from the crate's root, in an environment that says
/// nothing of colour or width but what `env` sets.
fn proviso(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(args, env);
    cmd.output().unwrap()
}

/// `proviso ARGS` from the crate's root, with no colour or width setting
/// of the test run's environment: only `TERM` and what `env` sets.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_proviso"));
    cmd.current_dir(repo()).args(args);
    for var in [
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "COLUMNS",
        "IGNORE_IS_TERMINAL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn human(paths: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["check"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", "human"]);
    args.extend_from_slice(extra);
    proviso(&args, env)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `s` without SGR escape sequences.
fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ESC && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The summary's time (`0.07s`), which varies, wherever its line was
/// wrapped.
fn redact(out: &str) -> String {
    let timing = |word: &str| {
        word.strip_suffix('s')
            .and_then(|n| n.split_once('.'))
            .is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
            })
    };
    out.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|w| if timing(w) { "[elapsed]" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The columns a line takes (the reports' characters are one column each).
fn columns(line: &str) -> usize {
    line.chars().count()
}

/// Each finding's message, as `--format json` gives it.
fn messages(paths: &[&str]) -> Vec<String> {
    let mut args = vec!["check"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", "json"]);
    let doc: Value = serde_json::from_slice(&proviso(&args, &[]).stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// The reports' messages, as wrapped: each `  × ` (or `⚠`, `☞`) line with
/// the `  │ ` lines after it, joined again with spaces.
fn wrapped_messages(out: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in out.lines() {
        let head = ["  × ", "  ⚠ ", "  ☞ "]
            .iter()
            .find_map(|h| line.strip_prefix(h));
        if let Some(rest) = head {
            found.extend(current.take());
            current = Some(rest.to_string());
        } else if let (Some(m), Some(rest)) = (current.as_mut(), line.strip_prefix("  │ ")) {
            m.push(' ');
            m.push_str(rest);
        } else {
            found.extend(current.take());
        }
    }
    found.extend(current);
    found
}

// ---- width ----------------------------------------------------------------

fn at_width(columns: &str) -> String {
    let out = human(&MANIFESTS, &[], &[("COLUMNS", columns)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains(ESC), "no colour off a terminal");
    redact(&stdout)
}

/// Every line fits, and every message reads as written: lines break at
/// spaces, never inside a word.
fn assert_fits(out: &str, width: usize) {
    for line in out.lines() {
        assert!(
            columns(line) <= width,
            "a line of {} columns at {width}:\n{line}\n\n{out}",
            columns(line)
        );
    }
    let wrapped = wrapped_messages(out);
    for m in messages(&MANIFESTS) {
        assert!(wrapped.contains(&m), "`{m}` is not whole in:\n{out}");
    }
}

#[test]
fn human_at_60_columns() {
    let out = at_width("60");
    assert_fits(&out, 60);
    // A line of the file is cut past its labelled value, never through it.
    assert!(
        out.contains(" 49 │     subjects: [user, friends, friends_of_friends]  #…\n"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn human_at_80_columns() {
    let out = at_width("80");
    assert_fits(&out, 80);
    insta::assert_snapshot!(out);
}

/// A wide terminal is used up to a maximum, past which prose is hard to
/// read.
#[test]
fn human_at_200_columns() {
    let out = at_width("200");
    assert_fits(&out, 140);
    assert!(out.lines().any(|l| columns(l) > 100), "{out}");
    assert_eq!(out, at_width("140"));
    insta::assert_snapshot!(out);
}

#[test]
fn columns_out_of_bounds_or_not_a_number() {
    // Too narrow to draw a snippet: the minimum.
    assert_eq!(at_width("10"), at_width("40"));
    // Not a number: as if unset, which off a terminal is 100 columns.
    assert_eq!(at_width("wide"), at_width("100"));
    assert_eq!(at_width("0"), at_width("100"));
    let out = human(&MANIFESTS, &[], &[]);
    assert_eq!(redact(&text(&out.stdout)), at_width("100"));
}

/// Errors on stderr (a policy that does not check) wrap at the width too.
#[test]
fn policy_errors_fit_the_width() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("bad.proviso");
    std::fs::write(
        &policy,
        "policy bad for partnership/v1\n\n/// A rule with two mistakes, beside a line long enough to be cut on a narrow terminal.\nrule bad/rule {\n  title \"t\"\n  severity error\n  require rol == controller\n    and own_purpose_us\n  message \"a message long enough to be cut on a terminal sixty columns wide\"\n}\n",
    )
    .unwrap();
    let out = human(
        &[MANIFESTS[0]],
        &["--policy", policy.to_str().unwrap()],
        &[("COLUMNS", "60")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("did you mean `role`?"), "{stderr}");
    for line in stderr.lines().filter(|l| !l.starts_with("error: ")) {
        assert!(columns(line) <= 60, "{line}\n\n{stderr}");
    }
    assert!(stderr.contains(" 9 │   message \"a message long enough to be cut on a termin…\n"));
    // Two reports, a blank line between them, and one before the last
    // line.
    assert!(
        stderr.contains("did you mean `role`?\n\n  × unknown name `own_purpose_us`"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "`own_purpose_use`?\n\nerror: the policies have 2 errors; no manifest was checked\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("\n\n\n"), "{stderr}");
}

// ---- blank lines ------------------------------------------------------------

/// One blank line between a report and the next rule header, none doubled,
/// and one before the summary.
#[test]
fn reports_are_separated_by_one_blank_line() {
    let out = human(&["examples"], &[], &[]);
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("\n\n\n"),
        "a doubled blank line:\n{stdout}"
    );
    assert!(!stdout.starts_with('\n'));
    assert!(!stdout.ends_with("\n\n"), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let summary = lines
        .iter()
        .rposition(|l| l.starts_with("checked "))
        .unwrap();
    assert_eq!(lines[summary - 1], "");
    // Each report starts with its rule id alone on a line, and a blank
    // line under it.
    let mut reports = 0;
    for (i, line) in lines.iter().enumerate().take(summary) {
        let header = !line.is_empty()
            && !line.starts_with(' ')
            && !line.starts_with("Advice:")
            && line.contains('/')
            && !line.contains(' ');
        if !header {
            continue;
        }
        reports += 1;
        assert_eq!(lines[i + 1], "", "{line}");
        if i > 0 {
            assert_eq!(lines[i - 1], "", "no blank line above `{line}`");
            assert_ne!(lines[i - 2], "", "two blank lines above `{line}`");
        }
    }
    assert_eq!(reports, messages(&["examples"]).len());
}

// ---- colour -----------------------------------------------------------------

/// Flags, environment, and whether the output is coloured.
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    bool,
);

fn coloured(out: &Output) -> (bool, bool) {
    (out.stdout.contains(&0x1b), out.stderr.contains(&0x1b))
}

#[test]
fn colour_off_a_terminal_follows_the_flag_then_the_environment() {
    let cases: [Case; 15] = [
        (&[], &[], false),
        // An empty `FORCE_COLOR` forces nothing; `CLICOLOR_FORCE` still does.
        (&[], &[("FORCE_COLOR", "")], false),
        (&[], &[("FORCE_COLOR", ""), ("CLICOLOR_FORCE", "1")], true),
        (&[], &[("NO_COLOR", "1")], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("FORCE_COLOR", "1"), ("TERM", "dumb")], true),
        // `NO_COLOR` wins over a `FORCE_COLOR` set for a whole CI job.
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], false),
        (&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], false),
        // An empty `NO_COLOR` is as if unset.
        (&[], &[("NO_COLOR", ""), ("FORCE_COLOR", "1")], true),
        (&["--color", "always"], &[], true),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
        (&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false),
        (&["--color", "auto"], &[("FORCE_COLOR", "1")], true),
    ];
    for (flags, env, expected) in cases {
        let out = human(&[MANIFESTS[1]], flags, env);
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        assert_eq!(
            stdout.contains(ESC),
            expected,
            "{flags:?} {env:?}:\n{stdout}"
        );
        if expected {
            // The same report, coloured.
            let plain = text(&human(&[MANIFESTS[1]], &[], &[]).stdout);
            assert_eq!(redact(&strip(&stdout)), redact(&plain));
        }
        // The summary on stderr is never coloured.
        assert!(!out.stderr.contains(&0x1b));
    }
}

/// Only `human` has colour: the other formats are for tools and editors.
#[test]
fn other_formats_are_never_coloured() {
    for format in ["short", "json", "sarif", "junit", "github"] {
        let out = proviso(
            &[
                "check",
                MANIFESTS[1],
                "--as-of",
                AS_OF,
                "--format",
                format,
                "--color",
                "always",
            ],
            &[("FORCE_COLOR", "1")],
        );
        assert_eq!(coloured(&out), (false, false), "{format}");
    }
}

/// A report written with `--output` is a file: plain in `auto`, even with
/// `FORCE_COLOR`; coloured only when asked with `always`.
#[test]
fn a_report_written_to_a_file_is_plain_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.txt");
    let path = file.to_str().unwrap();
    let run = |flags: &[&str], env: &[(&str, &str)]| {
        let mut extra = vec!["--output", path];
        extra.extend_from_slice(flags);
        let out = human(&[MANIFESTS[1]], &extra, env);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        std::fs::read_to_string(&file).unwrap()
    };
    assert!(!run(&[], &[("FORCE_COLOR", "1")]).contains(ESC));
    assert!(!run(&[], &[("CLICOLOR_FORCE", "1")]).contains(ESC));
    assert!(run(&["--color", "always"], &[]).contains(ESC));
}

/// Errors on stderr follow the same flag and environment, judged on
/// stderr.
#[test]
fn errors_on_stderr_follow_the_flag_and_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("bad.proviso");
    std::fs::write(
        &policy,
        "policy bad for partnership/v1\nrule bad/rule { title \"t\" severity error require rol == controller message \"m\" }\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let cases: [Case; 6] = [
        (&[], &[], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("NO_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
    ];
    for (flags, env, expected) in cases {
        let mut extra = vec!["--policy", policy];
        extra.extend_from_slice(flags);
        let out = human(&[MANIFESTS[1]], &extra, env);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("did you mean `role`?"), "{stderr}");
        assert_eq!(
            stderr.contains(ESC),
            expected,
            "{flags:?} {env:?}:\n{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// `proviso test` shows a broken test file as a report on stderr, coloured
/// by the same rules.
#[test]
fn proviso_test_colours_its_reports_by_the_same_rules() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("broken.test.yaml"),
        "base: ../no-such-manifest.yaml\ncases:\n  - name: x\n    expect:\n      gdpr/retention: pass\n",
    )
    .unwrap();
    let dir = tmp.path().to_str().unwrap();
    let run = |flags: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["test", dir, "--format", "human"];
        args.extend_from_slice(flags);
        let out = proviso(&args, env);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let plain = run(&[], &[]);
    assert!(plain.contains("broken.test.yaml"), "{plain}");
    assert!(!plain.contains(ESC), "{plain}");
    assert!(run(&[], &[("FORCE_COLOR", "1")]).contains(ESC));
    assert!(run(&["--color", "always"], &[]).contains(ESC));
    assert!(!run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(ESC));
}

// ---- on a terminal ----------------------------------------------------------

/// What `proviso ARGS` writes to a pseudo-terminal `cols` columns wide
/// (stdout and stderr both), line breaks as written.
#[cfg(target_os = "linux")]
fn on_a_terminal(args: &[&str], cols: u16, env: &[(&str, &str)]) -> (Option<i32>, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 50,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: the pointers are to live locals; openpty fills the two
    // descriptors, which are then owned here.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = command(args, env);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().unwrap();
    // The terminal's other end closes when the child is done with it and
    // no copy is left here.
    drop(cmd);
    let mut out = Vec::new();
    let mut master = std::fs::File::from(master);
    let mut buf = [0u8; 8192];
    loop {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // Linux says EIO once the last writer has gone.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => break,
            Err(e) => panic!("reading the terminal: {e}"),
        }
    }
    let status = child.wait().unwrap();
    // The terminal writes each line break as `\r\n`.
    (status.code(), text(&out).replace("\r\n", "\n"))
}

#[cfg(target_os = "linux")]
fn check_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["check", MANIFESTS[0], MANIFESTS[1], "--as-of", AS_OF];
    args.extend_from_slice(extra);
    args
}

/// The summary's time varies; everything else is the same run after run.
#[cfg(target_os = "linux")]
fn same_report(terminal: &str, piped: &Output) -> bool {
    let piped = format!("{}{}", text(&piped.stdout), text(&piped.stderr));
    redact(&strip(terminal)) == redact(&piped)
}

/// On a terminal the default format is `human`, coloured, at the
/// terminal's width.
#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_colour_and_its_own_width() {
    let (code, out) = on_a_terminal(&check_args(&[]), 72, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains(ESC), "{out}");
    let piped = human(&MANIFESTS, &["--color", "never"], &[("COLUMNS", "72")]);
    assert!(same_report(&out, &piped), "{out}");
    for line in strip(&out).lines() {
        assert!(columns(line) <= 72, "{line}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn columns_wins_over_the_terminal_width() {
    let (_, out) = on_a_terminal(&check_args(&[]), 72, &[("COLUMNS", "90")]);
    let piped = human(&MANIFESTS, &["--color", "never"], &[("COLUMNS", "90")]);
    assert!(same_report(&out, &piped), "{out}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminal_without_colour_when_asked() {
    for (flags, env) in [
        (&[][..], &[("NO_COLOR", "1")][..]),
        (&["--color", "never"][..], &[][..]),
        (&[][..], &[("TERM", "dumb")][..]),
    ] {
        let (code, out) = on_a_terminal(&check_args(flags), 100, env);
        assert_eq!(code, Some(1));
        assert!(!out.contains(ESC), "{flags:?} {env:?}:\n{out}");
        assert!(out.contains("  × "), "{out}");
    }
}
