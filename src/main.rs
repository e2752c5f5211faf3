use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match proviso::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap repeats a bad value in its message: it is shown, never
            // obeyed, like everything else proviso prints.
            let text: String = err
                .render()
                .to_string()
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
