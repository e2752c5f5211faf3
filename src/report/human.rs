//! miette's graphical report: the manifest snippet with the blamed value
//! labelled, the rule's help, and the rule's own source as a related
//! snippet.

use crate::ast::Severity;
use crate::diagnostics::{Diag, Finding};
use crate::source::Source;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// A source text that renders with its file name.
#[derive(Debug)]
struct Named(Arc<Source>);

impl SourceCode for Named {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A diagnostic assembled from plain data.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Named>,
    labels: Vec<(SourceSpan, String)>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, label))| {
                let text = (!label.is_empty()).then(|| label.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, *span)
                } else {
                    LabeledSpan::new_with_span(text, *span)
                }
            },
        )))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// Renders graphical reports; `color` only on a terminal without `NO_COLOR`.
pub struct Renderer {
    handler: GraphicalReportHandler,
}

impl Renderer {
    pub fn new(color: bool) -> Renderer {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Renderer {
            handler: GraphicalReportHandler::new_themed(theme).with_width(100),
        }
    }

    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        if self.handler.render_report(&mut out, report).is_err() {
            out = format!("{}\n", report.message);
        }
        out
    }

    pub fn finding(&self, f: &Finding) -> String {
        let source = f.location.source.clone();
        let labels: Vec<(SourceSpan, String)> = match &source {
            Some(_) => f
                .labels
                .iter()
                .map(|(r, l)| ((r.start, r.end - r.start).into(), l.clone()))
                .collect(),
            None => Vec::new(),
        };
        let related = f
            .rule_span
            .iter()
            .map(|span| Report {
                message: format!("rule `{}`: {}", f.rule, f.title),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: Some(Named(Arc::clone(&span.src))),
                labels: vec![(rule_head(span), "the rule is declared here".to_string())],
                related: Vec::new(),
            })
            .collect();
        let mut message = match (&source, f.location.range.is_some()) {
            (Some(_), true) => f.message.clone(),
            _ => format!("{}: {}", f.location.path, f.message),
        };
        let mut severity = severity(f.severity);
        if let Some(w) = &f.waiver {
            message = format!(
                "{message}\nwaived until {} by {}: {}",
                w.expires, w.approved_by, w.reason
            );
            severity = miette::Severity::Advice;
        }
        self.render(&Report {
            message,
            code: Some(f.rule.clone()),
            severity,
            help: f.help.clone(),
            source: source.filter(|_| f.location.range.is_some()).map(Named),
            labels,
            related,
        })
    }

    pub fn diag(&self, d: &Diag) -> String {
        let mut labels = vec![(d.span.miette(), d.label.clone())];
        let mut related = Vec::new();
        for (span, label) in &d.related {
            if Arc::ptr_eq(&span.src, &d.span.src) {
                labels.push((span.miette(), label.clone()));
            } else {
                related.push(Report {
                    message: label.clone(),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(Named(Arc::clone(&span.src))),
                    labels: vec![(span.miette(), String::new())],
                    related: Vec::new(),
                });
            }
        }
        self.render(&Report {
            message: d.message.clone(),
            code: None,
            severity: miette::Severity::Error,
            help: d.help.clone(),
            source: Some(Named(Arc::clone(&d.span.src))),
            labels,
            related,
        })
    }
}

/// The first line of a rule's declaration (`rule id {`), so the related
/// snippet stays short.
fn rule_head(span: &crate::source::Span) -> SourceSpan {
    let text = span.text();
    let len = text.find('\n').unwrap_or(text.len());
    (span.start, len).into()
}
