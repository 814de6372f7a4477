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

/// The blocking-key values of one record, as (kind, value), sorted and deduplicated.
pub fn key_values(k: &MatchKey) -> Vec<(u8, u64)> {
    let mut out = Vec::with_capacity(8);
    for e in k.emails.iter() {
        out.push((0, mix(0, e.full, 0)));
        if !e.generic && e.local.len() >= 4 {
            out.push((3, mix(3, crate::normalize::keys::hash(&e.local), 0)));
        }
    }
    for p in k.phones.iter() {
        out.push((1, mix(1, p.national, 0)));
    }
    let gi = k.given.bytes().next().unwrap_or(0) as u64;
    let fi = k.family.bytes().next().unwrap_or(0) as u64;
    if k.family_phon != 0 && gi != 0 {
        out.push((2, mix(2, k.family_phon, gi)));
    }
    // The swapped reading (given and family exchanged) lands in the same kind, so a
    // "Smith John" meets a "John Smith".
    if k.given_phon != 0 && fi != 0 {
        out.push((2, mix(2, k.given_phon, fi)));
    }
    if k.company_h != 0 && k.given_h != 0 {
        out.push((4, mix(4, k.company_h, k.given_h)));
    }
    if k.street_h != 0 && gi != 0 {
        out.push((5, mix(5, k.street_h, gi)));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The first kind under which two records share a key value.
fn first_shared(a: &[(u8, u64)], b: &[(u8, u64)]) -> Option<u8> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(a[i].0),
        }
    }
    None
}

/// Builds the candidate pairs.
pub fn candidate_pairs(keys: &[MatchKey], max_block: u32, report: &dyn Report) -> CandidatePairs {
    report.stage("block", Some(keys.len() as u64));
    let values: Vec<Vec<(u8, u64)>> = keys.par_iter().map(key_values).collect();
    let mut entries: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .flat_map(|(id, vs)| vs.iter().map(move |(_, v)| (*v, id as u32)))
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
    let kind_of = |id: u32, v: u64| -> u8 {
        values[id as usize]
            .iter()
            .find(|(_, x)| *x == v)
            .map_or(0, |(k, _)| *k)
    };
    let mut capped: Vec<CappedBlock> = blocks
        .iter()
        .filter(|(s, e)| (e - s) as u32 > max_block)
        .map(|&(s, e)| CappedBlock {
            kind: kind_of(entries[s].1, entries[s].0),
            size: (e - s) as u32,
            example: entries[s].1,
        })
        .collect();
    capped.sort_unstable_by(|a, b| b.size.cmp(&a.size).then(a.example.cmp(&b.example)));
    let kept: Vec<(usize, usize)> = blocks
        .into_iter()
        .filter(|(s, e)| (e - s) as u32 <= max_block)
        .collect();

    let mut pairs: Vec<CandidatePair> = kept
        .par_iter()
        .flat_map_iter(|&(s, e)| {
            let block = &entries[s..e];
            let kind = kind_of(block[0].1, block[0].0);
            let mut out = Vec::new();
            for i in 0..block.len() {
                for j in i + 1..block.len() {
                    let (a, b) = (block[i].1, block[j].1);
                    if first_shared(&values[a as usize], &values[b as usize]) == Some(kind) {
                        out.push(CandidatePair { a, b, kind });
                    }
                }
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
