#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Emacs's compilation mode on `proviso check --format short --column-unit
//! display`: `emacs --batch` runs `tests/emacs/compilation.el`, which runs
//! the check with `compile`, as `M-x compile` does, every setting at its
//! default. Emacs counts columns on the screen (wide characters take two,
//! a tab moves to the next multiple of 8): `first-error` and each next
//! error must put point on the value, after a tab, accents, CJK and an
//! emoji on its line; the `gnu` regexp must tell errors, warnings and
//! notes apart. `.ci/run` installs Emacs (Debian's `emacs-nox`).

mod common;

use std::path::Path;
use std::process::Command;

/// Runs `proviso check ARGS --format short --column-unit display` in `dir`
/// under `compile`, with the Lisp `setup` evaluated first, and returns what
/// `tests/emacs/compilation.el` wrote.
fn emacs(dir: &Path, args: &str, setup: &str) -> Vec<String> {
    let version = Command::new("emacs").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "Emacs is needed for this test: `apt-get install -y emacs-nox` (.ci/run installs it)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emacs/compilation.el");
    let out = dir.join("out.txt");
    let command = format!(
        "{} check --format short --column-unit display {args}",
        env!("CARGO_BIN_EXE_proviso")
    );
    let run = Command::new("timeout")
        .args(["60", "emacs", "--batch", "-Q", "--eval", setup, "-l"])
        .arg(&script)
        .current_dir(dir)
        .env("DIR", dir)
        .env("OUT", &out)
        .env("COMMAND", command)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "Emacs wrote nothing ({e}): {}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    written.lines().map(str::to_string).collect()
}

/// The compliant Nordlys example with its partner on one line after a
/// name with a tab, accents, CJK and an emoji, its kind `kind` and its
/// retention `retention`.
fn nordlys(kind: &str, retention: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/compliant/nordlys-music.yaml"),
    )
    .unwrap();
    let text = common::edit(
        &text,
        "partner:
  id: nordlys-music
  name: Nordlys Musikk AS
  kind: integration_partner
  country: \"NO\"
  owner: partnerships@platform.example
",
        &format!(
            "partner: {{id: nordlys-music, name: \"Nordlys\tMusikk — Zoë 漢字 😀\", kind: {kind}, \
             country: \"NO\", owner: partnerships@platform.example}}\n"
        ),
    );
    common::edit(&text, "retention: 30d", &format!("retention: {retention}"))
}

/// A note of a team's own, on the partner's kind.
const LOCAL: &str = "\
policy local for partnership/v1

/// Integration partners are listed for the yearly review.
rule local/integration-listed {
  title    \"integration partners are listed for the yearly review\"
  severity note
  require  partner.kind != integration_partner
  message  \"{partner.name} is an integration partner\"
}
";

/// Where a visit led, `file:line:column: text at point`, split in two.
fn at(visit: &str) -> (String, String) {
    let mut parts = visit.splitn(4, ':');
    let place: Vec<&str> = parts.by_ref().take(3).collect();
    let text = parts.next().unwrap().strip_prefix(' ').unwrap();
    (place.join(":"), text.to_string())
}

fn written(lines: &[String], prefix: &str) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(str::to_string)
        .collect()
}

#[test]
fn emacs_goes_to_the_value_and_tells_warnings_from_errors() {
    let dir = common::fenced_tempdir();
    std::fs::write(
        dir.path().join("a.yaml"),
        nordlys("integraton_partner", "30d"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("w.yaml"),
        nordlys("integration_partner", "400d"),
    )
    .unwrap();
    std::fs::write(dir.path().join("local.proviso"), LOCAL).unwrap();
    let args = "--policy builtin --policy local.proviso --as-of 2018-12-18 .";
    let got = emacs(dir.path(), args, "nil");
    let all = got.join("\n");

    // One message a finding, and none for the summary line.
    let types: Vec<(char, String)> = written(&got, "type ")
        .iter()
        .map(|l| {
            let (kind, line) = l.split_once(": ").unwrap();
            (kind.chars().next().unwrap(), line.to_string())
        })
        .collect();
    let expected = [
        (
            '2',
            "a.yaml:17:",
            "error[manifest/schema]: `integraton_partner`",
        ),
        ('0', "w.yaml:17:", "note[local/integration-listed]: "),
        ('1', "w.yaml:51:", "warning[gdpr/retention-limit]: "),
    ];
    assert_eq!(types.len(), expected.len(), "{all}");
    for ((kind, line), (want, place, text)) in types.iter().zip(expected) {
        assert_eq!(*kind, want, "{line}\n{all}");
        assert!(line.starts_with(place) && line.contains(text), "{line}");
    }

    let first = written(&got, "first-error: ");
    assert_eq!(first.len(), 1, "{all}");
    let (place, text) = at(&first[0]);
    assert!(
        text.starts_with("integraton_partner, country"),
        "first-error does not lead to the value: {}\n{all}",
        first[0]
    );
    // The column Emacs shows is the one proviso wrote: 1-based, on screen.
    assert!(types[0].1.starts_with(&format!("{place}: ")), "{all}");

    // Next-error skips notes (`compilation-skip-threshold` is 1).
    let next = written(&got, "next: ");
    assert_eq!(next.len(), 2, "{all}");
    assert_eq!(at(&next[0]), at(&first[0]), "{all}");
    assert_eq!(
        at(&next[1]),
        ("w.yaml:51:16".into(), "400d".into()),
        "{all}"
    );
}

/// With `compilation-skip-threshold` at 0, as docs/editors.md suggests,
/// next-error visits notes too.
#[test]
fn emacs_visits_notes_when_told_to() {
    let dir = common::fenced_tempdir();
    std::fs::write(
        dir.path().join("w.yaml"),
        nordlys("integration_partner", "400d"),
    )
    .unwrap();
    std::fs::write(dir.path().join("local.proviso"), LOCAL).unwrap();
    let args = "--policy builtin --policy local.proviso --as-of 2018-12-18 .";
    let got = emacs(dir.path(), args, "(setq compilation-skip-threshold 0)");
    let next = written(&got, "next: ");
    assert_eq!(next.len(), 2, "{}", got.join("\n"));
    let (place, text) = at(&next[0]);
    assert!(
        place.starts_with("w.yaml:17:") && text.starts_with("integration_partner, country"),
        "{}",
        got.join("\n")
    );
    assert_eq!(at(&next[1]), ("w.yaml:51:16".into(), "400d".into()));
}

/// Policy errors are errors, placed on screen columns too; the line that
/// counts them is no message.
#[test]
fn emacs_goes_to_a_policy_error() {
    let policy = "\
policy broken for partnership/v1

/// A rule whose title is followed, on its line, by a misspelt field.
rule broken/country {
  title \"Zoë\t漢字 😀\" severity error require partner.contry == SE
  message \"{partner.name}\"
}
";
    let dir = common::fenced_tempdir();
    std::fs::write(
        dir.path().join("w.yaml"),
        nordlys("integration_partner", "30d"),
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.proviso"), policy).unwrap();
    let got = emacs(dir.path(), "--policy builtin --policy bad.proviso .", "nil");
    let all = got.join("\n");
    let types = written(&got, "type ");
    assert_eq!(types.len(), 1, "{all}");
    assert!(
        types[0].starts_with("2: bad.proviso:5:")
            && types[0]
                .ends_with(": error: no field `contry` in `Partner` (did you mean `country`?)"),
        "{all}"
    );
    let first = written(&got, "first-error: ");
    let (place, text) = at(&first[0]);
    assert!(
        place.starts_with("bad.proviso:5:") && text == "contry == SE",
        "{all}"
    );
    assert!(
        all.contains("\nerror: the policies have 1 error; no manifest was checked\n"),
        "{all}"
    );
}
