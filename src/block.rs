//! Blocking: which pairs of records are worth comparing.
//!
//! Input: the contacts' [`MatchKey`]s. Output: [`CandidatePairs`], each pair once,
//! sorted, plus the blocks that were too big to compare in full.
//!
//! Every record gets a few blocking-key values (exact e-mail, phone number, sound of
//! the family name + given initial and the same swapped, e-mail local part, company +
//! given name). Records sharing a value form a block; every pair inside a block is a
//! candidate. A pair that several keys produce is emitted only by the first key kind
//! (in [`KINDS`] order) that the two records share, so no global set of seen pairs is
//! needed. A block larger than `max-block-size` is a shared value (a switchboard, a
//! very common name) rather than one person: it is skipped and reported.

use rayon::prelude::*;

use crate::normalize::keys::MatchKey;
use crate::report::Report;

/// The blocking-key kinds, in the order that decides which kind emits a shared pair.
pub const KINDS: [&str; 6] = [
    "email",
    "phone",
    "name-sound",
    "email-local",
    "company-given",
    "street-given",
];

/// A pair of records to compare: (lower id, higher id, key kind that produced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CandidatePair {
    /// Lower record id.
    pub a: u32,
    /// Higher record id.
    pub b: u32,
    /// Index into [`KINDS`].
    pub kind: u8,
}

/// A block that was too big to compare.
#[derive(Debug, Clone)]
pub struct CappedBlock {
    /// Index into [`KINDS`].
    pub kind: u8,
    /// Number of records in the block.
    pub size: u32,
    /// One record of the block, to name it in reports (by locator, never by value).
    pub example: u32,
}

/// Blocking's result.
#[derive(Debug, Default)]
pub struct CandidatePairs {
    /// The pairs, sorted by (a, b), each pair once.
    pub pairs: Vec<CandidatePair>,
    /// Blocks skipped for being larger than the cap, largest first.
    pub capped: Vec<CappedBlock>,
    /// Number of blocks (of two or more records) compared.
    pub blocks: u64,
}

fn mix(kind: u8, a: u64, b: u64) -> u64 {
    // Distinct kinds never share a value: the kind goes into the hash.
    let x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
        ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (kind as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    x.max(1)
}

/// One blocking-key value of a record: (kind, value, sub-key).
///
/// Records sharing `(kind, value)` form a block. Inside a block only records whose
/// sub-keys are equal are paired, and a sub-key of 0 is a wildcard that pairs with
/// everyone. Only the name-sound kind uses sub-keys: its block is "family name sounds
/// like X and the given name starts with J", its sub-key is the sound of the whole
/// given name, and an initial ("J.") is the wildcard. Common names then stay cheap
/// (John Smith meets John Smith and J. Smith, not every James Smith) while a bare
/// initial still meets everyone it could be.
pub type KeyValue = (u8, u64, u64);

/// Sub-key used by kinds that do not split their blocks.
const WHOLE: u64 = 1;

/// The blocking-key values of one record, sorted and deduplicated.
pub fn key_values(k: &MatchKey) -> Vec<KeyValue> {
    let mut out = Vec::with_capacity(8);
    for e in k.emails.iter() {
        out.push((0, mix(0, e.full, 0), WHOLE));
        if !e.generic && e.local.len() >= 4 {
            out.push((3, mix(3, crate::normalize::keys::hash(&e.local), 0), WHOLE));
        }
    }
    for p in k.phones.iter() {
        out.push((1, mix(1, p.national, 0), WHOLE));
    }
    let gi = k.given.bytes().next().unwrap_or(0) as u64;
    let fi = k.family.bytes().next().unwrap_or(0) as u64;
    let initial_only = k.given_first().len() == 1;
    if k.family_phon != 0 && gi != 0 {
        let sub = if initial_only { 0 } else { k.given_phon.max(2) };
        out.push((2, mix(2, k.family_phon, gi), sub));
    }
    // The swapped reading (given and family exchanged) lands in the same kind, so a
    // "Smith John" meets a "John Smith".
    if k.given_phon != 0 && fi != 0 && !initial_only {
        out.push((2, mix(2, k.given_phon, fi), k.family_phon.max(2)));
    }
    if k.company_h != 0 && k.given_h != 0 {
        out.push((4, mix(4, k.company_h, k.given_h), WHOLE));
    }
    if k.street_h != 0 && gi != 0 {
        out.push((5, mix(5, k.street_h, gi), WHOLE));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn subs_meet(a: u64, b: u64) -> bool {
    a == b || a == 0 || b == 0
}

/// The first kind under which two records share a block and meet inside it.
fn first_shared(a: &[KeyValue], b: &[KeyValue]) -> Option<u8> {
    let mut best: Option<u8> = None;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ka, kb) = ((a[i].0, a[i].1), (b[j].0, b[j].1));
        match ka.cmp(&kb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if subs_meet(a[i].2, b[j].2) {
                    let k = a[i].0;
                    best = Some(best.map_or(k, |x| x.min(k)));
                    return best;
                }
                // Same block, different sub-keys: try the other entries of this block.
                if a.get(i + 1).is_some_and(|n| (n.0, n.1) == ka) {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        }
    }
    best
}

/// Builds the candidate pairs.
pub fn candidate_pairs(keys: &[MatchKey], max_block: u32, report: &dyn Report) -> CandidatePairs {
    report.stage("block", Some(keys.len() as u64));
    let values: Vec<Vec<KeyValue>> = keys.par_iter().map(key_values).collect();
    // (value, sub-key, record, kind)
    let mut entries: Vec<(u64, u64, u32, u8)> = values
        .iter()
        .enumerate()
        .flat_map(|(id, vs)| vs.iter().map(move |&(k, v, sub)| (v, sub, id as u32, k)))
        .collect();
    entries.par_sort_unstable();
    report.advance(keys.len() as u64 / 2);

    // Block boundaries: runs of equal values.
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[start].0 {
            if i - start >= 2 {
                blocks.push((start, i));
            }
            start = i;
        }
    }
    // A block is too big when one of its sub-blocks (with the wildcards) is.
    let effective = |&(s, e): &(usize, usize)| -> usize {
        let block = &entries[s..e];
        let wild = block.iter().take_while(|x| x.1 == 0).count();
        let mut largest = 0;
        let mut i = wild;
        while i < block.len() {
            let j = i + block[i..].iter().take_while(|x| x.1 == block[i].1).count();
            largest = largest.max(j - i);
            i = j;
        }
        largest + wild
    };
    let mut capped: Vec<CappedBlock> = blocks
        .iter()
        .filter(|b| effective(b) as u32 > max_block)
        .map(|&(s, e)| CappedBlock {
            kind: entries[s].3,
            size: (e - s) as u32,
            example: entries[s].2,
        })
        .collect();
    capped.sort_unstable_by(|a, b| b.size.cmp(&a.size).then(a.example.cmp(&b.example)));
    let kept: Vec<(usize, usize)> = blocks
        .into_iter()
        .filter(|b| effective(b) as u32 <= max_block)
        .collect();

    let mut pairs: Vec<CandidatePair> = kept
        .par_iter()
        .flat_map_iter(|&(s, e)| {
            let block = &entries[s..e];
            let kind = block[0].3;
            let mut out = Vec::new();
            let mut emit = |x: &(u64, u64, u32, u8), y: &(u64, u64, u32, u8)| {
                let (a, b) = if x.2 < y.2 { (x.2, y.2) } else { (y.2, x.2) };
                if a != b && first_shared(&values[a as usize], &values[b as usize]) == Some(kind) {
                    out.push(CandidatePair { a, b, kind });
                }
            };
            // Entries are sorted by sub-key, so wildcards (0) come first and equal
            // sub-keys are adjacent.
            let wild = block.iter().take_while(|x| x.1 == 0).count();
            for i in 0..wild {
                for j in i + 1..block.len() {
                    emit(&block[i], &block[j]);
                }
            }
            let mut i = wild;
            while i < block.len() {
                let run = block[i..].iter().take_while(|x| x.1 == block[i].1).count();
                for x in i..i + run {
                    for y in x + 1..i + run {
                        emit(&block[x], &block[y]);
                    }
                }
                i += run;
            }
            out
        })
        .collect();
    // A pair can still come twice when two values of the same kind are shared (two
    // common e-mails); sorting makes output independent of scheduling and lets dedup
    // drop those.
    pairs.par_sort_unstable();
    pairs.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    report.advance(keys.len() as u64 - keys.len() as u64 / 2);
    report.finish();
    CandidatePairs {
        pairs,
        capped,
        blocks: kept.len() as u64,
    }
}
