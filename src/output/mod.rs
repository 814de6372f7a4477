//! Outputs, written atomically into the output folder:
//!
//! | file | one row per | what |
//! |---|---|---|
//! | `master.csv` | master | the consolidated contact, stable `master_id` |
//! | `provenance.csv` | master value | which source, file, sheet and row each value came from |
//! | `xref.csv` | input record | the master it went to, with the weight that put it there |
//! | `mailing.csv` | deliverable master | one address to mail; unsubscribes and bounces left out |
//! | `review.csv` | uncertain pair | both records and each field's level and weight |
//! | `review.html` | uncertain pair | the same pairs to decide in a browser; exports `decisions.csv` |
//! | `rejects.csv` | unreadable row | file, row, line and reason |
//! | `matches.csv` | merged pair | only with `write-matches`; for pairwise evaluation |
//! | `summary.json` | run | counts, thresholds, model, timings, warnings |
//! | `summary.html` | run | the summary for people: charts, estimated accuracy |
//!
//! Every CSV cell goes through [`cell::safe`] (formula injection); every HTML value
//! through [`html::escape`] or [`html::script_json`].

pub mod atomic;
pub mod cell;
pub mod html;

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Locator;
use crate::pipeline::{peak_mib, Linked, Mark, StageStat};
use crate::report::Report;
use crate::rules::Rules;
use crate::score;

use atomic::AtomicFile;

/// The run's summary, also written as `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Output folder.
    pub out: String,
    /// Files written.
    pub files: Vec<String>,
    /// Records read, per source.
    pub sources: Vec<SourceCount>,
    /// Records read in all.
    pub records: usize,
    /// Rows rejected.
    pub rejects: usize,
    /// Masters written.
    pub masters: usize,
    /// Masters with more than one record.
    pub merged_masters: usize,
    /// Rows in mailing.csv.
    pub mailable: usize,
    /// Candidate pairs compared.
    pub candidate_pairs: usize,
    /// Pairs at or above the match threshold.
    pub matched_pairs: usize,
    /// Pairs in review.csv.
    pub review_pairs: usize,
    /// Merges refused because of a cannot-link.
    pub refused_merges: usize,
    /// Reviewers' decisions applied: same, different, naming missing records.
    pub decisions: DecisionCounts,
    /// Blocks too big to compare.
    pub capped_blocks: Vec<CappedSummary>,
    /// Shared e-mail addresses found (count).
    pub generic_emails: usize,
    /// Shared phone numbers found (count).
    pub generic_phones: usize,
    /// Thresholds as probabilities.
    pub thresholds: Thresholds,
    /// The fitted model.
    pub model: ModelSummary,
    /// Per-stage time and memory.
    pub stages: Vec<StageStat>,
    /// Total wall time, seconds.
    pub seconds: f64,
    /// Total CPU time of all threads, seconds.
    pub cpu_seconds: f64,
    /// Peak memory, MiB.
    pub peak_mib: f64,
}

/// Records per source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCount {
    /// Source name.
    pub name: String,
    /// Records.
    pub records: usize,
    /// Rejects.
    pub rejects: usize,
}

/// Reviewers' decisions applied.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionCounts {
    /// Must-links.
    pub same: usize,
    /// Cannot-links.
    pub different: usize,
    /// Decisions naming records this run does not have.
    pub missing: usize,
}

/// A capped block.
#[derive(Debug, Clone, Serialize)]
pub struct CappedSummary {
    /// Blocking key kind.
    pub key: &'static str,
    /// Records in the block.
    pub size: u32,
    /// A record in it (file:row).
    pub example: String,
}

/// Thresholds used.
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// Match probability.
    pub matching: f64,
    /// Review probability.
    pub review: f64,
    /// Cannot-link probability.
    pub cannot_link: f64,
}

/// The model, for the record.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    /// EM rounds (the most any blocking-key kind needed).
    pub em_iterations: u32,
    /// Per blocking-key kind: pairs, match share, and per field and level m, u and
    /// weight.
    pub kinds: Vec<KindSummary>,
}

/// The model of one blocking-key kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindSummary {
    /// The kind.
    pub kind: &'static str,
    /// Candidate pairs it produced.
    pub pairs: f64,
    /// Estimated share of matches among them.
    pub lambda: f64,
    /// Per field.
    pub fields: Vec<FieldSummary>,
}

/// One field of the model.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSummary {
    /// Field.
    pub field: String,
    /// Levels (excluding "missing").
    pub levels: Vec<LevelSummary>,
}

/// One level of a field.
#[derive(Debug, Clone, Serialize)]
pub struct LevelSummary {
    /// Plain words.
    pub level: &'static str,
    /// m probability.
    pub m: f64,
    /// u probability.
    pub u: f64,
    /// log2(m/u), as used (clamped).
    pub weight: f64,
}

/// `file[:sheet]:row` of a locator, for people.
pub fn locator_text(linked: &Linked, l: &Locator) -> String {
    let file = &linked.inputs.files[l.file.0 as usize].path;
    match &l.sheet {
        Some(s) => format!("{file}:{s}:{}", l.row),
        None => format!("{file}:{}", l.row),
    }
}

fn csv_writer(dir: &Path, name: &str) -> Result<csv::Writer<AtomicFile>> {
    Ok(csv::WriterBuilder::new().from_writer(AtomicFile::create(dir, name)?))
}

fn finish(w: csv::Writer<AtomicFile>, files: &mut Vec<String>) -> Result<()> {
    let f = w.into_inner().map_err(|e| {
        Error::output(
            "output",
            format!("cannot write ({}); check free space", e.error()),
        )
    })?;
    let p = f.commit()?;
    files.push(p.display().to_string());
    Ok(())
}

fn row<W: Write>(w: &mut csv::Writer<W>, path: &Path, cells: &[&str]) -> Result<()> {
    w.write_record(cells.iter().map(|c| cell::safe(c).into_owned()))
        .map_err(|e| Error::output(path, format!("cannot write ({e}); check free space")))
}

/// Rows of one stretch of an output file, formatted in memory so that stretches can be
/// formatted on all cores and then written in order.
///
/// Rows are written as the csv crate writes them (comma, `\n` after each row, a
/// field quoted only when it holds a comma, a quote or a line break, quotes doubled);
/// a test checks the two agree byte for byte. The crate's writer runs a state machine
/// over every byte and copies each field through its own buffer; the large outputs are
/// hundreds of megabytes of plain values, for which one scan and one copy do.
struct Chunk<'b>(&'b mut Vec<u8>);

impl<'b> Chunk<'b> {
    /// Rows appended to `buf` (which is cleared first, keeping its memory).
    fn new(buf: &'b mut Vec<u8>) -> Chunk<'b> {
        buf.clear();
        Chunk(buf)
    }

    /// Appends one row; every cell goes through [`cell::safe`].
    fn row(&mut self, cells: &[&str]) {
        if let [only] = cells {
            if only.is_empty() {
                // A lone empty field would be a blank line, which readers skip.
                self.0.extend_from_slice(b"\"\"\n");
                return;
            }
        }
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            push_field(self.0, cell::safe(c).as_bytes());
        }
        self.0.push(b'\n');
    }
}

/// Whether a CSV field must be quoted: it holds a `,`, `"`, CR or LF. Every byte of
/// every output cell passes through here (hundreds of megabytes on large runs), so
/// eight bytes are tested at once: a byte of `w ^ splat(c)` is zero exactly where `w`
/// holds `c`, and `(x - 0x01..) & !x & 0x80..` is non-zero exactly when `x` has a zero
/// byte.
fn needs_quotes(v: &[u8]) -> bool {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let has = |w: u64, c: u8| {
        let x = w ^ (LO * u64::from(c));
        x.wrapping_sub(LO) & !x & HI != 0
    };
    let mut chunks = v.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word);
        if has(w, b',') || has(w, b'"') || has(w, b'\n') || has(w, b'\r') {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| QUOTE[usize::from(b)])
}

/// The bytes [`needs_quotes`] looks for, as a table for the last few bytes of a field.
static QUOTE: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// Appends one CSV field, quoted if it must be.
fn push_field(buf: &mut Vec<u8>, v: &[u8]) {
    if !needs_quotes(v) {
        buf.extend_from_slice(v);
        return;
    }
    buf.reserve(v.len() + 2);
    buf.push(b'"');
    for part in v.split_inclusive(|&b| b == b'"') {
        buf.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            buf.push(b'"');
        }
    }
    buf.push(b'"');
}

/// Items formatted per parallel task; large enough to amortise a task, small enough to
/// balance two cores.
const CHUNK_ITEMS: usize = 4096;

/// Writes `name` atomically: the header, then `emit`'s rows for each item in order.
/// Items are formatted on all cores a batch at a time, so memory stays bounded by a
/// batch of formatted text, not the whole file.
///
/// `ahead` is called for the items a few places further on, first with
/// [`Ahead::Records`], then [`Ahead::Heap`], then [`Ahead::Strings`], to ask for what
/// `emit` will read (see `crate::prefetch`).
fn write_csv<T: Sync>(
    out: &Path,
    name: &str,
    header: &[&str],
    items: &[T],
    files: &mut Vec<String>,
    ahead: impl Fn(&T, Ahead) + Sync,
    emit: impl Fn(&T, &mut Chunk) + Sync,
) -> Result<()> {
    let mut f = AtomicFile::create(out, name)?;
    let path = f.path().to_path_buf();
    let fail =
        |e: std::io::Error| Error::output(&path, format!("cannot write ({e}); check free space"));
    let threads = rayon::current_num_threads().max(1);
    // One buffer per task of a batch, reused from batch to batch: the memory is
    // touched once instead of being allocated and faulted in again each time.
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); threads * 4];
    let mut head = Chunk::new(&mut bufs[0]);
    head.row(header);
    f.write_all(&bufs[0]).map_err(fail)?;
    for batch in items.chunks(CHUNK_ITEMS * threads * 4) {
        bufs.par_iter_mut()
            .zip(batch.par_chunks(CHUNK_ITEMS))
            .for_each(|(buf, items)| {
                let mut c = Chunk::new(buf);
                for (i, it) in items.iter().enumerate() {
                    if let Some(next) = items.get(i + AHEAD) {
                        ahead(next, Ahead::Records);
                    }
                    if let Some(next) = items.get(i + AHEAD_HEAP) {
                        ahead(next, Ahead::Heap);
                    }
                    if let Some(next) = items.get(i + AHEAD_STRINGS) {
                        ahead(next, Ahead::Strings);
                    }
                    emit(it, &mut c);
                }
            });
        let used = batch.len().div_ceil(CHUNK_ITEMS);
        for b in &bufs[..used] {
            f.write_all(b).map_err(fail)?;
        }
    }
    let p = f.commit()?;
    files.push(p.display().to_string());
    Ok(())
}

/// How many items ahead [`write_csv`] asks for an item's records, then for what they
/// point to, then for the e-mail and phone strings those point to.
const AHEAD: usize = 12;
const AHEAD_HEAP: usize = 8;
const AHEAD_STRINGS: usize = 4;

/// What [`write_csv`]'s `ahead` is asked to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ahead {
    /// The records themselves (contacts, raw records, stable keys, masters).
    Records,
    /// What they point to (their text), once they have arrived.
    Heap,
    /// A contact's e-mail and phone strings, once its lists of them have arrived.
    Strings,
}

/// Asks for what formatting master `m` reads of its members: their contacts, raw
/// records (for the locator) and stable keys.
fn prefetch_master(l: &Linked, m: &crate::survive::Master, a: Ahead) {
    for &r in m.members.iter() {
        let r = r as usize;
        match a {
            Ahead::Records => {
                l.contacts[r].prefetch();
                crate::prefetch_value(&l.inputs.records[r]);
                crate::prefetch_value(&l.record_keys[r]);
            }
            Ahead::Heap => {
                l.contacts[r].prefetch_heap();
                crate::prefetch(l.record_keys[r].as_ptr());
            }
            Ahead::Strings => l.contacts[r].prefetch_strings(),
        }
    }
}

/// The parts that are not empty, joined by `sep`.
pub(crate) fn join_present(parts: &[&str], sep: &str) -> String {
    let present: Vec<&str> = parts.iter().copied().filter(|s| !s.is_empty()).collect();
    present.join(sep)
}

fn fmt_w(w: f64) -> String {
    if w.is_finite() {
        format!("{w:.2}")
    } else {
        String::new()
    }
}

/// Writes every output and returns the summary.
pub fn write_all(
    linked: &mut Linked,
    rules: &Rules,
    out: &Path,
    report: &dyn Report,
    start: Mark,
) -> Result<Summary> {
    std::fs::create_dir_all(out).map_err(|e| {
        Error::output(
            out,
            format!("cannot create the output folder ({e}); check the path and permissions"),
        )
    })?;
    report.stage("write", None);
    let mut files = Vec::new();
    let l: &Linked = linked;

    // Each file is written, flushed to disk and renamed on its own thread, so one
    // file's fsync overlaps the formatting of the others; the list of files keeps a
    // fixed order.
    let mut mailable = 0;
    {
        type Job<'a> = Box<dyn FnOnce(&mut Vec<String>) -> Result<usize> + Send + 'a>;
        let jobs: Vec<Job> = vec![
            Box::new(|f| write_master(l, out, f).map(|()| 0)),
            Box::new(|f| write_provenance(l, out, f).map(|()| 0)),
            Box::new(|f| write_xref(l, out, f).map(|()| 0)),
            Box::new(|f| write_mailing(l, out, f)),
            Box::new(|f| write_review(l, out, f).map(|()| 0)),
            Box::new(|f| html::write_review(l, out, f).map(|()| 0)),
            Box::new(|f| write_rejects(l, out, f).map(|()| 0)),
        ];
        let results: Vec<Result<(Vec<String>, usize)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .into_iter()
                .map(|job| {
                    scope.spawn(move || {
                        let mut f = Vec::new();
                        job(&mut f).map(|n| (f, n))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::output(
                            out,
                            "an output writer failed unexpectedly".to_string(),
                        ))
                    })
                })
                .collect()
        });
        for r in results {
            let (f, n) = r?;
            files.extend(f);
            mailable += n;
        }
    }
    let match_w = score::weight_of(rules.matching.match_threshold);
    if rules.write_matches {
        let path = out.join("matches.csv");
        let mut w = csv_writer(out, "matches.csv")?;
        row(
            &mut w,
            &path,
            &["record_a", "record_b", "weight", "probability"],
        )?;
        for (p, wt) in l.pairs.pairs.iter().zip(&l.weights) {
            if *wt >= match_w {
                row(
                    &mut w,
                    &path,
                    &[
                        &l.record_keys[p.a as usize],
                        &l.record_keys[p.b as usize],
                        &fmt_w(*wt),
                        &format!("{:.6}", score::probability(*wt)),
                    ],
                )?;
            }
        }
        finish(w, &mut files)?;
    }

    let mut sources: Vec<SourceCount> = l
        .inputs
        .sources
        .iter()
        .map(|s| SourceCount {
            name: s.name.clone(),
            records: 0,
            rejects: 0,
        })
        .collect();
    for r in &l.inputs.records {
        sources[r.source.0 as usize].records += 1;
    }
    for r in &l.inputs.rejects {
        if let Some(s) = r.source {
            sources[s.0 as usize].rejects += 1;
        }
    }
    let mut stages = l.stages.clone();
    stages.push(start.stat("write"));
    let summary = Summary {
        out: out.display().to_string(),
        files: {
            let mut f = files.clone();
            f.push(out.join("summary.html").display().to_string());
            f.push(out.join("summary.json").display().to_string());
            f
        },
        sources,
        records: l.inputs.records.len(),
        rejects: l.inputs.rejects.len(),
        masters: l.masters.len(),
        merged_masters: l.masters.iter().filter(|m| m.members.len() > 1).count(),
        mailable,
        candidate_pairs: l.weight_summary.pairs,
        matched_pairs: l.weight_summary.matched,
        review_pairs: l.review.len(),
        refused_merges: l.clusters.refused.len(),
        decisions: DecisionCounts {
            same: l.decisions.must.len(),
            different: l.decisions.cannot.len(),
            missing: l.decisions.missing,
        },
        capped_blocks: l
            .pairs
            .capped
            .iter()
            .take(50)
            .map(|c| CappedSummary {
                key: crate::block::KINDS[c.kind as usize],
                size: c.size,
                example: locator_text(l, &l.inputs.records[c.example as usize].locator),
            })
            .collect(),
        generic_emails: l.generic.emails.len(),
        generic_phones: l.generic.phones.len(),
        thresholds: Thresholds {
            matching: rules.matching.match_threshold,
            review: rules.matching.review_threshold,
            cannot_link: rules.matching.cannot_link_below,
        },
        model: ModelSummary {
            em_iterations: l.model.iterations,
            kinds: l
                .model
                .kinds
                .iter()
                .map(|k| KindSummary {
                    kind: k.name,
                    pairs: k.pairs,
                    lambda: k.lambda,
                    fields: l
                        .model
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(f, fm)| FieldSummary {
                            field: fm.name.clone(),
                            levels: (1..fm.m.len())
                                .map(|lv| LevelSummary {
                                    level: fm.label(f, lv),
                                    m: fm.m[lv],
                                    u: k.u[f][lv],
                                    weight: k.weights[f][lv],
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        },
        seconds: stages.iter().map(|s| s.seconds).sum(),
        cpu_seconds: stages.iter().map(|s| s.cpu_seconds).sum(),
        stages,
        peak_mib: peak_mib(),
    };
    html::write_summary(linked, rules, &summary, out)?;
    let mut f = AtomicFile::create(out, "summary.json")?;
    let path = f.path().to_path_buf();
    serde_json::to_writer_pretty(&mut f, &summary)
        .map_err(|e| Error::output(&path, format!("cannot write ({e}); check free space")))?;
    f.write_all(b"\n")
        .map_err(|e| Error::output(&path, format!("cannot write ({e}); check free space")))?;
    f.commit()?;
    report.finish();
    Ok(summary)
}

/// `name`, or `name (2)`, `name (3)`, ... when `taken` already has it (ignoring case):
/// a spreadsheet or a script reading the file by column name must not find two
/// columns of one name.
fn unique_name(taken: &[String], name: &str) -> String {
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if free(name) {
        return name.to_string();
    }
    (2..)
        .map(|k| format!("{name} ({k})"))
        .find(|n| free(n))
        .unwrap_or_default()
}

fn write_master(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    // Custom columns that some master has a value for, in first-seen order of the
    // inputs. A column set aside for a second address or phone that no file filled
    // would otherwise be an empty column, under a name like "street" that the built-in
    // columns already use.
    let mut used = vec![false; l.inputs.custom_fields.len()];
    for i in l.masters.iter().flat_map(|m| m.custom_fields()) {
        used[i as usize] = true;
    }
    let custom: Vec<u16> = (0..l.inputs.custom_fields.len() as u16)
        .filter(|&i| used[i as usize])
        .collect();
    let mut header: Vec<String> = [
        "master_id",
        "prefix",
        "given_name",
        "middle_name",
        "family_name",
        "suffix",
        "email",
        "other_emails",
        "phone",
        "other_phones",
        "company",
        "title",
        "street",
        "city",
        "region",
        "postcode",
        "country",
        "website",
        "birthday",
        "unsubscribed",
        "bounced_emails",
        "records",
        "sources",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for &i in &custom {
        header.push(unique_name(&header, &l.inputs.custom_fields[i as usize]));
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let ahead = |m: &crate::survive::Master, a| prefetch_master(l, m, a);
    write_csv(out, "master.csv", &h, &l.masters, files, ahead, |m, w| {
        let m = m.view(&l.contacts);
        let name = m.name.map(|v| v.value);
        let addr = m.address.map(|v| v.value);
        fn text<'a>(v: &Option<crate::survive::Value<&'a str>>) -> Cow<'a, str> {
            Cow::Borrowed(v.map_or("", |v| v.value))
        }
        let emails: Vec<&str> = m
            .emails()
            .filter(|(_, b)| !b)
            .map(|(v, _)| v.value)
            .collect();
        let bounced: Vec<&str> = m
            .emails()
            .filter(|(_, b)| *b)
            .map(|(v, _)| v.value)
            .collect();
        let phones: Vec<Cow<str>> = m
            .phones()
            .map(|p| {
                if p.value.extension.is_empty() {
                    Cow::Borrowed(p.value.number.as_str())
                } else {
                    Cow::Owned(format!("{} ext. {}", p.value.number, p.value.extension))
                }
            })
            .collect();
        let mut srcs: Vec<&str> = m
            .members
            .iter()
            .map(|&r| {
                l.inputs.sources[l.inputs.records[r as usize].source.0 as usize]
                    .name
                    .as_str()
            })
            .collect();
        srcs.sort_unstable();
        srcs.dedup();
        let b = Cow::Borrowed;
        let mut cells: Vec<Cow<str>> = vec![
            b(m.id),
            b(name.map_or("", |n| n.prefix)),
            b(name.map_or("", |n| n.given)),
            b(name.map_or("", |n| n.middle)),
            b(name.map_or("", |n| n.family)),
            b(name.map_or("", |n| n.suffix)),
            b(emails.first().copied().unwrap_or("")),
            emails.get(1..).map_or(b(""), |e| Cow::Owned(e.join("; "))),
            phones.first().cloned().unwrap_or_default(),
            phones.get(1..).map_or(b(""), |p| Cow::Owned(p.join("; "))),
            text(&m.company),
            text(&m.title),
            b(addr.map_or("", |a| a.street)),
            b(addr.map_or("", |a| a.city)),
            b(addr.map_or("", |a| a.region)),
            b(addr.map_or("", |a| a.postcode)),
            b(addr.map_or("", |a| a.country_code.unwrap_or(a.country))),
            text(&m.website),
            text(&m.birthday),
            b(if m.unsubscribed { "yes" } else { "" }),
            Cow::Owned(bounced.join("; ")),
            Cow::Owned(m.members.len().to_string()),
            Cow::Owned(srcs.join("; ")),
        ];
        for &i in &custom {
            cells.push(b(m
                .custom()
                .find(|(j, _)| *j == i)
                .map_or("", |(_, v)| v.value)));
        }
        let c: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
        w.row(&c);
    })
}

fn write_provenance(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    let header = [
        "master_id",
        "field",
        "value",
        "source",
        "file",
        "sheet",
        "row",
        "record_key",
    ];
    let ahead = |m: &crate::survive::Master, a| prefetch_master(l, m, a);
    write_csv(
        out,
        "provenance.csv",
        &header,
        &l.masters,
        files,
        ahead,
        |m, w| {
            let m = m.view(&l.contacts);
            let mut put = |field: &str, value: &str, from: u32| {
                if value.is_empty() {
                    return;
                }
                let r = &l.inputs.records[from as usize];
                let loc = &r.locator;
                let mut row = itoa::Buffer::new();
                w.row(&[
                    m.id,
                    field,
                    value,
                    &l.inputs.sources[r.source.0 as usize].name,
                    &l.inputs.files[loc.file.0 as usize].path,
                    loc.sheet.as_deref().unwrap_or(""),
                    row.format(loc.row),
                    &l.record_keys[from as usize],
                ]);
            };
            if let Some(n) = &m.name {
                let v = &n.value;
                let full = join_present(&[v.prefix, v.given, v.middle, v.family, v.suffix], " ");
                put("name", &full, n.from);
            }
            for (field, v) in [
                ("company", &m.company),
                ("title", &m.title),
                ("website", &m.website),
                ("birthday", &m.birthday),
                ("notes", &m.notes),
            ] {
                if let Some(v) = v {
                    put(field, v.value, v.from);
                }
            }
            if let Some(a) = &m.address {
                let v = &a.value;
                let text = join_present(&[v.street, v.postcode, v.city, v.region, v.country], ", ");
                put("address", &text, a.from);
            }
            for (e, _) in m.emails() {
                put("email", e.value, e.from);
            }
            for p in m.phones() {
                put("phone", &p.value.number, p.from);
            }
            for (i, v) in m.custom() {
                put(&l.inputs.custom_fields[i as usize], v.value, v.from);
            }
        },
    )
}

fn write_xref(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    let header = [
        "file",
        "sheet",
        "row",
        "line",
        "source",
        "record_key",
        "stable_key",
        "master_id",
        "match_weight",
        "match_probability",
    ];
    let ids: Vec<usize> = (0..l.inputs.records.len()).collect();
    // Records are written in order; their masters lie anywhere.
    let ahead = |&id: &usize, a| {
        let m = &l.masters[l.clusters.of[id] as usize];
        match a {
            Ahead::Records => crate::prefetch_value(m),
            Ahead::Heap => crate::prefetch(m.id.as_ptr()),
            Ahead::Strings => {}
        }
    };
    write_csv(out, "xref.csv", &header, &ids, files, ahead, |&id, w| {
        let r = &l.inputs.records[id];
        let m = &l.masters[l.clusters.of[id] as usize];
        let jw = l.clusters.join_weight[id];
        let loc = &r.locator;
        w.row(&[
            &l.inputs.files[loc.file.0 as usize].path,
            loc.sheet.as_deref().unwrap_or(""),
            itoa::Buffer::new().format(loc.row),
            itoa::Buffer::new().format(loc.line),
            &l.inputs.sources[r.source.0 as usize].name,
            l.contacts[id].record_key().unwrap_or(""),
            &l.record_keys[id],
            &m.id,
            &fmt_w(jw),
            &if jw.is_finite() {
                format!("{:.6}", score::probability(jw))
            } else if jw.is_nan() {
                String::new()
            } else {
                "1".into()
            },
        ]);
    })
}

fn write_mailing(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<usize> {
    let header = [
        "master_id",
        "email",
        "given_name",
        "family_name",
        "company",
        "country",
    ];
    // Each master's address is found on all cores; then one row per deliverable
    // address: a shared inbox goes out once, to its first master.
    let addresses: Vec<Option<&str>> = l
        .masters
        .par_iter()
        .map(|m| {
            if m.unsubscribed {
                None
            } else {
                m.mailing_email(&l.contacts)
            }
        })
        .collect();
    let mut seen = rustc_hash::FxHashSet::default();
    let mail: Vec<(&crate::survive::Master, &str)> = l
        .masters
        .iter()
        .zip(addresses)
        .filter_map(|(m, e)| e.filter(|e| seen.insert(*e)).map(|e| (m, e)))
        .collect();
    drop(seen);
    let n = mail.len();
    let ahead = |&(m, _): &(&crate::survive::Master, &str), a| prefetch_master(l, m, a);
    write_csv(
        out,
        "mailing.csv",
        &header,
        &mail,
        files,
        ahead,
        |&(m, e), w| {
            let m = m.view(&l.contacts);
            let name = m.name.map(|v| v.value);
            let country = m
                .address
                .map_or("", |a| a.value.country_code.unwrap_or(a.value.country));
            w.row(&[
                m.id,
                e,
                name.map_or("", |n| n.given),
                name.map_or("", |n| n.family),
                m.company.map_or("", |c| c.value),
                country,
            ]);
        },
    )?;
    Ok(n)
}

fn write_review(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    let path = out.join("review.csv");
    let mut w = csv_writer(out, "review.csv")?;
    let mut header: Vec<String> = [
        "record_a",
        "record_b",
        "where_a",
        "where_b",
        "master_a",
        "master_b",
        "probability",
        "weight",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for f in &l.model.fields {
        header.push(format!("{}_level", f.name));
        header.push(format!("{}_weight", f.name));
    }
    header.push("tf_adjustment".into());
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    row(&mut w, &path, &h)?;
    for r in &l.review {
        let p = r.records;
        let (a, b) = (p.a as usize, p.b as usize);
        let bd = l.model.breakdown_with_tf(p.kind, r.comparison, r.tf);
        let mut cells = vec![
            l.record_keys[a].clone(),
            l.record_keys[b].clone(),
            locator_text(l, &l.inputs.records[a].locator),
            locator_text(l, &l.inputs.records[b].locator),
            l.masters[l.clusters.of[a] as usize].id.to_string(),
            l.masters[l.clusters.of[b] as usize].id.to_string(),
            format!("{:.4}", bd.probability),
            fmt_w(bd.weight),
        ];
        for (_, _, label, wt) in &bd.fields {
            cells.push(label.to_string());
            cells.push(fmt_w(*wt));
        }
        cells.push(fmt_w(bd.tf.given + bd.tf.family));
        let c: Vec<&str> = cells.iter().map(String::as_str).collect();
        row(&mut w, &path, &c)?;
    }
    finish(w, files)
}

fn write_rejects(l: &Linked, out: &Path, files: &mut Vec<String>) -> Result<()> {
    let path = out.join("rejects.csv");
    let mut w = csv_writer(out, "rejects.csv")?;
    row(
        &mut w,
        &path,
        &["file", "sheet", "row", "line", "source", "reason"],
    )?;
    for r in &l.inputs.rejects {
        let loc = &r.locator;
        row(
            &mut w,
            &path,
            &[
                &l.inputs.files[loc.file.0 as usize].path,
                loc.sheet.as_deref().unwrap_or(""),
                &loc.row.to_string(),
                &loc.line.to_string(),
                r.source
                    .map_or("", |s| l.inputs.sources[s.0 as usize].name.as_str()),
                &r.reason,
            ],
        )?;
    }
    finish(w, files)
}

/// Where the outputs went, for the end-of-run screen.
pub fn describe(summary: &Summary) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "listmerge: {} records from {} source(s) → {} masters ({} merged from several records)\n",
        summary.records,
        summary.sources.len(),
        summary.masters,
        summary.merged_masters
    ));
    s.push_str(&format!(
        "  rejected rows: {}   pairs to review: {}   addresses to mail: {}\n",
        summary.rejects, summary.review_pairs, summary.mailable
    ));
    s.push_str(&format!(
        "  took {:.2}s ({:.2}s of CPU), peak memory {:.0} MiB\n",
        summary.seconds, summary.cpu_seconds, summary.peak_mib
    ));
    s.push_str(&format!("  outputs in {}:\n", summary.out));
    for f in &summary.files {
        let name = PathBuf::from(f);
        let name = name
            .file_name()
            .map_or(f.clone(), |n| n.to_string_lossy().into_owned());
        let what = match name.as_str() {
            "master.csv" => "one row per person",
            "provenance.csv" => "where each master value came from",
            "xref.csv" => "every input record → its master",
            "mailing.csv" => "one row per deliverable address (no unsubscribes, no bounces)",
            "review.csv" => "uncertain pairs for a person to decide",
            "review.html" => "the same pairs to decide in a browser; exports decisions.csv",
            "rejects.csv" => "rows that could not be read, with the reason",
            "matches.csv" => "every merged pair with its weight",
            "summary.json" => "counts, model and timings",
            "summary.html" => "the run at a glance: charts and estimated accuracy",
            _ => "",
        };
        s.push_str(&format!("    {name:<16} {what}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{needs_quotes, unique_name};

    #[test]
    fn quoting_test_finds_each_special_byte_anywhere() {
        // Bytes next to the special ones and with the high bit set: the word-at-a-time
        // test must not mistake them for the real thing.
        let fillers = [
            b'a', b'+', b'-', b'.', b'\t', 0x0b, 0x0c, 0xac, 0xa2, 0x8a, 0x8d, 0xff,
        ];
        for len in 0..=24 {
            for &fill in &fillers {
                let plain = vec![fill; len];
                assert!(!needs_quotes(&plain), "{plain:?}");
                for at in 0..len {
                    for special in [b',', b'"', b'\n', b'\r'] {
                        let mut v = plain.clone();
                        v[at] = special;
                        assert!(needs_quotes(&v), "{v:?}");
                    }
                }
            }
        }
        assert!(!needs_quotes(
            "Müller, Zoë".split(',').next().unwrap_or("").as_bytes()
        ));
        assert!(needs_quotes("Müller, Zoë".as_bytes()));
    }

    #[test]
    fn a_custom_column_never_repeats_a_name() {
        let taken: Vec<String> = ["street", "City", "city (2)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(unique_name(&taken, "Notes"), "Notes");
        assert_eq!(unique_name(&taken, "street"), "street (2)");
        assert_eq!(unique_name(&taken, "city"), "city (3)");
    }

    proptest::proptest! {
        #[test]
        fn rows_are_written_as_the_csv_crate_writes_them(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a\",\n\r =+@'é\t-]{0,6}", 1..5),
                1..4,
            )
        ) {
            let mut ours = Vec::new();
            let mut c = super::Chunk::new(&mut ours);
            let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for r in &rows {
                let cells: Vec<&str> = r.iter().map(String::as_str).collect();
                c.row(&cells);
                theirs
                    .write_record(cells.iter().map(|v| super::cell::safe(v).into_owned()))
                    .expect("write");
            }
            let theirs = theirs.into_inner().expect("flush");
            proptest::prop_assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
