use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match proviso::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap repeats a bad value in its message: it is shown, never
            // obeyed, like everything else proviso prints.
            let mut rendered = err.render().to_string();
            // A value is quoted as given, line breaks included: each is
            // escaped whole before the message is split into lines.
            for arg in std::env::args_os().skip(1) {
                let arg = arg.to_string_lossy().into_owned();
                let value = arg.split_once('=').map_or(arg.as_str(), |(_, v)| v);
                for raw in [arg.as_str(), value] {
                    if raw.chars().any(char::is_control) {
                        let shown = proviso::report::escape::visible(raw).into_owned();
                        rendered = rendered.replace(raw, &shown);
                    }
                }
            }
            let text: String = rendered
                .split_inclusive('\n')
                .map(|line| match line.strip_suffix('\n') {
                    Some(line) => format!("{}\n", proviso::report::escape::visible(line)),
                    None => proviso::report::escape::visible(line).into_owned(),
                })
                .collect();
            let _ = if err.use_stderr() {
                write!(std::io::stderr(), "{text}")
            } else {
                write!(std::io::stdout(), "{text}")
            };
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    proviso::cli::run(cli).into()
}
