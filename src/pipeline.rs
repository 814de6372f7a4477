//! The pipeline, stage by stage: reading this file top to bottom is the diagram in
//! the crate docs.
//!
//! `link` runs everything up to the masters and returns them with all intermediate
//! results (so `explain` and the tests can look inside); `run` adds the outputs.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::block::{self, CandidatePair, CandidatePairs};
use crate::cluster::{self, CannotLink, Clusters, Edge};
use crate::compare::{compare, Comparison};
use crate::decisions;
use crate::error::{Error, Result};
use crate::import::{self, SourceSpec};
use crate::memory;
use crate::model::{Contact, Inputs};
use crate::normalize;
use crate::normalize::keys::{self, MatchKey};
use crate::output;
use crate::report::Report;
use crate::rules::{CompareMethod, Rules};
use crate::score::{self, Model};
use crate::spill;
use crate::survive::{self, Master};

/// What a run is asked to do (resolved from the command line and the rules).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Sources to read (command line first, then `rules.toml`).
    pub sources: Vec<SourceSpec>,
    /// Output folder.
    pub out: PathBuf,
    /// A reviewer's decisions file, if any.
    pub decisions: Option<PathBuf>,
}

/// The contacts, in memory or waiting on disk.
enum Spilled {
    Kept(Vec<Contact>),
    Parked(spill::Parked),
}

/// Time and memory of one stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StageStat {
    /// Stage name.
    pub stage: &'static str,
    /// Wall time in seconds.
    pub seconds: f64,
    /// CPU time of all threads in seconds (user and system; 0 where unknown). Against
    /// `seconds` it shows how well the stage kept the cores busy.
    pub cpu_seconds: f64,
    /// Peak resident memory of the process so far, in MiB (0 where unknown).
    pub peak_mib: f64,
}

/// Everything a run computed.
pub struct Linked {
    /// Imported records and rejects.
    pub inputs: Inputs,
    /// Normalised contacts, by record id.
    pub contacts: Vec<Contact>,
    /// Match keys, by record id.
    pub keys: Vec<keys::MatchKey>,
    /// Shared e-mails and phones found.
    pub generic: keys::Generic,
    /// Stable record keys, by record id.
    pub record_keys: Vec<String>,
    /// A hash of each record's stable key: the tie-break that makes results
    /// independent of input order.
    pub order: Vec<u64>,
    /// Candidate pairs (the pairs themselves are kept by [`run`] only for
    /// `matches.csv`).
    pub pairs: CandidatePairs,
    /// Comparison of each candidate pair (not kept by [`run`]).
    pub comparisons: Vec<Comparison>,
    /// Weight of each candidate pair (kept by [`run`] only for `matches.csv`).
    pub weights: Vec<f64>,
    /// What the summary shows of the weights.
    pub weight_summary: output::html::WeightSummary,
    /// The fitted model.
    pub model: Model,
    /// Clusters.
    pub clusters: Clusters,
    /// Masters, one per cluster, same order.
    pub masters: Vec<Master>,
    /// The pairs to review, most useful first.
    pub review: Vec<ReviewPair>,
    /// Per-stage time and memory.
    pub stages: Vec<StageStat>,
    /// The custom comparisons (column, method) that were active.
    pub custom: Vec<(String, CompareMethod)>,
    /// Reviewers' decisions applied.
    pub decisions: decisions::Resolved,
}

/// A candidate pair put up for review, with what the review outputs show of it: they
/// are written after the match keys, and on [`run`] the other pairs' comparisons, are
/// freed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewPair {
    /// Index into the candidate pairs (as [`link`] returns them).
    pub pair: usize,
    /// The pair itself.
    pub records: CandidatePair,
    /// Its comparison.
    pub comparison: Comparison,
    /// Its term-frequency adjustments, and whether `name-alone-bearers` holds it.
    pub tf: score::NameFrequency,
}

impl ReviewPair {
    /// Candidate pair `pair`, with its term-frequency adjustments from the match keys.
    /// Its comparison is read from `comparisons`, or made again from the keys when they
    /// were freed (comparing is a pure function of the two keys).
    fn new(
        model: &Model,
        pairs: &[CandidatePair],
        comparisons: &[Comparison],
        keys: &[MatchKey],
        pair: usize,
    ) -> ReviewPair {
        let p = pairs[pair];
        let (a, b) = (&keys[p.a as usize], &keys[p.b as usize]);
        let comparison = comparisons
            .get(pair)
            .copied()
            .unwrap_or_else(|| compare(a, b, &model.custom_methods));
        ReviewPair {
            pair,
            records: p,
            comparison,
            tf: model.tf(comparison, a, b),
        }
    }
}

impl Linked {
    /// Candidate pair `pair` as a [`ReviewPair`]; needs the match keys.
    pub fn review_pair(&self, pair: usize) -> ReviewPair {
        ReviewPair::new(
            &self.model,
            &self.pairs.pairs,
            &self.comparisons,
            &self.keys,
            pair,
        )
    }
}

/// Peak resident set size of this process in MiB, from /proc (0 elsewhere).
pub fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time this process has used so far, all threads, user and system, in seconds
/// (0 where the system cannot tell).
#[cfg(unix)]
pub fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes the struct it is given, which is large enough and
    // zero-initialised, so it is fully initialised whether or not the call succeeds.
    let (rc, usage) = unsafe {
        let rc = libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        (rc, usage.assume_init())
    };
    if rc != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// CPU time this process has used so far: unknown (0) off Unix.
#[cfg(not(unix))]
pub fn cpu_seconds() -> f64 {
    0.0
}

/// When a stage began, by the wall clock and by the process's CPU time.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    wall: Instant,
    cpu: f64,
}

impl Mark {
    /// Now.
    pub fn now() -> Mark {
        Mark {
            wall: Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    /// The figures of `stage`, begun at this mark and ending now.
    pub fn stat(&self, stage: &'static str) -> StageStat {
        StageStat {
            stage,
            seconds: self.wall.elapsed().as_secs_f64(),
            cpu_seconds: (cpu_seconds() - self.cpu).max(0.0),
            peak_mib: peak_mib(),
        }
    }
}

struct Clock {
    start: Mark,
    stages: Vec<StageStat>,
}

impl Clock {
    fn lap(&mut self, stage: &'static str) {
        self.stages.push(self.start.stat(stage));
        self.start = Mark::now();
    }
}

/// Pairs per parallel task in [`map_pairs`].
const PAIR_CHUNK: usize = 4096;

/// `f(i, keys of a, keys of b)` for every candidate pair `i`, in parallel and in order.
///
/// The pair loop waits on memory more than it computes: pairs are sorted by their first
/// record, so its keys are at hand, but the second record's keys lie anywhere in a table
/// far larger than the caches. Asking for the keys of the pairs a few steps ahead lets
/// those loads overlap the work on the current pair (the compare stage on 1M generated
/// records went from 3.0 to 1.8 s).
fn map_pairs<T: Send>(
    pairs: &[CandidatePair],
    keys: &[MatchKey],
    f: impl Fn(usize, &MatchKey, &MatchKey) -> T + Sync,
) -> Vec<T> {
    // Far enough ahead for a load from memory to arrive; the strings, e-mails and
    // phones are asked for later, once the key that points to them has arrived.
    const AHEAD: usize = 12;
    const AHEAD_HEAP: usize = 6;
    pairs
        .par_chunks(PAIR_CHUNK)
        .enumerate()
        .flat_map_iter(|(n, chunk)| {
            let f = &f;
            chunk.iter().enumerate().map(move |(i, p)| {
                if let Some(q) = chunk.get(i + AHEAD) {
                    keys[q.b as usize].prefetch();
                }
                if let Some(q) = chunk.get(i + AHEAD_HEAP) {
                    keys[q.b as usize].prefetch_heap();
                }
                f(n * PAIR_CHUNK + i, &keys[p.a as usize], &keys[p.b as usize])
            })
        })
        .collect()
}

/// Records [`normalise`]d a wave at a time: the contacts of a wave are parked before
/// the next is made (when parking), and its raw values freed.
const WAVE: usize = 1 << 17;

/// Normalises every record and builds its match key and the base of its stable key
/// in the same pass, a wave at a time (the steps that need every record, marking
/// shared e-mails and phones and numbering identical rows, come after). With `park`,
/// the contacts are written to a temporary file in that folder a wave at a time, so
/// that on the largest runs they are never all in memory together with the raw
/// values and the keys.
fn normalise(
    inputs: &mut Inputs,
    rules: &Rules,
    custom: &[(Option<u16>, CompareMethod)],
    park: Option<&std::path::Path>,
    wave_len: usize,
    report: &dyn Report,
) -> Result<(Spilled, Vec<MatchKey>, Vec<String>)> {
    let n = inputs.records.len();
    report.stage("normalise", Some(n as u64));
    // Each wave frees its raw values and parked contacts as the next allocates as much.
    let _hold = memory::Hold::start();
    let mut parker = park.map(spill::Parker::new).transpose()?;
    let mut contacts = Vec::with_capacity(if parker.is_some() { 0 } else { n });
    let mut match_keys = Vec::with_capacity(n);
    let mut record_keys = Vec::with_capacity(n);
    let sources = &inputs.sources;
    for wave in inputs.records.chunks_mut(wave_len.max(1)) {
        let c = normalize::contacts(wave, sources, rules, report);
        match_keys.par_extend(keys::keys(&c, custom));
        record_keys.par_extend(survive::base_record_keys(sources, wave, &c));
        match parker.as_mut() {
            Some(p) => {
                p.add(&c)?;
                c.into_par_iter().with_min_len(1 << 12).for_each(drop);
            }
            None => contacts.extend(c),
        }
    }
    report.finish();
    let contacts = match parker {
        Some(p) => Spilled::Parked(p.finish()?),
        None => Spilled::Kept(contacts),
    };
    Ok((contacts, match_keys, record_keys))
}

/// Runs import → normalise → block → compare → score → cluster → survive.
pub fn link(rules: &Rules, opts: &RunOptions, report: &dyn Report) -> Result<Linked> {
    link_keeping(rules, opts, report, true)
}

/// [`link`]; without `keep`, what writing does not read is freed as soon as nothing
/// else needs it: the comparisons once the weights are made ([`Linked::comparisons`] is
/// empty; the review pairs' are made again), and once the review pairs are chosen the
/// match keys ([`Linked::keys`] is empty) and, unless `matches.csv` is written, the
/// candidate pairs and their weights (`Linked::pairs.pairs` and [`Linked::weights`]
/// are empty; [`Linked::weight_summary`] has what the summary shows of them). At about
/// a third of a KB per record and 28 bytes per pair they are a large share of the
/// memory survivorship and the outputs would otherwise add to.
fn link_keeping(
    rules: &Rules,
    opts: &RunOptions,
    report: &dyn Report,
    keep: bool,
) -> Result<Linked> {
    let mut clock = Clock {
        start: Mark::now(),
        stages: Vec::new(),
    };
    let mut inputs = import::inputs(&opts.sources, report)?;
    if inputs.records.len() > block::MAX_RECORDS {
        return Err(Error::Usage(format!(
            "{} records in one run; listmerge takes at most {} — split the lists by \
             country or source and run them separately",
            inputs.records.len(),
            block::MAX_RECORDS
        )));
    }
    clock.lap("import");

    let custom: Vec<(String, CompareMethod)> = rules
        .matching
        .custom
        .iter()
        .map(|c| (c.column.clone(), c.method))
        .collect();
    let custom_idx: Vec<(Option<u16>, CompareMethod)> = rules
        .matching
        .custom
        .iter()
        .map(|c| {
            let idx = inputs
                .custom_fields
                .iter()
                .position(|f| f.eq_ignore_ascii_case(c.column.trim()))
                .map(|i| i as u16);
            if idx.is_none() {
                report.warn(&format!(
                    "rules: no input has a column \"{}\" to compare; the [[compare]] for it does nothing",
                    c.column
                ));
            }
            (idx, c.method)
        })
        .collect();
    // Contacts wait on disk through the matching stages on very large runs.
    let park = (inputs.records.len() as u64 > rules.spill_contacts_above).then_some(&*opts.out);
    let (contacts, mut keys, mut record_keys) =
        normalise(&mut inputs, rules, &custom_idx, park, WAVE, report)?;
    clock.lap("normalise");
    let generic = keys::mark_generic(&mut keys, rules.matching.generic_after);
    survive::number_repeats(&mut record_keys);
    // Ties (equal weights, equally good neighbours in a large block) are broken by this
    // hash of each record's stable key rather than by its position in the input, so
    // clusters and master ids do not depend on the order of rows or files.
    let order: Vec<u64> = record_keys
        .par_iter()
        .map(|k| xxhash_rust::xxh3::xxh3_64(k.as_bytes()))
        .collect();
    let decided = match &opts.decisions {
        Some(path) => {
            let d = decisions::resolve(&decisions::read(path)?, &record_keys);
            if d.missing > 0 {
                report.warn(&format!(
                    "{}: {} decision(s) name records this run does not have (removed or re-keyed); they were skipped",
                    path.display(),
                    d.missing
                ));
            }
            d
        }
        None => decisions::Resolved::default(),
    };
    clock.lap("keys");

    let pairs = block::candidate_pairs(
        &keys,
        &order,
        rules.matching.max_block_size,
        rules.matching.refine_blocks_above,
        rules.matching.refine_window,
        report,
    );
    for c in pairs.capped.iter().take(5) {
        report.warn(&format!(
            "{} records share a {} key and also a company, city, postcode, street, work domain \
             or family-name sound: a shared value, not one person, so they were not paired with \
             each other (max-block-size)",
            c.size,
            block::KINDS[c.kind as usize],
        ));
    }
    if pairs.capped.len() > 5 {
        report.warn(&format!(
            "{} more such groups; summary.json lists the largest",
            pairs.capped.len() - 5
        ));
    }
    clock.lap("block");

    report.stage("compare", Some(pairs.pairs.len() as u64));
    let methods: Vec<CompareMethod> = custom.iter().map(|(_, m)| *m).collect();
    let comparisons: Vec<Comparison> =
        map_pairs(&pairs.pairs, &keys, |_, a, b| compare(a, b, &methods));
    report.finish();
    clock.lap("compare");

    report.stage("score", None);
    let kinds: Vec<u8> = pairs.pairs.iter().map(|p| p.kind).collect();
    let model = score::model(&keys, &comparisons, &kinds, &custom, &rules.matching);
    drop(kinds);
    let weights: Vec<f64> = map_pairs(&pairs.pairs, &keys, |i, a, b| {
        model.weight(pairs.pairs[i].kind, comparisons[i], a, b)
    });
    // Nothing after this reads the comparisons but the review pairs', which are made
    // again from the keys: 8 bytes a pair (0.6 GB at 10M records) freed before
    // clustering.
    let comparisons = if keep { comparisons } else { Vec::new() };
    report.finish();
    clock.lap("score");

    report.stage("cluster", None);
    let match_w = score::weight_of(rules.matching.match_threshold);
    let cannot_w = score::weight_of(rules.matching.cannot_link_below);
    let edges = cluster::edges(&pairs.pairs, &weights, match_w);
    let cannot = cluster::cannot_links(&pairs.pairs, &weights, cannot_w).chain(
        decided
            .cannot
            .par_iter()
            .map(|&(a, b)| CannotLink { a, b, hard: true }),
    );
    // The summary of the weights is worked out on the other core while the clusters
    // are united, which is mostly one long sequential pass.
    let (clusters, weight_summary) = rayon::join(
        || cluster::clusters_ordered(keys.len(), edges, &decided.must, cannot, Some(&order)),
        || {
            output::html::WeightSummary::of(
                &weights,
                rules.matching.match_threshold,
                rules.matching.review_threshold,
            )
        },
    );
    let review_w = score::weight_of(rules.matching.review_threshold);
    let mut review: Vec<usize> = (0..pairs.pairs.len())
        .into_par_iter()
        .filter(|&i| {
            let p = pairs.pairs[i];
            weights[i] >= review_w
                && weights[i] < match_w
                && clusters.of[p.a as usize] != clusters.of[p.b as usize]
                // Pairs a reviewer already called different do not come back.
                && decided.cannot.binary_search(&(p.a, p.b)).is_err()
        })
        .collect();
    // Clusters of three or more whose weakest link is not sure (below halfway between
    // the match threshold and certainty): a reviewer should see that link, since a
    // "different people" there splits the cluster on the next run.
    let sure_w = score::weight_of(
        rules.matching.match_threshold + (1.0 - rules.matching.match_threshold) / 2.0,
    );
    // Only clusters of three or more have an entry (the order of the entries does not
    // matter: the review pairs are sorted below).
    let mut weakest: FxHashMap<u32, Edge> = FxHashMap::default();
    for e in &clusters.unions {
        let c = clusters.of[e.a as usize];
        if clusters.clusters[c as usize].len() >= 3 && e.weight.is_finite() {
            let w = weakest.entry(c).or_insert(*e);
            if e.weight < w.weight {
                *w = *e;
            }
        }
    }
    for e in weakest.into_values() {
        let (a, b) = (e.a.min(e.b), e.a.max(e.b));
        if e.weight < sure_w && decided.cannot.binary_search(&(a, b)).is_err() {
            if let Ok(i) = pairs.pairs.binary_search_by(|p| (p.a, p.b).cmp(&(a, b))) {
                review.push(i);
            }
        }
    }
    review.sort_by(|&x, &y| weights[y].total_cmp(&weights[x]).then(x.cmp(&y)));
    let review = review
        .into_par_iter()
        .map(|i| ReviewPair::new(&model, &pairs.pairs, &comparisons, &keys, i))
        .collect();
    // Writing reads the pairs and their weights only for `matches.csv` (the review
    // pairs carry their own): 20 bytes a pair that would otherwise stay through
    // survivorship and writing (1.5 GB at 10M records).
    let (mut pairs, mut weights) = (pairs, weights);
    if !keep && !rules.write_matches {
        drop(std::mem::take(&mut pairs.pairs));
        drop(std::mem::take(&mut weights));
    }
    let mut hold = None;
    let keys = if keep {
        keys
    } else if matches!(contacts, Spilled::Parked(_)) {
        // The contacts are about to be read back: free the keys first, on the worker
        // threads, so that their memory is there for the contacts instead of adding to
        // the peak; held, so that it is not handed back to the system and taken again.
        hold = Some(memory::Hold::start());
        keys.into_par_iter().with_min_len(1 << 12).for_each(drop);
        Vec::new()
    } else {
        // Freeing a million keys' strings takes a while; another thread does it while
        // survivorship runs.
        std::thread::spawn(move || drop(keys));
        Vec::new()
    };
    report.finish();
    clock.lap("cluster");

    let contacts = match contacts {
        Spilled::Kept(c) => c,
        Spilled::Parked(p) => {
            report.stage("unpark", None);
            let c = p.restore()?;
            drop(hold);
            report.finish();
            clock.lap("unpark");
            c
        }
    };
    report.stage("survive", Some(clusters.clusters.len() as u64));
    let masters = survive::masters(
        &inputs,
        &contacts,
        &clusters,
        &record_keys,
        &rules.survivorship,
    );
    report.finish();
    clock.lap("survive");

    Ok(Linked {
        inputs,
        contacts,
        keys,
        generic,
        record_keys,
        order,
        pairs,
        comparisons,
        weights,
        weight_summary,
        model,
        clusters,
        masters,
        review,
        stages: clock.stages,
        custom,
        decisions: decided,
    })
}

/// Runs the whole pipeline and writes the outputs; returns the summary.
pub fn run(rules: &Rules, opts: &RunOptions, report: &dyn Report) -> Result<output::Summary> {
    // Writing needs no match keys (the review outputs carry their own term-frequency
    // figures).
    let mut linked = link_keeping(rules, opts, report, false)?;
    let start = Mark::now();
    let summary = output::write_all(&mut linked, rules, &opts.out, report, start)?;
    // Freeing millions of small strings takes a noticeable share of a large run; the
    // caller has its summary, so let another thread do it (the process may exit first).
    std::thread::spawn(move || drop(linked));
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Silent;

    /// The demo's CRM and sign-up files, read fresh.
    fn demo_inputs() -> Inputs {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let specs: Vec<SourceSpec> = ["crm.csv", "signups.csv"]
            .iter()
            .map(|f| SourceSpec {
                path: Some(demo.join(f)),
                default_country: Some("DE".into()),
                ..Default::default()
            })
            .collect();
        import::inputs(&specs, &Silent::default()).expect("demo files")
    }

    /// Normalising in waves of a few records, parking each wave's contacts as it goes,
    /// gives the same contacts, keys and stable keys, in the same order, as one wave
    /// kept in memory; the raw values are freed either way.
    #[test]
    fn waves_and_parking_change_nothing() {
        let rules = Rules::defaults();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut whole = demo_inputs();
        let mut waves = demo_inputs();
        let n = whole.records.len();
        assert!(n > 20, "enough records for several waves");
        let (c1, k1, r1) = normalise(
            &mut whole,
            &rules,
            &[],
            None,
            usize::MAX,
            &Silent::default(),
        )
        .expect("one wave");
        let (c2, k2, r2) = normalise(
            &mut waves,
            &rules,
            &[],
            Some(dir.path()),
            7,
            &Silent::default(),
        )
        .expect("waves");
        let c1 = match c1 {
            Spilled::Kept(c) => c,
            Spilled::Parked(_) => panic!("parked without a folder"),
        };
        let c2 = match c2 {
            Spilled::Parked(p) => p.restore().expect("read back"),
            Spilled::Kept(_) => panic!("not parked"),
        };
        let debug = |v: &[Contact]| v.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>();
        assert_eq!(c1.len(), n);
        assert_eq!(debug(&c1), debug(&c2));
        let keys = |v: &[MatchKey]| v.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>();
        assert_eq!(keys(&k1), keys(&k2));
        assert_eq!(r1, r2);
        assert!(waves.records.iter().all(|r| r.values.is_empty()));
        assert!(
            c1.iter().any(|c| !c.emails().is_empty()),
            "contacts have content"
        );
    }
}
