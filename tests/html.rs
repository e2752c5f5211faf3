//! `--format html` as the binary writes it: the page for a small run as a
//! snapshot, the data it shares with `--format json`, and what must never
//! get into it (markup from a manifest or a file name, anything fetched).
//! The page in a real browser is tests/html_browser.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{edit, fenced_tempdir, Run, COMPLIANT};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

const AS_OF: &str = "2018-12-18";
/// 2018-12-18 12:00:00 UTC: the time the snapshot's page says it was made.
const EPOCH: &str = "1545134400";

fn proviso(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_proviso"))
            .current_dir(dir)
            .args(args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    )
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Three manifests: one with a live and a waived finding whose waiver
/// expires within 30 days, one that passes everything, one that does not
/// load.
fn small_run() -> tempfile::TempDir {
    let dir = fenced_tempdir();
    let waived = std::fs::read_to_string(repo().join("tests/data/formats/waived.yaml")).unwrap();
    let waived = edit(&waived, "expires: 2019-06-01", "expires: 2019-01-05");
    std::fs::write(dir.path().join("spotify.yaml"), waived).unwrap();
    let compliant = edit(COMPLIANT, "id: spotify", "id: nordlys");
    let compliant = edit(&compliant, "name: Spotify AB", "name: Nordlys Musikk AS");
    std::fs::write(dir.path().join("nordlys.yaml"), &compliant).unwrap();
    let broken = edit(&compliant, "id: nordlys", "id: kestrel");
    let broken = edit(&broken, "name: Nordlys Musikk AS", "nmae: Kestrel Calendar");
    std::fs::write(dir.path().join("kestrel.yaml"), broken).unwrap();
    dir
}

/// The part of the page that is made from the run: the body without its
/// script, which is the same on every page (as is the style sheet).
fn body(page: &str) -> &str {
    let start = page.find("<body>").expect("a body");
    let end = page.find("<script>").expect("a script");
    &page[start..end]
}

#[test]
fn html_of_a_small_run() {
    let dir = small_run();
    let run = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "html"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.starts_with("<!DOCTYPE html>\n"), "{run}");
    assert!(run.stderr.starts_with("checked 3 manifests"), "{run}");
    insta::assert_snapshot!(body(&run.stdout));
}

#[test]
fn a_page_written_to_a_file_is_the_page_on_stdout() {
    let dir = small_run();
    let args = ["check", ".", "--as-of", AS_OF, "--format", "html"];
    let printed = proviso(dir.path(), &args);
    let out = dir.path().join("report.html");
    let written = proviso(
        dir.path(),
        &[&args[..], &["--output", out.to_str().unwrap()]].concat(),
    );
    assert_eq!(written.code, 1, "{written}");
    assert!(written.stdout.is_empty());
    assert_eq!(printed.stdout, std::fs::read_to_string(&out).unwrap());
}

/// Every finding of `--format json` is on the page: its message, rule,
/// line and waiver, written as HTML writes text.
#[test]
fn the_page_shows_what_json_serialises() {
    let dir = small_run();
    let json = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "json"],
    );
    let html = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "html"],
    );
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.len() >= 3, "{json}");
    let page = &html.stdout;
    for f in findings {
        let message = escape(f["message"].as_str().unwrap());
        assert!(
            page.contains(&format!("<p class=\"message\">{message}</p>")),
            "{message}"
        );
        assert!(page.contains(&format!(
            "<article class=\"finding\" data-rule=\"{}\"",
            escape(f["rule"].as_str().unwrap())
        )));
        if let Some(line) = f["location"]["line"].as_u64() {
            assert!(page.contains(&format!("line <span class=\"line-no\">{line}</span>")));
        }
        if let Some(reason) = f["waiver"]["reason"].as_str() {
            assert!(page.contains(&format!("<span class=\"reason\">{}</span>", escape(reason))));
        }
    }
    let summary = &doc["summary"];
    for (label, n) in [
        ("Manifests", &summary["manifests"]),
        ("Errors", &summary["findings"]["error"]),
        ("Waived", &summary["waived"]),
    ] {
        assert!(
            page.contains(&format!("<dt>{label}</dt><dd>{n}")),
            "{label} {n}"
        );
    }
}

/// The page's escaping of text and attribute values: line breaks and tabs
/// shown as escapes, as every format shows them, then HTML's.
fn escape(s: &str) -> String {
    s.replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn the_examples_give_a_row_per_manifest_and_a_column_per_rule() {
    let html = proviso(
        repo(),
        &["check", "examples", "--as-of", AS_OF, "--format", "html"],
    );
    assert_eq!(html.code, 1, "{html}");
    let json = proviso(
        repo(),
        &["check", "examples", "--as-of", AS_OF, "--format", "json"],
    );
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let manifests = doc["summary"]["manifests"].as_u64().unwrap() as usize;
    let rules = proviso(repo(), &["rules"]);
    // The policies' rules, and the built-in checks.
    let rule_ids: Vec<&str> = rules
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.contains('/'))
        .collect();
    assert!(rule_ids.len() >= 20, "{rules}");
    let page = &html.stdout;
    assert_eq!(page.matches("<tr data-partner=").count(), manifests);
    assert_eq!(
        page.matches("<th scope=\"col\" class=\"rule-h\"").count(),
        rule_ids.len()
    );
    for id in rule_ids {
        assert!(
            page.contains(&format!("class=\"rule-h\" data-rule=\"{}\"", escape(id))),
            "{id}"
        );
    }
    // Netflix's messages finding, with its snippet and the value marked.
    let netflix = &page[page.find("<section class=\"partner\" id=\"").unwrap()..];
    let netflix = &netflix[netflix.find("data-partner=\"netflix\"").unwrap()..];
    let netflix = &netflix[..netflix.find("</section>").unwrap()];
    let article = &netflix[netflix
        .find("data-rule=\"ftc2012/messages-consent\"")
        .unwrap()..];
    assert!(
        article.contains("mechanism: <mark>platform_login</mark>"),
        "{article}"
    );
}

/// A partner name, a file name and a waiver made of markup and quotes are
/// text on the page: no element, attribute or script comes from them.
#[test]
fn nothing_from_a_manifest_or_a_file_name_becomes_markup() {
    let dir = fenced_tempdir();
    let hostile = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let netflix =
        std::fs::read_to_string(repo().join("examples/facebook-2018/netflix.yaml")).unwrap();
    let name_line = netflix
        .lines()
        .find(|l| l.trim_start().starts_with("name:"))
        .unwrap();
    // Double-quoted YAML, with a bidi override and a terminal escape too.
    let manifest = edit(
        &netflix,
        name_line,
        &format!(
            "  name: \"{}\\u202E\\e[2J\"",
            hostile.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    );
    let file = "x<img src=x onerror=alert(3)>'\".yaml";
    std::fs::write(dir.path().join(file), manifest).unwrap();
    let run = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "html"],
    );
    assert_eq!(run.code, 1, "{run}");
    let page = &run.stdout;
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("<img"), "no element from the input");
    assert!(!page.contains("alert(1)</script>"));
    assert!(page.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;"
    ));
    assert!(page.contains("x&lt;img src=x onerror=alert(3)&gt;&#39;&quot;.yaml"));
    // Control and bidi characters are shown as escapes, never sent raw.
    assert!(
        page.contains("alert(2)&gt;\\u{202e}\\x1b[2J"),
        "escaped controls"
    );
    assert!(!page.contains('\u{202e}') && !page.contains('\u{1b}'));
    // Every attribute value is quoted and holds no raw quote of the input:
    // between a `="` and the next `"` there is never a `<`.
    for (i, _) in page.match_indices("=\"") {
        let value = &page[i + 2..];
        let end = value.find('"').unwrap();
        assert!(!value[..end].contains('<'), "{}", &value[..end.min(200)]);
    }
}

/// The page needs nothing but itself: no address to fetch, and a Content
/// Security Policy that lets only its own style and script run, by digest.
#[test]
fn the_page_fetches_nothing_and_runs_only_its_own_script() {
    let run = proviso(
        repo(),
        &["check", "examples", "--as-of", AS_OF, "--format", "html"],
    );
    let page = &run.stdout;
    for fetching in ["src=", "href=\"http", "url(", "@import", "<link"] {
        assert!(!page.contains(fetching), "{fetching}");
    }
    let digest = |open: &str, close: &str| {
        let start = page.find(open).unwrap() + open.len();
        let end = start + page[start..].find(close).unwrap();
        let hash = Sha256::digest(&page.as_bytes()[start..end]);
        format!("'sha256-{}'", base64(&hash))
    };
    let csp_start = page
        .find("http-equiv=\"Content-Security-Policy\" content=\"")
        .unwrap();
    let csp = &page[csp_start..page[csp_start..].find('>').unwrap() + csp_start];
    assert!(csp.contains("default-src &#39;none&#39;"), "{csp}");
    let csp = csp.replace("&#39;", "'");
    assert!(
        csp.contains(&format!("script-src {}", digest("<script>", "</script>"))),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("style-src {}", digest("<style>", "</style>"))),
        "{csp}"
    );
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= c.len() {
                A[(n >> shift & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// The state of each cell of the row of `path`, by rule.
fn cells(page: &str, path: &str) -> Vec<(String, String)> {
    let at = page
        .find(&format!("data-path=\"{path}\""))
        .unwrap_or_else(|| panic!("no row for {path}"));
    let row = &page[at..at + page[at..].find("</tr>").unwrap()];
    row.split("<button type=\"button\" class=\"cell\" data-rule=\"")
        .skip(1)
        .map(|c| {
            let rule = &c[..c.find('"').unwrap()];
            let state = &c[c.find("data-state=\"").unwrap() + 12..];
            (
                rule.to_string(),
                state[..state.find('"').unwrap()].to_string(),
            )
        })
        .collect()
}

/// A manifest that does not load is never shown passing a check that did
/// not run: the steps after the one that failed are "not checked".
#[test]
fn a_manifest_that_does_not_load_passes_nothing_that_did_not_run() {
    let dir = fenced_tempdir();
    std::fs::write(
        dir.path().join("syntax.yaml"),
        "schema: partnership/v1\npartner: [\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bytes.yaml"),
        b"schema: partnership/v1\npartner:\n  id: \xff\xfe\n",
    )
    .unwrap();
    let run = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "html"],
    );
    assert_eq!(run.code, 1, "{run}");
    for (path, failed) in [
        ("syntax.yaml", "manifest/syntax"),
        ("bytes.yaml", "manifest/unreadable"),
    ] {
        let cells = cells(&run.stdout, path);
        assert_eq!(cells.len(), 27, "{cells:?}");
        let mut after = false;
        for (rule, state) in &cells {
            if rule == failed {
                assert_eq!(state, "fail", "{path} {rule}");
                after = true;
            } else if rule.starts_with("manifest/") && !after {
                assert_eq!(state, "pass", "{path} {rule}: a step before the failure");
            } else {
                assert_eq!(state, "unchecked", "{path} {rule}");
            }
        }
    }
}

/// A run that fails leaves the report file as it was: no empty file, and
/// no page of a run that checked nothing.
#[test]
fn a_failed_run_leaves_the_report_file_as_it_was() {
    let dir = small_run();
    let out = dir.path().join("report.html");
    std::fs::write(&out, "the last report\n").unwrap();
    let missing_tmp = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir.path())
        .args(["check", ".", "--format", "html", "--output", "report.html"])
        .env("TMPDIR", dir.path().join("no-such-dir"))
        .output()
        .unwrap();
    let missing_tmp = Run::of(missing_tmp);
    assert_eq!(missing_tmp.code, 2, "{missing_tmp}");
    assert!(missing_tmp.stderr.contains("TMPDIR"), "{missing_tmp}");
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let nothing = proviso(
        dir.path(),
        &[
            "check",
            "empty",
            "--format",
            "html",
            "--output",
            "report.html",
        ],
    );
    assert_eq!(nothing.code, 2, "{nothing}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the last report\n");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".proviso-report"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let done = proviso(
        dir.path(),
        &["check", ".", "--format", "html", "--output", "report.html"],
    );
    assert_eq!(done.code, 1, "{done}");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "{mode:o}");
    }
}

#[test]
fn the_report_never_replaces_the_project_configuration() {
    let dir = small_run();
    std::fs::write(dir.path().join("proviso.yaml"), "fail_on: error\n").unwrap();
    let run = proviso(
        dir.path(),
        &[
            "check",
            "spotify.yaml",
            "--format",
            "html",
            "--output",
            "proviso.yaml",
        ],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(
            "refusing to write the report over `proviso.yaml`, which is a project configuration"
        ),
        "{run}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("proviso.yaml")).unwrap(),
        "fail_on: error\n"
    );
}

/// The header lists only waivers in force: one that runs longer than the
/// maximum silences nothing, and is not listed as expiring.
#[test]
fn only_waivers_in_force_are_listed_as_expiring() {
    let dir = small_run();
    let listed = |extra: &[&str]| {
        let mut args = vec!["check", ".", "--as-of", AS_OF, "--format", "html"];
        args.extend_from_slice(extra);
        let run = proviso(dir.path(), &args);
        run.stdout
            .contains("<td><code>ftc2012/subject-consent</code></td><td><code>inbox</code></td>")
    };
    assert!(listed(&[]));
    assert!(!listed(&["--max-waiver-days", "10"]));
}

/// A line break in a file's name is shown as `\n`, as in every format.
#[cfg(unix)]
#[test]
fn line_breaks_in_a_file_name_are_shown() {
    let dir = fenced_tempdir();
    std::fs::write(dir.path().join("nl\nfake.yaml"), COMPLIANT).unwrap();
    let run = proviso(
        dir.path(),
        &["check", ".", "--as-of", AS_OF, "--format", "html"],
    );
    assert!(
        run.stdout.contains("data-path=\"nl\\nfake.yaml\""),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("nl\nfake"));
}

/// A report path that is a symbolic link keeps its link: the file it
/// points to gets the report.
#[cfg(unix)]
#[test]
fn a_report_through_a_symbolic_link_goes_to_its_target() {
    let dir = small_run();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::fs::write(dir.path().join("reports/latest.html"), "old\n").unwrap();
    std::os::unix::fs::symlink("reports/latest.html", dir.path().join("report.html")).unwrap();
    let run = proviso(
        dir.path(),
        &[
            "check",
            "spotify.yaml",
            "--format",
            "html",
            "--output",
            "report.html",
        ],
    );
    assert_eq!(run.code, 1, "{run}");
    let link = std::fs::symlink_metadata(dir.path().join("report.html")).unwrap();
    assert!(link.file_type().is_symlink());
    let page = std::fs::read_to_string(dir.path().join("reports/latest.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
}
