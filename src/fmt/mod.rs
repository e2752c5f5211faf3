//! Policy files in one layout: `proviso fmt`, and [`format_source`] for an
//! editor that formats a document. The layout is written down in
//! docs/language.md, "Formatting".
//!
//! The formatter lays out the concrete syntax tree (`syntax::tree`) again,
//! token by token, and puts each comment back between the same two tokens
//! (`printer`). Before it returns, it checks that the output parses to the
//! same syntax tree as the input, spans aside (so it means the same), and
//! has the same comments in the same order; otherwise it refuses. The
//! layout depends on the tokens and comments alone, and on where the text
//! breaks a line inside a list or an `and`/`or` chain, which the output
//! keeps: formatting the output again changes nothing (tests/fmt.rs holds
//! it to that on generated policies).
//!
//! A text that does not parse is not formatted: its errors are returned.

mod layout;
mod pieces;
mod printer;

use crate::diagnostics::Diag;
use crate::source::{Source, Span};
use crate::syntax;
use std::sync::Arc;

/// The column a line should end by. A line goes past it only when a token
/// is too long (a string, say) or a comment ends it.
pub const WIDTH: usize = 100;

/// Formats the text of a policy file. A byte-order mark and the style of
/// line breaks (`\n`, `\r\n` or `\r`, as the first one is) are kept.
/// Returns the errors of a text that does not parse, or that the formatter
/// would change the meaning of.
pub fn format_source(text: &str) -> Result<String, Vec<Diag>> {
    let (envelope, inner) = Envelope::open(text);
    format(&Source::new("<input>", inner)).map(|out| envelope.close(&out))
}

/// Formats a policy file whose text has `\n` line breaks and no byte-order
/// mark (see [`Envelope`]).
pub fn format(src: &Arc<Source>) -> Result<String, Vec<Diag>> {
    syntax::set_budget(src.text.len());
    let (before, tree) = syntax::parse_file_and_tree(src)?;
    let refused = |why: &str| vec![refusal(src, why)];
    let pieces = pieces::pieces(&tree, &src.text).map_err(|e| refused(&e))?;
    let mut p = printer::Printer::new(&src.text, &pieces);
    layout::file(&mut p, &tree);
    let out = p.finish().map_err(|e| refused(&e))?;
    // The output must say what the input says, with the same comments.
    let formatted = Source::new(src.name.clone(), out);
    let Ok((after, tree)) = syntax::parse_file_and_tree(&formatted) else {
        return Err(refused("its output does not parse"));
    };
    if after != before {
        return Err(refused("its output parses to another syntax tree"));
    }
    let kept = pieces::pieces(&tree, &formatted.text).is_ok_and(|out| {
        pieces::comments(&out, &formatted.text) == pieces::comments(&pieces, &src.text)
    });
    if !kept {
        return Err(refused("its output has other comments"));
    }
    Ok(formatted.text.clone())
}

/// The `//` comments of a policy text that parses, in order, each without
/// the white space at its end; `None` when the text does not parse.
pub fn comments(text: &str) -> Option<Vec<String>> {
    let tree = syntax::tree::tree(text)?;
    let pieces = pieces::pieces(&tree, text).ok()?;
    Some(
        pieces::comments(&pieces, text)
            .into_iter()
            .map(str::to_string)
            .collect(),
    )
}

/// The error for a file the formatter will not write: it failed to lay it
/// out (`why`), which is the formatter's fault, not the file's.
fn refusal(src: &Arc<Source>, why: &str) -> Diag {
    Diag::new(
        &Span::new(src, 0..0),
        "`proviso fmt` cannot format this file without changing it, so it is left as it is",
    )
    .label(format!("the formatter failed: {why}"))
    .help("this is a fault of proviso, not of the file: please report it with the file")
}

/// What a file's text holds besides its lines: a byte-order mark, and the
/// line break it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    pub bom: bool,
    pub newline: &'static str,
}

impl Envelope {
    /// The envelope of a file's text, and the text inside it: without the
    /// mark, each line break a `\n`. The line break is the file's first
    /// (`\n` when it has none); any other kind in the file becomes it too.
    pub fn open(raw: &str) -> (Envelope, String) {
        let (bom, text) = match raw.strip_prefix('\u{feff}') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let newline = match text.find(['\n', '\r']) {
            Some(at) if text.get(at..at + 2) == Some("\r\n") => "\r\n",
            Some(at) if text.get(at..at + 1) == Some("\r") => "\r",
            _ => "\n",
        };
        let inner = text.replace("\r\n", "\n").replace('\r', "\n");
        (Envelope { bom, newline }, inner)
    }

    /// `text` (with `\n` line breaks) in this envelope.
    pub fn close(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 16 + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        if self.newline == "\n" {
            out.push_str(text);
        } else {
            out.push_str(&text.replace('\n', self.newline));
        }
        out
    }
}
