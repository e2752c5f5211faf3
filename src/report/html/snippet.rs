//! The lines of a manifest around a finding, cut into parts so that the
//! template can mark the offending value (and the other blamed values)
//! without writing any markup itself.

use crate::source::Source;
use serde::Serialize;
use std::ops::Range;

/// Lines shown before the first marked line and after the last.
const CONTEXT: usize = 2;
/// Lines of a value written over many lines that are shown.
const MARKED_LINES: usize = 8;
/// A line longer than this (in bytes) is shown as a window around its
/// first mark, so that a minified file does not put megabytes in the page.
const LONG_LINE: usize = 240;

#[derive(Serialize, Debug, PartialEq)]
pub struct Snippet {
    pub lines: Vec<Line>,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    /// The line holds (part of) the offending value.
    pub marked: bool,
    pub parts: Vec<Part>,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Part {
    pub text: String,
    /// `value` for the offending value, `label` for another blamed value,
    /// `cut` for the marker of text left out, empty for plain text.
    pub kind: &'static str,
    /// What a `label` part is (the label's words).
    pub title: Option<String>,
}

/// The snippet of `src` around `primary`, with `labels` marked where they
/// fall on the lines shown. Control characters are shown as pictures
/// (`Source::shown_text`), as in the terminal's snippets.
pub fn snippet(src: &Source, primary: &Range<usize>, labels: &[(Range<usize>, String)]) -> Snippet {
    let (text, starts) = src.shown_text();
    let shown = |r: &Range<usize>| src.shown_offset(r.start)..src.shown_offset(r.end);
    let p = shown(primary);
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
    let first = line_of(p.start);
    let last =
        line_of(if p.end > p.start { p.end - 1 } else { p.end }).min(first + MARKED_LINES - 1);
    let from = first.saturating_sub(CONTEXT);
    let to = (last + CONTEXT).min(starts.len().saturating_sub(1));

    let mut marks: Vec<(Range<usize>, &'static str, Option<&str>)> =
        vec![(p.clone(), "value", None)];
    for (range, label) in labels {
        let r = shown(range);
        let overlaps = marks
            .iter()
            .any(|(m, _, _)| r.start < m.end && m.start < r.end);
        if !overlaps && !r.is_empty() {
            marks.push((r, "label", Some(label.as_str())));
        }
    }
    marks.sort_by_key(|(r, _, _)| r.start);

    let lines = (from..=to)
        .filter_map(|i| {
            let start = *starts.get(i)?;
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let body = text.get(start..end)?;
            let body = body.strip_suffix('\n').unwrap_or(body);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let end = start + body.len();
            Some(Line {
                number: i + 1,
                marked: (first..=last).contains(&i),
                parts: parts(text, start..end, &marks),
            })
        })
        .collect();
    Snippet { lines }
}

/// One line's text, cut at the marks' edges; a long line is cut to a
/// window around its first mark.
fn parts(
    text: &str,
    line: Range<usize>,
    marks: &[(Range<usize>, &'static str, Option<&str>)],
) -> Vec<Part> {
    let window = window(text, &line, marks);
    let mut out = Vec::new();
    if window.start > line.start {
        out.push(cut());
    }
    let mut at = window.start;
    for (range, kind, title) in marks {
        // A mark of no width (a place, not a value) shows where it is.
        let point = range.is_empty() && (window.start..=window.end).contains(&range.start);
        let start = range.start.clamp(at, window.end);
        let end = range.end.clamp(start, window.end);
        if start == end && !point {
            continue;
        }
        push(&mut out, text, at..start);
        out.push(Part {
            text: text.get(start..end).unwrap_or_default().to_string(),
            kind,
            title: title.map(str::to_string),
        });
        at = end;
    }
    push(&mut out, text, at..window.end);
    if window.end < line.end {
        out.push(cut());
    }
    out
}

/// Plain text of the line, when there is some.
fn push(out: &mut Vec<Part>, text: &str, range: Range<usize>) {
    if let Some(t) = text.get(range).filter(|t| !t.is_empty()) {
        out.push(Part {
            text: t.to_string(),
            kind: "",
            title: None,
        });
    }
}

fn cut() -> Part {
    Part {
        text: "…".to_string(),
        kind: "cut",
        title: None,
    }
}

/// The part of a line shown: all of it, or for a long line about
/// `LONG_LINE` bytes from a little before its first mark, on character
/// boundaries.
fn window(
    text: &str,
    line: &Range<usize>,
    marks: &[(Range<usize>, &'static str, Option<&str>)],
) -> Range<usize> {
    if line.len() <= LONG_LINE {
        return line.clone();
    }
    let anchor = marks
        .iter()
        .map(|(r, _, _)| r.start)
        .find(|s| line.contains(s))
        .unwrap_or(line.start);
    let floor = |mut i: usize| {
        while i > line.start && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(anchor.saturating_sub(LONG_LINE / 3).max(line.start));
    let end = floor((start + LONG_LINE).min(line.end));
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &Snippet) -> Vec<String> {
        s.lines
            .iter()
            .map(|l| {
                let text: String = l
                    .parts
                    .iter()
                    .map(|p| match p.kind {
                        "value" => format!("[{}]", p.text),
                        "label" => format!("{{{}}}", p.text),
                        _ => p.text.clone(),
                    })
                    .collect();
                format!("{}{} {text}", l.number, if l.marked { ">" } else { " " })
            })
            .collect()
    }

    #[test]
    fn the_value_is_marked_with_two_lines_around_it() {
        let text =
            "a: 1\nb: 2\nconsent:\n  mechanism: platform_login\n  recorded: false\nz: 9\nlast: 0\n";
        let src = Source::new("m.yaml", text.to_string());
        let at = text.find("platform_login").unwrap();
        let rec = text.find("false").unwrap();
        let s = snippet(
            &src,
            &(at..at + 14),
            &[(rec..rec + 5, "not recorded".into())],
        );
        assert_eq!(
            shown(&s),
            [
                "2  b: 2",
                "3  consent:",
                "4>   mechanism: [platform_login]",
                "5    recorded: {false}",
                "6  z: 9",
            ]
        );
        let label = &s.lines[3].parts[1];
        assert_eq!(label.title.as_deref(), Some("not recorded"));
    }

    #[test]
    fn a_value_over_several_lines_marks_each_and_stops_after_a_few() {
        let mut text = String::from("k: |\n");
        for i in 0..20 {
            text.push_str(&format!("  line {i}\n"));
        }
        let src = Source::new("m.yaml", text.clone());
        let at = text.find("  line 0").unwrap();
        let s = snippet(&src, &(at..text.len() - 1), &[]);
        let marked = s.lines.iter().filter(|l| l.marked).count();
        assert_eq!(marked, MARKED_LINES);
        assert_eq!(s.lines.len(), 1 + MARKED_LINES + CONTEXT);
    }

    #[test]
    fn control_characters_are_pictures_and_long_lines_a_window() {
        let text = format!(
            "name: \"a\u{1b}[2Jb\"\nlong: {}X{}\n",
            "x".repeat(500),
            "é".repeat(300)
        );
        let src = Source::new("m.yaml", text.clone());
        let esc = text.find('\u{1b}').unwrap();
        let s = snippet(&src, &(esc - 1..esc + 5), &[]);
        assert!(shown(&s)[0].contains("[a␛[2Jb]"), "{:?}", shown(&s));
        let x = text.find('X').unwrap();
        let s = snippet(&src, &(x..x + 1), &[]);
        let long = &s.lines[1];
        assert_eq!(long.parts.first().map(|p| p.kind), Some("cut"));
        assert_eq!(long.parts.last().map(|p| p.kind), Some("cut"));
        let length: usize = long.parts.iter().map(|p| p.text.len()).sum();
        assert!(length <= LONG_LINE + 6, "{length}");
        assert!(long
            .parts
            .iter()
            .any(|p| p.kind == "value" && p.text == "X"));
    }

    #[test]
    fn a_place_of_no_width_is_still_marked() {
        let text = "grants:\n  - id: inbox\n";
        let src = Source::new("m.yaml", text.to_string());
        let at = text.find("id").unwrap();
        let s = snippet(&src, &(at..at), &[]);
        assert!(s.lines[1]
            .parts
            .iter()
            .any(|p| p.kind == "value" && p.text.is_empty()));
    }
}
