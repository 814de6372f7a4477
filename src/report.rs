//! Progress and warnings. Stages never print; they talk to a [`Report`].

use std::sync::Mutex;

/// Receives progress and warnings from the stages. Implementations must be cheap to call
/// from parallel code: stages call `advance` in batches, never per pair.
pub trait Report: Sync {
    /// A stage starts; `total` is the amount of work when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The current stage is done.
    fn finish(&self);
    /// A warning for the user (no personal data).
    fn warn(&self, message: &str);
}

/// A report that collects warnings and shows nothing (tests, `--quiet`).
#[derive(Default)]
pub struct Silent {
    warnings: Mutex<Vec<String>>,
}

impl Silent {
    /// The warnings seen so far.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

impl Report for Silent {
    fn stage(&self, _name: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
    fn warn(&self, message: &str) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(message.to_string());
        }
    }
}
