//! `proviso completions SHELL`: a completion script for the shell, from the
//! same clap definitions that parse the command line.

use super::{Cli, Exit};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "proviso", &mut script);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Ok(()) => Exit::Clean,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write the completion script: {e}"
            );
            Exit::Failed
        }
    }
}
