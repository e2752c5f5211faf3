#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Nothing a manifest, a file name or a policy contains reaches the
//! terminal raw or forges a line of output: control characters, line and
//! paragraph separators and bidi controls come out in a visible form, in
//! every format a person or a log reads.
//!
//! The manifests are the Spotify example (findings on 2018-12-18) with
//! hostile text in the values the rules interpolate, in the waiver, in the
//! file's name, and raw in the file itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const SPOTIFY: &str = include_str!("../examples/facebook-2018/spotify.yaml");

/// What one run printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit code: {}\n--- stdout:\n{}--- stderr:\n{}---",
            self.code,
            self.stdout.escape_debug(),
            self.stderr.escape_debug()
        )
    }
}

/// `proviso ARGS` in `dir`, with colours off.
fn proviso(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot start proviso");
    let run = Run {
        code: out.status.code().expect("proviso was killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is not UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is not UTF-8"),
    };
    assert!(!run.stderr.contains("panicked"), "proviso panicked\n{run}");
    run
}

/// `proviso check PATH --as-of 2018-12-18 --format FORMAT` in `dir`.
fn check(dir: &Path, path: &str, format: &str) -> Run {
    proviso(
        dir,
        &["check", path, "--as-of", "2018-12-18", "--format", format],
    )
}

fn tempdir() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().canonicalize().unwrap();
    (dir, path)
}

/// Replaces exactly one occurrence, so an edit that no longer applies
/// fails loudly instead of testing nothing.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// No such character but the newline that ends a line.
fn assert_shows_nothing_raw(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = text
            .chars()
            .find(|&c| c != '\n' && proviso::source::is_display_control(c))
        {
            panic!("{stream} has a raw {c:?}\n{run}");
        }
    }
}

/// A file named so that, printed raw, its name would end the line and
/// start a forged one: an error annotation in GitHub's log.
const FORGING_NAME: &str = "a\n::error file=x::forged.yaml";

/// The number of findings of the Spotify example under a plain name.
fn spotify_findings(format: &str) -> usize {
    let (_guard, dir) = tempdir();
    std::fs::write(dir.join("spotify.yaml"), SPOTIFY).unwrap();
    let run = check(&dir, "spotify.yaml", format);
    assert_eq!(run.code, 1, "{run}");
    let n = run.stdout.lines().count();
    assert!(n > 0, "{run}");
    n
}

fn check_forging_name(format: &str) -> Run {
    let (_guard, dir) = tempdir();
    std::fs::create_dir(dir.join("d")).unwrap();
    std::fs::write(dir.join("d").join(FORGING_NAME), SPOTIFY).unwrap();
    let run = check(&dir, "d", format);
    assert_eq!(run.code, 1, "{run}");
    assert_shows_nothing_raw(&run);
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("::error file=x")),
        "a line is forged\n{run}"
    );
    run
}

#[test]
fn a_file_name_cannot_forge_a_line_in_short() {
    let run = check_forging_name("short");
    assert_eq!(
        run.stdout.lines().count(),
        spotify_findings("short"),
        "{run}"
    );
    for line in run.stdout.lines() {
        assert!(
            line.starts_with(r"d/a\n::error file=x::forged.yaml:"),
            "{line}\n{run}"
        );
    }
}

#[test]
fn a_file_name_cannot_forge_a_line_in_github() {
    let run = check_forging_name("github");
    assert_eq!(
        run.stdout.lines().count(),
        spotify_findings("github"),
        "{run}"
    );
    for line in run.stdout.lines() {
        // The runner's own escapes: the name comes back whole in the
        // annotation, and its `:` cannot end the property.
        assert!(
            line.contains("file=d/a%0A%3A%3Aerror file=x%3A%3Aforged.yaml,"),
            "{line}\n{run}"
        );
    }
}

#[test]
fn a_file_name_cannot_forge_a_line_in_human() {
    let run = check_forging_name("human");
    assert!(
        !run.stdout.lines().any(|l| l.trim_start().starts_with("::")),
        "{run}"
    );
    assert!(
        run.stdout
            .contains(r"[d/a\n::error file=x::forged.yaml:46:22]"),
        "{run}"
    );
}

/// The Spotify example whose partner name, which every message
/// interpolates, clears the line and prints a green all-clear; and whose
/// waiver's reason and approver backspace, return and move the cursor.
/// YAML's double-quoted escapes put the raw characters into the values.
fn hostile_values() -> String {
    let text = edit(
        SPOTIFY,
        "  name: Spotify\n",
        "  name: \"\\e[2K\\e[1G\\e[32mall manifests comply\"\n",
    );
    format!(
        "{text}waivers:\n\
         \x20 - rule: ftc2012/subject-consent\n\
         \x20   reason: \"friends\\b\\b\\b\\b\\b\\b\\bno\\r\\e[2Kall clear\\x9b2J\\N\\L\\P\\u202e\\t.\"\n\
         \x20   approved_by: \"legal\\e]8;;https://evil.example\\e\\\\\\u2066x\\u2069\\x7f\"\n\
         \x20   expires: 2019-06-01\n"
    )
}

fn check_hostile_values(format: &str) -> Run {
    let (_guard, dir) = tempdir();
    std::fs::write(dir.join("m.yaml"), hostile_values()).unwrap();
    // A name that would clear the line the terminal is on.
    std::fs::write(dir.join("\u{1b}[2Kclean.yaml"), hostile_values()).unwrap();
    let run = check(&dir, ".", format);
    assert_eq!(run.code, 1, "{run}");
    assert_shows_nothing_raw(&run);
    // What was there is shown, not dropped.
    assert!(
        run.stdout
            .contains(r"\x1b[2K\x1b[1G\x1b[32mall manifests comply"),
        "{run}"
    );
    run
}

#[test]
fn manifest_values_reach_no_terminal_raw_in_short() {
    let run = check_hostile_values("short");
    assert!(
        run.stdout.contains(
            r"by legal\x1b]8;;https://evil.example\x1b\\u{2066}x\u{2069}\x7f: friends\x08"
        ),
        "{run}"
    );
    assert!(
        run.stdout
            .contains(r"\x08no\r\x1b[2Kall clear\u{9b}2J\u{85}\u{2028}\u{2029}\u{202e}\t.)"),
        "{run}"
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(r"\x1b[2Kclean.yaml:46:22: ")),
        "{run}"
    );
    // One finding, one line: the waived finding's line holds the waiver.
    // The two manifests share a partner id: one more finding, whose other
    // place names the hostile file escaped.
    let plain = spotify_findings("short");
    assert_eq!(run.stdout.lines().count(), 2 * plain + 1, "{run}");
    assert!(
        run.stdout.contains(r"(see also \x1b[2Kclean.yaml:24:7)"),
        "{run}"
    );
}

#[test]
fn manifest_values_reach_no_terminal_raw_in_github() {
    let run = check_hostile_values("github");
    assert!(
        run.stdout.contains(r"friends\x08"),
        "the waiver's reason is shown\n{run}"
    );
    assert!(run.stdout.contains(r"file=\x1b[2Kclean.yaml,"), "{run}");
    let plain = spotify_findings("github");
    assert_eq!(run.stdout.lines().count(), 2 * plain + 1, "{run}");
    assert!(
        run.stdout.contains(r"(see also \x1b[2Kclean.yaml:24:7)"),
        "{run}"
    );
}

#[test]
fn manifest_values_reach_no_terminal_raw_in_human() {
    let run = check_hostile_values("human");
    assert!(
        run.stdout.contains(r"friends\x08"),
        "the waiver's reason is shown\n{run}"
    );
    assert!(run.stdout.contains(r"[\x1b[2Kclean.yaml:46:22]"), "{run}");
}

/// A manifest whose own text holds characters YAML lets through raw: a
/// bidi override, a line separator and NEL inside a quoted value the
/// schema rejects (so the snippet shows it, underlined), and bidi isolates
/// in a comment on the line before.
fn raw_in_the_text() -> String {
    let text = edit(
        SPOTIFY,
        "    subjects: [user, friends]",
        "    # \u{2067}b\u{2069}\n    subjects: [user, friends, \"\u{202e}\u{2028}x\u{85}y\"]",
    );
    edit(&text, "# a thread holds the friends' messages too", "")
}

#[test]
fn snippets_show_raw_characters_as_pictures_and_underline_the_same_text() {
    let (_guard, dir) = tempdir();
    std::fs::write(dir.join("m.yaml"), raw_in_the_text()).unwrap();
    let run = check(&dir, "m.yaml", "human");
    assert_eq!(run.code, 1, "{run}");
    assert_shows_nothing_raw(&run);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(r"│     # \u{2067}b\u{2069}")),
        "{run}"
    );
    let shown = r#""\u{202e}\u{2028}x\u{85}y""#;
    let at = lines
        .iter()
        .position(|l| l.contains(&format!("subjects: [user, friends, {shown}]")))
        .unwrap_or_else(|| panic!("no snippet line shows the value\n{run}"));
    let line: Vec<char> = lines[at].chars().collect();
    let start = lines[at].find(shown).unwrap();
    let start = lines[at][..start].chars().count();
    let underline: Vec<char> = lines[at + 1].chars().collect();
    let marked: Vec<usize> = (0..underline.len())
        .filter(|&i| matches!(underline[i], '─' | '┬'))
        .collect();
    assert_eq!(
        marked.first(),
        Some(&start),
        "the underline starts under the value\n{}\n{}",
        lines[at],
        lines[at + 1]
    );
    assert_eq!(
        marked.last(),
        Some(&(start + shown.chars().count() - 1)),
        "the underline ends under the value\n{}\n{}",
        lines[at],
        lines[at + 1]
    );
    assert!(line.len() > start);
}

#[test]
fn short_and_github_show_raw_characters_of_the_text_escaped() {
    let (_guard, dir) = tempdir();
    std::fs::write(dir.join("m.yaml"), raw_in_the_text()).unwrap();
    for format in ["short", "github"] {
        let run = check(&dir, "m.yaml", format);
        assert_eq!(run.code, 1, "{run}");
        assert_shows_nothing_raw(&run);
        assert_eq!(run.stdout.lines().count(), 1, "{run}");
        // In YAML 1.2 NEL is not a line break: a quoted scalar keeps it.
        assert!(run.stdout.contains(r"`\u{202e}\u{2028}x\u{85}y`"), "{run}");
    }
}

/// A policy whose name and text hold raw escapes, with an error on the
/// line after one of them: the policy errors go to stderr.
#[test]
fn policy_errors_reach_no_terminal_raw() {
    let (_guard, dir) = tempdir();
    let policy = "policy demo for partnership/v1\n\
                  rule demo/broken {\n  \
                    title    \"t \u{1b}[31m\"\n  \
                    severity error\n  \
                    // \u{202e}\r// \u{1b}[2K\u{1b}[1Gall policies check\u{7}\n  \
                    require not own_purpose_use_\n  \
                    message  \"{partner.name}\"\n\
                  }\n";
    let name = "p\u{1b}[8m.proviso";
    std::fs::write(dir.join(name), policy).unwrap();
    std::fs::write(dir.join("m.yaml"), SPOTIFY).unwrap();
    for format in ["short", "human"] {
        let run = proviso(
            &dir,
            &["check", "m.yaml", "--policy", name, "--format", format],
        );
        assert_eq!(run.code, 2, "{run}");
        assert_shows_nothing_raw(&run);
        // A lone carriage return breaks the line, as in manifests.
        assert!(run.stderr.contains(r"p\x1b[8m.proviso:7:15"), "{run}");
        if format == "human" {
            assert!(
                run.stderr.contains(r"// ␛[2K␛[1Gall policies check␇"),
                "the snippet pictures what it shows\n{run}"
            );
        }
    }
}

/// XML 1.0 cannot hold most C0 characters, even as references, nor
/// U+FFFE and U+FFFF: they are shown escaped, not dropped, and the
/// document parses.
#[test]
fn junit_shows_control_characters_and_stays_xml() {
    let (_guard, dir) = tempdir();
    // Interpolated into every message.
    let text = edit(&hostile_values(), "comply\"", "comply\\uFFFE\\uFFFF\"");
    std::fs::write(dir.join("m.yaml"), text).unwrap();
    std::fs::write(dir.join("\u{1b}[2Kclean.yaml"), hostile_values()).unwrap();
    let run = check(&dir, ".", "junit");
    assert_eq!(run.code, 1, "{run}");
    let xml_char = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    if let Some(c) = run.stdout.chars().find(|&c| !xml_char(c)) {
        panic!("{c:?} is not an XML 1.0 character\n{run}");
    }
    assert!(
        run.stdout
            .contains(r"\x1b[2K\x1b[1G\x1b[32mall manifests comply"),
        "{run}"
    );
    assert!(run.stdout.contains(r#"file="\x1b[2Kclean.yaml""#), "{run}");
    let mut reader = quick_xml::Reader::from_str(&run.stdout);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the JUnit document does not parse: {e}\n{run}"),
        }
    }
}
