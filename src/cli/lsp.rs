//! `proviso lsp`: the language server, on stdin and stdout.

use super::Exit;
use clap::Args;
use std::io::Write;

#[derive(Args, Debug)]
pub struct LspArgs {}

pub fn run(_: LspArgs) -> Exit {
    let (connection, threads) = lsp_server::Connection::stdio();
    let served = crate::lsp::serve(&connection);
    drop(connection);
    let joined = threads.join();
    match (served, joined) {
        (Ok(crate::lsp::Ended::ShutDown), Ok(())) => Exit::Clean,
        // The protocol's code for an `exit` that came without `shutdown`.
        (Ok(crate::lsp::Ended::Exited), Ok(())) => Exit::Findings,
        (Err(e), _) => {
            let _ = writeln!(std::io::stderr(), "error: the language server stopped: {e}");
            Exit::Failed
        }
        (_, Err(e)) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: the language server's input or output failed: {e}"
            );
            Exit::Failed
        }
    }
}
