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

/// Progress bars on an interactive stderr, one per stage, with rate and ETA.
pub struct Bars {
    current: Mutex<Option<indicatif::ProgressBar>>,
    quiet: bool,
}

impl Bars {
    /// Bars when stderr is a terminal and not `quiet`; warnings always go to stderr.
    pub fn new(quiet: bool) -> Bars {
        use std::io::IsTerminal;
        Bars {
            current: Mutex::new(None),
            quiet: quiet || !std::io::stderr().is_terminal(),
        }
    }
}

impl Report for Bars {
    fn stage(&self, name: &str, total: Option<u64>) {
        if self.quiet {
            return;
        }
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t).with_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:>12} [{bar:30}] {human_pos}/{human_len} {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => indicatif::ProgressBar::new_spinner().with_style(
                indicatif::ProgressStyle::with_template("{prefix:>12} {spinner} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            ),
        };
        bar.set_prefix(name.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        if let Ok(mut c) = self.current.lock() {
            if let Some(old) = c.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn advance(&self, n: u64) {
        if self.quiet {
            return;
        }
        if let Ok(c) = self.current.lock() {
            if let Some(b) = c.as_ref() {
                b.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut c) = self.current.lock() {
            if let Some(b) = c.take() {
                b.finish_and_clear();
            }
        }
    }

    fn warn(&self, message: &str) {
        let line = format!("listmerge: warning: {message}");
        match self
            .current
            .lock()
            .ok()
            .as_ref()
            .and_then(|c| c.as_ref().cloned())
        {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }
}
