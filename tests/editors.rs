#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A real editor against `proviso lsp`: headless Neovim, with its own LSP
//! client, runs the scripts of `tests/editors/` on a manifest with a
//! misspelt value after accents, CJK and an emoji on its line. Neovim
//! places diagnostics in byte columns, converted from the positions the
//! server sent: the underline must start and end on the value; the quick
//! fix must replace it. `.ci/run` installs Neovim (Debian's `neovim`).

use std::path::Path;
use std::process::Command;

/// Runs a script of `tests/editors/` in headless Neovim in `dir`, and
/// returns what it wrote.
fn neovim(dir: &Path, script: &str, env: &[(&str, &str)]) -> String {
    let version = Command::new("nvim").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "Neovim is needed for this test: `apt-get install -y neovim` (.ci/run installs it)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/editors")
        .join(script);
    let out = dir.join("out.txt");
    let run = Command::new("timeout")
        .arg("60")
        .arg("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir)
        .env("PROVISO", env!("CARGO_BIN_EXE_proviso"))
        .env("OUT", &out)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "Neovim wrote nothing ({e}): {}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    })
}

fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".git"), "gitdir: ../elsewhere\n").unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const LINE: &str = "partner: {name: \"Zoë 漢 😀\", kind: integraton_partner}";

#[test]
fn neovim_places_a_diagnostic_on_the_value() {
    let dir = workspace(&[("m.yaml", &format!("schema: partnership/v1\n{LINE}\n"))]);
    let written = neovim(dir.path(), "diagnostics.lua", &[("MANIFEST", "m.yaml")]);
    let start = LINE.find("integraton_partner").unwrap();
    let end = start + "integraton_partner".len();
    let expected = format!(
        "1:{start}:{end}:manifest/schema:`integraton_partner` is not a value of `PartnerKind`"
    );
    assert!(
        written.lines().any(|l| l.starts_with(&expected)),
        "expected a line starting with\n{expected}\ngot\n{written}"
    );
}

/// Hover, the quick fix applied to the buffer, and completion of an enum
/// value in a file being typed, each through Neovim's client.
#[test]
fn neovim_hovers_fixes_and_completes() {
    let dir = workspace(&[
        ("m.yaml", &format!("schema: partnership/v1\n{LINE}\n")),
        (
            "c.yaml",
            "schema: partnership/v1\ngrants:\n  - id: inbox\n    storage: ",
        ),
    ]);
    let written = neovim(
        dir.path(),
        "requests.lua",
        &[("MANIFEST", "m.yaml"), ("TYPING", "c.yaml")],
    );
    let lines: Vec<&str> = written.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("hover: **`kind`**: `PartnerKind`")),
        "{written}"
    );
    assert!(
        lines.contains(&"action: Replace with `integration_partner`"),
        "{written}"
    );
    assert!(
        lines.contains(&"line: partner: {name: \"Zoë 漢 😀\", kind: integration_partner}"),
        "the quick fix lands on the value: {written}"
    );
    assert!(
        lines.contains(&"left on the value: 0"),
        "the fixed value is checked again: {written}"
    );
    for value in ["on_device", "partner_servers", "platform_only"] {
        assert!(
            lines.contains(&format!("completion: {value}").as_str()),
            "{written}"
        );
    }
}
