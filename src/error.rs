//! Fatal errors and exit codes.
//!
//! A problem in the data is a [`crate::model::Reject`], never an `Error`. An `Error` is
//! a problem the run cannot go on from; its message names the file (and line where
//! known) and says what to do, and never contains field values.

use std::path::PathBuf;

/// A fatal error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line usage.
    #[error("{0}")]
    Usage(String),
    /// A bad `rules.toml` (or decisions file): file, line, column and what is wrong.
    #[error("{path}:{line}:{column}: {message}")]
    Rules {
        /// The rules file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// An input could not be read at all.
    #[error("{path}: {message}")]
    Input {
        /// The input file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// An output could not be written.
    #[error("{path}: {message}")]
    Output {
        /// The output file or folder.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The run was interrupted.
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error (listed in the README and `--help`).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Rules { .. } => 2,
            Error::Input { .. } => 3,
            Error::Output { .. } => 4,
            Error::Interrupted => 130,
        }
    }

    /// Convenience constructor for an input error.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Convenience constructor for an output error.
    pub fn output(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::Output {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
