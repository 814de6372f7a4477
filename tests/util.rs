//! Test helpers: a temporary working directory and a command runner that prints
//! everything (command, directory listing, stdout, stderr) when an assertion fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary directory a test works in.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` inside the directory.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&p, contents).expect("write test file");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel))
            .unwrap_or_else(|e| panic!("read {rel}: {e}\n{}", self.listing()))
    }

    /// Rows of a CSV in the directory, as header → value maps.
    pub fn csv(&self, rel: &str) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut r = csv::Reader::from_path(self.path().join(rel))
            .unwrap_or_else(|e| panic!("open {rel}: {e}\n{}", self.listing()));
        let headers = r.headers().expect("headers").clone();
        r.records()
            .map(|row| {
                let row = row.expect("row");
                headers
                    .iter()
                    .zip(row.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }

    pub fn listing(&self) -> String {
        let mut out = String::new();
        for e in walk(self.path()) {
            out.push_str(&format!("  {}\n", e.display()));
        }
        out
    }

    pub fn command(&self, args: &[&str]) -> TestCommand<'_> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_listmerge"));
        cmd.current_dir(self.path()).args(args);
        TestCommand { dir: self, cmd }
    }
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            out.push(path.clone());
            if path.is_dir() {
                out.extend(walk(&path));
            }
        }
    }
    out.sort();
    out
}

/// The path of a file under the repository's `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub struct TestCommand<'a> {
    dir: &'a Workdir,
    cmd: Command,
}

impl TestCommand<'_> {
    pub fn arg(&mut self, a: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.cmd.arg(a);
        self
    }

    pub fn run(&mut self) -> Output {
        self.cmd.output().expect("run listmerge")
    }

    fn explain(&self, o: &Output) -> String {
        format!(
            "command: {:?}\ncwd: {}\nfiles:\n{}status: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.cmd,
            self.dir.path().display(),
            self.dir.listing(),
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    }

    /// Runs and asserts exit code 0; returns stdout.
    pub fn assert_success(&mut self) -> Output {
        let o = self.run();
        assert!(o.status.success(), "expected success\n{}", self.explain(&o));
        o
    }

    /// Runs and asserts the exit code; returns the output.
    pub fn assert_exit_code(&mut self, code: i32) -> Output {
        let o = self.run();
        assert_eq!(
            o.status.code(),
            Some(code),
            "wrong exit code\n{}",
            self.explain(&o)
        );
        o
    }
}

/// The demo's rules (sources with absolute paths) with a wide review band, so a run
/// has several pairs to review; written into the work directory as `wide.toml`.
pub fn wide_rules(wd: &Workdir) -> PathBuf {
    let demo = fixture("demo");
    let text = std::fs::read_to_string(demo.join("rules.toml")).expect("demo rules");
    let text = text.replace("path = \"", &format!("path = \"{}/", demo.display()));
    wd.create(
        "wide.toml",
        format!("[matching]\nmatch-threshold = 0.999\nreview-threshold = 0.01\n\n{text}"),
    )
}
