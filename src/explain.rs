//! `listmerge explain A B INPUT...`: why two records did (or did not) end up in one master.
//!
//! Input: a finished [`Linked`] (the same [`pipeline::link`] a `run` does, with the same
//! rules and inputs) and two record names. Output: an [`Explanation`]: both records'
//! values, the blocking keys they share, each field's level and weight, the
//! term-frequency adjustment, the total weight and probability, the thresholds and the
//! masters the two ended in. [`to_text`] renders it for people; it serialises to JSON
//! for scripts.
//!
//! **Same numbers as the clustering.** For a candidate pair, the weight and the
//! comparison are read from `linked.weights` / `linked.comparisons` (found by binary
//! search on `(a, b)` in the sorted pairs), and the per-field breakdown comes from
//! [`Model::breakdown`](crate::score::Model::breakdown), the function `review.csv` uses;
//! the tests check that the two agree to the bit.
//!
//! **Pairs that were never compared.** Blocking only compares records that share a
//! blocking key. When the two records share none, the pair was never a candidate: the
//! explanation says so and still shows what the weight *would* be, scored with the
//! kind whose prior is lowest (the most sceptical of the per-kind models), because no
//! kind's model describes pairs that share nothing. When they do share a key but are
//! not a candidate, that key's block was larger than `max-block-size` and was skipped;
//! the weight is then scored with that kind. Either way the weight is marked
//! hypothetical: the clustering never saw it.
//!
//! **Naming records.** In this order: a stable record key as in `xref.csv`'s
//! `stable_key` (which, for a source with its own ids, is `source:id`, e.g.
//! `crm:10451`); `source:row` (`tradeshow:5`); `file:row` or `file:sheet:row`, where the
//! file may be any trailing part of the path (`tradeshow.csv:5`,
//! `fixtures/demo/tradeshow.csv:5`). Rows are 1-based data rows, as in `xref.csv`.
//!
//! Unlike errors and logs, the output shows field values: the user's own data on their
//! own terminal, and seeing them is the point. Error messages name only the key given.
//!
//! Cost: the whole pipeline runs once (there is no saved model to read), so explaining
//! a pair takes as long as a `run` without writing the outputs.
//!
//! [`pipeline::link`]: crate::pipeline::link

use std::fmt::Write as _;

use serde::Serialize;

use crate::block::{self, KeyValue, KINDS};
use crate::compare::{compare, Comparison};
use crate::error::{Error, Result};
use crate::model::{Contact, Locator};
use crate::output::locator_text;
use crate::pipeline::Linked;
use crate::rules::Matching;
use crate::score::{self, Breakdown};

/// How a record name given on the command line was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamedBy {
    /// A stable record key (`xref.csv`'s `stable_key`; `source:id` for sources with ids).
    StableKey,
    /// `source:row`.
    SourceRow,
    /// `file:row` or `file:sheet:row`.
    FileRow,
}

impl NamedBy {
    fn words(self) -> &'static str {
        match self {
            NamedBy::StableKey => "stable key",
            NamedBy::SourceRow => "source and row",
            NamedBy::FileRow => "file and row",
        }
    }
}

/// One record as `explain` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    /// The name given on the command line.
    pub given_as: String,
    /// How that name was read.
    pub named_by: NamedBy,
    /// The record's stable key (`xref.csv`'s `stable_key`).
    pub stable_key: String,
    /// The source's name.
    pub source: String,
    /// `file[:sheet]:row`.
    pub location: String,
    /// Name parts.
    pub name: NameView,
    /// E-mail addresses as normalised.
    pub emails: Vec<String>,
    /// Phone numbers as normalised, with their kind.
    pub phones: Vec<PhoneView>,
    /// Company.
    pub company: String,
    /// Postal address.
    pub address: AddressView,
    /// Values of the custom columns that `[[compare]]` compares: (column, value).
    pub custom: Vec<(String, String)>,
    /// The master the record ended in.
    pub master: String,
}

/// Name parts of a record.
#[derive(Debug, Clone, Serialize)]
pub struct NameView {
    /// `Dr.`, `Mrs.`, ...
    pub prefix: String,
    /// Given name.
    pub given: String,
    /// Middle names.
    pub middle: String,
    /// Family name.
    pub family: String,
    /// `Jr.`, `PhD`, ...
    pub suffix: String,
}

/// One phone number of a record.
#[derive(Debug, Clone, Serialize)]
pub struct PhoneView {
    /// E.164 when it could be parsed, else as written.
    pub number: String,
    /// `work`, `mobile`, `home` or `fax`.
    pub kind: &'static str,
}

/// Address parts of a record.
#[derive(Debug, Clone, Serialize)]
pub struct AddressView {
    /// Street and number.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// City.
    pub city: String,
    /// Region.
    pub region: String,
    /// Country as written.
    pub country: String,
}

/// Which blocking keys brought the two records together.
#[derive(Debug, Clone, Serialize)]
pub struct Blocking {
    /// The key kinds (see `block::KINDS`) under which the two share a block, in kind order.
    pub shared: Vec<&'static str>,
    /// Whether the pair was compared and scored by the run.
    pub candidate: bool,
    /// The kind that emitted the pair (the first shared kind); none when not a candidate.
    pub emitted_by: Option<&'static str>,
    /// The kind whose model the weight below uses.
    pub scored_as: &'static str,
}

/// One compared field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// Field name (`name`, `email`, ..., then custom columns).
    pub field: String,
    /// Level number (0 = missing on one side).
    pub level: usize,
    /// The level in plain words.
    pub label: &'static str,
    /// log2(m/u) of the level, as used.
    pub weight: f64,
}

/// Everything `explain` says about a pair.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Record A.
    pub a: RecordView,
    /// Record B.
    pub b: RecordView,
    /// The blocking keys.
    pub blocking: Blocking,
    /// Whether the weight is hypothetical (the pair was never compared by the run).
    pub hypothetical: bool,
    /// Each field's level and weight.
    pub fields: Vec<FieldView>,
    /// The prior: log2 of the match odds among pairs of the scored kind.
    pub prior: f64,
    /// Term-frequency adjustment of an agreeing given name.
    pub tf_given: f64,
    /// Term-frequency adjustment of an agreeing family name.
    pub tf_family: f64,
    /// Total weight: prior + field weights + term-frequency adjustments.
    pub weight: f64,
    /// Match probability, 1 / (1 + 2^-weight).
    pub probability: f64,
    /// Held apart by the `different-names-never-merge` rule: the total is then the
    /// rule's weight, not the sum above it.
    pub vetoed: bool,
    /// Held below the match threshold by the `name-alone-bearers` rule: the total is
    /// then at most just below the threshold.
    pub name_alone: bool,
    /// The match threshold (a probability) from the rules.
    pub match_threshold: f64,
    /// The review threshold (a probability) from the rules.
    pub review_threshold: f64,
    /// Whether the weight reaches the match threshold.
    pub above_match: bool,
    /// Whether the weight reaches the review threshold.
    pub above_review: bool,
    /// Whether the pair is in `review.csv`.
    pub in_review: bool,
    /// Whether the two records ended in the same master.
    pub same_master: bool,
    /// Why the outcome differs from what the weight alone says, if it does.
    pub note: Option<String>,
}

/// Explains the pair of records named `a` and `b`.
///
/// Fails with a usage error (exit 2) when a name matches no record, matches several,
/// or both names are the same record.
pub fn explain(linked: &Linked, matching: &Matching, a: &str, b: &str) -> Result<Explanation> {
    let (ia, by_a) = find_record(linked, a)?;
    let (ib, by_b) = find_record(linked, b)?;
    if ia == ib {
        return Err(Error::Usage(format!(
            "explain: `{a}` and `{b}` are the same record; name two different records"
        )));
    }
    let (lo, hi) = (ia.min(ib), ia.max(ib));
    let (ka, kb) = (&linked.keys[lo as usize], &linked.keys[hi as usize]);
    let shared = shared_kinds(&block::key_values(ka), &block::key_values(kb));

    let found = linked
        .pairs
        .pairs
        .binary_search_by_key(&(lo, hi), |p| (p.a, p.b))
        .ok();
    let (kind, comparison, weight) = match found {
        Some(i) => {
            let p = linked.pairs.pairs[i];
            (p.kind, linked.comparisons[i], Some(linked.weights[i]))
        }
        None => {
            let kind = shared.first().copied().unwrap_or_else(|| {
                (0..KINDS.len() as u8)
                    .min_by(|&x, &y| linked.model.prior(x).total_cmp(&linked.model.prior(y)))
                    .expect("KINDS is not empty")
            });
            let c: Comparison = compare(ka, kb, &linked.model.custom_methods);
            (kind, c, None)
        }
    };
    let bd: Breakdown = linked.model.breakdown(kind, comparison, ka, kb);
    // The clustering used `linked.weights`; the breakdown recomputes it with the same
    // functions, so the two are equal (checked by the tests).
    let weight = weight.unwrap_or(bd.weight);
    debug_assert_eq!(weight.to_bits(), bd.weight.to_bits());

    let match_w = score::weight_of(matching.match_threshold);
    let review_w = score::weight_of(matching.review_threshold);
    let (ca, cb) = (
        linked.clusters.of[ia as usize],
        linked.clusters.of[ib as usize],
    );
    let same_master = ca == cb;
    let above_match = weight >= match_w;
    let in_review = found.is_some_and(|i| linked.review.iter().any(|r| r.pair == i));
    let note = outcome_note(linked, found.is_some(), above_match, same_master, lo, hi);

    Ok(Explanation {
        a: record_view(linked, ia, a, by_a),
        b: record_view(linked, ib, b, by_b),
        blocking: Blocking {
            shared: shared.iter().map(|&k| KINDS[k as usize]).collect(),
            candidate: found.is_some(),
            emitted_by: found.map(|_| KINDS[kind as usize]),
            scored_as: KINDS[kind as usize],
        },
        hypothetical: found.is_none(),
        fields: bd
            .fields
            .iter()
            .map(|(field, level, label, weight)| FieldView {
                field: field.clone(),
                level: *level,
                label,
                weight: *weight,
            })
            .collect(),
        prior: bd.prior,
        tf_given: bd.tf.given,
        tf_family: bd.tf.family,
        weight,
        probability: score::probability(weight),
        vetoed: bd.vetoed,
        name_alone: bd.name_alone,
        match_threshold: matching.match_threshold,
        review_threshold: matching.review_threshold,
        above_match,
        above_review: weight >= review_w,
        in_review,
        same_master,
        note,
    })
}

/// Why the masters are not what the weight alone would give.
fn outcome_note(
    linked: &Linked,
    candidate: bool,
    above_match: bool,
    same_master: bool,
    lo: u32,
    hi: u32,
) -> Option<String> {
    match (candidate && above_match, same_master) {
        (true, false) => {
            let refused = linked
                .clusters
                .refused
                .iter()
                .any(|e| (e.a.min(e.b), e.a.max(e.b)) == (lo, hi));
            Some(if refused {
                "above the match threshold, but merging would have joined records that another pair \
                 (or a reviewer's decision) keeps apart, so the merge was refused"
                    .into()
            } else {
                "above the match threshold, but the two were kept apart by a cannot-link".into()
            })
        }
        (false, true) => Some(
            "not merged by this pair's own weight: the two are linked through other records \
             of the same master (or by a reviewer's decision)"
                .into(),
        ),
        _ => None,
    }
}

/// The kinds under which two records share a block and meet inside it (sorted,
/// deduplicated). Mirrors blocking's rule: same `(kind, value)`, and sub-keys equal or
/// one of them the wildcard 0. The first one is the kind that emits the pair.
fn shared_kinds(a: &[KeyValue], b: &[KeyValue]) -> Vec<u8> {
    let mut kinds: Vec<u8> = a
        .iter()
        .filter(|x| {
            b.iter()
                .any(|y| (x.0, x.1) == (y.0, y.1) && (x.2 == y.2 || x.2 == 0 || y.2 == 0))
        })
        .map(|x| x.0)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// `file[:sheet]` of a locator.
fn file_part(linked: &Linked, l: &Locator) -> (String, Option<String>) {
    let path = linked.inputs.files[l.file.0 as usize].path.clone();
    let with_sheet = l.sheet.as_ref().map(|s| format!("{path}:{s}"));
    (path, with_sheet)
}

/// Whether `given` names the file `path`: the whole path or a trailing part of it
/// that starts at a path separator.
fn names_file(path: &str, given: &str) -> bool {
    path == given
        || path
            .strip_suffix(given)
            .is_some_and(|rest| rest.ends_with('/') || rest.ends_with('\\'))
}

fn matches_locator(linked: &Linked, l: &Locator, prefix: &str, row: u32) -> bool {
    if l.row != row {
        return false;
    }
    let (path, with_sheet) = file_part(linked, l);
    // `file:row` also names the row of a workbook's only sheet; several sheets make
    // it ambiguous, which the caller reports.
    names_file(&path, prefix) || with_sheet.is_some_and(|p| names_file(&p, prefix))
}

/// Finds the record a command-line name refers to (see the module docs for the order).
fn find_record(linked: &Linked, name: &str) -> Result<(u32, NamedBy)> {
    if let Some(i) = linked.record_keys.iter().position(|k| k == name) {
        return Ok((i as u32, NamedBy::StableKey));
    }
    let unknown = || {
        let example = linked
            .record_keys
            .first()
            .map_or("crm:10451", String::as_str);
        Error::Usage(format!(
            "explain: no record `{name}` in these inputs; name a record by the stable_key \
             column of xref.csv (like `{example}`), by source:row or by file:row"
        ))
    };
    let Some((prefix, row)) = name.rsplit_once(':') else {
        return Err(unknown());
    };
    let Ok(row) = row.trim().parse::<u32>() else {
        return Err(unknown());
    };
    let records = &linked.inputs.records;
    let by_source: Vec<u32> = (0..records.len() as u32)
        .filter(|&i| {
            let r = &records[i as usize];
            r.locator.row == row && linked.inputs.sources[r.source.0 as usize].name == prefix
        })
        .collect();
    let (hits, by) = if by_source.is_empty() {
        let by_file: Vec<u32> = (0..records.len() as u32)
            .filter(|&i| matches_locator(linked, &records[i as usize].locator, prefix, row))
            .collect();
        (by_file, NamedBy::FileRow)
    } else {
        (by_source, NamedBy::SourceRow)
    };
    match hits.as_slice() {
        [one] => Ok((*one, by)),
        [] => {
            let rejected = linked.inputs.rejects.iter().any(|r| {
                matches_locator(linked, &r.locator, prefix, row)
                    || r.source.is_some_and(|s| {
                        r.locator.row == row && linked.inputs.sources[s.0 as usize].name == prefix
                    })
            });
            if rejected {
                Err(Error::Usage(format!(
                    "explain: `{name}` is a row listmerge could not read (see rejects.csv), so it \
                     was never compared; fix the row and run again"
                )))
            } else {
                Err(unknown())
            }
        }
        many => {
            let places: Vec<String> = many
                .iter()
                .map(|&i| locator_text(linked, &records[i as usize].locator))
                .collect();
            Err(Error::Usage(format!(
                "explain: `{name}` names {} records ({}); name one by its stable_key in xref.csv \
                 or by file:sheet:row",
                many.len(),
                places.join(", ")
            )))
        }
    }
}

fn record_view(linked: &Linked, id: u32, given_as: &str, named_by: NamedBy) -> RecordView {
    let i = id as usize;
    let r = &linked.inputs.records[i];
    let c: &Contact = &linked.contacts[i];
    let (name, address) = (c.name(), c.address());
    let custom = linked
        .custom
        .iter()
        .map(|(column, _)| {
            let idx = linked
                .inputs
                .custom_fields
                .iter()
                .position(|f| f.eq_ignore_ascii_case(column.trim()));
            let value = idx
                .and_then(|idx| c.custom().iter().find(|(f, _)| *f as usize == idx))
                .map_or(String::new(), |(_, v)| v.to_string());
            (column.clone(), value)
        })
        .collect();
    RecordView {
        given_as: given_as.to_string(),
        named_by,
        stable_key: linked.record_keys[i].clone(),
        source: linked.inputs.sources[r.source.0 as usize].name.clone(),
        location: locator_text(linked, &r.locator),
        name: NameView {
            prefix: name.prefix.to_string(),
            given: name.given.to_string(),
            middle: name.middle.to_string(),
            family: name.family.to_string(),
            suffix: name.suffix.to_string(),
        },
        emails: c.emails().iter().map(|e| e.address.clone()).collect(),
        phones: c
            .phones()
            .iter()
            .map(|p| PhoneView {
                number: p.number.clone(),
                kind: p.kind.name(),
            })
            .collect(),
        company: c.company().to_string(),
        address: AddressView {
            street: address.street.to_string(),
            postcode: address.postcode.to_string(),
            city: address.city.to_string(),
            region: address.region.to_string(),
            country: address.country.to_string(),
        },
        custom,
        master: linked.masters[linked.clusters.of[i] as usize]
            .id
            .to_string(),
    }
}

/// Joins the non-empty parts with `sep`.
fn join(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(sep)
}

fn write_record(out: &mut String, label: &str, r: &RecordView) {
    let n = &r.name;
    let name = join(&[&n.prefix, &n.given, &n.middle, &n.family, &n.suffix], " ");
    let a = &r.address;
    let city = join(&[&a.postcode, &a.city], " ");
    let address = join(&[&a.street, &city, &a.region, &a.country], ", ");
    let _ = writeln!(
        out,
        "{label}  {}  {} (source {}; named by {})",
        r.stable_key,
        r.location,
        r.source,
        r.named_by.words()
    );
    let dash = |s: String| if s.is_empty() { "-".to_string() } else { s };
    let _ = writeln!(out, "   name     {}", dash(name));
    let _ = writeln!(out, "   e-mail   {}", dash(r.emails.join(", ")));
    let phones: Vec<String> = r
        .phones
        .iter()
        .map(|p| format!("{} ({})", p.number, p.kind))
        .collect();
    let _ = writeln!(out, "   phone    {}", dash(phones.join(", ")));
    let _ = writeln!(out, "   company  {}", dash(r.company.clone()));
    let _ = writeln!(out, "   address  {}", dash(address));
    for (column, value) in &r.custom {
        let _ = writeln!(out, "   {column:<8} {}", dash(value.clone()));
    }
    let _ = writeln!(out, "   master   {}", r.master);
}

/// Signed weight with two decimals, as in `review.csv`.
fn signed(w: f64) -> String {
    format!("{w:+.2}")
}

/// The explanation for people.
pub fn to_text(e: &Explanation) -> String {
    let mut out = String::new();
    write_record(&mut out, "A", &e.a);
    write_record(&mut out, "B", &e.b);
    out.push('\n');

    let b = &e.blocking;
    let shared = if b.shared.is_empty() {
        "no blocking key".to_string()
    } else {
        b.shared.join(", ")
    };
    let _ = writeln!(out, "blocking: the two share {shared}");
    match b.emitted_by {
        Some(kind) => {
            let _ = writeln!(
                out,
                "  the pair came from the {kind} block (the first kind they share)"
            );
        }
        None if b.shared.is_empty() => {
            let _ = writeln!(
                out,
                "  not a candidate pair: the run never compared these two. The weight below is\n  \
                 hypothetical, scored with the {} model (the kind with the lowest prior).",
                b.scored_as
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  not a candidate pair: their {} block was larger than max-block-size and was\n  \
                 skipped. The weight below is hypothetical, scored with the {} model.",
                b.scored_as, b.scored_as
            );
        }
    }
    out.push('\n');

    let width = e
        .fields
        .iter()
        .map(|f| f.field.chars().count())
        .max()
        .unwrap_or(0);
    let mut rows: Vec<(String, f64)> = e
        .fields
        .iter()
        .map(|f| (format!("{:<width$}  {}", f.field, f.label), f.weight))
        .collect();
    rows.push((format!("prior ({} pairs)", b.scored_as), e.prior));
    rows.push((
        format!(
            "term frequency (given {}, family {})",
            signed(e.tf_given),
            signed(e.tf_family)
        ),
        e.tf_given + e.tf_family,
    ));
    if e.vetoed {
        rows.push((
            "rule different-names-never-merge: the given names differ and no personal e-mail \
             is shared, so the pair is held apart"
                .into(),
            score::VETO_WEIGHT,
        ));
    }
    if e.name_alone {
        rows.push((
            "rule name-alone-bearers: the names are all the two agree on, and something else \
             differs or the name is borne by too many records, common by its parts or spelt \
             differently: held below the match threshold"
                .into(),
            e.weight,
        ));
    }
    rows.push(("total weight".into(), e.weight));
    let left = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, w) in &rows {
        let _ = writeln!(out, "  {label:<left$}  {:>7}", signed(*w));
    }
    let _ = writeln!(
        out,
        "  probability {:.4}{}",
        e.probability,
        if e.hypothetical {
            " (hypothetical)"
        } else {
            ""
        }
    );
    out.push('\n');

    let verdict = if e.above_match {
        format!(
            "at or above the match threshold ({}): a match",
            e.match_threshold
        )
    } else if e.above_review {
        format!(
            "between the review threshold ({}) and the match threshold ({}): uncertain{}",
            e.review_threshold,
            e.match_threshold,
            if e.in_review {
                ", listed in review.csv"
            } else {
                ""
            }
        )
    } else {
        format!(
            "below the review threshold ({}): not a match",
            e.review_threshold
        )
    };
    let _ = writeln!(out, "{verdict}");
    if e.same_master {
        let _ = writeln!(out, "same master: {}", e.a.master);
    } else {
        let _ = writeln!(out, "different masters: {} and {}", e.a.master, e.b.master);
    }
    if let Some(note) = &e.note {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Silent;

    fn demo() -> (Linked, Matching) {
        let rules =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/rules.toml");
        let (rules, opts) = crate::cli::resolve_run(Some(&rules), "unused".into(), &[])
            .expect("the demo rules load");
        let linked =
            crate::pipeline::link(&rules, &opts, &Silent::default()).expect("the demo runs");
        (linked, rules.matching)
    }

    #[test]
    fn every_candidate_pair_explains_to_the_clustering_weight() {
        let (l, m) = demo();
        assert!(!l.pairs.pairs.is_empty());
        for (i, p) in l.pairs.pairs.iter().enumerate() {
            let (a, b) = (&l.record_keys[p.a as usize], &l.record_keys[p.b as usize]);
            let e = explain(&l, &m, a, b).expect("a candidate pair explains");
            assert!(e.blocking.candidate && !e.hypothetical);
            assert_eq!(e.weight.to_bits(), l.weights[i].to_bits(), "{a} {b}");
            assert_eq!(e.blocking.emitted_by, Some(KINDS[p.kind as usize]));
            // Blocking emits a pair under the first kind the two share.
            assert_eq!(e.blocking.shared.first(), e.blocking.emitted_by.as_ref());
            let bd = l.model.breakdown(
                p.kind,
                l.comparisons[i],
                &l.keys[p.a as usize],
                &l.keys[p.b as usize],
            );
            assert_eq!(bd.weight.to_bits(), l.weights[i].to_bits());
            let sum =
                e.prior + e.fields.iter().map(|f| f.weight).sum::<f64>() + e.tf_given + e.tf_family;
            if e.vetoed {
                // The rule caps the total; the parts still show why.
                assert_eq!(e.weight, sum.min(crate::score::VETO_WEIGHT));
            } else {
                assert!((sum - e.weight).abs() < 1e-9, "{sum} vs {}", e.weight);
            }
            // Naming the records the other way round explains the same pair.
            let back = explain(&l, &m, b, a).expect("reversed");
            assert_eq!(back.weight.to_bits(), e.weight.to_bits());
        }
    }

    #[test]
    fn non_candidates_share_no_key_and_are_hypothetical() {
        let (l, m) = demo();
        assert!(l.pairs.capped.is_empty(), "the demo caps no block");
        let n = l.record_keys.len() as u32;
        let mut seen = 0;
        for a in 0..n {
            for b in a + 1..n {
                if l.pairs
                    .pairs
                    .binary_search_by_key(&(a, b), |p| (p.a, p.b))
                    .is_ok()
                {
                    continue;
                }
                let va = block::key_values(&l.keys[a as usize]);
                let vb = block::key_values(&l.keys[b as usize]);
                assert!(shared_kinds(&va, &vb).is_empty(), "{a} {b} share a key");
                if seen < 20 {
                    let e = explain(
                        &l,
                        &m,
                        &l.record_keys[a as usize],
                        &l.record_keys[b as usize],
                    )
                    .expect("explains");
                    assert!(e.hypothetical && !e.blocking.candidate && !e.in_review);
                    assert!(to_text(&e).contains("not a candidate pair"));
                }
                seen += 1;
            }
        }
        assert!(seen > 0);
    }

    #[test]
    fn records_are_found_by_key_source_row_and_file_row() {
        let (l, _) = demo();
        let (id, by) = find_record(&l, "crm:10451").expect("stable key");
        assert_eq!(by, NamedBy::StableKey);
        assert_eq!(l.inputs.records[id as usize].locator.row, 1);
        let (t, by) = find_record(&l, "tradeshow:5").expect("source row");
        assert_eq!(by, NamedBy::SourceRow);
        for name in [
            "tradeshow.csv:5",
            "demo/tradeshow.csv:5",
            "fixtures/demo/tradeshow.csv:5",
        ] {
            assert_eq!(find_record(&l, name).expect(name), (t, NamedBy::FileRow));
        }
        // A partial file name is not a trailing path component.
        assert!(find_record(&l, "show.csv:5").is_err());
        let e = find_record(&l, "crm:99999").expect_err("unknown");
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("stable_key"), "{e}");
        let e = find_record(&l, "tradeshow:13").expect_err("rejected row");
        assert!(e.to_string().contains("rejects.csv"), "{e}");
    }

    #[test]
    fn the_same_record_twice_is_a_usage_error() {
        let (l, m) = demo();
        let e = explain(&l, &m, "crm:10451", "crm.csv:1").expect_err("same record");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn names_file_needs_a_whole_component() {
        assert!(names_file("fixtures/demo/crm.csv", "crm.csv"));
        assert!(names_file("fixtures/demo/crm.csv", "fixtures/demo/crm.csv"));
        assert!(!names_file("fixtures/demo/xcrm.csv", "crm.csv"));
    }
}
