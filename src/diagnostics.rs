//! Diagnostics as data. Stages return these; only `report` renders them.

use crate::ast::Severity;
use crate::manifest::path::Path;
use crate::source::{ColumnUnit, Source, Span};
use std::ops::Range;
use std::sync::Arc;

/// An error in a policy file (syntax, names, types). Any of these stops the
/// run before a manifest is read: a policy that does not check cannot be
/// trusted to pass anything.
#[derive(Debug, Clone)]
pub struct Diag {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// More places that explain the error, in this or another file.
    pub related: Vec<(Span, String)>,
    /// A replacement that fixes the error, in the span's source (boxed:
    /// most errors have none, and a `Diag` is returned by value).
    pub fix: Option<Box<Suggestion>>,
}

/// A "did you mean" as data: `replacement` in place of the text at `range`
/// (bytes of the source the diagnostic or finding is in). Editors apply
/// it as a quick fix, SARIF gives it as a fix, the line formats say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Suggestion {
    pub fn new(range: Range<usize>, replacement: impl Into<String>) -> Suggestion {
        Suggestion {
            range,
            replacement: replacement.into(),
        }
    }

    /// How the line formats say it: ``did you mean `consent`?``.
    pub fn words(&self) -> String {
        format!("did you mean `{}`?", self.replacement)
    }
}

impl Diag {
    pub fn new(span: &Span, message: impl Into<String>) -> Diag {
        Diag {
            message: message.into(),
            span: span.clone(),
            label: String::new(),
            help: None,
            related: Vec::new(),
            fix: None,
        }
    }

    /// A "did you mean": `replacement` in place of the diagnostic's own
    /// text, as data and, in the same words, as its help.
    pub fn did_you_mean(mut self, replacement: &str) -> Diag {
        let fix = Suggestion::new(self.span.range(), replacement);
        self.help = Some(fix.words());
        self.fix = Some(Box::new(fix));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diag {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Diag {
        self.help = help;
        self
    }

    pub fn related(mut self, span: &Span, label: impl Into<String>) -> Diag {
        self.related.push((span.clone(), label.into()));
        self
    }
}

/// Where in a manifest a finding points.
#[derive(Debug, Clone)]
pub struct Location {
    /// The path as given by the user (or relative to the working directory).
    pub path: String,
    /// The file's text, when it could be read.
    pub source: Option<Arc<Source>>,
    /// Byte range of the offending key or value; `None` when the finding
    /// concerns the whole file.
    pub range: Option<Range<usize>>,
    /// The JSON pointer of the blamed value, when there is one.
    pub pointer: Option<Path>,
    /// The file name's bytes, when they are not UTF-8 and `path` shows
    /// them escaped: a URI must name the file itself.
    pub raw_path: Option<Arc<[u8]>>,
}

impl Location {
    /// 1-based line and column of the start, (1, 1) for whole-file findings.
    pub fn line_col(&self) -> (usize, usize) {
        self.line_column(ColumnUnit::Chars)
    }

    pub fn end_line_col(&self) -> (usize, usize) {
        self.end_line_column(ColumnUnit::Chars)
    }

    /// 1-based line and column of the start, the column counted in
    /// `unit`; (1, 1) for whole-file findings.
    pub fn line_column(&self, unit: ColumnUnit) -> (usize, usize) {
        match (&self.source, &self.range) {
            (Some(src), Some(r)) => src.line_column(r.start, unit),
            _ => (1, 1),
        }
    }

    /// 1-based line and column just past the end, the column counted in
    /// `unit`.
    pub fn end_line_column(&self, unit: ColumnUnit) -> (usize, usize) {
        match (&self.source, &self.range) {
            (Some(src), Some(r)) => src.line_column(r.end, unit),
            _ => (1, 1),
        }
    }
}

/// One reason a manifest does not comply.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// The rule's title (built-in findings have a fixed one).
    pub title: String,
    pub message: String,
    pub help: Option<String>,
    pub location: Location,
    /// More labelled places in the same manifest (the other false side of
    /// an `and`, say).
    pub labels: Vec<(Range<usize>, String)>,
    /// The rule's declaration, shown as a related snippet.
    pub rule_span: Option<Span>,
    /// The manifest's waiver that silences this finding, if any.
    pub waiver: Option<Waived>,
    /// Where the rule's `each` variables were bound (`/grants/1`): what the
    /// finding is about, which a grant-scoped waiver matches.
    pub bindings: Vec<Path>,
    /// Labelled places in other manifests, for a rule across manifests (the
    /// first use of a repeated partner id, say).
    pub related: Vec<(Location, String)>,
    /// A replacement that fixes the finding (a "did you mean"), in the
    /// manifest's text.
    pub fix: Option<Suggestion>,
}

/// An accepted exception: the finding is reported but does not fail the run.
#[derive(Debug, Clone)]
pub struct Waived {
    pub reason: String,
    pub approved_by: String,
    pub expires: crate::date::Date,
    /// Where the waiver is declared (`/waivers/0`).
    pub pointer: Path,
}
