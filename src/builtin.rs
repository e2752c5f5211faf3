//! The checks built into proviso itself, beside the rules of the loaded
//! policies. They cannot be waived.

use crate::ast::Severity;

pub struct Builtin {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        id: "manifest/unreadable",
        severity: Severity::Error,
        title: "the file cannot be read as UTF-8 text within the size cap",
    },
    Builtin {
        id: "manifest/syntax",
        severity: Severity::Error,
        title: "the file is not valid YAML, or trips the alias or depth limits",
    },
    Builtin {
        id: "manifest/schema",
        severity: Severity::Error,
        title: "the manifest does not match its schema",
    },
    Builtin {
        id: "proviso/waiver-expired",
        severity: Severity::Error,
        title: "a waiver is past its `expires` date",
    },
    Builtin {
        id: "proviso/waiver-unused",
        severity: Severity::Warning,
        title: "a waiver matched nothing",
    },
    Builtin {
        id: "proviso/waiver-unknown-rule",
        severity: Severity::Error,
        title: "a waiver names no rule of the loaded policies",
    },
];

/// The source a rule cites: the first sentence of its doc comment, up to
/// the first colon (`FTC Decision and Order, ..., Part II`).
pub fn citation(doc: &str) -> String {
    let joined = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = joined.find(": ").unwrap_or(joined.len());
    joined
        .get(..end)
        .unwrap_or("")
        .trim_end_matches(['.', ','])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::citation;

    #[test]
    fn citation_is_the_doc_up_to_the_first_colon() {
        let doc = "FTC Decision and Order, In re Facebook, Inc., Docket C-4365 (2012),\nPart II: nonpublic user information";
        assert_eq!(
            citation(doc),
            "FTC Decision and Order, In re Facebook, Inc., Docket C-4365 (2012), Part II"
        );
        assert_eq!(citation("GDPR Art. 35."), "GDPR Art. 35");
    }
}
