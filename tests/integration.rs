//! Integration tests: they drive the `listmerge` binary the way a user does.

mod util;

mod browser;
mod cli;
mod explain;
mod pipeline;
