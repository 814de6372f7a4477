//! The two HTML outputs, each one self-contained file that opens from disk in any
//! current browser (inline CSS and JS, no network):
//!
//! * `review.html` — the uncertain pairs (`Linked::review`), one at a time, side by
//!   side, with each field's evidence in plain words. The reviewer decides *same
//!   person* / *different people* / *not sure*; decisions stay in the browser
//!   (localStorage, keyed by a run id) and are exported as `decisions.csv`
//!   (`record_a,record_b,decision,where_a,where_b`), which the next run reads.
//! * `summary.html` — the run at a glance: records per source, rejects, masters,
//!   histograms of cluster sizes and match weights, the model's own estimate of
//!   precision and recall ([`estimate`]), the largest clusters, shared identifiers
//!   and stage timings.
//!
//! Escaping is the invariant: text that Rust writes into markup goes through
//! [`escape`]; the review data travels as one JSON blob in a
//! `<script type="application/json">` tag made safe by [`script_json`], and the page's
//! script inserts values with `textContent` only, never `innerHTML`.
//!
//! The review page renders only the current pair, so it stays quick with thousands of
//! pairs: the DOM holds one item, not one subtree per pair.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::atomic::AtomicFile;
use super::{locator_text, Summary};
use crate::error::{Error, Result};
use crate::model::Contact;
use crate::normalize::keys;
use crate::pipeline::Linked;
use crate::rules::Rules;
use crate::score;

/// `s` with `& < > " '` replaced by entities, safe in element text and in quoted
/// attribute values.
///
/// ```
/// use listmerge::output::html::escape;
/// assert_eq!(escape("<b>\"Tom\" & 'Jerry'</b>"),
///            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
/// assert_eq!(escape("plain"), "plain");
/// ```
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `value` as JSON that is safe inside a `<script>` element: `<`, `>` and `&` become
/// `\u003c`, `\u003e`, `\u0026`, so no value can close the tag (`</script>`) or open
/// a comment (`<!--`). Those characters only ever occur inside JSON strings, where the
/// escapes mean the same thing, so the JSON still parses to the same value.
pub fn script_json<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    write_script_json(value, &mut out).map_err(serde_json::Error::io)?;
    String::from_utf8(out)
        .map_err(|e| serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// [`script_json`], written to `w` as it is made: the review page of a large run holds
/// hundreds of megabytes of JSON, which need not also be in memory, twice.
pub fn write_script_json<T: Serialize, W: Write>(value: &T, w: W) -> std::io::Result<()> {
    let mut safe = ScriptSafe {
        inner: w,
        held: Vec::new(),
    };
    serde_json::to_writer(&mut safe, value).map_err(std::io::Error::from)?;
    // Valid UTF-8 never ends inside a character; if it did, the bytes go out as they are.
    let held = std::mem::take(&mut safe.held);
    safe.inner.write_all(&held)
}

/// Escapes for [`script_json`] on bytes passing through to `inner`.
struct ScriptSafe<W> {
    inner: W,
    /// The first bytes of a three-byte character that the last write cut off.
    held: Vec<u8>,
}

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes: &[u8] = if self.held.is_empty() {
            buf
        } else {
            let mut v = std::mem::take(&mut self.held);
            v.extend_from_slice(buf);
            joined = v;
            &joined
        };
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (escape, len): (&[u8], usize) = match bytes[i] {
                b'<' => (b"\\u003c", 1),
                b'>' => (b"\\u003e", 1),
                b'&' => (b"\\u0026", 1),
                // U+2028 and U+2029 (line and paragraph separators) end a line in older
                // JavaScript parsers.
                0xE2 if i + 2 >= bytes.len() => {
                    self.inner.write_all(&bytes[start..i])?;
                    self.held = bytes[i..].to_vec();
                    return Ok(buf.len());
                }
                0xE2 if bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA8 => (b"\\u2028", 3),
                0xE2 if bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA9 => (b"\\u2029", 3),
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.inner.write_all(&bytes[start..i])?;
            self.inner.write_all(escape)?;
            i += len;
            start = i;
        }
        self.inner.write_all(&bytes[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The model's own estimate of how good the merges at one threshold are; no labels
/// needed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The match threshold, as a probability.
    pub threshold: f64,
    /// Candidate pairs with probability at or above the threshold.
    pub pairs_above: usize,
    /// Expected true matches among them: the sum of their probabilities.
    pub expected_true_above: f64,
    /// Expected true matches among all candidate pairs.
    pub expected_true_all: f64,
    /// `expected_true_above / pairs_above`; `None` when no pair reaches the threshold.
    pub precision: Option<f64>,
    /// `expected_true_above / expected_true_all`; `None` when no pair has any weight of
    /// evidence at all.
    pub recall: Option<f64>,
}

/// Estimated precision and recall at `threshold` from the candidate pairs' match
/// probabilities (`score::probability(weight)`): every pair counts as `p` of a true
/// match, so the pairs at or above the threshold hold Σp true matches, precision is
/// that over their number and recall that over Σp of all candidate pairs. Only as good
/// as the model's calibration; true matches that blocking never paired are not seen.
/// Non-numbers (NaN) are skipped.
///
/// ```
/// use listmerge::output::html::estimate;
/// let e = estimate([0.9, 0.7, 0.2, 0.2], 0.5);
/// assert_eq!(e.pairs_above, 2);
/// assert!((e.precision.unwrap() - 0.8).abs() < 1e-9);
/// assert!((e.recall.unwrap() - 0.8).abs() < 1e-9);
/// ```
pub fn estimate(probabilities: impl IntoIterator<Item = f64>, threshold: f64) -> Estimate {
    let mut t = Tally::default();
    for p in probabilities {
        t.add(p, threshold);
    }
    t.estimate(threshold)
}

/// The running sums behind an [`Estimate`].
#[derive(Default, Clone, Copy)]
struct Tally {
    above: usize,
    sum_above: f64,
    sum_all: f64,
}

impl Tally {
    fn add(&mut self, p: f64, threshold: f64) {
        if p.is_nan() {
            return;
        }
        self.sum_all += p;
        if p >= threshold {
            self.above += 1;
            self.sum_above += p;
        }
    }

    fn estimate(&self, threshold: f64) -> Estimate {
        let Tally {
            above,
            sum_above,
            sum_all,
        } = *self;
        Estimate {
            threshold,
            pairs_above: above,
            expected_true_above: sum_above,
            expected_true_all: sum_all,
            precision: (above > 0).then(|| sum_above / above as f64),
            recall: (sum_all > 0.0).then(|| sum_above / sum_all),
        }
    }
}

/// What the summary shows of every candidate pair's weight: the chart and the
/// estimates. It is worked out while the weights are in memory, so that a run can free
/// them (8 bytes a pair) before survivorship.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightSummary {
    /// Candidate pairs.
    pub pairs: usize,
    /// Pairs at or above the match threshold's weight: the pairs merged, bar refusals.
    pub matched: usize,
    /// [`estimate`] at the match threshold.
    pub at_match: Estimate,
    /// [`estimate`] at the review threshold.
    pub at_review: Estimate,
    /// Pairs per unit of weight, from [`WEIGHT_MIN`] up; weights beyond either end
    /// count in the end bins.
    bins: [usize; BINS],
    /// The lowest and highest finite weight; `None` when there is none.
    range: Option<(f64, f64)>,
}

impl WeightSummary {
    /// The summary of `weights` for the thresholds `match_t` and `review_t`
    /// (probabilities).
    pub fn of(weights: &[f64], match_t: f64, review_t: f64) -> WeightSummary {
        let match_w = score::weight_of(match_t);
        let mut bins = [0usize; BINS];
        let mut range: Option<(f64, f64)> = None;
        let mut matched = 0;
        let (mut at_match, mut at_review) = (Tally::default(), Tally::default());
        // One pass, one probability a pair: millions of pairs on large runs, and the
        // sums are taken in the pairs' order, as `estimate` takes them.
        for &w in weights {
            if w.is_finite() {
                let b = (w.floor().clamp(WEIGHT_MIN, WEIGHT_MAX - 1.0) - WEIGHT_MIN) as usize;
                bins[b.min(BINS - 1)] += 1;
                range = Some(range.map_or((w, w), |(lo, hi)| (lo.min(w), hi.max(w))));
            }
            matched += usize::from(w >= match_w);
            let p = score::probability(w);
            at_match.add(p, match_t);
            at_review.add(p, review_t);
        }
        WeightSummary {
            pairs: weights.len(),
            matched,
            at_match: at_match.estimate(match_t),
            at_review: at_review.estimate(review_t),
            bins,
            range,
        }
    }
}

fn write_file(out: &Path, name: &str, text: &str) -> Result<String> {
    let mut f = AtomicFile::create(out, name)?;
    let path = f.path().to_path_buf();
    f.write_all(text.as_bytes())
        .map_err(|e| Error::output(&path, format!("cannot write ({e}); check free space")))?;
    Ok(f.commit()?.display().to_string())
}

/// Writes `review.html` and adds it to `files`.
pub fn write_review(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    let mut f = AtomicFile::create(out, "review.html")?;
    let path = f.path().to_path_buf();
    write_review_page(l, &mut f)
        .map_err(|e| Error::output(&path, format!("cannot write ({e}); check free space")))?;
    files.push(f.commit()?.display().to_string());
    Ok(())
}

/// Writes `summary.html` for a finished `summary`. The caller lists it in the summary's
/// files beforehand, as it does for `summary.json`.
pub fn write_summary(l: &Linked, rules: &Rules, summary: &Summary, out: &Path) -> Result<()> {
    write_file(out, "summary.html", &summary_page(l, rules, summary))?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// review.html

/// The rows shown for each record, in order.
const ROWS: [&str; 6] = ["Name", "E-mail", "Phone", "Company", "Job title", "Address"];

/// How a row compares between the two records; the page colours rows by it.
/// Index = the number stored in the JSON.
const ROW_STATES: [&str; 5] = ["empty", "same", "partly", "oneside", "differs"];

/// The review page's data. The records and items are made one at a time as they are
/// serialised: a large run puts hundreds of thousands of pairs up for review, whose
/// values and evidence, made all at once, held several hundred megabytes.
#[derive(Serialize)]
struct ReviewData<'a> {
    /// Run id: a hash of the item list, so decisions of another run never show here.
    run: String,
    rows: [&'static str; 6],
    states: [&'static str; 5],
    records: Records<'a>,
    items: Items<'a>,
}

/// The records the items show, by record id, each once, in order of first use.
struct Records<'a> {
    l: &'a Linked,
    ids: Vec<u32>,
}

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let l = self.l;
        s.collect_seq(self.ids.iter().map(|&id| {
            let r = &l.inputs.records[id as usize];
            RecordView {
                key: &l.record_keys[id as usize],
                source: &l.inputs.sources[r.source.0 as usize].name,
                at: locator_text(l, &r.locator),
                values: record_values(&l.contacts[id as usize]),
            }
        }))
    }
}

/// The items: (index of record a, of record b) in [`Records`], per review pair.
struct Items<'a> {
    l: &'a Linked,
    items: Vec<(u32, u32)>,
}

impl Serialize for Items<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let l = self.l;
        s.collect_seq(self.items.iter().zip(&l.review).map(|(&(a, b), r)| {
            let bd = l
                .model
                .breakdown_with_tf(r.records.kind, r.comparison, r.tf);
            let values = |id: u32| record_values(&l.contacts[id as usize]);
            let (va, vb) = (values(r.records.a), values(r.records.b));
            ItemView {
                a,
                b,
                p: round(bd.probability, 4),
                d: va.iter().zip(&vb).map(|(x, y)| row_state(x, y)).collect(),
                ev: bd
                    .fields
                    .into_iter()
                    .map(|(f, level, label, w)| EvidenceView {
                        f,
                        t: label,
                        w: w.is_finite().then(|| round(w, 1)),
                        c: evidence_class(level, w),
                    })
                    .collect(),
            }
        }))
    }
}

#[derive(Serialize)]
struct RecordView<'a> {
    /// Stable record key.
    key: &'a str,
    /// Source name.
    source: &'a str,
    /// `file[:sheet]:row`.
    at: String,
    /// Values per row of [`ROWS`]; several for e-mails and phones.
    values: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct ItemView {
    /// Index into `records`.
    a: u32,
    b: u32,
    /// Match probability, rounded.
    p: f64,
    /// Row states, index into [`ROW_STATES`].
    d: Vec<u8>,
    /// Evidence per compared field.
    ev: Vec<EvidenceView>,
}

#[derive(Serialize)]
struct EvidenceView {
    /// Field name.
    f: String,
    /// The level in plain words.
    t: &'static str,
    /// Weight of evidence, rounded (null when not finite).
    w: Option<f64>,
    /// `for`, `against`, `neutral` or `missing`.
    c: &'static str,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn full_name(c: &Contact) -> String {
    let n = c.name();
    super::join_present(&[n.prefix, n.given, n.middle, n.family, n.suffix], " ")
}

fn address_text(c: &Contact) -> String {
    let a = c.address();
    let town = super::join_present(&[a.postcode, a.city], " ");
    super::join_present(&[a.street, &town, a.region, a.country], ", ")
}

fn phone_text(p: &crate::model::Phone) -> String {
    if p.extension.is_empty() {
        p.number.clone()
    } else {
        format!("{} ext. {}", p.number, p.extension)
    }
}

fn record_values(c: &Contact) -> Vec<Vec<String>> {
    let one = |s: String| if s.is_empty() { vec![] } else { vec![s] };
    vec![
        one(full_name(c)),
        c.emails().iter().map(|e| e.address.clone()).collect(),
        c.phones().iter().map(phone_text).collect(),
        one(c.company().to_string()),
        one(c.title().to_string()),
        one(address_text(c)),
    ]
}

/// Lower-cased with runs of white space made one space: "differs" should mean more
/// than a capital letter or a double space.
fn loose(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Index into [`ROW_STATES`] of one row.
fn row_state(a: &[String], b: &[String]) -> u8 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 0,
        (true, false) | (false, true) => return 3,
        _ => {}
    }
    let sa: FxHashSet<String> = a.iter().map(|s| loose(s)).collect();
    let sb: FxHashSet<String> = b.iter().map(|s| loose(s)).collect();
    if sa == sb {
        1
    } else if sa.intersection(&sb).next().is_some() {
        2
    } else {
        4
    }
}

fn evidence_class(level: usize, weight: f64) -> &'static str {
    // Level 0 is "missing on one side": no evidence either way, whatever the weight.
    if level == 0 {
        "missing"
    } else if weight > 0.5 {
        "for"
    } else if weight < -0.5 {
        "against"
    } else {
        "neutral"
    }
}

fn review_data(l: &Linked) -> ReviewData<'_> {
    let mut index: FxHashMap<u32, u32> = FxHashMap::default();
    let mut ids = Vec::new();
    let mut record = |id: u32| -> u32 {
        *index.entry(id).or_insert_with(|| {
            ids.push(id);
            (ids.len() - 1) as u32
        })
    };
    // The run's id: a hash of its review pairs' record keys, "a\tb\n" each.
    let mut run = xxhash_rust::xxh3::Xxh3::new();
    let mut items = Vec::with_capacity(l.review.len());
    for r in &l.review {
        let p = r.records;
        items.push((record(p.a), record(p.b)));
        run.update(l.record_keys[p.a as usize].as_bytes());
        run.update(b"\t");
        run.update(l.record_keys[p.b as usize].as_bytes());
        run.update(b"\n");
    }
    ReviewData {
        run: format!("{:016x}", run.digest()),
        rows: ROWS,
        states: ROW_STATES,
        records: Records { l, ids },
        items: Items { l, items },
    }
}

/// The whole `review.html` page.
pub fn review_page(l: &Linked) -> serde_json::Result<String> {
    let mut page = Vec::new();
    write_review_page(l, &mut page).map_err(serde_json::Error::io)?;
    String::from_utf8(page)
        .map_err(|e| serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// Writes the whole `review.html` page to `w`; the pairs' data go out as they are
/// serialised.
fn write_review_page<W: Write>(l: &Linked, w: &mut W) -> std::io::Result<()> {
    let data = review_data(l);
    let mut s = String::with_capacity(24_000);
    s.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>listmerge: review possible duplicates</title>\n<style>\n",
    );
    s.push_str(COMMON_CSS);
    s.push_str(REVIEW_CSS);
    s.push_str("</style>\n</head>\n<body>\n<header>\n<h1>Review possible duplicates</h1>\n");
    if data.items.items.is_empty() {
        s.push_str(
            "</header>\n<main>\n<section id=\"empty\" class=\"empty\">\n\
             <h2>Nothing to review</h2>\n\
             <p>listmerge was sure about every pair of records in this run, so there is \
             nothing for you to decide. The master list is ready.</p>\n</section>\n</main>\n",
        );
    } else {
        let first = l.review[0].records;
        let (ka, kb) = (
            &l.record_keys[first.a as usize],
            &l.record_keys[first.b as usize],
        );
        let _ = write!(
            s,
            "<p class=\"howto\">Each card shows two records that may be the same person. \
             Compare them and choose <b>Same person</b> (key S), <b>Different people</b> (D) \
             or <b>Not sure</b> (N); move with the arrow keys or J and K. Your choices are \
             saved in this browser as you go. When you have finished, click \
             <b>Export decisions</b> and pass the <code>decisions.csv</code> file on to \
             whoever runs listmerge.</p>\n</header>\n<main>\n\
             <div class=\"toolbar\">\n\
             <span id=\"progress\" class=\"progress\" aria-live=\"polite\">0 of {total} decided</span>\n\
             <label class=\"toggle\"><input type=\"checkbox\" id=\"toggle-probability\" checked> \
             Show match probability</label>\n\
             <button type=\"button\" id=\"btn-first-open\" class=\"small\">First undecided</button>\n\
             <button type=\"button\" id=\"btn-export\" class=\"small primary\">Export decisions</button>\n\
             <label class=\"small file\">Import decisions <input type=\"file\" id=\"import-file\" \
             accept=\".csv,text/csv\"></label>\n\
             </div>\n\
             <p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n\
             <section id=\"item\" class=\"item\" data-index=\"0\" data-a=\"{a}\" data-b=\"{b}\" \
             data-decision=\"\">\n\
             <h2><span id=\"position\">Pair 1 of {total}</span> \
             <span id=\"probability\" class=\"score\"></span></h2>\n\
             <table class=\"records\">\n<thead><tr><th scope=\"col\"></th>\
             <th scope=\"col\" id=\"head-a\">Record A</th>\
             <th scope=\"col\" id=\"head-b\">Record B</th></tr></thead>\n\
             <tbody id=\"record-rows\"></tbody>\n</table>\n\
             <h3>What the two records have in common</h3>\n<ul id=\"evidence\" class=\"evidence\"></ul>\n\
             </section>\n\
             <div class=\"decide\" role=\"group\" aria-label=\"Decision\">\n\
             <button type=\"button\" id=\"btn-same\" class=\"big same\" data-decision=\"same\" \
             aria-pressed=\"false\">Same person <kbd>S</kbd></button>\n\
             <button type=\"button\" id=\"btn-different\" class=\"big different\" \
             data-decision=\"different\" aria-pressed=\"false\">Different people <kbd>D</kbd></button>\n\
             <button type=\"button\" id=\"btn-unsure\" class=\"big unsure\" data-decision=\"unsure\" \
             aria-pressed=\"false\">Not sure <kbd>N</kbd></button>\n\
             </div>\n\
             <nav class=\"move\">\n\
             <button type=\"button\" id=\"btn-prev\" class=\"nav\">&larr; Previous <kbd>K</kbd></button>\n\
             <button type=\"button\" id=\"btn-next\" class=\"nav\">Next <kbd>J</kbd> &rarr;</button>\n\
             </nav>\n</main>\n",
            total = data.items.items.len(),
            a = escape(ka),
            b = escape(kb),
        );
    }
    s.push_str("<script type=\"application/json\" id=\"review-data\">");
    w.write_all(s.as_bytes())?;
    write_script_json(&data, &mut *w)?;
    w.write_all(b"</script>\n<script>\n")?;
    w.write_all(REVIEW_JS.as_bytes())?;
    w.write_all(b"</script>\n</body>\n</html>\n")?;
    w.flush()
}

const COMMON_CSS: &str = r#"
:root { --fg: #1d2430; --muted: #5b6675; --line: #d7dde5; --bg: #f6f8fb; --card: #fff;
  --green: #1a7f37; --green-bg: #e6f4ea; --red: #b42318; --red-bg: #fdecea;
  --amber: #9a6700; --amber-bg: #fff4d6; --blue: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 1.7rem; margin: 0 0 8px; }
h2 { font-size: 1.25rem; margin: 0 0 12px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
.howto { color: var(--muted); margin: 0 0 16px; max-width: 75ch; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 0 0 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, kbd { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.muted { color: var(--muted); }
"#;

const REVIEW_CSS: &str = r#"
.toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 0 0 10px; }
.progress { font-weight: 600; font-size: 1.1rem; margin-right: auto; }
.toggle { cursor: pointer; }
button, .file { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid var(--line);
  background: var(--card); color: var(--fg); }
button:focus-visible, .file:focus-within { outline: 3px solid var(--blue); outline-offset: 2px; }
button.small, .file { padding: 6px 14px; }
.file input { position: absolute; left: -9999px; }
button.primary { background: var(--blue); border-color: var(--blue); color: #fff; }
.status { min-height: 1.5em; margin: 0 0 8px; color: var(--muted); }
.item h2 { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
.score { font-weight: 400; color: var(--muted); font-size: 1rem; }
body.blind .score { display: none; }
.records th[scope=row] { width: 9rem; color: var(--muted); font-weight: 500; }
.records thead th { font-size: 1.05rem; }
.records .where { display: block; font-weight: 400; color: var(--muted); font-size: .85rem;
  word-break: break-all; }
.records td div { word-break: break-word; }
tr.differs td { background: var(--red-bg); }
tr.partly td, tr.oneside td { background: var(--amber-bg); }
tr.same td { background: var(--green-bg); }
tr.empty td { color: var(--muted); }
.only { font-weight: 700; text-decoration: underline dotted; }
.none { color: var(--muted); font-style: italic; }
.evidence { list-style: none; padding: 0; margin: 0; display: grid; gap: 6px; }
.evidence li { padding: 6px 10px; border-radius: 6px; border-left: 5px solid var(--line); }
.evidence li.for { border-color: var(--green); background: var(--green-bg); }
.evidence li.against { border-color: var(--red); background: var(--red-bg); }
.evidence li.neutral { border-color: var(--amber); background: var(--amber-bg); }
.evidence li.missing { color: var(--muted); }
.evidence .field { font-weight: 600; margin-right: 6px; text-transform: capitalize; }
.evidence .score { margin-left: 8px; font-size: .85rem; }
.decide { display: flex; flex-wrap: wrap; gap: 14px; margin: 0 0 14px; }
button.big { flex: 1 1 200px; font-size: 1.2rem; font-weight: 600; padding: 18px 16px; border-width: 2px; }
button.same { border-color: var(--green); color: var(--green); }
button.different { border-color: var(--red); color: var(--red); }
button.unsure { border-color: var(--amber); color: var(--amber); }
button.same[aria-pressed=true] { background: var(--green); color: #fff; }
button.different[aria-pressed=true] { background: var(--red); color: #fff; }
button.unsure[aria-pressed=true] { background: var(--amber); color: #fff; }
button kbd { font-size: .8rem; opacity: .75; margin-left: 6px; border: 1px solid currentColor;
  border-radius: 4px; padding: 0 5px; }
.move { display: flex; justify-content: space-between; gap: 14px; margin: 0 0 40px; }
button.nav { padding: 12px 22px; font-size: 1.05rem; }
button:disabled { opacity: .4; cursor: default; }
.item[data-decision=same] { border-color: var(--green); }
.item[data-decision=different] { border-color: var(--red); }
.item[data-decision=unsure] { border-color: var(--amber); }
.empty { text-align: center; padding: 48px 20px; }
.empty h2 { font-size: 1.6rem; }
"#;

/// The review page's script. It reads `#review-data`, shows one item at a time and
/// inserts every value with `textContent`. Exposed for browser tests:
/// `listmergeExport()` (the CSV text), `listmergeState()`, `listmergeGo(i)`,
/// `listmergeDecide(d)`, `listmergeImport(text)`.
const REVIEW_JS: &str = r#""use strict";
(function () {
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var items = data.items, recs = data.records;
  var LABEL = { same: "Same person", different: "Different people", unsure: "Not sure" };
  var HEADER = "record_a,record_b,decision,where_a,where_b";
  var KEY = "listmerge-review-" + data.run;
  var decisions = {};
  var index = 0;

  function $(id) { return document.getElementById(id); }
  function pairKey(it) { return recs[it.a].key + "\t" + recs[it.b].key; }

  // Mirrors cell::safe on the Rust side, so decisions.csv looks like review.csv when
  // opened in a spreadsheet.
  function csvCell(v) {
    v = String(v);
    if (/^[=@\t\r\n]/.test(v) || (/^[+-]/.test(v) && !/^[+-][0-9 ().\/-]*$/.test(v))) v = "'" + v;
    if (/[",\r\n]/.test(v)) v = '"' + v.replace(/"/g, '""') + '"';
    return v;
  }
  function exportCsv() {
    var lines = [HEADER];
    for (var i = 0; i < items.length; i++) {
      var it = items[i], d = decisions[pairKey(it)];
      if (!d) continue;
      var a = recs[it.a], b = recs[it.b];
      lines.push([a.key, b.key, d, a.at, b.at].map(csvCell).join(","));
    }
    return lines.join("\n") + "\n";
  }
  window.listmergeExport = exportCsv;
  if (!items.length) return;

  var storage = null;
  try { storage = window.localStorage; storage.getItem(KEY); } catch (e) { storage = null; }
  // Each decision is its own entry (KEY + "/" + pair), beside one entry for the view
  // (position, "show probability"). A copy of the page that saves then writes only what
  // it changed, so it cannot wipe decisions it has not seen: those of the report open
  // in another tab, or the last one made before a reload, which Chromium may hand the
  // reloaded page only on its next load.
  var PREFIX = KEY + "/";
  function load() {
    if (!storage) return;
    try {
      var saved = JSON.parse(storage.getItem(KEY) || "{}") || {};
      if (saved.index >= 0 && saved.index < items.length) index = saved.index;
      $("toggle-probability").checked = saved.show !== false;
      // Reports written before decisions had entries of their own kept them here.
      var old = saved.decisions || {};
      for (var k in old) {
        if (Object.prototype.hasOwnProperty.call(old, k) && LABEL[old[k]]) {
          decisions[k] = old[k];
          saveDecision(k);
        }
      }
      for (var i = 0; i < storage.length; i++) {
        var name = storage.key(i);
        if (name && name.lastIndexOf(PREFIX, 0) === 0) {
          var d = storage.getItem(name);
          if (LABEL[d]) decisions[name.slice(PREFIX.length)] = d;
        }
      }
    } catch (e) { /* a damaged entry: start from what was read */ }
  }
  function store(name, value) {
    if (!storage) return;
    try {
      storage.setItem(name, value);
    } catch (e) {
      status("Your browser would not save the decisions; export them before closing this page.");
    }
  }
  function save() {
    store(KEY, JSON.stringify({ index: index, show: $("toggle-probability").checked }));
  }
  function saveDecision(pair) { store(PREFIX + pair, decisions[pair]); }
  function status(text) { $("status").textContent = text; }
  // The report open in a second tab: take the decisions it makes that this copy lacks,
  // never overriding one made here.
  function merge(ev) {
    if (!ev.key || ev.key.lastIndexOf(PREFIX, 0) !== 0 || !LABEL[ev.newValue]) return;
    var pair = ev.key.slice(PREFIX.length);
    if (decisions[pair]) return;
    decisions[pair] = ev.newValue;
    render();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function loose(s) { return String(s).toLowerCase().replace(/\s+/g, " ").trim(); }
  function pct(p) {
    if (p === null || p === undefined) return "";
    return (p >= 0.995 || p <= 0.005 ? (p * 100).toFixed(1) : Math.round(p * 100)) + "%";
  }
  function decidedCount() {
    var n = 0;
    for (var i = 0; i < items.length; i++) if (decisions[pairKey(items[i])]) n++;
    return n;
  }
  function valuesCell(values, other, state) {
    var td = el("td");
    if (!values.length) { td.appendChild(el("span", "none", "(empty)")); return td; }
    var seen = {};
    for (var j = 0; j < other.length; j++) seen[loose(other[j])] = true;
    for (var i = 0; i < values.length; i++) {
      var only = state !== "same" && state !== "empty" && !seen[loose(values[i])];
      td.appendChild(el("div", only ? "only" : "", values[i]));
    }
    return td;
  }
  function head(cell, title, r) {
    cell.replaceChildren(el("span", "", title + " \u2014 " + r.source), el("span", "where", r.at));
  }

  function render() {
    var it = items[index], a = recs[it.a], b = recs[it.b];
    var d = decisions[pairKey(it)] || "";
    var view = $("item");
    view.setAttribute("data-index", String(index));
    view.setAttribute("data-a", a.key);
    view.setAttribute("data-b", b.key);
    view.setAttribute("data-decision", d);
    $("position").textContent = "Pair " + (index + 1) + " of " + items.length;
    $("probability").textContent = "match probability " + pct(it.p);
    head($("head-a"), "Record A", a);
    head($("head-b"), "Record B", b);
    var body = $("record-rows");
    body.replaceChildren();
    for (var r = 0; r < data.rows.length; r++) {
      var state = data.states[it.d[r]] || "";
      var tr = el("tr", state);
      tr.setAttribute("data-row", data.rows[r]);
      var th = el("th", "", data.rows[r]);
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      tr.appendChild(valuesCell(a.values[r], b.values[r], state));
      tr.appendChild(valuesCell(b.values[r], a.values[r], state));
      body.appendChild(tr);
    }
    var ev = $("evidence");
    ev.replaceChildren();
    for (var k = 0; k < it.ev.length; k++) {
      var e = it.ev[k], li = el("li", e.c);
      li.setAttribute("data-field", e.f);
      li.appendChild(el("span", "field", e.f));
      li.appendChild(el("span", "label", e.t));
      if (e.w !== null && e.c !== "missing") {
        li.appendChild(el("span", "score", (e.w > 0 ? "+" : "") + e.w.toFixed(1)));
      }
      ev.appendChild(li);
    }
    ["same", "different", "unsure"].forEach(function (x) {
      $("btn-" + x).setAttribute("aria-pressed", d === x ? "true" : "false");
    });
    $("btn-prev").disabled = index === 0;
    $("btn-next").disabled = index === items.length - 1;
    var n = decidedCount();
    $("progress").textContent = n + " of " + items.length + " decided" +
      (n === items.length ? " \u2014 all done: click Export decisions" : "");
    document.body.classList.toggle("blind", !$("toggle-probability").checked);
  }

  function go(i) {
    if (i < 0 || i >= items.length || i !== Math.floor(i)) return;
    index = i;
    save();
    render();
  }
  function decide(d) {
    if (!LABEL[d]) return;
    var pair = pairKey(items[index]);
    decisions[pair] = d;
    saveDecision(pair);
    status("Pair " + (index + 1) + ": " + LABEL[d]);
    // Move on by itself: a reviewer deciding hundreds of pairs should not need two
    // key presses per pair.
    if (index < items.length - 1) index++;
    save();
    render();
  }
  function firstOpen() {
    for (var i = 0; i < items.length; i++) if (!decisions[pairKey(items[i])]) return go(i);
    status("Every pair has a decision.");
  }

  function download() {
    var blob = new Blob([exportCsv()], { type: "text/csv;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = "decisions.csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(url); link.remove(); }, 1000);
    status("Saved decisions.csv with " + decidedCount() + " decisions.");
  }

  function parseCsv(text) {
    var rows = [], row = [], cell = "", quoted = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (quoted) {
        if (c === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false; }
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }
  function importCsv(text) {
    var rows = parseCsv(String(text).replace(/^\uFEFF/, ""));
    if (!rows.length) return 0;
    var h = rows[0].map(function (x) { return x.trim(); });
    var ca = h.indexOf("record_a"), cb = h.indexOf("record_b"), cd = h.indexOf("decision");
    if (ca < 0 || cb < 0 || cd < 0) {
      status("That file has no record_a, record_b and decision columns.");
      return 0;
    }
    var byPair = {};
    for (var i = 0; i < items.length; i++) {
      var k = pairKey(items[i]);
      byPair[k] = k;
      byPair[recs[items[i].b].key + "\t" + recs[items[i].a].key] = k;
    }
    function plain(v) { return v.charAt(0) === "'" ? v.slice(1) : v; }
    var n = 0;
    for (var j = 1; j < rows.length; j++) {
      var r = rows[j], d = (r[cd] || "").trim();
      if (!LABEL[d]) continue;
      var a = r[ca] || "", b = r[cb] || "";
      var key = byPair[a + "\t" + b] || byPair[plain(a) + "\t" + plain(b)];
      if (key) { decisions[key] = d; saveDecision(key); n++; }
    }
    save();
    render();
    status("Imported " + n + " decisions.");
    return n;
  }

  window.listmergeState = function () {
    return { index: index, total: items.length, decided: decidedCount(),
      decision: decisions[pairKey(items[index])] || "" };
  };
  window.listmergeGo = go;
  window.listmergeDecide = decide;
  window.listmergeImport = importCsv;

  $("btn-same").addEventListener("click", function () { decide("same"); });
  $("btn-different").addEventListener("click", function () { decide("different"); });
  $("btn-unsure").addEventListener("click", function () { decide("unsure"); });
  $("btn-prev").addEventListener("click", function () { go(index - 1); });
  $("btn-next").addEventListener("click", function () { go(index + 1); });
  $("btn-first-open").addEventListener("click", firstOpen);
  $("btn-export").addEventListener("click", download);
  $("toggle-probability").addEventListener("change", function () { save(); render(); });
  $("import-file").addEventListener("change", function (ev) {
    var f = ev.target.files && ev.target.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () { importCsv(reader.result); ev.target.value = ""; };
    reader.readAsText(f);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "TEXTAREA" || t.isContentEditable ||
      (t.tagName === "INPUT" && t.type !== "checkbox"))) return;
    switch (ev.key) {
      case "s": case "S": decide("same"); break;
      case "d": case "D": decide("different"); break;
      case "n": case "N": decide("unsure"); break;
      case "ArrowRight": case "j": case "J": go(index + 1); break;
      case "ArrowLeft": case "k": case "K": go(index - 1); break;
      default: return;
    }
    ev.preventDefault();
  });

  load();
  if (storage) window.addEventListener("storage", merge);
  if (!storage) status("This browser does not keep decisions between visits; export them before closing.");
  render();
})();
"#;

// ---------------------------------------------------------------------------------
// summary.html

/// Horizontal bars: (label, count) with the bar as a share of the largest count.
fn bars(s: &mut String, id: &str, head: (&str, &str), rows: &[(String, usize)]) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let _ = writeln!(
        s,
        "<table id=\"{}\" class=\"bars\"><thead><tr><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"bar-cell\"></th></tr></thead><tbody>",
        escape(id),
        escape(head.0),
        escape(head.1)
    );
    for (label, n) in rows {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"bar-cell\">\
             <span class=\"bar\" style=\"width:{:.1}%\"></span></td></tr>",
            escape(label),
            n,
            *n as f64 * 100.0 / max as f64
        );
    }
    s.push_str("</tbody></table>\n");
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// Cluster-size buckets: (label, smallest size, largest size).
const SIZE_BUCKETS: [(&str, usize, usize); 9] = [
    ("1 record", 1, 1),
    ("2 records", 2, 2),
    ("3 records", 3, 3),
    ("4 records", 4, 4),
    ("5 records", 5, 5),
    ("6–10 records", 6, 10),
    ("11–20 records", 11, 20),
    ("21–50 records", 21, 50),
    ("more than 50", 51, usize::MAX),
];

/// Weight histogram range; weights outside it go into the end bins.
const WEIGHT_MIN: f64 = -30.0;
const WEIGHT_MAX: f64 = 40.0;
/// One bin per unit of weight (a doubling of the odds).
const BINS: usize = (WEIGHT_MAX - WEIGHT_MIN) as usize;

fn weight_histogram(s: &mut String, w: &WeightSummary, match_w: f64, review_w: f64) {
    let Some((min, max)) = w.range else {
        s.push_str("<p class=\"muted\">No candidate pairs were compared.</p>\n");
        return;
    };
    // The chart spans the weights there are, within the bins' range.
    let lo = min.floor().max(WEIGHT_MIN);
    let hi = max.floor().min(WEIGHT_MAX - 1.0).max(lo);
    let first = (lo - WEIGHT_MIN) as usize;
    let counts = &w.bins[first..=(hi - WEIGHT_MIN) as usize];
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    s.push_str("<div id=\"weight-histogram\" class=\"hist\" role=\"img\" aria-label=\"Histogram of match weights\">\n");
    for (i, n) in counts.iter().enumerate() {
        let from = lo + i as f64;
        let mid = from + 0.5;
        let class = if mid >= match_w {
            "hi"
        } else if mid >= review_w {
            "mid"
        } else {
            "lo"
        };
        let _ = writeln!(
            s,
            "<div class=\"col {class}\" title=\"weight {from:.0} to {:.0}: {n} pairs\">\
             <span style=\"height:{:.1}%\"></span></div>",
            from + 1.0,
            if *n == 0 {
                0.0
            } else {
                (*n as f64 * 100.0 / max as f64).max(1.5)
            }
        );
    }
    let _ = write!(
        s,
        "</div>\n<div class=\"axis\"><span>{lo:.0}</span><span>weight (log2 odds)</span>\
         <span>{:.0}</span></div>\n\
         <p class=\"legend\"><span class=\"key hi\"></span>merged (probability at or above the \
         match threshold) <span class=\"key mid\"></span>sent to review \
         <span class=\"key lo\"></span>kept apart</p>\n",
        hi + 1.0
    );
}

/// Example values with the number of records that carry each.
type Examples = Vec<(String, u32)>;

/// Up to `n` example values of the shared e-mails and phones, with their record counts,
/// resolved from the contacts that carry them (the `Generic` lists hold hashes only).
fn shared_examples(l: &Linked, n: usize) -> (Examples, Examples) {
    let want_e: FxHashMap<u64, u32> = l.generic.emails.iter().take(n).copied().collect();
    let want_p: FxHashMap<u64, u32> = l.generic.phones.iter().take(n).copied().collect();
    let mut found_e: FxHashMap<u64, String> = FxHashMap::default();
    let mut found_p: FxHashMap<u64, String> = FxHashMap::default();
    for c in &l.contacts {
        if found_e.len() == want_e.len() && found_p.len() == want_p.len() {
            break;
        }
        for e in c.emails() {
            let h = keys::hash(&e.address);
            if want_e.contains_key(&h) {
                found_e.entry(h).or_insert_with(|| e.address.clone());
            }
        }
        for p in c.phones() {
            if want_p.contains_key(&p.national) {
                found_p
                    .entry(p.national)
                    .or_insert_with(|| p.number.clone());
            }
        }
    }
    let resolve = |list: &[(u64, u32)], found: &FxHashMap<u64, String>| {
        list.iter()
            .take(n)
            .filter_map(|(h, c)| found.get(h).map(|v| (v.clone(), *c)))
            .collect()
    };
    (
        resolve(&l.generic.emails, &found_e),
        resolve(&l.generic.phones, &found_p),
    )
}

/// The whole `summary.html` page.
pub fn summary_page(l: &Linked, rules: &Rules, summary: &Summary) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let match_t = rules.matching.match_threshold;
    let review_t = rules.matching.review_threshold;
    s.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>listmerge: run summary</title>\n<style>\n",
    );
    s.push_str(COMMON_CSS);
    s.push_str(SUMMARY_CSS);
    let _ = write!(
        s,
        "</style>\n</head>\n<body>\n<header>\n<h1>listmerge: run summary</h1>\n\
         <p class=\"howto\">What this run read, what it merged, and how sure it is. \
         Output folder: <code>{}</code>.</p>\n</header>\n<main>\n",
        escape(&summary.out)
    );

    // Key figures.
    s.push_str("<section id=\"figures\">\n<h2>At a glance</h2>\n<div class=\"cards\">\n");
    for (id, n, what) in [
        ("records", summary.records, "records read"),
        ("rejects", summary.rejects, "rows rejected"),
        ("masters", summary.masters, "people in the master list"),
        (
            "merged",
            summary.merged_masters,
            "of them merged from several records",
        ),
        ("review", summary.review_pairs, "pairs to review"),
        ("mailable", summary.mailable, "addresses to mail"),
    ] {
        let _ = writeln!(
            s,
            "<div class=\"card\" id=\"figure-{id}\"><b>{n}</b><span>{}</span></div>",
            escape(what)
        );
    }
    s.push_str("</div>\n</section>\n");

    // Sources.
    s.push_str("<section id=\"sources\">\n<h2>Records per source</h2>\n");
    let rows: Vec<(String, usize)> = summary
        .sources
        .iter()
        .map(|c| (c.name.clone(), c.records))
        .collect();
    bars(&mut s, "sources-table", ("Source", "Records"), &rows);
    let rejected: Vec<String> = summary
        .sources
        .iter()
        .filter(|c| c.rejects > 0)
        .map(|c| format!("{} ({})", c.name, c.rejects))
        .collect();
    if !rejected.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"muted\">Rejected rows per source: {}.</p>",
            escape(&rejected.join(", "))
        );
    }
    s.push_str("</section>\n");

    // Rejects.
    let _ = write!(
        s,
        "<section id=\"rejects\">\n<h2>Rejected rows: {}</h2>\n",
        l.inputs.rejects.len()
    );
    if l.inputs.rejects.is_empty() {
        s.push_str("<p>Every row could be read.</p>\n");
    } else {
        s.push_str(
            "<p class=\"muted\">Rows listmerge could not read; <code>rejects.csv</code> has \
             all of them. The first ones:</p>\n<table><thead><tr><th>Where</th><th>Why</th>\
             </tr></thead><tbody>\n",
        );
        for r in l.inputs.rejects.iter().take(20) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&locator_text(l, &r.locator)),
                escape(&r.reason)
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n");

    // Accuracy estimate.
    let (at_match, at_review) = (&l.weight_summary.at_match, &l.weight_summary.at_review);
    s.push_str(
        "<section id=\"accuracy\">\n<h2>How good are the merges? (the model's own estimate)</h2>\n\
         <table><thead><tr><th>If pairs are merged from probability</th>\
         <th class=\"num\">pairs</th><th class=\"num\">estimated precision</th>\
         <th class=\"num\">estimated recall</th></tr></thead><tbody>\n",
    );
    for (id, what, e) in [
        (
            "estimate-match",
            "match threshold (what this run merged)",
            at_match,
        ),
        (
            "estimate-review",
            "review threshold (if every reviewed pair were accepted)",
            at_review,
        ),
    ] {
        let _ = writeln!(
            s,
            "<tr id=\"{id}\"><td>{:.3} — {}</td><td class=\"num\">{}</td>\
             <td class=\"num\" data-value=\"{}\">{}</td><td class=\"num\" data-value=\"{}\">{}</td></tr>",
            e.threshold,
            escape(what),
            e.pairs_above,
            e.precision.map_or(String::new(), |x| format!("{x:.6}")),
            percent(e.precision),
            e.recall.map_or(String::new(), |x| format!("{x:.6}")),
            percent(e.recall),
        );
    }
    s.push_str(
        "</tbody></table>\n<p class=\"muted\">Each candidate pair has a match probability p \
         from the model, so the pairs at or above the threshold hold about Σp true matches: \
         estimated precision is that sum divided by the number of those pairs, and estimated \
         recall is that sum divided by Σp over all candidate pairs. No labelled data is \
         involved, so these numbers are only as good as the model's probabilities, and \
         duplicates that were never paired up are not counted.</p>\n</section>\n",
    );

    // Cluster sizes.
    let mut sizes = [0usize; SIZE_BUCKETS.len()];
    for c in &l.clusters.clusters {
        if let Some(b) = SIZE_BUCKETS
            .iter()
            .position(|(_, lo, hi)| (*lo..=*hi).contains(&c.len()))
        {
            sizes[b] += 1;
        }
    }
    let last = sizes.iter().rposition(|n| *n > 0).unwrap_or(0);
    let rows: Vec<(String, usize)> = SIZE_BUCKETS
        .iter()
        .zip(sizes)
        .take(last + 1)
        .map(|((label, _, _), n)| (label.to_string(), n))
        .collect();
    s.push_str(
        "<section id=\"clusters\">\n<h2>Master list</h2>\n<p>How many input records each \
         person in the master list was built from.</p>\n",
    );
    bars(&mut s, "cluster-sizes", ("Built from", "People"), &rows);

    // Largest clusters.
    let mut order: Vec<usize> = (0..l.masters.len())
        .filter(|&i| l.masters[i].members.len() > 1)
        .collect();
    order.sort_by(|&x, &y| {
        l.masters[y]
            .members
            .len()
            .cmp(&l.masters[x].members.len())
            .then(x.cmp(&y))
    });
    if !order.is_empty() {
        s.push_str(
            "<h3>Largest merges</h3>\n<table id=\"largest-clusters\"><thead><tr>\
             <th class=\"num\">Records</th><th>Master id</th><th>Name</th><th>Sources</th>\
             </tr></thead><tbody>\n",
        );
        for &i in order.iter().take(10) {
            let m = l.masters[i].view(&l.contacts);
            let mut per: Vec<(&str, usize)> = Vec::new();
            for &r in m.members {
                let name = l.inputs.sources[l.inputs.records[r as usize].source.0 as usize]
                    .name
                    .as_str();
                match per.iter_mut().find(|(n, _)| *n == name) {
                    Some(p) => p.1 += 1,
                    None => per.push((name, 1)),
                }
            }
            let sources: Vec<String> = per
                .iter()
                .map(|(n, c)| {
                    if *c > 1 {
                        format!("{n} ×{c}")
                    } else {
                        n.to_string()
                    }
                })
                .collect();
            let name = m.name.map_or(String::new(), |n| {
                [&n.value.given, &n.value.family]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| **s)
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let _ = writeln!(
                s,
                "<tr><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                m.members.len(),
                escape(m.id),
                escape(&name),
                escape(&sources.join(", "))
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n");

    // Weights.
    let _ = write!(
        s,
        "<section id=\"weights\">\n<h2>Match weights of the {} candidate pairs</h2>\n\
         <p>Pairs on the right look alike, pairs on the left do not. Thresholds: merge from \
         probability {:.3}, review from {:.3}.</p>\n",
        l.weight_summary.pairs, match_t, review_t
    );
    weight_histogram(
        &mut s,
        &l.weight_summary,
        score::weight_of(match_t),
        score::weight_of(review_t),
    );
    s.push_str("</section>\n");

    // Shared identifiers.
    let (emails, phones) = shared_examples(l, 20);
    let _ = write!(
        s,
        "<section id=\"shared\">\n<h2>Shared addresses and numbers</h2>\n\
         <p>Found <b id=\"shared-emails\">{}</b> e-mail addresses and \
         <b id=\"shared-phones\">{}</b> phone numbers that several different people use \
         (a team inbox, a switchboard). listmerge does not treat sharing one of them as \
         evidence of being the same person.</p>\n",
        l.generic.emails.len(),
        l.generic.phones.len()
    );
    for (title, list) in [("E-mail address", &emails), ("Phone number", &phones)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<table class=\"shared\"><thead><tr><th>{}</th><th class=\"num\">records</th>\
             </tr></thead><tbody>",
            escape(title)
        );
        for (v, n) in list {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
                escape(v)
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n");

    // Timings.
    s.push_str("<section id=\"timings\">\n<h2>Time per stage</h2>\n");
    let max = summary
        .stages
        .iter()
        .map(|t| t.seconds)
        .fold(0.0, f64::max)
        .max(1e-9);
    s.push_str(
        "<table class=\"bars\"><thead><tr><th>Stage</th><th class=\"num\">seconds</th>\
         <th class=\"num\">CPU seconds</th><th class=\"num\">peak memory</th><th class=\"bar-cell\"></th></tr></thead><tbody>\n",
    );
    for t in &summary.stages {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td>\
             <td class=\"num\">{:.0} MiB</td><td class=\"bar-cell\"><span class=\"bar\" style=\"width:{:.1}%\"></span></td></tr>",
            escape(t.stage),
            t.seconds,
            t.cpu_seconds,
            t.peak_mib,
            t.seconds * 100.0 / max
        );
    }
    let _ = write!(
        s,
        "</tbody></table>\n<p class=\"muted\">Total {:.2} s ({:.2} s of CPU), peak memory \
         {:.0} MiB.</p>\n</section>\n</main>\n</body>\n</html>\n",
        summary.seconds, summary.cpu_seconds, summary.peak_mib
    );
    s
}

const SUMMARY_CSS: &str = r#"
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card b { display: block; font-size: 1.6rem; }
.card span { color: var(--muted); font-size: .9rem; }
.bars .bar-cell { width: 45%; }
.bar { display: inline-block; height: 14px; background: var(--blue); border-radius: 3px; min-width: 1px; }
.hist { display: flex; align-items: flex-end; gap: 2px; height: 180px; border-bottom: 1px solid var(--fg);
  padding-top: 6px; }
.hist .col { flex: 1 1 0; height: 100%; display: flex; align-items: flex-end; }
.hist .col span { display: block; width: 100%; border-radius: 2px 2px 0 0; }
.hist .hi span, .key.hi { background: var(--green); }
.hist .mid span, .key.mid { background: #d4a72c; }
.hist .lo span, .key.lo { background: #9aa5b1; }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: .85rem; }
.legend { font-size: .9rem; color: var(--muted); }
.key { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 12px;
  vertical-align: -1px; }
table.shared { width: auto; min-width: 50%; margin: 8px 0 14px; }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::SourceSpec;
    use crate::pipeline::{link, RunOptions};
    use crate::report::Silent;

    /// Four contacts in two pairs that share an e-mail, with markup and quotes in
    /// their names, linked with the default rules (fewer random pairs, for speed).
    fn linked(dir: &Path) -> (Linked, Rules) {
        let csv = dir.join("people.csv");
        std::fs::write(
            &csv,
            "id,First Name,Last Name,Email,Phone,Company\n\
             1,<script>alert(1)</script>,O'Brien,jane@example.com,+44 20 7946 0958,\"Smith & \"\"Sons\"\" Ltd\"\n\
             2,Jane,O'Brien,jane@example.com,+44 20 7946 0958,Smith & Sons\n\
             3,John,</script><b>x</b>,john@example.org,,Acme\n\
             4,Jon,</script><b>x</b>,john@example.org,,Acme Inc\n",
        )
        .expect("write csv");
        let mut rules = Rules::defaults();
        rules.matching.random_pairs = 1000;
        let opts = RunOptions {
            decisions: None,
            sources: vec![SourceSpec {
                path: Some(csv),
                ..Default::default()
            }],
            out: dir.join("out"),
        };
        let l = link(&rules, &opts, &Silent::default()).expect("link");
        (l, rules)
    }

    /// The same run with every candidate pair put up for review, so the page has items
    /// whatever the model decided.
    fn linked_for_review(dir: &Path) -> Linked {
        let (mut l, _) = linked(dir);
        assert!(!l.pairs.pairs.is_empty(), "the fixture shares e-mails");
        l.review = (0..l.pairs.pairs.len()).map(|i| l.review_pair(i)).collect();
        l
    }

    #[test]
    fn escape_replaces_the_five_characters() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("O'Brien & \"Sons\""),
            "O&#39;Brien &amp; &quot;Sons&quot;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert!(matches!(escape("Jane Doe"), Cow::Borrowed(_)));
    }

    #[test]
    fn script_json_cannot_close_its_tag_and_still_parses() {
        let v = serde_json::json!({
            "name": "</script><script>alert(1)</script>",
            "note": "<!-- & \u{2028}",
        });
        let s = script_json(&v).expect("json");
        assert!(!s.to_ascii_lowercase().contains("</script"));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).expect("parses");
        assert_eq!(back, v);
    }

    /// The escaping works on a stream: however the JSON is cut into writes (here, one
    /// byte at a time, which splits every three-byte character), the output is the
    /// same, and a separator's bytes are still found.
    #[test]
    fn script_json_escapes_the_same_whatever_the_writes() {
        let text = "a\u{2028}b\u{2029}<c>&\u{2027}\u{20AC}é 日本";
        let raw = serde_json::to_vec(&text).expect("json");
        let mut byte_at_a_time = Vec::new();
        {
            let mut w = ScriptSafe {
                inner: &mut byte_at_a_time,
                held: Vec::new(),
            };
            for b in &raw {
                w.write_all(std::slice::from_ref(b)).expect("write");
            }
            assert!(w.held.is_empty(), "a whole character is never held back");
        }
        let whole = script_json(&text).expect("json");
        assert_eq!(String::from_utf8(byte_at_a_time).expect("utf-8"), whole);
        assert!(whole.contains("\\u2028") && whole.contains("\\u2029"));
        assert!(whole.contains('\u{2027}') && whole.contains('\u{20AC}'));
        let back: String = serde_json::from_str(&whole).expect("parses");
        assert_eq!(back, text);
    }

    /// The weight summary counts what the chart and the estimates need: weights
    /// beyond the chart's range in its end bins, infinite ones (a decision) in no bin
    /// but in the pair and match counts.
    #[test]
    fn weight_summary_of_made_up_weights() {
        let weights = [-45.0, -2.5, -2.2, 0.0, 3.9, 12.0, 55.0, f64::INFINITY];
        let w = WeightSummary::of(&weights, 0.5, 0.2);
        assert_eq!(w.pairs, 8);
        // Weight 0 is probability 0.5: at the match threshold.
        assert_eq!(w.matched, 5);
        assert_eq!(w.range, Some((-45.0, 55.0)));
        let bin = |x: f64| w.bins[(x - WEIGHT_MIN) as usize];
        assert_eq!(bin(WEIGHT_MIN), 1, "-45 in the lowest bin");
        assert_eq!(bin(-3.0), 2);
        assert_eq!((bin(0.0), bin(3.0), bin(12.0)), (1, 1, 1));
        assert_eq!(bin(WEIGHT_MAX - 1.0), 1, "55 in the highest bin");
        assert_eq!(w.bins.iter().sum::<usize>(), 7, "every finite weight once");
        let p = weights.map(score::probability);
        assert_eq!(w.at_match, estimate(p, 0.5));
        assert_eq!(w.at_review, estimate(p, 0.2));
        assert_eq!(WeightSummary::of(&[], 0.5, 0.2).range, None);
    }

    #[test]
    fn estimate_on_made_up_probabilities() {
        let e = estimate([0.99, 0.95, 0.6, 0.3, 0.1, f64::NAN], 0.9);
        assert_eq!(e.pairs_above, 2);
        assert!((e.expected_true_above - 1.94).abs() < 1e-9);
        assert!((e.expected_true_all - 2.94).abs() < 1e-9);
        assert!((e.precision.expect("pairs above") - 0.97).abs() < 1e-9);
        assert!((e.recall.expect("some evidence") - 1.94 / 2.94).abs() < 1e-9);
        // The threshold itself counts as above.
        assert_eq!(estimate([0.9], 0.9).pairs_above, 1);
        let none = estimate([0.2, 0.1], 0.9);
        assert_eq!((none.pairs_above, none.precision), (0, None));
        assert_eq!(none.recall, Some(0.0));
        let empty = estimate(std::iter::empty(), 0.9);
        assert_eq!((empty.precision, empty.recall), (None, None));
    }

    #[test]
    fn row_states() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(ROW_STATES[row_state(&v(&[]), &v(&[])) as usize], "empty");
        assert_eq!(
            ROW_STATES[row_state(&v(&["Acme  Ltd"]), &v(&["acme ltd"])) as usize],
            "same"
        );
        assert_eq!(
            ROW_STATES[row_state(&v(&["a", "b"]), &v(&["b"])) as usize],
            "partly"
        );
        assert_eq!(
            ROW_STATES[row_state(&v(&["a"]), &v(&[])) as usize],
            "oneside"
        );
        assert_eq!(
            ROW_STATES[row_state(&v(&["a"]), &v(&["c"])) as usize],
            "differs"
        );
    }

    #[test]
    fn empty_review_says_nothing_to_review() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut l, _) = linked(dir.path());
        l.review.clear();
        let page = review_page(&l).expect("page");
        assert!(page.contains("id=\"empty\""));
        assert!(page.contains("Nothing to review"));
        assert!(!page.contains("id=\"btn-same\""));
        assert!(page.contains("\"items\":[]"));
    }

    #[test]
    fn review_page_escapes_every_value() {
        let dir = tempfile::tempdir().expect("tempdir");
        let l = linked_for_review(dir.path());
        let page = review_page(&l).expect("page");
        let lower = page.to_ascii_lowercase();
        assert!(!lower.contains("<script>alert"), "raw markup from a name");
        assert!(!lower.contains("</script><b>"), "raw markup from a name");
        assert!(!page.contains("<b>x</b>"));
        // Exactly two script elements: the data and the code.
        assert_eq!(lower.matches("</script").count(), 2);
        assert!(!page.contains("innerHTML"));
        // The data is there, escaped, and parses back to the original values.
        let start =
            page.find("id=\"review-data\">").expect("data tag") + "id=\"review-data\">".len();
        let end = start + page[start..].find("</script>").expect("tag end");
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).expect("json");
        let names: Vec<String> = data["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| r["values"][0][0].as_str().unwrap_or("").to_lowercase())
            .collect();
        assert!(
            names
                .iter()
                .any(|n| n.contains("<script>alert(1)</script>")),
            "{names:?}"
        );
        assert_eq!(
            data["items"].as_array().expect("items").len(),
            l.review.len()
        );
    }

    #[test]
    fn review_page_has_the_controls_a_browser_test_drives() {
        let dir = tempfile::tempdir().expect("tempdir");
        let l = linked_for_review(dir.path());
        let page = review_page(&l).expect("page");
        for id in [
            "btn-same",
            "btn-different",
            "btn-unsure",
            "btn-next",
            "btn-prev",
            "btn-export",
            "progress",
            "toggle-probability",
            "import-file",
            "review-data",
        ] {
            assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
        }
        let p = l.pairs.pairs[l.review[0].pair];
        let item = format!(
            "class=\"item\" data-index=\"0\" data-a=\"{}\" data-b=\"{}\"",
            escape(&l.record_keys[p.a as usize]),
            escape(&l.record_keys[p.b as usize])
        );
        assert!(page.contains(&item), "{item}");
        assert!(page.contains("window.listmergeExport"));
        assert!(page.contains("record_a,record_b,decision,where_a,where_b"));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no network"
        );
    }

    #[test]
    fn the_run_id_follows_the_items() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = linked_for_review(dir.path());
        let run = |l: &Linked| review_data(l).run;
        let a = run(&l);
        assert_eq!(a, run(&l));
        l.review.truncate(1);
        assert_ne!(a, run(&l));
    }

    #[test]
    fn write_all_writes_both_pages() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut l, rules) = linked(dir.path());
        let out = dir.path().join("out");
        let summary = super::super::write_all(
            &mut l,
            &rules,
            &out,
            &Silent::default(),
            crate::pipeline::Mark::now(),
        )
        .expect("write");
        for name in ["review.html", "summary.html"] {
            assert!(out.join(name).exists(), "{name}");
            assert!(summary.files.iter().any(|f| f.ends_with(name)), "{name}");
            assert!(super::super::describe(&summary).contains(name));
        }
        let page = std::fs::read_to_string(out.join("summary.html")).expect("read");
        let lower = page.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "summary.html needs no script");
        assert!(!page.contains("<b>x</b>"));
        for id in [
            "sources", "rejects", "accuracy", "clusters", "weights", "shared", "timings",
        ] {
            assert!(page.contains(&format!("<section id=\"{id}\"")), "{id}");
        }
        assert!(page.contains("id=\"estimate-match\""));
    }
}
