//! Scoring: Fellegi–Sunter match weights, fitted to the data on every run, no labels.
//!
//! Input: the candidate pairs' [`Comparison`]s. Output: a [`Model`] (m and u per field
//! level, the prior) and each pair's weight.
//!
//! * **m** (how often a level occurs between two records of one person) comes from
//!   anchor pairs (see [`model`]).
//! * **u** (how often it occurs between two different people) and the share of matches
//!   come from expectation maximisation with m held fixed, separately for each blocking
//!   key kind: the different people that a shared phone brings together (colleagues at
//!   one switchboard) are not like those a shared name sound brings together
//!   (namesakes), and the mix of kinds changes with the size of the data. EM runs over
//!   the counts of distinct comparison vectors, not over pairs: a million pairs
//!   collapse to a few thousand vectors, so EM costs nothing.
//! * **Term frequencies** move the weight of an exact name agreement: agreeing on a rare
//!   family name says more than agreeing on "Smith".
//! * m and u are shares among the pairs that could show a level (`compare::level_class`):
//!   "same city" is weighed among pairs with only a city to compare.
//!
//! The weight of a pair is the prior plus the sum of log2(m/u) of its levels (a
//! different work e-mail beside a different company counts 0, see
//! [`Model::pattern_weight`]) plus the term-frequency adjustments; its probability is 1 / (1 + 2^-weight). `explain` uses
//! the same functions, so it shows the numbers the clustering used.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::compare::{
    agrees, level_class, level_count, Comparison, CUSTOM_LEVELS, FIELDS, LEVELS, LEVEL_CLASSES,
};
use crate::normalize::keys::MatchKey;
use crate::rules::{CompareMethod, Matching};

/// m for each level of one field.
#[derive(Debug, Clone)]
pub struct FieldModel {
    /// Field name.
    pub name: String,
    /// m per level (level 0, missing, is unused).
    pub m: Vec<f64>,
}

/// u and the match share among the pairs one blocking-key kind produced.
#[derive(Debug, Clone)]
pub struct KindModel {
    /// The kind's name (see `block::KINDS`).
    pub name: &'static str,
    /// Candidate pairs of this kind.
    pub pairs: f64,
    /// Share of matches among them.
    pub lambda: f64,
    /// u per field and level.
    pub u: Vec<Vec<f64>>,
    /// log2(m/u) per field and level, clamped; 0 for "missing".
    pub weights: Vec<Vec<f64>>,
}

impl FieldModel {
    /// The plain-words label of a level.
    pub fn label(&self, field: usize, level: usize) -> &'static str {
        if field < FIELDS.len() {
            LEVELS[field][level]
        } else {
            CUSTOM_LEVELS[level]
        }
    }
}

/// The fitted model.
#[derive(Debug, Clone)]
pub struct Model {
    /// One entry per compared field (built-in, then custom).
    pub fields: Vec<FieldModel>,
    /// One entry per blocking-key kind.
    pub kinds: Vec<KindModel>,
    /// EM rounds run (the most any kind needed).
    pub iterations: u32,
    /// Custom comparison methods, same order as the custom fields.
    pub custom_methods: Vec<CompareMethod>,
    /// `different-names-never-merge`: see [`Model::vetoed`].
    pub name_veto: bool,
    /// The term-frequency adjustment of each given-name hash and of each family-name
    /// hash, worked out once per name rather than once per pair (see [`tf_adjustment`]),
    /// with the number of records that bear the name.
    given_tf: FxHashMap<u64, (f64, u32)>,
    family_tf: FxHashMap<u64, (f64, u32)>,
    /// Records in the run.
    records: f64,
    /// The adjustments of a name no record has (one that occurs once), for lookups
    /// that miss.
    given_tf_once: f64,
    family_tf_once: f64,
    /// `name-alone-bearers`: see [`NameFrequency::name_alone`].
    name_alone_bearers: u32,
    /// Full names (given and family hash, see [`full_name`]) borne by more than
    /// `name_alone_bearers` records, sorted.
    common_names: Vec<u64>,
    /// The weight a pair held by `name-alone-bearers` gets at most: just below the
    /// match threshold, so it goes to review.
    name_alone_cap: f64,
}

/// A weight breakdown of one pair: what `explain` prints.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// The blocking-key kind that produced the pair.
    pub kind: &'static str,
    /// (field name, level, label, weight) per field.
    pub fields: Vec<(String, usize, &'static str, f64)>,
    /// Term-frequency adjustments and how common the full name is.
    pub tf: NameFrequency,
    /// The prior.
    pub prior: f64,
    /// Total weight.
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
    /// The pair was held apart by `different-names-never-merge`.
    pub vetoed: bool,
    /// The pair was held below the match threshold by `name-alone-bearers`.
    pub name_alone: bool,
}

/// What two records' names say beyond their level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameFrequency {
    /// Term-frequency adjustment of an agreeing given name.
    pub given: f64,
    /// Term-frequency adjustment of an agreeing family name.
    pub family: f64,
    /// `name-alone-bearers` holds the pair below the match threshold: the names are
    /// all the two records agree on, and
    /// * something else differs (a phone, a company, an address, two personal e-mail
    ///   addresses), or
    /// * there is nothing else to compare (a personal against a work e-mail address
    ///   says nothing either way), and they do not share one full name that at most
    ///   that many records bear and that is rare by its parts (see
    ///   [`CHANCE_NAMESAKES`]).
    ///
    /// How much a name alone says depends on how many people bear it, and that number
    /// grows with the list while a name's share of it, which the term-frequency
    /// adjustment reads, does not: among such pairs of generated data, 65 % at a
    /// million records and 69 % at ten million were two different people. The pair
    /// goes to review instead.
    pub name_alone: bool,
}

/// A full name that the list's other records would spell this many times or more by
/// chance is too common to merge two records on, however few bear it.
///
/// "By chance" is the number of records with the given name, times those with the
/// family name, over all records, the pair's own two left out of each count: how many
/// would bear the full name if names were paired at random. It
/// grows with the list as the number of namesakes does, where the count of bearers
/// stays small for a name that two or three people happen to share. Among pairs with
/// nothing but a rare full name to compare on generated data, 89–94 % were one
/// person below 0.03 at any size, and 22–40 % between 0.3 and 1; at ten million
/// records the pairs the count let through were two different people 55 % of the
/// time.
pub const CHANCE_NAMESAKES: f64 = 0.1;

/// The weight given to a pair that a hard rule keeps apart (probability about 1e-9).
pub const VETO_WEIGHT: f64 = -30.0;

/// Largest absolute weight of one level: no single field may decide alone beyond this.
const MAX_LEVEL_WEIGHT: f64 = 14.0;
/// Largest absolute term-frequency adjustment.
const MAX_TF: f64 = 4.0;

/// A full name as one number: given and family name hashes together (0 without both).
fn full_name(k: &MatchKey) -> u64 {
    if k.given_h == 0 || k.family_h == 0 {
        return 0;
    }
    k.given_h
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(29)
        ^ k.family_h
}

/// The full names borne by more than `bearers` records, sorted (none when `bearers` is
/// 0, the rule being off). Only these are kept: on ten million records they are a
/// small share of the names.
fn common_full_names(keys: &[MatchKey], bearers: u32) -> Vec<u64> {
    if bearers == 0 {
        return Vec::new();
    }
    let mut all: Vec<u64> = keys.par_iter().map(full_name).filter(|&h| h != 0).collect();
    all.par_sort_unstable();
    all.chunk_by(|a, b| a == b)
        .filter(|run| run.len() > bearers as usize)
        .map(|run| run[0])
        .collect()
}

/// Probability from a weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Weight from a probability.
pub fn weight_of(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

/// A small deterministic generator (splitmix64): random pairs must not depend on the
/// platform or the thread count.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every record's given-name and family-name hashes (missing names left out), each
/// list sorted.
fn sorted_names(keys: &[MatchKey]) -> (Vec<u64>, Vec<u64>) {
    let mut given: Vec<u64> = keys.iter().map(|k| k.given_h).filter(|&h| h != 0).collect();
    let mut family: Vec<u64> = keys
        .iter()
        .map(|k| k.family_h)
        .filter(|&h| h != 0)
        .collect();
    given.par_sort_unstable();
    family.par_sort_unstable();
    (given, family)
}

/// The term-frequency adjustment of each name hash, from the sorted list: one entry
/// per run, so no counter is looked up once per record, and the logarithm is taken once
/// per name instead of once per pair.
fn frequencies(sorted: &[u64], rate: f64, records: f64) -> FxHashMap<u64, (f64, u32)> {
    let mut adjustments = FxHashMap::default();
    for run in sorted.chunk_by(|a, b| a == b) {
        let n = u32::try_from(run.len()).unwrap_or(u32::MAX);
        adjustments.insert(run[0], (tf_adjustment(n, rate, records), n));
    }
    adjustments
}

/// The weight added for agreeing on a name that `n` of `records` records have, when two
/// random records share some name at `rate`: above 0 for rare names.
fn tf_adjustment(n: u32, rate: f64, records: f64) -> f64 {
    // The chance that a random other record has this very value, against the chance
    // that it shares whatever value.
    let p = n.max(1) as f64 / records;
    (rate / p).log2().clamp(-MAX_TF, MAX_TF)
}

/// How often two random records share a given name, and a family name, exactly:
/// the baseline the term-frequency adjustment compares a name's own frequency with.
///
/// The pairs are drawn from the sorted list of name hashes rather than by record
/// number, so the estimate (and every weight after it) is the same however the input
/// rows are ordered.
fn random_name_rates(given: &[u64], family: &[u64], rules: &Matching) -> (f64, f64) {
    let sample = |hashes: &[u64], salt: u64| -> (f64, f64) {
        let n = hashes.len() as u64;
        if n < 2 {
            return (0.0, 0.0);
        }
        // Small inputs have few distinct pairs; sampling far more than that is wasted work.
        let wanted = (rules.random_pairs as u64).min(n.saturating_mul(50));
        let chunks = 64u64;
        let per = wanted.div_ceil(chunks);
        (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut state = rules.seed ^ salt ^ c.wrapping_mul(0xA076_1D64_78BD_642F);
                let (mut seen, mut equal) = (0.0f64, 0.0f64);
                for _ in 0..per {
                    let a = splitmix(&mut state) % n;
                    let b = splitmix(&mut state) % n;
                    if a == b {
                        continue;
                    }
                    seen += 1.0;
                    equal += f64::from(hashes[a as usize] == hashes[b as usize]);
                }
                (seen, equal)
            })
            .reduce(|| (0.0, 0.0), |x, y| (x.0 + y.0, x.1 + y.1))
    };
    let (given_seen, given_equal) = sample(given, 0);
    let (family_seen, family_equal) = sample(family, 0x5EED);
    let names = [given_seen, given_equal, family_seen, family_equal];
    let rate = |eq: f64, seen: f64| (eq + 0.5) / (seen + 1.0);
    (rate(names[1], names[0]), rate(names[3], names[2]))
}

/// Level counts of `field` over the patterns `pick` selects.
fn level_counts(
    patterns: &[(Comparison, f64)],
    field: usize,
    pick: impl Fn(Comparison) -> bool,
) -> Vec<f64> {
    let mut row = vec![0.0; level_count(field)];
    for (p, n) in patterns {
        if pick(*p) {
            row[p.level(field)] += n;
        }
    }
    row
}

/// Counts (level 0 ignored) blended with a prior worth `strength` pairs, normalised
/// within each class of `field`'s levels (see [`level_class`]).
fn blend(field: usize, counts: &[f64], prior: &[f64], strength: f64) -> Vec<f64> {
    let class = |l: usize| level_class(field, l);
    let mut seen = [0.0f64; LEVEL_CLASSES];
    let mut prior_sum = [0.0f64; LEVEL_CLASSES];
    for l in 1..counts.len() {
        seen[class(l)] += counts[l];
        prior_sum[class(l)] += prior[l];
    }
    let mut out: Vec<f64> = (0..counts.len())
        .map(|l| {
            let c = class(l);
            (counts[l] + strength * prior[l] / prior_sum[c]) / (seen[c] + strength)
        })
        .collect();
    out[0] = 1.0;
    out
}

/// Weak priors, used as pseudo-counts so that small inputs (a few dozen candidate
/// pairs, where EM alone is noise) still get sensible weights; on real-size inputs the
/// data outweighs them. They are reasoned, round numbers, not fitted to any data set.
/// m: how often one person's two records show each level.
fn prior_m(field: usize) -> Vec<f64> {
    match field {
        0 => vec![0.0, 0.80, 0.03, 0.08, 0.04, 0.02, 0.015, 0.01, 0.005],
        1 => vec![0.0, 0.75, 0.01, 0.06, 0.03, 0.05, 0.75, 0.04, 0.25, 0.04],
        2 => vec![0.0, 0.75, 0.05, 0.02, 0.18],
        3 => vec![0.0, 0.60, 0.30, 0.10],
        4 => vec![0.0, 0.80, 0.12, 0.85, 0.85, 0.08, 0.15, 0.15],
        _ => vec![0.0, 0.90, 0.05, 0.05],
    }
}

/// u: how often two *different* people who share some blocking key (colleagues,
/// relatives, namesakes) show each level.
fn prior_u(field: usize) -> Vec<f64> {
    match field {
        0 => vec![0.0, 0.01, 0.002, 0.01, 0.01, 0.005, 0.15, 0.15, 0.663],
        1 => vec![
            0.0, 0.001, 0.05, 0.02, 0.005, 0.20, 0.95, 0.424, 0.05, 0.424,
        ],
        2 => vec![0.0, 0.01, 0.15, 0.002, 0.838],
        3 => vec![0.0, 0.15, 0.05, 0.80],
        4 => vec![0.0, 0.15, 0.02, 0.20, 0.30, 0.83, 0.80, 0.70],
        _ => vec![0.0, 0.05, 0.05, 0.90],
    }
}

/// Pseudo-pairs behind the m prior, the u prior and the match-share prior.
const PRIOR_M_PAIRS: f64 = 50.0;
const PRIOR_U_PAIRS: f64 = 200.0;
const PRIOR_LAMBDA_PAIRS: f64 = 20.0;
const PRIOR_LAMBDA: f64 = 0.2;

impl KindModel {
    fn with_iterations(self, it: u32) -> (KindModel, u32) {
        (self, it)
    }
}

/// EM for one blocking-key kind: m fixed, u and the match share free.
fn fit_kind(
    patterns: &[(Comparison, f64)],
    m: &[Vec<f64>],
    nfields: usize,
    max_iterations: u32,
) -> (KindModel, u32) {
    // Start from the reasoned u, not from the kind's own level frequencies: in a kind
    // whose pairs are nearly all matches (a shared e-mail address) those frequencies
    // equal m, and EM would stay in the useless solution u = m.
    let mut u: Vec<Vec<f64>> = (0..nfields).map(prior_u).collect();
    let mut lambda: f64 = PRIOR_LAMBDA;
    let mut iterations = 0;
    let total: f64 = patterns.iter().map(|(_, n)| n).sum();
    for _ in 0..max_iterations {
        iterations += 1;
        let mut uu: Vec<Vec<f64>> = (0..nfields).map(|f| vec![0.0; level_count(f)]).collect();
        let mut matched = 0.0;
        for (p, n) in patterns {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for f in 0..nfields {
                let l = p.level(f);
                if l != 0 {
                    lm += m[f][l].ln();
                    lu += u[f][l].ln();
                }
            }
            let g = 1.0 / (1.0 + (lu - lm).exp());
            matched += n * g;
            for (f, row) in uu.iter_mut().enumerate() {
                row[p.level(f)] += n * (1.0 - g);
            }
        }
        let new_lambda = ((matched + PRIOR_LAMBDA_PAIRS * PRIOR_LAMBDA)
            / (total + PRIOR_LAMBDA_PAIRS))
            .clamp(1e-6, 1.0 - 1e-6);
        let mut change = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for f in 0..nfields {
            let v = blend(f, &uu[f], &prior_u(f), PRIOR_U_PAIRS);
            for l in 1..v.len() {
                change = change.max((v[l] - u[f][l]).abs());
            }
            u[f] = v;
        }
        if change < 1e-6 {
            break;
        }
    }
    let weights = (0..nfields)
        .map(|f| {
            (0..u[f].len())
                .map(|l| {
                    if l == 0 {
                        0.0
                    } else {
                        (m[f][l] / u[f][l])
                            .log2()
                            .clamp(-MAX_LEVEL_WEIGHT, MAX_LEVEL_WEIGHT)
                    }
                })
                .collect()
        })
        .collect();
    (
        KindModel {
            name: "",
            pairs: total,
            lambda,
            u,
            weights,
        },
        iterations,
    )
}

/// Fits the model without labels.
///
/// * m comes from *anchor* pairs: pairs that share a non-generic e-mail address are
///   almost always one person, so the levels of their other fields show how one
///   person's records differ (typos, nicknames, moved house). The e-mail's own m comes
///   from pairs with the same name and the same non-shared phone.
/// * u and the share of matches come from expectation maximisation over the counts of
///   distinct comparison vectors of the candidate pairs, with m held fixed. u is
///   therefore "how often two *nearby* different people agree" (colleagues share a
///   company and a switchboard, relatives an address), not how often two random
///   records do, which would make any shared company look like strong evidence.
///   Random pairs give the starting u and the term-frequency baseline.
pub fn model(
    keys: &[MatchKey],
    comparisons: &[Comparison],
    kinds: &[u8],
    custom: &[(String, CompareMethod)],
    rules: &Matching,
) -> Model {
    let nfields = FIELDS.len() + custom.len();
    let methods: Vec<CompareMethod> = custom.iter().map(|(_, m)| *m).collect();
    let (given, family) = sorted_names(keys);
    let (given_rate, family_rate) = random_name_rates(&given, &family, rules);

    let records = keys.len().max(1) as f64;
    let nkinds = crate::block::KINDS.len();
    // The distinct comparison patterns with their counts, and the name frequencies, on
    // both cores. The counts are whole numbers, so their sums do not depend on how
    // the pairs were shared out.
    let (counts, (given_tf, family_tf)) = rayon::join(
        || {
            comparisons
                .par_iter()
                .zip(kinds)
                .fold(
                    FxHashMap::default,
                    |mut m: FxHashMap<(u8, u64), f64>, (c, k)| {
                        *m.entry((*k, c.0)).or_default() += 1.0;
                        m
                    },
                )
                .reduce(FxHashMap::default, |mut a, b| {
                    for (k, n) in b {
                        *a.entry(k).or_default() += n;
                    }
                    a
                })
        },
        || {
            rayon::join(
                || frequencies(&given, given_rate, records),
                || frequencies(&family, family_rate, records),
            )
        },
    );
    drop((given, family));
    let mut by_kind: Vec<Vec<(Comparison, f64)>> = vec![Vec::new(); nkinds];
    for ((k, p), n) in counts {
        by_kind[k as usize].push((Comparison(p), n));
    }
    for v in &mut by_kind {
        v.sort_unstable_by_key(|(p, _)| *p);
    }
    let all: Vec<(Comparison, f64)> = by_kind.iter().flatten().copied().collect();

    let same_email = |p: Comparison| p.level(1) == 1;
    let same_name_phone = |p: Comparison| p.level(0) == 1 && p.level(2) == 1;
    let m: Vec<Vec<f64>> = (0..nfields)
        .map(|f| {
            let counts = if f == 1 {
                level_counts(&all, f, same_name_phone)
            } else {
                level_counts(&all, f, same_email)
            };
            blend(f, &counts, &prior_m(f), PRIOR_M_PAIRS)
        })
        .collect();

    let mut iterations = 0;
    let kinds: Vec<KindModel> = by_kind
        .par_iter()
        .enumerate()
        .map(|(k, patterns)| {
            let (km, it) = fit_kind(patterns, &m, nfields, rules.em_iterations);
            KindModel {
                name: crate::block::KINDS[k],
                ..km
            }
            .with_iterations(it)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(km, it)| {
            iterations = iterations.max(it);
            km
        })
        .collect();

    let fields: Vec<FieldModel> = (0..nfields)
        .map(|f| FieldModel {
            name: if f < FIELDS.len() {
                FIELDS[f].to_string()
            } else {
                custom[f - FIELDS.len()].0.clone()
            },
            m: m[f].clone(),
        })
        .collect();
    Model {
        fields,
        kinds,
        iterations,
        custom_methods: methods,
        name_veto: rules.different_names_never_merge,
        given_tf,
        family_tf,
        records,
        given_tf_once: tf_adjustment(1, given_rate, records),
        family_tf_once: tf_adjustment(1, family_rate, records),
        name_alone_bearers: rules.name_alone_bearers,
        common_names: common_full_names(keys, rules.name_alone_bearers),
        name_alone_cap: weight_of(rules.match_threshold) - 0.01,
    }
}

impl Model {
    /// The prior weight of a kind: log2 of the match odds among its candidate pairs.
    pub fn prior(&self, kind: u8) -> f64 {
        weight_of(self.kinds[kind as usize].lambda)
    }

    /// Term-frequency adjustments (given, family) for a pair, and whether
    /// `name-alone-bearers` holds it. Only name levels that speak
    /// for a match are adjusted: a rare family name shared by two different given
    /// names points to relatives, not to one person.
    pub fn tf(&self, c: Comparison, a: &MatchKey, b: &MatchKey) -> NameFrequency {
        let level = c.level(0);
        let given = if matches!(level, 1 | 5) && a.given_h == b.given_h {
            self.given_tf
                .get(&a.given_h)
                .map_or(self.given_tf_once, |t| t.0)
        } else {
            0.0
        };
        let family = if matches!(level, 1..=4) && a.family_h == b.family_h {
            self.family_tf
                .get(&a.family_h)
                .map_or(self.family_tf_once, |t| t.0)
        } else {
            0.0
        };
        // Only a pair with nothing but its names in agreement needs the look-ups.
        let name_alone = self.name_alone_bearers > 0
            && self.only_names_agree(c)
            && if self.nothing_but_names(c) {
                let name = full_name(a);
                !(level == 1
                    && name == full_name(b)
                    && self.common_names.binary_search(&name).is_err()
                    && self.chance_namesakes(a) < CHANCE_NAMESAKES)
            } else {
                // Where the names differ too, nothing agrees: no rule is needed.
                agrees(0, level)
            };
        NameFrequency {
            given,
            family,
            name_alone,
        }
    }

    /// The weight of a comparison without term frequencies.
    pub fn pattern_weight(&self, kind: u8, c: Comparison) -> f64 {
        let k = &self.kinds[kind as usize];
        let mut w = self.prior(kind);
        for f in 0..k.weights.len() {
            w += Self::level_weight(k, c, f);
        }
        w
    }

    /// The weight of field `f`'s level in `c`, under `k`.
    ///
    /// Fields are scored as independent evidence, but a work e-mail address goes with
    /// the job, so where the two say one thing it counts once:
    /// * where the companies differ, different work addresses are what one person who
    ///   changed employer shows too: they add nothing to the company's difference and
    ///   count 0;
    /// * two addresses at one company's domain (similar or different, levels 4 and 5)
    ///   already say "same company", and the e-mail level's weight carries it: the
    ///   company's agreement counts 0. Counted twice, it merged colleagues with
    ///   similar names (a similar e-mail at the company's domain, a different phone):
    ///   on generated data at ten million records, 1,967 such pairs, 3 % one person,
    ///   98 % merged.
    fn level_weight(k: &KindModel, c: Comparison, f: usize) -> f64 {
        if f == 1 && c.level(1) == 9 && c.level(3) == 3 {
            return 0.0;
        }
        if f == 3 && matches!(c.level(1), 4 | 5) && matches!(c.level(3), 1 | 2) {
            return 0.0;
        }
        k.weights[f][c.level(f)]
    }

    /// Whether `different-names-never-merge` holds a pair apart: the given names
    /// clearly differ (a different family name too, or the same family name — two
    /// relatives) and the two do not share a personal e-mail address. Colleagues at
    /// one switchboard and relatives at one address agree on much else; on small
    /// inputs the model cannot learn that this agreement means little, so a rule does.
    pub fn vetoed(&self, c: Comparison) -> bool {
        self.name_veto && matches!(c.level(0), 6 | 8) && c.level(1) != 1
    }

    /// The full weight of a pair: prior + level weights + term-frequency adjustments,
    /// or [`VETO_WEIGHT`] when a hard rule holds the pair apart.
    pub fn weight(&self, kind: u8, c: Comparison, a: &MatchKey, b: &MatchKey) -> f64 {
        self.weight_with_tf(kind, c, self.tf(c, a, b))
    }

    /// [`Model::weight`] with the term-frequency adjustments already worked out.
    pub fn weight_with_tf(&self, kind: u8, c: Comparison, tf: NameFrequency) -> f64 {
        let w = self.pattern_weight(kind, c) + tf.given + tf.family;
        if self.vetoed(c) {
            w.min(VETO_WEIGHT)
        } else if tf.name_alone {
            w.min(self.name_alone_cap)
        } else {
            w
        }
    }

    /// Whether a pair has nothing but its names to compare: e-mail missing or one
    /// personal against one work address, every other field missing on one side.
    fn nothing_but_names(&self, c: Comparison) -> bool {
        matches!(c.level(1), 0 | 6) && (2..self.fields.len()).all(|f| c.level(f) == 0)
    }

    /// Whether the names are all a pair agrees on: every other field is missing on one
    /// side or differs (see [`agrees`]).
    fn only_names_agree(&self, c: Comparison) -> bool {
        (1..self.fields.len()).all(|f| !agrees(f, c.level(f)))
    }

    /// How many records would bear `k`'s full name by chance (see
    /// [`CHANCE_NAMESAKES`]), leaving out the two of the pair.
    fn chance_namesakes(&self, k: &MatchKey) -> f64 {
        let others = |map: &FxHashMap<u64, (f64, u32)>, h: u64| {
            map.get(&h)
                .map_or(0.0, |t| f64::from(t.1.saturating_sub(2)))
        };
        others(&self.given_tf, k.given_h) * others(&self.family_tf, k.family_h) / self.records
    }

    /// Every number behind a pair's weight.
    pub fn breakdown(&self, kind: u8, c: Comparison, a: &MatchKey, b: &MatchKey) -> Breakdown {
        self.breakdown_with_tf(kind, c, self.tf(c, a, b))
    }

    /// [`Model::breakdown`] with the term-frequency adjustments already worked out, for
    /// callers that no longer hold the match keys.
    pub fn breakdown_with_tf(&self, kind: u8, c: Comparison, tf: NameFrequency) -> Breakdown {
        let k = &self.kinds[kind as usize];
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(f, fm)| {
                let l = c.level(f);
                (
                    fm.name.clone(),
                    l,
                    fm.label(f, l),
                    Self::level_weight(k, c, f),
                )
            })
            .collect();
        let weight = self.weight_with_tf(kind, c, tf);
        Breakdown {
            kind: k.name,
            fields,
            tf,
            prior: self.prior(kind),
            weight,
            probability: probability(weight),
            vetoed: self.vetoed(c),
            name_alone: !self.vetoed(c) && tf.name_alone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_weight_are_inverse() {
        for p in [0.01, 0.5, 0.95, 0.999] {
            assert!((probability(weight_of(p)) - p).abs() < 1e-9);
        }
    }

    #[test]
    fn levels_are_shares_of_the_pairs_that_could_show_them() {
        // Anchor pairs: most have two streets to compare; the few that have only a
        // city nearly all agree on it.
        let mut counts = vec![0.0; level_count(4)];
        counts[1] = 9000.0; // same street
        counts[5] = 800.0; // different street
        counts[4] = 95.0; // same city
        counts[7] = 5.0; // different city
        let m = blend(4, &counts, &prior_m(4), PRIOR_M_PAIRS);
        for class in 0..3 {
            let sum: f64 = (1..m.len())
                .filter(|&l| level_class(4, l) == class)
                .map(|l| m[l])
                .sum();
            assert!((sum - 1.0).abs() < 1e-9, "class {class} sums to {sum}");
        }
        // "Same city" is what one person's city-only records usually show, not a
        // rare level among all addresses.
        assert!(m[4] > 0.8, "m(same city) = {}", m[4]);
        assert!(m[1] > 0.85 && m[1] < 0.95, "m(same street) = {}", m[1]);
    }

    #[test]
    fn a_new_employer_is_counted_once() {
        let mut weights: Vec<Vec<f64>> = (0..FIELDS.len())
            .map(|f| vec![0.0; level_count(f)])
            .collect();
        weights[1][7] = -6.0; // different e-mail
        weights[1][9] = -6.0; // different work e-mail
        weights[1][4] = 4.0; // similar e-mail at the company's domain
        weights[1][5] = 2.0; // different e-mail at the company's domain
        weights[3][1] = 3.0; // same company
        weights[3][3] = -6.5; // different company
        let kind = KindModel {
            name: "test",
            pairs: 1.0,
            lambda: 0.5,
            u: Vec::new(),
            weights,
        };
        let pattern = |email: u64, company: u64| Comparison(email << 4 | company << 12);
        let sum = |c: Comparison| -> f64 {
            (0..FIELDS.len())
                .map(|f| Model::level_weight(&kind, c, f))
                .sum()
        };
        // Another employer, and work addresses at another domain: one difference.
        assert_eq!(sum(pattern(9, 3)), -6.5);
        // Different personal addresses say something of their own.
        assert_eq!(sum(pattern(7, 3)), -12.5);
        // At one company, two work addresses that differ are two people.
        assert_eq!(sum(pattern(9, 1)), -3.0);
        // Two addresses at one company's domain say "same company" already; the
        // company counts where the addresses do not share the domain.
        assert_eq!(sum(pattern(4, 1)), 4.0);
        assert_eq!(sum(pattern(5, 1)), 2.0);
        assert_eq!(sum(pattern(7, 1)), -3.0);
    }

    #[test]
    fn a_name_alone_merges_only_when_few_bear_it() {
        use crate::compare::compare;
        use crate::normalize::keys::test_key;
        // Six records bear "Anna Schmidt", two "Berta Vogel"; each pair below has
        // nothing to compare but the name and a personal against a work address.
        let mut keys = vec![test_key("Anna", "Schmidt", "anna.s@gmail.com", 0, "")];
        for firm in ["alpha", "beta", "gamma", "delta", "epsilon"] {
            keys.push(test_key(
                "Anna",
                "Schmidt",
                &format!("a.schmidt@{firm}.de"),
                0,
                "",
            ));
        }
        keys.push(test_key("Berta", "Vogel", "berta.v@gmail.com", 0, ""));
        keys.push(test_key("Berta", "Vogel", "b.vogel@zeta.de", 0, ""));
        keys.push(test_key("Berta", "Vogl", "b.vogl@eta.de", 0, ""));
        keys.push(test_key(
            "Anna",
            "Schmidt",
            "anna.s@gmail.com",
            301234567,
            "",
        ));
        // Two "Carla Weiss" with different phones and nothing else in common (10, 11).
        keys.push(test_key("Carla", "Weiss", "", 301111111, ""));
        keys.push(test_key("Carla", "Weiss", "", 302222222, ""));
        // Two "Maria Keller" (12, 13): a rare full name, but Maria and Keller are
        // frequent with other names, so that a list this size would hold more than
        // CHANCE_NAMESAKES of them by chance.
        keys.push(test_key("Maria", "Keller", "maria.k@gmail.com", 0, ""));
        keys.push(test_key("Maria", "Keller", "m.keller@theta.de", 0, ""));
        for (given, family) in [("Maria", "Huber"), ("Maria", "Wolf"), ("Jana", "Keller")] {
            keys.push(test_key(given, family, "", 0, ""));
        }
        keys.push(test_key("Paul", "Keller", "", 0, ""));
        let pairs = [
            (0u32, 1u32),
            (6, 7),
            (6, 8),
            (0, 9),
            (1, 2),
            (10, 11),
            (12, 13),
            (9, 10),
        ];
        let comparisons: Vec<Comparison> = pairs
            .iter()
            .map(|&(a, b)| compare(&keys[a as usize], &keys[b as usize], &[]))
            .collect();
        let kinds = vec![2u8; pairs.len()];
        let mut rules = crate::rules::Rules::defaults().matching;
        assert_eq!(rules.name_alone_bearers, 4);
        let threshold = weight_of(rules.match_threshold);
        let held = |model: &Model, i: usize| {
            let (a, b) = (&keys[pairs[i].0 as usize], &keys[pairs[i].1 as usize]);
            let c = comparisons[i];
            let held = model.tf(c, a, b).name_alone;
            if held {
                assert!(model.weight(2, c, a, b) < threshold);
                assert!(model.breakdown(2, c, a, b).name_alone);
            }
            held
        };
        let on = model(&keys, &comparisons, &kinds, &[], &rules);
        assert_eq!(comparisons[0].level(1), 6, "a personal and a work address");
        assert!(held(&on, 0), "a name six records bear");
        assert!(!held(&on, 1), "a name two records bear");
        assert!(held(&on, 2), "two spellings of a name");
        assert!(
            !held(&on, 3),
            "a shared e-mail address is more than the name"
        );
        assert!(!held(&on, 4), "one e-mail name at two domains is more");
        assert_eq!(comparisons[5].level(2), 4, "different phones");
        assert!(held(&on, 5), "the name, and a difference besides");
        assert!(on.chance_namesakes(&keys[12]) > CHANCE_NAMESAKES);
        assert!(on.chance_namesakes(&keys[6]) < CHANCE_NAMESAKES);
        assert!(held(&on, 6), "a name common by its parts");
        assert_eq!(comparisons[7].level(0), 8);
        assert!(
            !held(&on, 7),
            "different names, different phones: nothing agrees"
        );
        rules.name_alone_bearers = 0;
        let off = model(&keys, &comparisons, &kinds, &[], &rules);
        assert!(!held(&off, 0), "the limit turned off");
    }

    #[test]
    fn splitmix_is_deterministic() {
        let (mut a, mut b) = (7, 7);
        assert_eq!(splitmix(&mut a), splitmix(&mut b));
    }
}
