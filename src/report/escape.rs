//! Text that comes from outside proviso (a manifest's values, a file's
//! name, a policy's strings), made safe to print on one line.
//!
//! A finding's message interpolates manifest values, and a terminal or a
//! CI log acts on what it is sent: an escape sequence can clear the line
//! and print a green "all manifests comply", a newline can start a forged
//! finding or a workflow command, a bidi override can reorder what is read.
//! Every character [`is_display_control`] selects is therefore written as
//! an escape that shows what was there:
//!
//! - `\n`, `\r` and `\t` for the usual three;
//! - `\x1b` (two lowercase hex digits) for the other ASCII controls,
//!   DEL included;
//! - `\u{85}`, `\u{2028}`, `\u{202e}` (lowercase hex) for C1 controls,
//!   the line and paragraph separators and the bidi controls.
//!
//! A backslash in the text stays as it is: the escapes make a line safe
//! and readable, they are not meant to be parsed back. Snippets of a
//! source's text are made safe separately, by [`crate::source::Source::shown_text`].

use crate::source::is_display_control;
use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with every character that would act on a terminal escaped; borrowed
/// when there is none, which is nearly always.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, is_display_control)
}

/// As [`visible`], but `\n` and `\r` stay, for a format that has its own
/// escape for them (GitHub's workflow commands write `%0A` and `%0D`, which
/// the runner turns back into line breaks inside the annotation).
pub fn visible_but_line_breaks(s: &str) -> Cow<'_, str> {
    escape(s, |c| !matches!(c, '\n' | '\r') && is_display_control(c))
}

/// As [`visible`], but a tab stays: for a line of a source file printed
/// to be read and copied (`proviso show`), where a tab indents and acts
/// on nothing else.
pub fn visible_but_tabs(s: &str) -> Cow<'_, str> {
    escape(s, |c| c != '\t' && is_display_control(c))
}

/// As [`visible`], but line breaks and tabs stay: for text in a page whose
/// markup lays it out (HTML collapses them, or a `<pre>` shows them as
/// they are), where they act on nothing.
pub fn visible_but_whitespace(s: &str) -> Cow<'_, str> {
    escape(s, |c| {
        !matches!(c, '\n' | '\r' | '\t') && is_display_control(c)
    })
}

fn escape(s: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(&escaped) else {
        return Cow::Borrowed(s);
    };
    let (clean, rest) = s.split_at_checked(first).unwrap_or((s, ""));
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(clean);
    for c in rest.chars() {
        if !escaped(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        let s = "Spötify AB receives `friends` \\ 💬";
        assert!(matches!(visible(s), Cow::Borrowed(t) if t == s));
        assert!(matches!(visible_but_line_breaks("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_control_is_written_as_an_escape() {
        assert_eq!(
            visible("\u{1b}[2K\u{1b}[1G\u{1b}[32mall manifests comply"),
            r"\x1b[2K\x1b[1G\x1b[32mall manifests comply"
        );
        assert_eq!(visible("a\nb\r\nc\td"), r"a\nb\r\nc\td");
        assert_eq!(visible("\0\u{8}\u{7f}"), r"\x00\x08\x7f");
        assert_eq!(
            visible("\u{85}\u{9b}\u{2028}\u{2029}"),
            r"\u{85}\u{9b}\u{2028}\u{2029}"
        );
        assert_eq!(
            visible("\u{202e}abc\u{202c}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}"),
            r"\u{202e}abc\u{202c}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}"
        );
        assert_eq!(visible("zoë\u{1b}ü"), r"zoë\x1bü");
    }

    #[test]
    fn tabs_can_stay_in_source_lines() {
        assert_eq!(visible_but_tabs("\tx\u{1b}[2J\r"), "\tx\\x1b[2J\\r");
    }

    #[test]
    fn line_breaks_can_be_left_to_the_format() {
        assert_eq!(
            visible_but_line_breaks("a\r\nb\u{1b}[2K\t\u{2028}"),
            "a\r\nb\\x1b[2K\\t\\u{2028}"
        );
    }
}
