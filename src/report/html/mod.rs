//! `--format html`: one self-contained page for the people who sign a
//! partnership off (privacy counsel, a data protection officer, an
//! auditor): a header with the run's totals, a matrix of partners × rules,
//! and each partner's findings with the manifest's lines, the offending
//! value marked.
//!
//! The page's data is the data `--format json` writes: each finding is the
//! JSON document's record of it (`json::finding`), and the header's totals
//! its `summary`. What the matrix needs beyond them (who each partner is,
//! how each rule ended for each manifest, the waivers a manifest declares)
//! comes from the same file reports.
//!
//! The page is rendered through a template (`report.html`, with
//! `style.css` and `script.js` inlined): minijinja escapes every value for
//! HTML as it is written, so nothing a manifest or a file name holds
//! becomes markup, and control and bidi characters are shown as escapes,
//! as in every other format (snippets show them as pictures). The page fetches nothing and runs no script but its
//! own: its Content Security Policy allows the inline style and script by
//! their digests and nothing else.
//!
//! A matrix needs every manifest before its first row is written, so the
//! page is rendered at the end of the run, from what was kept of each
//! file: its findings and its rules' results, not its text.

mod data;
mod snippet;

pub use data::{Collector, Run};

use minijinja::Environment;
use sha2::{Digest, Sha256};

const TEMPLATE: &str = include_str!("report.html");
const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// The template's environment: every value is escaped for HTML, whatever
/// the template's name; before that, a control character, a line break or
/// a bidi override in a value is written as an escape that shows it
/// (`\n`, `\u{202e}`), as every other format writes them, so that text
/// from a manifest or a file name cannot reorder, hide or split what the
/// page shows around it. The `prose` filter keeps line breaks and tabs, for
/// the manifest's own lines and the policies' doc comments, which the page
/// lays out as written.
fn environment() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_formatter(
        |out, state, value| match (value.as_str(), value.is_safe()) {
            (Some(text), false) => {
                let shown = crate::report::escape::visible(text);
                Ok(write_escaped(out, &shown)?)
            }
            _ => minijinja::escape_formatter(out, state, value),
        },
    );
    env.add_filter(
        "prose",
        |text: &str| -> Result<minijinja::Value, minijinja::Error> {
            let shown = crate::report::escape::visible_but_whitespace(text);
            let mut out = String::with_capacity(shown.len());
            write_escaped(&mut out, &shown)?;
            Ok(minijinja::Value::from_safe_string(out))
        },
    );
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| format!("the HTML template does not compile: {e}"))?;
    Ok(env)
}

/// The page's Content Security Policy: its own style and script, by their
/// digests, and nothing else.
fn csp() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        digest(STYLE),
        digest(SCRIPT)
    )
}

/// `text` as HTML text or as a quoted attribute's value: `&`, `<`, `>`,
/// `"` and `'` escaped, and nothing else (HTML gives `/` no meaning there).
fn write_escaped(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        let (clean, tail) = rest.split_at(at);
        out.write_str(clean)?;
        let mut chars = tail.chars();
        out.write_str(match chars.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            Some('"') => "&quot;",
            _ => "&#39;",
        })?;
        rest = chars.as_str();
    }
    out.write_str(rest)
}

/// A Content Security Policy source for an inline element's text.
fn digest(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64, padded (RFC 4648, section 4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let symbol = |v: u32| {
        ALPHABET
            .get((v & 63) as usize)
            .map_or('=', |&b| char::from(b))
    };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let v = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(symbol(v >> 18));
        out.push(symbol(v >> 12));
        out.push(if chunk.len() > 1 { symbol(v >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(v) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        let mut out = String::new();
        write_escaped(&mut out, "a<b>&\"c\"'d'/é").unwrap();
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;/é");
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (text, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(text.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_digest_is_what_a_browser_computes() {
        // `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            digest("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }
}
