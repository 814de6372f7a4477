//! The `listmerge` binary: parse arguments, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = listmerge::cli::Args::parse();
    match listmerge::cli::execute(args.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("listmerge: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
