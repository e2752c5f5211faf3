#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A real editor against `proviso lsp`: headless Neovim, with its own LSP
//! client, opens a manifest with a misspelt value after accents, CJK and
//! an emoji on its line, waits for the diagnostics, and writes them out
//! (`tests/editors/diagnostics.lua`). Neovim places them in byte columns,
//! converted from the positions the server sent: the underline must start
//! and end on the value. `.ci/run` installs Neovim (Debian's `neovim`).

use std::process::Command;

#[test]
fn neovim_places_a_diagnostic_on_the_value() {
    let version = Command::new("nvim").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "Neovim is needed for this test: `apt-get install -y neovim` (.ci/run installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".git"), "gitdir: ../elsewhere\n").unwrap();
    let line = "partner: {name: \"Zoë 漢 😀\", kind: integraton_partner}";
    std::fs::write(
        dir.path().join("m.yaml"),
        format!("schema: partnership/v1\n{line}\n"),
    )
    .unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/diagnostics.lua");
    let out = dir.path().join("out.txt");
    let status = Command::new("timeout")
        .arg("60")
        .arg("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir.path())
        .env("PROVISO", env!("CARGO_BIN_EXE_proviso"))
        .env("MANIFEST", "m.yaml")
        .env("OUT", &out)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "Neovim wrote no diagnostics ({e}): {}\n{}",
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        )
    });
    let start = line.find("integraton_partner").unwrap();
    let end = start + "integraton_partner".len();
    let expected = format!(
        "1:{start}:{end}:manifest/schema:`integraton_partner` is not a value of `PartnerKind`"
    );
    assert!(
        written.lines().any(|l| l.starts_with(&expected)),
        "expected a line starting with\n{expected}\ngot\n{written}"
    );
}
