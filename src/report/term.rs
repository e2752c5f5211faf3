//! What the terminal decides about `human` reports: whether they are
//! coloured, and the width their text wraps at.
//!
//! Each output stream is judged on its own: the report on stdout, errors
//! before it (a policy that does not check) on stderr, so `proviso check
//! 2>errors.txt` still colours the report on the terminal, and a report
//! piped into a file is plain while its errors on the terminal are not.

use clap::ValueEnum;
use std::ffi::OsStr;
use std::io::IsTerminal;

/// `--color`: whether reports are coloured.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour a terminal; `NO_COLOR` turns colour off, `FORCE_COLOR` or
    /// `CLICOLOR_FORCE` colour any output (CI logs)
    #[default]
    Auto,
    /// Always colour, whatever the output and the environment
    Always,
    /// Never colour
    Never,
}

/// Where text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
    /// A file named by `--output`: never a terminal.
    File,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
            Stream::File => false,
        }
    }
}

impl ColorChoice {
    /// Whether text written to `stream` is coloured. The flag wins over the
    /// environment. In `auto`, `NO_COLOR` (set and not empty) turns colour
    /// off; else `FORCE_COLOR` or `CLICOLOR_FORCE` turn it on whatever the
    /// stream (a CI log); else the stream gets colour if it is a terminal
    /// that is not `TERM=dumb`. `NO_COLOR` comes first: it asks for output
    /// that a reader without colours can take, where `FORCE_COLOR` is often
    /// set for a whole CI job. A file gets colour only when asked with
    /// `always`: a report kept as an artifact is read by tools as often as
    /// by people.
    pub fn on(self, stream: Stream) -> bool {
        let stream = match (self, stream) {
            (ColorChoice::Always, _) => return true,
            (ColorChoice::Never, _) | (ColorChoice::Auto, Stream::File) => return false,
            (ColorChoice::Auto, Stream::Stdout) => supports_color::Stream::Stdout,
            (ColorChoice::Auto, Stream::Stderr) => supports_color::Stream::Stderr,
        };
        if anstyle_query::no_color() {
            return false;
        }
        // An empty `FORCE_COLOR` forces nothing (force-color.org), where
        // supports-color reads it as set: the stream decides, unless
        // `CLICOLOR_FORCE` forces.
        let empty_force = std::env::var_os("FORCE_COLOR").is_some_and(|v| v.is_empty());
        if empty_force && !anstyle_query::clicolor_force() {
            let terminal = match stream {
                supports_color::Stream::Stdout => std::io::stdout().is_terminal(),
                supports_color::Stream::Stderr => std::io::stderr().is_terminal(),
            };
            return terminal && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        }
        supports_color::on(stream).is_some()
    }
}

/// The width reports wrap at when neither `COLUMNS` nor a terminal says:
/// what a CI log or a file gets.
pub const DEFAULT_WIDTH: usize = 100;
/// Below this a snippet's gutter and its labels leave no room for text.
pub const MIN_WIDTH: usize = 40;
/// Past this, prose lines are too long to read comfortably.
pub const MAX_WIDTH: usize = 140;

/// The width `human` reports written to `stream` wrap at: `COLUMNS` when it
/// is set to a number, else the width of the terminal the stream is, else
/// [`DEFAULT_WIDTH`]; kept within [`MIN_WIDTH`] and [`MAX_WIDTH`].
pub fn width(stream: Stream) -> usize {
    let terminal = match stream {
        Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
        Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        Stream::File => None,
    };
    let columns = std::env::var_os("COLUMNS");
    let on_terminal = terminal.map(|(w, _)| usize::from(w.0));
    // A stream that is not a terminal has no width of its own, whatever
    // the query says of the file descriptor behind it.
    let on_terminal = on_terminal.filter(|_| stream.is_terminal());
    width_from(columns.as_deref(), on_terminal)
}

/// [`width`] from what it reads: `COLUMNS` as set, and the terminal's width
/// if the stream is one. `COLUMNS` wins, as it does for the tools that read
/// it (a shell sets it to the terminal's width; a user sets it to ask for
/// another); a value that is not a positive number is passed over.
pub fn width_from(columns: Option<&OsStr>, terminal: Option<usize>) -> usize {
    let columns = columns
        .and_then(OsStr::to_str)
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    columns
        .or(terminal.filter(|&w| w > 0))
        .unwrap_or(DEFAULT_WIDTH)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(columns: Option<&str>, terminal: Option<usize>) -> usize {
        width_from(columns.map(OsStr::new), terminal)
    }

    #[test]
    fn columns_wins_over_the_terminal() {
        assert_eq!(w(Some("80"), Some(120)), 80);
        assert_eq!(w(Some(" 60 "), None), 60);
    }

    #[test]
    fn the_terminal_decides_without_columns() {
        assert_eq!(w(None, Some(90)), 90);
        assert_eq!(w(Some("wide"), Some(90)), 90);
        assert_eq!(w(Some("0"), Some(90)), 90);
        assert_eq!(w(Some("-5"), Some(90)), 90);
        assert_eq!(w(Some(""), Some(90)), 90);
    }

    #[test]
    fn off_a_terminal_the_default_width() {
        assert_eq!(w(None, None), DEFAULT_WIDTH);
        assert_eq!(w(Some("many"), None), DEFAULT_WIDTH);
        assert_eq!(w(None, Some(0)), DEFAULT_WIDTH);
    }

    #[test]
    fn widths_are_kept_within_bounds() {
        assert_eq!(w(Some("10"), None), MIN_WIDTH);
        assert_eq!(w(Some("200"), None), MAX_WIDTH);
        assert_eq!(w(None, Some(400)), MAX_WIDTH);
        assert_eq!(w(Some("99999999999999999999999"), Some(70)), 70);
    }

    #[test]
    fn the_flag_wins_and_a_file_is_plain_in_auto() {
        assert!(ColorChoice::Always.on(Stream::File));
        assert!(ColorChoice::Always.on(Stream::Stdout));
        assert!(!ColorChoice::Never.on(Stream::Stderr));
        assert!(!ColorChoice::Auto.on(Stream::File));
    }
}
