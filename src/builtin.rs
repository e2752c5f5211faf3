//! The checks built into proviso itself, beside the rules of the loaded
//! policies. They cannot be waived.

use crate::ast::Severity;

/// A check built into proviso. Its id, title and severity are written here
/// once; every format and `proviso rules` read them from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Unreadable,
    Syntax,
    Schema,
    WaiverExpired,
    WaiverTooLong,
    WaiverUnused,
    WaiverUnknownRule,
}

impl Builtin {
    /// Every built-in check, in the order the catalogue lists them.
    pub const ALL: [Builtin; 7] = [
        Builtin::Unreadable,
        Builtin::Syntax,
        Builtin::Schema,
        Builtin::WaiverExpired,
        Builtin::WaiverTooLong,
        Builtin::WaiverUnused,
        Builtin::WaiverUnknownRule,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Builtin::Unreadable => "manifest/unreadable",
            Builtin::Syntax => "manifest/syntax",
            Builtin::Schema => "manifest/schema",
            Builtin::WaiverExpired => "proviso/waiver-expired",
            Builtin::WaiverTooLong => "proviso/waiver-too-long",
            Builtin::WaiverUnused => "proviso/waiver-unused",
            Builtin::WaiverUnknownRule => "proviso/waiver-unknown-rule",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Builtin::Unreadable => "the file cannot be read as UTF-8 text within the size cap",
            Builtin::Syntax => "the file is not valid YAML, or trips the alias or depth limits",
            Builtin::Schema => "the manifest does not match its schema",
            Builtin::WaiverExpired => "a waiver is past its `expires` date",
            Builtin::WaiverTooLong => "a waiver expires further ahead than the maximum",
            Builtin::WaiverUnused => "a waiver matched nothing",
            Builtin::WaiverUnknownRule => "a waiver names no rule of the loaded policies",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Builtin::WaiverUnused => Severity::Warning,
            Builtin::Unreadable
            | Builtin::Syntax
            | Builtin::Schema
            | Builtin::WaiverExpired
            | Builtin::WaiverTooLong
            | Builtin::WaiverUnknownRule => Severity::Error,
        }
    }

    /// The built-in check with this id, if any: built-in findings cannot
    /// be waived.
    pub fn from_id(id: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.id() == id)
    }
}

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
