//! Fitting miette's snippets to the width of the terminal.
//!
//! miette wraps a report's prose at its width, but shows a file's lines
//! and the labels under them as they are: on a terminal narrower than
//! them, the terminal breaks them, and the continuation lands in the
//! gutter's column, where it reads as a line of the file. Two things keep
//! every line of a snippet within the width:
//!
//! - a label too long for the room right of its arrow is wrapped onto
//!   lines of its own, which miette draws under the arrow, gutter and
//!   all ([`long_labels`] measures where each lands); one whose arrow
//!   leaves too little room is written on the lines below the arrow,
//!   from the left ([`fit_lines`]);
//! - a line of the file is cut at the width, with `…`, past the last
//!   column that a label under it underlines ([`fit_lines`]): the
//!   labelled value is always shown whole.
//!
//! The rendered text may hold miette's colours (SGR escape sequences):
//! widths are measured without them. Nothing else in it is an escape:
//! the file's text and the messages are made visible before miette sees
//! them.

use unicode_width::UnicodeWidthChar;

/// A label's text is not wrapped narrower than this: a label that starts
/// this close to the right edge is left as it is.
const MIN_LABEL_WIDTH: usize = 16;

/// The arrow that leads to a label's text: `╰── text`.
const ARROW: &str = "╰── ";

/// The labels of an uncoloured rendering that run past `width`, each with
/// the width left for its text right of its arrow, in the order met.
pub fn long_labels(rendered: &str, width: usize) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in snippet_lines(rendered) {
        let Some(at) = line.rfind(ARROW) else {
            continue;
        };
        let Some(text) = line.get(at + ARROW.len()..) else {
            continue;
        };
        let Some(before) = line.get(..at + ARROW.len()) else {
            continue;
        };
        let start = display_width(before);
        if start + display_width(text) <= width {
            continue;
        }
        let room = width.saturating_sub(start);
        if room < MIN_LABEL_WIDTH {
            continue;
        }
        match out.iter_mut().find(|(t, _)| t == text) {
            Some((_, r)) => *r = (*r).min(room),
            None => out.push((text.to_string(), room)),
        }
    }
    out
}

/// `text` in lines of at most `room` columns, broken at spaces only.
pub fn wrap_label(text: &str, room: usize) -> String {
    let options = textwrap::Options::new(room)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(text, options).join("\n")
}

/// The lines of the snippets of a rendering, between a `╭─[` header and
/// its `╰────` footer.
fn snippet_lines(rendered: &str) -> impl Iterator<Item = &str> {
    let mut inside = false;
    rendered.lines().filter(move |line| {
        let shown = strip(line);
        let t = shown.trim();
        if t.starts_with("╭─[") {
            inside = true;
            return false;
        }
        if is_footer(t) {
            inside = false;
        }
        inside
    })
}

fn is_footer(trimmed: &str) -> bool {
    trimmed.starts_with('╰') && trimmed.chars().all(|c| matches!(c, '╰' | '─'))
}

/// The rendering with each line of a file in its snippets cut at `width`
/// columns, past what the labels under it underline, and each label that
/// starts too far right written below its arrow.
pub fn fit_lines(rendered: &str, width: usize) -> String {
    let lines: Vec<&str> = rendered.split_inclusive('\n').collect();
    let mut out = String::with_capacity(rendered.len());
    let mut inside = false;
    for (i, line) in lines.iter().enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (*line, ""),
        };
        let shown = strip(body);
        let t = shown.trim();
        if t.starts_with("╭─[") {
            inside = true;
        } else if is_footer(t) {
            inside = false;
        }
        if !inside || display_width(body) <= width {
            out.push_str(line);
            continue;
        }
        if is_label_line(&shown) {
            match label_below(body, width) {
                Some(moved) => out.push_str(&moved),
                None => out.push_str(line),
            }
            continue;
        }
        if !is_source_line(&shown) {
            out.push_str(line);
            continue;
        }
        // The underlines of this line's labels, when it has any, are on
        // the next line.
        let underlined = lines
            .get(i + 1)
            .map(|next| strip(next.trim_end()))
            .filter(|next| is_label_line(next))
            .map_or(0, |next| display_width(&next));
        let limit = width.max(underlined + 1);
        out.push_str(&cut(body, limit));
        out.push_str(end);
    }
    out
}

/// ` 40 │ text`: a line number, right-aligned, and the gutter.
fn is_source_line(shown: &str) -> bool {
    let rest = shown.trim_start();
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest.get(digits..).is_some_and(|r| r.starts_with(" │"))
}

/// `    · ──┬──`: the gutter of a line under a line of the file.
fn is_label_line(shown: &str) -> bool {
    let rest = shown.trim_start();
    rest == "·" || rest.starts_with("· ")
}

/// A label line `    ·      ╰── text` whose text has too little room right
/// of its arrow, as the arrow alone and the text on lines of its own below
/// it, from the gutter on:
///
/// ```text
///     ·                                        ╰──
///     ·   `friends_of_friends` is not in [user]
/// ```
///
/// `None` when the text fits, when it can be wrapped right of the arrow
/// (miette does that), or when the line holds other labels' pointers,
/// which the text would cross.
fn label_below(line: &str, width: usize) -> Option<String> {
    let at = line.rfind(ARROW)?;
    let left = line.get(..at)?;
    let raw_text = line.get(at + ARROW.len()..)?;
    let left_shown = strip(left);
    let gutter_end = left_shown.find("· ")? + "· ".len();
    if !left_shown.get(gutter_end..)?.chars().all(|c| c == ' ') {
        return None;
    }
    let text = strip(raw_text);
    let start = display_width(&left_shown) + ARROW.chars().count();
    if start + display_width(&text) <= width || width.saturating_sub(start) >= MIN_LABEL_WIDTH {
        return None;
    }
    // The gutter as written (it is not coloured), and the text's colour.
    let raw_gutter = line.get(..line.find("· ")? + "· ".len())?;
    let style_len = leading_escapes(raw_text);
    let style = raw_text.get(..style_len)?;
    let reset = if line.contains('\u{1b}') {
        "\u{1b}[0m"
    } else {
        ""
    };
    let indent = format!("{raw_gutter}  ");
    let room = width
        .saturating_sub(display_width(&indent))
        .max(MIN_LABEL_WIDTH);
    let mut out = format!("{left}{}{reset}\n", ARROW.trim_end());
    for part in wrap_label(&text, room).lines() {
        out.push_str(&format!("{indent}{style}{part}{reset}\n"));
    }
    Some(out)
}

/// The length of the escape sequences `s` starts with.
fn leading_escapes(s: &str) -> usize {
    let mut len = 0;
    while let Some(n) = s.get(len..).and_then(escape_len) {
        len += n;
    }
    len
}

/// `line` in at most `limit` columns, its last one `…` when it is cut.
fn cut(line: &str, limit: usize) -> String {
    let mut out = String::with_capacity(line.len());
    let mut used = 0;
    let mut styled = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = escape_len(rest) {
            let (seq, after) = rest.split_at(len);
            out.push_str(seq);
            styled = true;
            rest = after;
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w > limit.saturating_sub(1) {
            // `…` right after the text it stands for.
            let kept = out.trim_end_matches(' ').len();
            out.truncate(kept);
            out.push('…');
            if styled {
                out.push_str("\u{1b}[0m");
            }
            return out;
        }
        used += w;
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

/// The length of the CSI escape sequence (`ESC [ ... final`) `s` starts
/// with, if it starts with one.
fn escape_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let end = body.find(|c: char| ('\u{40}'..='\u{7e}').contains(&c))?;
    Some(2 + end + 1)
}

/// `s` without escape sequences.
fn strip(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        match escape_len(rest) {
            Some(len) => rest = rest.get(len..).unwrap_or(""),
            None => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }
    out
}

/// The columns `s` takes on a terminal, escape sequences left out.
fn display_width(s: &str) -> usize {
    strip(s).chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
  × Amazon receives data of `friends`
    ╭─[examples/amazon.yaml:40:22]
 39 │     data: [profile.name, contact.email]  # names and contact information
 40 │     subjects: [user, friends]       # obtained through the user's friends
    ·                      ───┬───
    ·                         ╰── `friends` is not in [user, or anyone else at all]
 41 │     operations: [read]
    ╰────
  help: obtain consent from these subjects too, or stop sharing their data
";

    #[test]
    fn lines_of_the_file_are_cut_past_their_labels() {
        let out = fit_lines(REPORT, 40);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], " 39 │     data: [profile.name, contact.…");
        assert_eq!(lines[3], " 40 │     subjects: [user, friends]…");
        assert_eq!(display_width(lines[2]), 40);
        // A label with no room right of its arrow goes below it; prose is
        // left to miette.
        assert_eq!(lines[5], "    ·                         ╰──");
        assert_eq!(lines[10], REPORT.lines().nth(8).unwrap());
    }

    #[test]
    fn a_labelled_value_past_the_width_is_shown_whole() {
        let out = fit_lines(REPORT, 20);
        let line = out.lines().nth(3).unwrap();
        assert_eq!(line, " 40 │     subjects: [user, friends…");
    }

    #[test]
    fn cutting_keeps_colours_balanced() {
        let coloured = REPORT.replace(" 39 │", "\u{1b}[2m 39 \u{1b}[0m│");
        let out = fit_lines(&coloured, 40);
        let line = out.lines().nth(2).unwrap();
        assert_eq!(display_width(line), 40);
        assert!(line.ends_with("contact.…\u{1b}[0m"), "{line:?}");
    }

    #[test]
    fn long_labels_are_measured_from_their_arrow() {
        assert_eq!(
            long_labels(REPORT, 60),
            vec![(
                "`friends` is not in [user, or anyone else at all]".to_string(),
                26
            )]
        );
        assert!(long_labels(REPORT, 100).is_empty());
        // Too little room: left as it is.
        assert!(long_labels(REPORT, 40).is_empty());
        assert_eq!(
            wrap_label("`friends` is not in [user, or anyone else at all]", 26),
            "`friends` is not in [user,\nor anyone else at all]"
        );
    }

    #[test]
    fn a_label_far_right_is_written_below_its_arrow() {
        let report = REPORT.replace(
            "    ·                         ╰── ",
            "    ·                                    ╰── ",
        );
        let out = fit_lines(&report, 50);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[5], "    ·                                    ╰──");
        assert_eq!(
            lines[6],
            "    ·   `friends` is not in [user, or anyone else"
        );
        assert_eq!(lines[7], "    ·   at all]");
        assert_eq!(lines[8], " 41 │     operations: [read]");
        // In colour, each line closes its colour.
        let coloured = report.replace(
            "╰── `friends` is not in [user, or anyone else at all]",
            "\u{1b}[35;1m╰── \u{1b}[35;1m`friends` is not in [user, or anyone else at all]\u{1b}[0m\u{1b}[0m",
        );
        let out = fit_lines(&coloured, 50);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[5],
            "    ·                                    \u{1b}[35;1m╰──\u{1b}[0m"
        );
        assert_eq!(
            lines[6],
            "    ·   \u{1b}[35;1m`friends` is not in [user, or anyone else\u{1b}[0m"
        );
        assert_eq!(strip(&out), fit_lines(&report, 50));
    }

    #[test]
    fn a_label_beside_other_pointers_is_left_alone() {
        let line = "    ·     │                                  ╰── `friends` is not in [user]\n";
        let report = format!("    ╭─[m.yaml:1:1]\n{line}    ╰────\n");
        assert_eq!(fit_lines(&report, 50), report);
    }

    #[test]
    fn text_outside_snippets_is_left_alone() {
        let text = " 12 │ a message that only looks like a line of a file, and is long\n";
        assert_eq!(fit_lines(text, 20), text);
        assert!(long_labels("  × x ╰── a label outside any snippet at all\n", 10).is_empty());
    }
}
