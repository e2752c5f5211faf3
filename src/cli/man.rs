//! `proviso man`: the man page, from the same clap definitions that parse
//! the command line. One page holds every command, each in a section of its
//! own with its synopsis and options, so `man proviso` answers for all of
//! them.

use super::{Cli, Exit};
use clap::{Args, CommandFactory};
use clap_mangen::roff::Roff;
use clap_mangen::Man;
use std::io::Write;

#[derive(Args, Debug)]
pub struct ManArgs {}

pub fn run(_args: ManArgs) -> Exit {
    let written = page().and_then(|page| {
        let mut out = std::io::stdout().lock();
        out.write_all(page.as_bytes())?;
        out.flush()
    });
    match written {
        Ok(()) => Exit::Clean,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the man page: {e}");
            Exit::Failed
        }
    }
}

/// What roff text written by clap_mangen starts with: it defines the
/// apostrophe for groff and others. The page needs it once.
const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

type Render = fn(&Man, &mut dyn Write) -> std::io::Result<()>;

/// The man page, as roff.
pub fn page() -> std::io::Result<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut page = String::from(PREAMBLE);
    let top: [Render; 5] = [
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    for render in top {
        page.push_str(&part(&man, render)?);
    }
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let mut heading = Roff::new();
        let title = format!("PROVISO {}", sub.get_name().to_uppercase());
        heading.control("SH", [title.as_str()]);
        page.push_str(&heading.render().replacen(PREAMBLE, "", 1));
        // The command's own sections become subsections of its section.
        let man = Man::new(sub.clone());
        let parts: [Render; 3] = [
            Man::render_description_section,
            Man::render_synopsis_section,
            Man::render_options_section,
        ];
        for render in parts {
            for line in part(&man, render)?.lines() {
                match line.strip_prefix(".SH ") {
                    Some("DESCRIPTION") => continue,
                    Some(title) => page.push_str(&format!(".SS {}\n", title_case(title))),
                    None => {
                        page.push_str(line);
                        page.push('\n');
                    }
                }
            }
        }
    }
    page.push_str(&part(&man, Man::render_version_section)?);
    Ok(page)
}

/// One part of the page, without the preamble.
fn part(man: &Man, render: Render) -> std::io::Result<String> {
    let mut out = Vec::new();
    render(man, &mut out)?;
    let text = String::from_utf8_lossy(&out);
    Ok(text.strip_prefix(PREAMBLE).unwrap_or(&text).to_string())
}

/// `OPTIONS` as `Options`.
fn title_case(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
