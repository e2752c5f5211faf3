//! miette's graphical report: the manifest snippet with the blamed value
//! labelled, the rule's help, and the rule's own source as a related
//! snippet.
//!
//! Nothing from a manifest or a policy reaches the terminal raw: messages,
//! labels, help and file names are written [`visible`], and snippets show a
//! source's [`Source::shown_text`], with the labels' byte ranges moved onto
//! it.

use super::escape::visible;
use super::{fit, term};
use crate::ast::Severity;
use crate::diagnostics::{Diag, Finding};
use crate::source::{line_of, ColumnUnit, Source, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A source that renders with its file name, showing its text as
/// [`Source::shown_text`] does. Spans given to miette are in the shown
/// text: see [`span`].
#[derive(Debug)]
struct Named {
    src: Arc<Source>,
    name: String,
    /// How the snippets' headers count the column.
    columns: ColumnUnit,
}

impl Named {
    fn new(src: &Arc<Source>, columns: ColumnUnit) -> Named {
        Named {
            src: Arc::clone(src),
            name: visible(&src.name).into_owned(),
            columns,
        }
    }
}

/// A byte range of a source's text, as a span of its shown text.
fn span(src: &Source, range: Range<usize>) -> SourceSpan {
    let start = src.shown_offset(range.start);
    let end = src.shown_offset(range.end).max(start);
    (start, end - start).into()
}

impl SourceCode for Named {
    /// miette's own reading of a `str` scans from the first byte on every
    /// call, so a file with many findings would cost its size for each;
    /// the line table makes it a binary search.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (text, lines) = self.src.shown_text();
        let context = Context::new(text.as_bytes(), lines, span, before, after)
            .ok_or(MietteError::OutOfBounds)?;
        // Without lines around it, the span is a label's, whose place
        // heads its snippet: given here as the line formats give it (in
        // the text itself, not its shown copy, and in their unit), where
        // miette would count bytes of the shown text.
        let name = if before == 0 && after == 0 {
            let at = self.src.original_offset(span.offset());
            let (line, col) = self.src.line_column(at, self.columns);
            format!("{}:{line}:{col}", self.name)
        } else {
            self.name.clone()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            name,
            context.data,
            context.span,
            context.line,
            context.column,
            context.line_count,
        )))
    }
}

/// What miette asks of a source for a span: the span's lines with `before`
/// lines above and `after` below, where they start (0-based line, and byte
/// column when there are no lines above), and how many lines they cover.
///
/// Data, span, line and column are what miette's `impl SourceCode for str`
/// returns, quirks included, for a text whose lines end in `\n` or `\r\n`
/// (a shown text has no lone `\r`): the header's column counts bytes; a
/// span whose last byte ends a line also takes in the next; with no lines
/// above, the data starts at the span. Keeping them keeps the snippets as
/// they were.
///
/// `line_count` is the number of lines the data covers, as `SpanContents`
/// documents it. miette's reading of a `str` counts the lines from the
/// start of the text instead, and miette merges two labels' snippets when
/// the first one's line plus that count reaches the second's: deep in a
/// file, two labels thousands of lines apart became one snippet showing
/// every line between them, for every finding.
#[derive(Debug, PartialEq)]
struct Context<'a> {
    data: &'a [u8],
    span: SourceSpan,
    line: usize,
    column: usize,
    line_count: usize,
}

impl<'a> Context<'a> {
    fn new(
        text: &'a [u8],
        lines: &[usize],
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<Context<'a>> {
        let start = span.offset();
        let last = start.checked_add(span.len())?.saturating_sub(1);
        if last > text.len() {
            return None;
        }
        // The first byte past the span's last character (a `\r\n` is one).
        let past = match text.get(last..) {
            Some([b'\r', b'\n', ..]) => last + 2,
            Some([_, ..]) => last + 1,
            _ => text.len(),
        };
        let end = if after == 0 {
            past
        } else {
            lines
                .get(line_of(lines, past) + after + 1)
                .copied()
                .unwrap_or(text.len())
        };
        let start_line = line_of(lines, start);
        let (data_start, line, column) = if before == 0 {
            let line_start = lines.get(start_line).copied().unwrap_or(0);
            let crlf = start > 0 && text.get(start - 1..=start) == Some(b"\r\n".as_slice());
            let column = start
                .saturating_sub(line_start)
                .saturating_sub(usize::from(crlf));
            // miette's scan goes on past the span to the lines below, and
            // resets the column at the first line break it meets there.
            let column = if after > 0 && lines.last().is_some_and(|&l| l > past) {
                0
            } else {
                column
            };
            (start, start_line, column)
        } else {
            let line = start_line.saturating_sub(before);
            (lines.get(line).copied().unwrap_or(0), line, 0)
        };
        let line_count = match end.checked_sub(1) {
            Some(last) if end > data_start => (line_of(lines, last) + 1).saturating_sub(line),
            _ => 0,
        };
        Some(Context {
            data: text.get(data_start..end)?,
            span: (data_start, end - data_start).into(),
            line,
            column,
            line_count,
        })
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

impl Report {
    /// Each label that is too long for the room right of its arrow, in
    /// lines that fit it, here and in the related reports.
    fn wrap_labels(&mut self, long: &[(String, usize)]) {
        if long.is_empty() {
            return;
        }
        for (_, label) in &mut self.labels {
            if let Some((_, room)) = long.iter().find(|(text, _)| text == label) {
                *label = fit::wrap_label(label, *room);
            }
        }
        for r in &mut self.related {
            r.wrap_labels(long);
        }
    }
}

/// `report` as `handler` renders it. The handler is a dependency's code:
/// should it fail on some input, the finding is still reported, in plain
/// words.
fn draw(handler: &GraphicalReportHandler, report: &Report) -> String {
    let mut out = String::new();
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut out, report)
    }));
    if !matches!(rendered, Ok(Ok(()))) {
        out = format!("{}\n", report.message);
    }
    out
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// Renders graphical reports, coloured or not (the caller decides, with
/// [`super::term`]), fitted to a width.
pub struct Renderer {
    handler: GraphicalReportHandler,
    /// The same handler without colour, when `handler` has colour: where
    /// labels land is measured on its rendering.
    plain: Option<GraphicalReportHandler>,
    width: usize,
    /// How the header of a snippet counts its column.
    columns: ColumnUnit,
}

fn handler(theme: GraphicalTheme, width: usize) -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .without_primary_span_start()
        // Lines break at spaces only: a date (`2018-12-18`), a rule id or a
        // path is never cut in two, and a word longer than the line stays
        // whole on a line of its own.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false)
}

impl Renderer {
    /// A renderer fitted to [`term::DEFAULT_WIDTH`]; see
    /// [`Renderer::with_width`].
    pub fn new(color: bool, columns: ColumnUnit) -> Renderer {
        let plain = handler(GraphicalTheme::unicode_nocolor(), term::DEFAULT_WIDTH);
        let (handler, plain) = if color {
            (
                handler(GraphicalTheme::unicode(), term::DEFAULT_WIDTH),
                Some(plain),
            )
        } else {
            (plain, None)
        };
        Renderer {
            handler,
            plain,
            width: term::DEFAULT_WIDTH,
            columns,
        }
    }

    /// The same renderer, fitted to `width` columns: a report's prose (its
    /// message, help, the rule's title) is wrapped at spaces, labels are
    /// wrapped under their arrow, and lines of a file are cut past what
    /// their labels underline (see [`super::fit`]), so that a snippet's
    /// gutter stays whole on a terminal that wide.
    pub fn with_width(mut self, width: usize) -> Renderer {
        self.width = width;
        self.handler = self.handler.with_width(width);
        self.plain = self.plain.map(|p| p.with_width(width));
        self
    }

    /// A report, ending in one line break (reports written one after
    /// another are kept apart by a [`Gap`]).
    fn render(&self, mut report: Report) -> String {
        let plain = self.plain.as_ref().unwrap_or(&self.handler);
        let first = draw(plain, &report);
        let long = fit::long_labels(&first, self.width);
        let mut out = if long.is_empty() && self.plain.is_none() {
            first
        } else {
            report.wrap_labels(&long);
            draw(&self.handler, &report)
        };
        out = fit::fit_lines(&out, self.width);
        let end = out.trim_end_matches('\n').len();
        out.truncate(end);
        out.push('\n');
        out
    }

    pub fn finding(&self, f: &Finding) -> String {
        let (line, col) = f.location.line_column(self.columns);
        let long = |src: &Arc<Source>| {
            f.location
                .range
                .iter()
                .chain(f.labels.iter().map(|(r, _)| r))
                .any(|r| on_long_line(src, r.start))
        };
        let source = f
            .location
            .source
            .as_ref()
            .filter(|_| f.location.range.is_some());
        // A snippet of a very long line says nothing a reader can take in,
        // and every finding on it would repeat it: the place is given in
        // words instead.
        let too_long = source.is_some_and(long);
        let shown_at = too_long.then(|| format!(":{line}:{col}"));
        let source = source.filter(|_| !too_long);
        let labels: Vec<(SourceSpan, String)> = match source {
            Some(src) => f
                .labels
                .iter()
                .map(|(r, l)| (span(src, r.clone()), visible(l).into_owned()))
                .collect(),
            None => Vec::new(),
        };
        // Places in other manifests (a rule across manifests), each with its
        // own snippet.
        let elsewhere = f.related.iter().map(|(l, label)| {
            let src = l
                .source
                .as_ref()
                .zip(l.range.clone())
                .filter(|(src, r)| !on_long_line(src, r.start));
            let (line, col) = l.line_column(self.columns);
            Report {
                message: match src {
                    Some(_) => format!("also: {}", visible(label)),
                    None => format!(
                        "also: {}:{line}:{col}: {}",
                        visible(&l.path),
                        visible(label)
                    ),
                },
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: src.as_ref().map(|(src, _)| Named::new(src, self.columns)),
                labels: src
                    .map(|(src, r)| vec![(span(src, r), visible(label).into_owned())])
                    .unwrap_or_default(),
                related: Vec::new(),
            }
        });
        let related = elsewhere
            .collect::<Vec<_>>()
            .into_iter()
            .chain(f.rule_span.iter().map(|rule| Report {
                message: format!("rule `{}`: {}", visible(&f.rule), visible(&f.title)),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: Some(Named::new(&rule.src, self.columns)),
                labels: vec![(rule_head(rule), "the rule is declared here".to_string())],
                related: Vec::new(),
            }))
            .collect();
        let mut message = match source {
            Some(_) => visible(&f.message).into_owned(),
            None => format!(
                "{}{}: {}",
                visible(&f.location.path),
                shown_at.unwrap_or_default(),
                visible(&f.message)
            ),
        };
        let mut severity = severity(f.severity);
        if let Some(w) = &f.waiver {
            message = format!(
                "{message}\nwaived until {} by {}: {}",
                w.expires,
                visible(&w.approved_by),
                visible(&w.reason)
            );
            severity = miette::Severity::Advice;
        }
        self.render(Report {
            message,
            code: Some(visible(&f.rule).into_owned()),
            severity,
            help: f.help.as_deref().map(|h| visible(h).into_owned()),
            source: source.map(|src| Named::new(src, self.columns)),
            labels,
            related,
        })
    }

    pub fn diag(&self, d: &Diag) -> String {
        if on_long_line(&d.span.src, d.span.start) {
            let (line, col) = d.span.src.line_column(d.span.start, self.columns);
            return self.render(Report {
                message: format!(
                    "{}:{line}:{col}: {}",
                    visible(&d.span.src.name),
                    visible(&d.message)
                ),
                code: None,
                severity: miette::Severity::Error,
                help: d.help.as_deref().map(|h| visible(h).into_owned()),
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            });
        }
        let mut labels = vec![(whole(&d.span), visible(&d.label).into_owned())];
        let mut related = Vec::new();
        for (at, label) in &d.related {
            if Arc::ptr_eq(&at.src, &d.span.src) {
                labels.push((whole(at), visible(label).into_owned()));
            } else {
                related.push(Report {
                    message: visible(label).into_owned(),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(Named::new(&at.src, self.columns)),
                    labels: vec![(whole(at), String::new())],
                    related: Vec::new(),
                });
            }
        }
        self.render(Report {
            message: visible(&d.message).into_owned(),
            code: None,
            severity: miette::Severity::Error,
            help: d.help.as_deref().map(|h| visible(h).into_owned()),
            source: Some(Named::new(&d.span.src, self.columns)),
            labels,
            related,
        })
    }
}

/// Prose for people beside the reports (the summary and its notes), each
/// line wrapped at `width` at spaces, its continuation indented.
pub fn wrap_prose(text: &str, width: usize) -> String {
    let options = textwrap::Options::new(width)
        .subsequent_indent("  ")
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    text.lines()
        .map(|line| textwrap::fill(line, &options))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The blank line between one report and the next, and none before the
/// first: reports written one after another read as separate blocks, each
/// rule header apart from the snippet above it.
#[derive(Debug, Default)]
pub struct Gap {
    started: bool,
}

impl Gap {
    /// What to write before the next report: nothing for the first, a line
    /// break (a blank line after the report's own) for every other.
    pub fn before(&mut self) -> &'static str {
        if std::mem::replace(&mut self.started, true) {
            "\n"
        } else {
            ""
        }
    }
}

/// Lines longer than this are not shown as snippets.
const MAX_SNIPPET_LINE: usize = 1000;

/// Whether the line holding `offset` is too long to show.
fn on_long_line(src: &Source, offset: usize) -> bool {
    let starts = src.line_starts();
    let line = line_of(starts, offset.min(src.text.len()));
    let start = starts.get(line).copied().unwrap_or(0);
    let end = starts.get(line + 1).copied().unwrap_or(src.text.len());
    end.saturating_sub(start) > MAX_SNIPPET_LINE
}

fn whole(at: &Span) -> SourceSpan {
    span(&at.src, at.range())
}

/// The first line of a rule's declaration (`rule id {`), so the related
/// snippet stays short.
fn rule_head(rule: &Span) -> SourceSpan {
    let text = rule.text();
    let len = text.find('\n').unwrap_or(text.len());
    span(&rule.src, rule.start..rule.start + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;
    use proptest::prelude::*;

    /// What miette's own reading of a `str` returns, as a [`Context`]
    /// with the number of lines its data covers.
    fn miette_context<'a>(
        text: &'a str,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<Context<'a>> {
        let c = text.read_span(&span, before, after).ok()?;
        let data = c.data();
        let breaks = data.iter().filter(|&&b| b == b'\n').count();
        Some(Context {
            data,
            span: *c.span(),
            line: c.line(),
            column: c.column(),
            line_count: breaks + usize::from(data.last().is_some_and(|&b| b != b'\n')),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The line table gives what miette's scan gives, for every span on
        /// character boundaries of a text whose lines end in `\n` or
        /// `\r\n`, with the context miette asks for (1 and 1 for a snippet,
        /// 0 and 0 for the header's position) and others.
        #[test]
        fn context_is_what_miette_reads(
            parts in prop::collection::vec(
                prop::sample::select(vec!["a", "é", "💬", " ", "\t", "\n", "\r\n", "\n\n"]),
                0..40,
            ),
            start in any::<prop::sample::Index>(),
            len in any::<prop::sample::Index>(),
            before in 0usize..3,
            after in 0usize..3,
        ) {
            let text: String = parts.concat();
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let start = bounds[start.index(bounds.len())];
            let ends: Vec<usize> = bounds.iter().copied().filter(|&e| e >= start).collect();
            let end = ends[len.index(ends.len())];
            let span: SourceSpan = (start, end - start).into();
            let src = Source::new("m.yaml", text.as_str());
            let ours = Context::new(text.as_bytes(), src.line_starts(), &span, before, after);
            prop_assert_eq!(ours, miette_context(&text, span, before, after));
        }
    }

    #[test]
    fn context_of_an_empty_text_and_past_its_end() {
        let src = Source::new("m.yaml", "");
        for (span, before, after) in [((0, 0), 1, 1), ((0, 0), 0, 0), ((1, 0), 1, 1)] {
            let span: SourceSpan = span.into();
            assert_eq!(
                Context::new(b"", src.line_starts(), &span, before, after),
                miette_context("", span, before, after)
            );
        }
        let src = Source::new("m.yaml", "a\nb\n");
        let span: SourceSpan = (3, 5).into();
        assert_eq!(
            Context::new(b"a\nb\n", src.line_starts(), &span, 1, 1),
            None
        );
    }

    fn finding(src: &Arc<Source>, value: &str, message: &str) -> Finding {
        let start = src.text.find(value).unwrap();
        let range = start..start + value.len();
        Finding {
            fix: None,
            rule: "demo/name".to_string(),
            severity: Severity::Error,
            title: "names are plain".to_string(),
            message: message.to_string(),
            help: Some("rename the partner".to_string()),
            location: Location {
                path: src.name.clone(),
                source: Some(Arc::clone(src)),
                range: Some(range.clone()),
                pointer: None,
                raw_path: None,
            },
            labels: vec![(range, "this name".to_string())],
            rule_span: None,
            waiver: None,
            bindings: Vec::new(),
            related: Vec::new(),
        }
    }

    /// The column, in characters, of the first `─` or `┬` on a line.
    fn underline(line: &str) -> (usize, usize) {
        let marks: Vec<usize> = line
            .chars()
            .enumerate()
            .filter(|(_, c)| matches!(c, '─' | '┬'))
            .map(|(i, _)| i)
            .collect();
        (marks[0], marks[marks.len() - 1])
    }

    #[test]
    fn control_characters_are_shown_and_the_label_stays_on_its_text() {
        let value = "\"\u{1b}[2K\u{1b}[1G\u{1b}[32mall manifests comply\"";
        let text = format!("partner:\n  id: x\n  name: {value} # \u{202e}\n  kind: y\n");
        let src = Source::new("m\u{1b}[2K.yaml", text);
        let mut f = finding(
            &src,
            value,
            "\u{1b}[2K\u{1b}[1G\u{1b}[32mall manifests comply\nis not a name",
        );
        f.help = Some("rename \u{1b}[8mthe partner".to_string());
        f.labels[0].1 = "this name\u{7}".to_string();
        let out = Renderer::new(false, ColumnUnit::Chars).finding(&f);
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(!out.contains('\u{7}'), "{out}");
        assert!(!out.contains('\u{202e}'), "{out}");
        // Header, help, label and file name are escaped, the snippet pictured.
        assert!(
            out.contains(r"\x1b[2K\x1b[1G\x1b[32mall manifests comply\nis not a name"),
            "{out}"
        );
        assert!(out.contains(r"help: rename \x1b[8mthe partner"), "{out}");
        assert!(out.contains(r"this name\x07"), "{out}");
        assert!(out.contains(r"[m\x1b[2K.yaml:3:9]"), "{out}");
        let shown = "\"␛[2K␛[1G␛[32mall manifests comply\"";
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.ends_with(&format!("name: {shown} # \\u{{202e}}")))
            .unwrap_or_else(|| panic!("no snippet line shows the value\n{out}"));
        let start = lines[at].chars().count() - format!("{shown} # \\u{{202e}}").chars().count();
        assert_eq!(
            underline(lines[at + 1]),
            (start, start + shown.chars().count() - 1),
            "\n{}\n{}",
            lines[at],
            lines[at + 1]
        );
    }

    /// A finding's labels far apart get a snippet each: the text between
    /// them is not shown, so a report costs the same whatever the file's
    /// size. Labels on neighbouring lines share one.
    #[test]
    fn labels_far_apart_get_a_snippet_each() {
        let text: String = (0..500).map(|i| format!("k{i}: v{i}\n")).collect();
        let src = Source::new("m.yaml", text.as_str());
        let mut f = finding(&src, "v300\n", "a message");
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            start..start + needle.len() - 1
        };
        f.labels = vec![
            (at("v300\n"), "first".to_string()),
            (at("v302\n"), "near".to_string()),
            (at("v480\n"), "far".to_string()),
        ];
        let out = Renderer::new(false, ColumnUnit::Chars).finding(&f);
        assert_eq!(out.matches("╭─[").count(), 2, "{out}");
        assert!(out.lines().count() < 30, "{out}");
        for shown in [
            "k299:", "k300:", "k301:", "k302:", "k303:", "k479:", "k481:",
        ] {
            assert!(out.contains(shown), "{shown}\n{out}");
        }
        assert!(!out.contains("k304:") && !out.contains("k478:"), "{out}");
    }

    #[test]
    fn a_clean_source_renders_as_miette_renders_a_str() {
        let text = "partner:\n  id: x\r\n  name: \"Zoë 💬\"\n\tkind: y\n";
        let src = Source::new("m.yaml", text);
        let f = finding(&src, "\"Zoë 💬\"", "a message");
        let ours = Renderer::new(false, ColumnUnit::Chars).finding(&f);
        // The same report, with miette reading the text itself.
        let start = text.find("\"Zoë").unwrap();
        let report = miette::Report::new(MietteReport {
            span: (start, "\"Zoë 💬\"".len()).into(),
            src: miette::NamedSource::new("m.yaml", text.to_string()),
        });
        let mut theirs = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .render_report(&mut theirs, report.as_ref())
            .unwrap();
        assert_eq!(ours, theirs);
    }

    #[derive(Debug)]
    struct MietteReport {
        span: SourceSpan,
        src: miette::NamedSource<String>,
    }

    impl fmt::Display for MietteReport {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a message")
        }
    }

    impl std::error::Error for MietteReport {}

    impl Diagnostic for MietteReport {
        fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            Some(Box::new("demo/name"))
        }
        fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            Some(Box::new("rename the partner"))
        }
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.src)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(std::iter::once(
                LabeledSpan::new_primary_with_span(Some("this name".to_string()), self.span),
            )))
        }
    }
}
