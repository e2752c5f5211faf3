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

mod common;

use common::{edit, COMPLIANT};
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

/// What vim or neovim made of `proviso check --format short` in its
/// quickfix list, read with the default `errorformat` (`-u NONE`): for the
/// first entry, the line, the byte column, the text from the cursor on, and
/// the entry's text; then the number of valid entries.
fn quickfix(program: &str, dir: &Path, command: &str) -> Vec<String> {
    let version = Command::new(program).arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "{program} is needed for this test (.ci/run installs Neovim; vim comes with Debian)"
    );
    let out = dir.join("qf.txt");
    let script = format!(
        "cexpr system('{command}')\n\
         call writefile([line('.'), col('.'), strpart(getline('.'), col('.') - 1), \
         getqflist()[0].text, len(filter(getqflist(), 'v:val.valid'))], '{}')\n\
         qall!\n",
        out.display()
    );
    std::fs::write(dir.join("qf.vim"), script).unwrap();
    let mut run = Command::new("timeout");
    run.arg("60").arg(program);
    if program == "nvim" {
        run.args(["--headless", "-u", "NONE", "-i", "NONE", "-S", "qf.vim"]);
    } else {
        // Ex mode, silent, with vim's built-in defaults.
        run.args(["-u", "NONE", "-i", "NONE", "-N", "-es", "-S", "qf.vim"]);
    }
    let done = run
        .current_dir(dir)
        .env("PATH", path_with_proviso())
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{program} wrote nothing ({e}): {}\n{}",
            String::from_utf8_lossy(&done.stdout),
            String::from_utf8_lossy(&done.stderr)
        )
    });
    written.lines().map(str::to_string).collect()
}

/// `PATH` with the built `proviso` first, as an installed one would be.
fn path_with_proviso() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_proviso")).parent().unwrap();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// The quickfix list's first entry puts the cursor on the misspelt value,
/// after accents, CJK and an emoji on its line, in vim and in neovim, with
/// their default settings.
#[test]
fn vim_and_neovim_quickfix_land_on_the_value() {
    // A whole manifest, its partner written on one line after non-ASCII
    // text: the misspelt kind is its only finding.
    let partner = "partner:\n  id: spotify\n  name: Spotify AB\n  kind: integration_partner\n  \
                   country: SE\n  owner: partnerships@platform.example\n";
    let flow = |name: &str, kind: &str| {
        format!(
            "partner: {{id: spotify, name: \"{name}\", kind: {kind}, country: SE, \
             owner: partnerships@platform.example}}\n"
        )
    };
    let one = edit(COMPLIANT, partner, &flow("Zoë 漢 😀", "integraton_partner"));
    let two = edit(COMPLIANT, partner, &flow("Ünïcödé ✓ 💬\\t", "partner"));
    let line = one
        .lines()
        .position(|l| l.starts_with("partner: {"))
        .unwrap()
        + 1;
    let text = one.lines().nth(line - 1).unwrap();
    let command = |file: &str| format!("proviso check --format short --as-of 2018-12-18 {file}");
    for program in ["vim", "nvim"] {
        let dir = workspace(&[("m.yaml", &one), ("n.yaml", &two)]);
        let got = quickfix(program, dir.path(), &command("m.yaml"));
        assert_eq!(got[0], line.to_string(), "{program}: {got:?}");
        assert_eq!(got[1], (text.find("integraton").unwrap() + 1).to_string());
        assert!(
            got[2].starts_with("integraton_partner,"),
            "{program}: {got:?}"
        );
        assert!(
            got[3].contains("error[manifest/schema]: `integraton_partner` is not a value"),
            "{program}: {got:?}"
        );
        assert_eq!(got[4], "1", "{program}: {got:?}");
        let got = quickfix(program, dir.path(), &command("n.yaml"));
        assert!(got[2].starts_with("partner,"), "{program}: {got:?}");
        assert_eq!(got[4], "1", "{program}: {got:?}");
    }
}
