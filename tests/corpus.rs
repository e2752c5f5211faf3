//! The example corpus, run through the binary as a user runs it.
//!
//! `examples/facebook-2018/` describes the partners named in the 2018
//! reporting on Facebook's data deals; checked as of the day the New York
//! Times published (2018-12-18), it must surface what was reported. Both
//! output formats are snapshotted, with the elapsed time redacted.
//!
//! `examples/compliant/` must pass every rule. Its partnerships ended before
//! 2018-12-18, so no grant is live and no certification can lapse; the one
//! waiver, renewed yearly, expires on 2027-07-15. The tests pin `--as-of`
//! to fixed dates (the day the corpus was written, the waiver's last day)
//! rather than the clock, so they do not change with the date they run on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

/// The day the New York Times published "As Facebook Raised a Privacy
/// Wall, It Carved an Opening for Tech Giants".
const REPORTED_ON: &str = "2018-12-18";

/// The day the compliant corpus was written, standing in for "today".
const WRITTEN_ON: &str = "2026-11-29";

/// The last day the compliant corpus's waiver is active.
const WAIVER_EXPIRES: &str = "2027-07-15";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `proviso check PATH --as-of DATE --format FORMAT` from the crate
/// root, so that paths print as `examples/...`.
fn check(path: &str, as_of: &str, format: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["check", path, "--as-of", as_of, "--format", format])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        // The human snapshot is plain and 100 columns wide, whatever the
        // environment of the test run asks.
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .output()
        .expect("run proviso");
    Run {
        code: out.status.code().expect("proviso exited with a code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Replaces the elapsed time at the end of the summary line (`... in
/// 0.07s`) with `[elapsed]`; other lines are kept as they are.
fn redact_elapsed(text: &str) -> String {
    text.lines()
        .map(|line| match line.rfind(" in ") {
            Some(i)
                if line.starts_with("checked ")
                    && line.ends_with('s')
                    && line[i + 4..line.len() - 1]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.') =>
            {
                format!("{} in [elapsed]", &line[..i])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line of `--format short`: `path:line:col: severity[rule]: message`.
#[derive(Debug)]
struct Finding {
    path: String,
    severity: String,
    rule: String,
    message: String,
}

impl Finding {
    fn file(&self) -> &str {
        self.path.rsplit('/').next().unwrap()
    }
    fn waived(&self) -> bool {
        self.message.contains(" (waived until ")
    }
}

fn parse_short(stdout: &str) -> Vec<Finding> {
    stdout
        .lines()
        .map(|line| {
            let (location, rest) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("not a finding: {line}"));
            let mut parts = location.rsplitn(3, ':');
            let (_col, _line, path) = (parts.next(), parts.next(), parts.next());
            let (head, message) = rest
                .split_once("]: ")
                .unwrap_or_else(|| panic!("not a finding: {line}"));
            let (severity, rule) = head
                .split_once('[')
                .unwrap_or_else(|| panic!("not a finding: {line}"));
            Finding {
                path: path
                    .unwrap_or_else(|| panic!("no path: {line}"))
                    .to_string(),
                severity: severity.to_string(),
                rule: rule.to_string(),
                message: message.to_string(),
            }
        })
        .collect()
}

/// What the 2018 reporting says, as (manifest, rule, what was reported).
/// Source tags are those listed in `examples/README.md`.
const REPORTED: &[(&str, &str, &str)] = &[
    (
        "netflix.yaml",
        "ftc2012/messages-consent",
        "Netflix could read, write and delete private messages, with Facebook Login only [S1][S6]",
    ),
    (
        "spotify.yaml",
        "ftc2012/messages-consent",
        "Spotify could read, write and delete private messages, with Facebook Login only [S1][S6]",
    ),
    (
        "rbc.yaml",
        "ftc2012/messages-consent",
        "RBC could read, write and delete private messages, with Facebook Login only [S1][S6]",
    ),
    (
        "bing.yaml",
        "ftc2012/subject-consent",
        "Bing saw the names of virtually all users' friends without consent [S1]",
    ),
    (
        "amazon.yaml",
        "ftc2012/subject-consent",
        "Amazon obtained users' names and contact details through their friends [S1][S3]",
    ),
    (
        "sony.yaml",
        "ftc2012/subject-consent",
        "Sony obtained users' email addresses through their friends [S3]",
    ),
    (
        "yahoo.yaml",
        "ftc2012/subject-consent",
        "Yahoo read streams of friends' posts; only the user had opted in [S2]",
    ),
    (
        "apple.yaml",
        "ftc2012/privacy-settings",
        "Apple devices read data of people who had switched all sharing off [S1][S7]",
    ),
    (
        "apple.yaml",
        "ftc2012/access-indicators",
        "Apple could hide all indicators that its devices asked for data [S1][S7]",
    ),
    (
        "yahoo.yaml",
        "lifecycle/revoke-on-retirement",
        "Yahoo's access outlived its feature by years [S1][S2]",
    ),
    (
        "yahoo.yaml",
        "lifecycle/access-after-revocation",
        "Yahoo still read friends' posts in the summer of 2018 [S1]",
    ),
];

#[test]
fn facebook_2018_surfaces_what_was_reported() {
    let run = check("examples/facebook-2018", REPORTED_ON, "short");
    assert_eq!(run.code, 1, "findings exit 1\n{}", run.stderr);
    let findings = parse_short(&run.stdout);
    for (file, rule, reported) in REPORTED {
        assert!(
            findings
                .iter()
                .any(|f| f.file() == *file && f.rule == *rule && f.severity == "error"),
            "{file} should fail {rule}: {reported}\n{}",
            run.stdout
        );
    }
    // Every manifest validates: the findings are about the partnerships,
    // not about the files.
    for f in &findings {
        assert!(
            !f.rule.starts_with("manifest/") && !f.rule.starts_with("proviso/"),
            "{}: {} {}",
            f.path,
            f.rule,
            f.message
        );
    }
    assert!(
        run.stderr.starts_with("checked 13 manifests against "),
        "{}",
        run.stderr
    );
}

#[test]
fn facebook_2018_short() {
    let run = check("examples/facebook-2018", REPORTED_ON, "short");
    assert_eq!(run.code, 1);
    let out = format!("{}--- stderr\n{}", run.stdout, redact_elapsed(&run.stderr));
    insta::assert_snapshot!("facebook_2018_short", out);
}

#[test]
fn facebook_2018_human() {
    let run = check("examples/facebook-2018", REPORTED_ON, "human");
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains('\u{1b}'), "no colour off a terminal");
    insta::assert_snapshot!("facebook_2018_human", redact_elapsed(&run.stdout));
}

/// `examples/compliant` is clean on `as_of`: exit 0, and the only finding
/// is the waived one.
fn assert_compliant(as_of: &str) {
    let run = check("examples/compliant", as_of, "short");
    assert_eq!(run.code, 0, "{as_of}:\n{}{}", run.stdout, run.stderr);
    let findings = parse_short(&run.stdout);
    for f in &findings {
        assert!(
            f.waived(),
            "{as_of}: {}: {}[{}]: {}",
            f.path,
            f.severity,
            f.rule,
            f.message
        );
    }
    let [waived] = findings.as_slice() else {
        panic!("{as_of}: expected one waived finding\n{}", run.stdout);
    };
    assert_eq!(waived.file(), "hanse-direktbank.yaml");
    assert_eq!(waived.rule, "gdpr/retention-limit");
    assert!(
        waived
            .message
            .ends_with(" (waived until 2027-07-15 by privacy-legal: payment receipts are booking records kept for ten years under German commercial and tax law (LEGAL-2014-031))"),
        "{}",
        waived.message
    );
    assert!(
        run.stderr.starts_with(
            "checked 3 manifests against 20 rules: 0 errors, 0 warnings, 0 notes, 1 waived in "
        ),
        "{as_of}: {}",
        run.stderr
    );
}

/// As of 2018, the waiver approved for 2027 lies years ahead: it is too
/// long to be an exception, silences nothing, and the finding it would
/// cover is reported.
#[test]
fn a_waiver_further_ahead_than_a_year_silences_nothing() {
    let run = check("examples/compliant", REPORTED_ON, "short");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let findings = parse_short(&run.stdout);
    let rules: Vec<(&str, &str, bool)> = findings
        .iter()
        .map(|f| (f.file(), f.rule.as_str(), f.waived()))
        .collect();
    assert_eq!(
        rules,
        [
            ("hanse-direktbank.yaml", "gdpr/retention-limit", false),
            ("hanse-direktbank.yaml", "proviso/waiver-too-long", false),
        ],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("runs until 2027-07-15, more than 365 days after 2018-12-18"),
        "{}",
        run.stdout
    );
}

#[test]
fn compliant_passes_when_written_and_until_the_waiver_expires() {
    assert_compliant(WRITTEN_ON);
    assert_compliant(WAIVER_EXPIRES);
}

#[test]
fn compliant_fails_once_the_waiver_has_expired() {
    let run = check("examples/compliant", "2027-07-16", "short");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let findings = parse_short(&run.stdout);
    assert!(
        findings.iter().any(|f| f.file() == "hanse-direktbank.yaml"
            && f.rule == "proviso/waiver-expired"
            && f.severity == "error"),
        "{}",
        run.stdout
    );
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "gdpr/retention-limit" && !f.waived()),
        "{}",
        run.stdout
    );
}

/// The README's first command checks all of `examples/`: the 2018 partners
/// fail, the compliant ones do not.
#[test]
fn all_examples_show_the_reported_findings() {
    let run = check("examples", WRITTEN_ON, "short");
    assert_eq!(run.code, 1);
    let findings = parse_short(&run.stdout);
    assert!(findings
        .iter()
        .any(|f| f.path.starts_with("examples/facebook-2018/")));
    for f in findings
        .iter()
        .filter(|f| f.path.starts_with("examples/compliant/"))
    {
        assert!(f.waived(), "{}: {} {}", f.path, f.rule, f.message);
    }
}
