use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = proviso::cli::Cli::parse();
    proviso::cli::run(cli).into()
}
