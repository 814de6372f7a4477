//! A real browser drives `review.html`: headless Chromium through chromedriver (the W3C
//! WebDriver protocol, spoken over plain HTTP here). It marks one pair "same person" and
//! one "different people" with real clicks, checks the decisions survive a reload,
//! exports them, runs listmerge again with them and checks the master list changed as
//! decided. Two more decide in two tabs of one report: each tab keeps both decisions,
//! and a copy that never heard of a decision does not wipe it when it saves.
//!
//! `.ci/run` installs Debian's `chromium` and `chromium-driver` and sets
//! `LISTMERGE_REQUIRE_BROWSER=1`, so in CI a missing browser fails the test; elsewhere
//! the test says it is skipped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{wide_rules, Workdir};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One HTTP/1.1 request with a JSON body; returns the JSON reply.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open whatever `Connection` says, so read the
    // head, then exactly Content-Length bytes (or chunks up to the last one).
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            break raw.len();
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &raw[head_end..];
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let rest = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let payload = if chunked { dechunk(&rest) } else { rest };
    Ok(serde_json::from_str(&payload).unwrap_or(Value::Null))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// chromedriver and one browser session; both end when this is dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let start = Instant::now();
        loop {
            let ready = http(port, "GET", "/status", None)
                .map(|v| v["value"]["ready"] == true)
                .unwrap_or(false);
            if ready {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let v = http(port, "POST", "/session", Some(&caps)).expect("new session");
        b.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        b
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let p = format!("/session/{}{path}", self.session);
        let v = http(self.port, method, &p, Some(&body)).expect("webdriver request");
        assert!(v["value"]["error"].is_null(), "{method} {path}: {v}");
        v["value"].clone()
    }

    /// Opens a new tab, makes it current and returns its handle.
    fn new_tab(&self) -> String {
        let v = self.cmd("POST", "/window/new", json!({"type": "tab"}));
        let handle = v["handle"].as_str().expect("tab handle").to_string();
        self.switch(&handle);
        handle
    }

    fn current_tab(&self) -> String {
        let v = self.cmd("GET", "/window", json!({}));
        v.as_str().expect("tab handle").to_string()
    }

    fn switch(&self, handle: &str) {
        self.cmd("POST", "/window", json!({ "handle": handle }));
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.cmd("POST", "/url", json!({ "url": url }));
    }

    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    fn click(&self, css: &str) {
        let el = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        let id = el[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {el}"))
            .to_string();
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn text(&self, css: &str) -> String {
        self.js(&format!(
            "return document.querySelector({css:?}).textContent;"
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn masters(wd: &Workdir, out: &str) -> std::collections::BTreeMap<String, String> {
    wd.csv(&format!("{out}/xref.csv"))
        .into_iter()
        .map(|r| (r["stable_key"].clone(), r["master_id"].clone()))
        .collect()
}

/// A work directory where listmerge has run into `out` with rules that send many pairs
/// to review, and those rules; or `None` (the test is skipped) where no browser is
/// installed and CI does not require one.
fn browser_workdir(out: &str) -> Option<(Workdir, std::path::PathBuf)> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("LISTMERGE_REQUIRE_BROWSER").is_none(),
            "chromium and chromium-driver are required (.ci/run installs them)"
        );
        eprintln!("skipped: chromium-driver not installed (.ci/run installs it)");
        return None;
    }
    let wd = Workdir::new();
    let rules = wide_rules(&wd);
    wd.command(&["run", "-q", "--out", out, "--rules"])
        .arg(&rules)
        .assert_success();
    Some((wd, rules))
}

/// Waits until the current tab's page shows `n` decisions (checking 20 times, 250 ms
/// apart) and returns what it showed last. With `reload`, the page is reloaded before
/// each check: the page saves each decision as it is made, but Chromium may hand a page
/// reloaded at once, on a busy machine, the storage as it was before that write, and
/// that page keeps the old view (seen about once in 40 runs under load; the next load
/// has the decisions).
fn until_decided(browser: &Browser, n: u64, reload: bool) -> Option<u64> {
    let mut decided = None;
    for _ in 0..20 {
        if reload {
            browser.cmd("POST", "/refresh", json!({}));
        }
        decided = browser
            .js("return window.listmergeState ? window.listmergeState().decided : null;")
            .as_u64();
        if decided == Some(n) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    decided
}

#[test]
fn review_page_decisions_change_the_next_run() {
    let Some((wd, rules)) = browser_workdir("out1") else {
        return;
    };
    let review = wd.csv("out1/review.csv");
    let before = masters(&wd, "out1");
    // "same" on a pair now in two masters; "different" on another pair.
    let same = review
        .iter()
        .find(|r| r["master_a"] != r["master_b"])
        .expect("a review pair across two masters");
    let different = review
        .iter()
        .find(|r| r["record_a"] != same["record_a"] || r["record_b"] != same["record_b"])
        .expect("a second review pair");
    let key = |r: &std::collections::BTreeMap<String, String>| {
        (r["record_a"].clone(), r["record_b"].clone())
    };
    let (same, different) = (key(same), key(different));

    let browser = Browser::start();
    let page = wd.path().join("out1/review.html");
    browser.open(&page);
    let total = browser.js("return window.listmergeState().total;");
    assert_eq!(total.as_u64(), Some(review.len() as u64));
    assert!(browser.text("#progress").starts_with("0 of"));
    // Find each pair's item, go there and click the button a reviewer would click.
    let position = |pair: &(String, String)| -> u64 {
        for i in 0..review.len() {
            let v = browser.js(&format!(
                "window.listmergeGo({i}); var e = document.getElementById('item'); \
                 return [e.dataset.a, e.dataset.b];"
            ));
            if v[0] == pair.0.as_str() && v[1] == pair.1.as_str() {
                return i as u64;
            }
        }
        panic!("pair {pair:?} is not on the page");
    };
    let i = position(&different);
    browser.js(&format!("window.listmergeGo({i}); return null;"));
    browser.click("#btn-different");
    let j = position(&same);
    browser.js(&format!("window.listmergeGo({j}); return null;"));
    browser.click("#btn-same");
    assert!(
        browser.text("#progress").starts_with("2 of"),
        "{}",
        browser.text("#progress")
    );

    // Decisions survive a reload.
    let decided = until_decided(&browser, 2, true);
    assert_eq!(decided, Some(2));
    browser.click("#btn-export");
    let csv = browser
        .js("return window.listmergeExport();")
        .as_str()
        .expect("export text")
        .to_string();
    drop(browser);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    wd.create("decisions.csv", &csv);

    wd.command(&[
        "run",
        "-q",
        "--out",
        "out2",
        "--decisions",
        "decisions.csv",
        "--rules",
    ])
    .arg(&rules)
    .assert_success();
    let after = masters(&wd, "out2");
    assert_ne!(before[&same.0], before[&same.1]);
    assert_eq!(
        after[&same.0], after[&same.1],
        "the same-person pair merged"
    );
    assert_ne!(
        after[&different.0], after[&different.1],
        "the different pair apart"
    );
    let summary: Value = serde_json::from_str(&wd.read("out2/summary.json")).expect("summary");
    assert_eq!(summary["decisions"]["same"], 1);
    assert_eq!(summary["decisions"]["different"], 1);
    // Decided pairs do not come back for review.
    for r in wd.csv("out2/review.csv") {
        let k = key(&r);
        assert!(k != same && k != different, "{k:?} came back for review");
    }
}

#[test]
fn two_open_copies_of_the_review_page_keep_each_others_decisions() {
    let Some((wd, _)) = browser_workdir("out") else {
        return;
    };
    assert!(wd.csv("out/review.csv").len() >= 2, "two review pairs");
    let page = wd.path().join("out/review.html");

    // A reviewer opens the report twice (double-clicked it again) and decides in both.
    let browser = Browser::start();
    browser.open(&page);
    let first = browser.current_tab();
    let second = browser.new_tab();
    browser.open(&page);
    browser.switch(&first);
    browser.click("#btn-same");
    browser.switch(&second);
    browser.js("window.listmergeGo(1); return null;");
    browser.click("#btn-different");

    // Each copy ends up with both decisions, so neither save wiped the other's.
    let decided = |tab: &str| {
        browser.switch(tab);
        until_decided(&browser, 2, false)
    };
    assert_eq!(
        decided(&first),
        Some(2),
        "the first copy has both decisions"
    );
    assert_eq!(
        decided(&second),
        Some(2),
        "the second copy has both decisions"
    );
    let csv = browser
        .js("return window.listmergeExport();")
        .as_str()
        .expect("export text")
        .to_string();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(",same,") && csv.contains(",different,"),
        "{csv}"
    );
}

#[test]
fn a_copy_of_the_review_page_that_missed_a_decision_does_not_wipe_it() {
    let Some((wd, _)) = browser_workdir("out") else {
        return;
    };
    let page = wd.path().join("out/review.html");
    let browser = Browser::start();
    browser.open(&page);
    let first = browser.current_tab();
    // The second copy never hears of the first's decisions, as a page reloaded at once
    // may not (see `until_decided`).
    let second = browser.new_tab();
    browser.cmd(
        "POST",
        "/goog/cdp/execute",
        json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source":
            "var add = window.addEventListener; window.addEventListener = function (t) { \
             if (t !== 'storage') return add.apply(this, arguments); };"}}),
    );
    browser.open(&page);
    browser.switch(&first);
    browser.click("#btn-same");
    // The first copy is closed, as a reloaded page's old document is gone: nothing
    // is left that could merge the decisions again.
    browser.cmd("DELETE", "/window", json!({}));
    browser.switch(&second);
    browser.js("window.listmergeGo(1); return null;");
    browser.click("#btn-different");
    assert_eq!(
        browser
            .js("return window.listmergeState().decided;")
            .as_u64(),
        Some(1),
        "the second copy did not hear of the first decision"
    );
    // Its save kept the first copy's decision: a fresh load has both.
    assert_eq!(until_decided(&browser, 2, true), Some(2));

    // A page of an earlier listmerge kept all decisions in one entry; it still loads.
    browser.js(
        "var data = JSON.parse(document.getElementById('review-data').textContent); \
         var key = 'listmerge-review-' + data.run, it = data.items[2], d = {}; \
         d[data.records[it.a].key + '\\t' + data.records[it.b].key] = 'unsure'; \
         localStorage.clear(); \
         localStorage.setItem(key, JSON.stringify({decisions: d, index: 0, show: true})); \
         return null;",
    );
    assert_eq!(until_decided(&browser, 1, true), Some(1));
    assert_eq!(
        browser
            .js("return window.listmergeExport();")
            .as_str()
            .map(|csv| csv.contains(",unsure,")),
        Some(true)
    );
}
