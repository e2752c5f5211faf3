//! `partialFingerprints`: what makes a result the same finding from one
//! run to the next, so that code scanning keeps one alert for it while the
//! manifest around it changes.
//!
//! A finding is identified by what it is about, never by its line: the
//! rule, the file (its URI, relative to the repository's root), the JSON
//! pointer of the blamed value, the places the rule's `each` variables
//! were bound to, and the manifest's `partner.id`. In the pointers, an item
//! of a list of the manifest is named by its `id` where it has one
//! (`/grants/id=inbox/subjects/1`), not by its index: reordering the
//! grants, or removing one, moves no finding onto another grant. An
//! unrelated line added above leaves it unchanged; two values blamed on
//! one line (`subjects: [user, friends]`) are two findings.
//!
//! The digest is SHA-256 of those five as a compact JSON array,
//! `["ftc2012/subject-consent","partners/spotify.yaml","/grants/id=inbox/subjects/1",["/grants/id=inbox"],"spotify"]`
//! (`null` for a missing pointer or partner id), in lowercase hex, and a
//! `:N` after it numbers findings that are the same by all five (a
//! manifest missing two fields of one record), in the order of the file.
//! It is given under two keys:
//!
//! - `proviso/v1`, the whole digest: the recipe's own, versioned name; a
//!   change to the recipe gets a new key.
//! - `primaryLocationLineHash`, its first 16 hex digits: the one key GitHub
//!   code scanning reads. Its upload action (`github/codeql-action`,
//!   `src/fingerprints.ts`) computes that key from the text around the
//!   result's first line only when the result has none; two findings on
//!   one line then get the same hash and become one alert, and an edit to
//!   the next line changes it. With the key given, the action keeps it,
//!   and logs a warning for each result that its own line hash differs.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The key of the whole digest; a new recipe gets a new version.
pub const KEY: &str = "proviso/v1";

/// The key GitHub code scanning reads.
pub const GITHUB_KEY: &str = "primaryLocationLineHash";

/// What identifies one finding.
pub struct Identity<'a> {
    pub rule: &'a str,
    /// The file's URI as the result gives it.
    pub uri: &'a str,
    pub pointer: Option<String>,
    pub bindings: Vec<String>,
    pub partner_id: Option<&'a str>,
}

impl Identity<'_> {
    fn digest(&self) -> String {
        let text = json!([
            self.rule,
            self.uri,
            self.pointer,
            self.bindings,
            self.partner_id
        ])
        .to_string();
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Numbers the findings of one file that are the same by their identity.
#[derive(Default)]
pub struct File {
    seen: HashMap<String, usize>,
}

impl File {
    /// The `partialFingerprints` of the next finding of the file.
    pub fn fingerprints(&mut self, identity: &Identity<'_>) -> Value {
        let digest = identity.digest();
        let n = self.seen.entry(digest.clone()).or_default();
        *n += 1;
        let short = digest.get(..16).unwrap_or(&digest);
        json!({
            KEY: format!("{digest}:{n}"),
            GITHUB_KEY: format!("{short}:{n}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(pointer: &str) -> Identity<'static> {
        Identity {
            rule: "ftc2012/subject-consent",
            uri: "partners/spotify.yaml",
            pointer: Some(pointer.to_string()),
            bindings: vec!["/grants/0".to_string()],
            partner_id: Some("spotify"),
        }
    }

    /// The recipe is a promise: a digest that changed would reopen every
    /// alert. This is SHA-256 of the documented JSON text.
    #[test]
    fn the_digest_is_sha256_of_the_identity_as_json() {
        let mut file = File::default();
        let value = file.fingerprints(&identity("/grants/0/subjects/1"));
        let text = r#"["ftc2012/subject-consent","partners/spotify.yaml","/grants/0/subjects/1",["/grants/0"],"spotify"]"#;
        let expected: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(value[KEY], format!("{expected}:1"));
        assert_eq!(value[GITHUB_KEY], format!("{}:1", &expected[..16]));
    }

    #[test]
    fn findings_alike_in_everything_are_numbered() {
        let mut file = File::default();
        let a = file.fingerprints(&identity("/grants/0"));
        let b = file.fingerprints(&identity("/grants/0"));
        let c = file.fingerprints(&identity("/grants/1"));
        assert!(a[KEY].as_str().unwrap().ends_with(":1"));
        assert!(b[KEY].as_str().unwrap().ends_with(":2"));
        assert!(c[KEY].as_str().unwrap().ends_with(":1"));
        assert_ne!(a[KEY], c[KEY]);
    }
}
