//! The `listmerge` binary: parse arguments, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

// The pipeline allocates many small strings from both cores at once; glibc's malloc
// spent about a fifth of a dev-200k run in its own bookkeeping.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
