//! Blocking: which pairs of records are worth comparing.
//!
//! Input: the contacts' [`MatchKey`]s. Output: [`CandidatePairs`], each pair once,
//! sorted, plus the groups that were too big to compare.
//!
//! Every record gets a few blocking-key values (exact e-mail, phone number, sound of
//! the family name + given initial and the same swapped, e-mail local part, company +
//! given name + family initial). Records sharing a value form a block. In a name-sound
//! block, records pair when their given names sound alike or share a nickname group.
//!
//! The company key carries the family name's initial because what it is for is a family
//! name misread on a business card ("Schnelder"), whose sound no longer matches, at the
//! same company. Without the initial it paired every two colleagues with one given name,
//! and a key of street + given initial paired neighbours: the model merged almost none
//! of those pairs (none of 47,000 on dev-200k, 103 of 890,000 on a generated million),
//! and they were a fifth of all pairs at a million records and over a third at ten
//! million.
//!
//! - A block of at most `refine-blocks-above` records is compared in full.
//! - In a larger block (a frequent name, a big employer) only records that also share
//!   a corroborating value (company, city, postcode, street, work domain, family-name
//!   sound) are paired, each with its `refine-window` nearest neighbours (same name
//!   first, then sharing more of those values); a group sharing one such
//!   value that is larger than `max-block-size` is a shared value (a switchboard, a
//!   head office), not one person: it is skipped and reported.
//!
//! So the number of pairs grows with the number of records, not with the square of
//! the largest blocks. A pair that several keys produce is kept once, with the first
//! key kind (in [`KINDS`] order), by one parallel sort of all pairs; no hash set.

use rayon::prelude::*;

use crate::normalize::keys::MatchKey;
use crate::report::Report;

/// The blocking-key kinds, in the order that decides which kind emits a shared pair.
pub const KINDS: [&str; 5] = [
    "email",
    "phone",
    "name-sound",
    "email-local",
    "company-name",
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

/// A group of records sharing a blocking key and a corroborating value that was too big
/// to compare: a shared value (a switchboard, a head office), not one person.
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
pub type KeyValue = (u8, u64, u32);

/// Sub-key used by kinds that do not split their blocks.
const WHOLE: u32 = 1;

/// The sub-key of a phonetic code: never the wildcard (0) or [`WHOLE`], and never a
/// [`nick_sub_key`] (top bit clear).
fn sub_key(phon: u64) -> u32 {
    ((phon as u32) & !NICK_BIT).max(2)
}

/// Top bit of a sub-key that is a nickname group.
const NICK_BIT: u32 = 1 << 31;

/// The sub-key of nickname group `g`.
fn nick_sub_key(g: u32) -> u32 {
    g | NICK_BIT
}

/// The most blocking-key values [`key_values`] can give a record: two per e-mail (the
/// address and its local part), one per phone, two name sounds (as written and
/// swapped), one per nickname group, company plus name. Keep it in step.
fn max_key_values(k: &MatchKey) -> usize {
    2 * k.emails.len() + k.phones.len() + k.nick.len() + 3
}

/// The blocking-key values of one record, sorted and deduplicated.
pub fn key_values(k: &MatchKey) -> Vec<KeyValue> {
    let mut out = Vec::with_capacity(8);
    for e in k.emails.iter() {
        out.push((0, mix(0, e.full, 0), WHOLE));
        if !e.generic && k.email_local(e).len() >= 4 {
            out.push((3, mix(3, e.local_h, 0), WHOLE));
        }
    }
    for p in k.phones.iter() {
        out.push((1, mix(1, p.national, 0), WHOLE));
    }
    let gi = k.given().bytes().next().unwrap_or(0) as u64;
    let fi = k.family().bytes().next().unwrap_or(0) as u64;
    let initial_only = k.given_first().len() == 1;
    if k.family_phon != 0 && gi != 0 {
        let block = mix(2, k.family_phon, gi);
        if initial_only {
            out.push((2, block, 0));
        } else {
            out.push((2, block, sub_key(k.given_phon)));
            // A nickname sounds unlike the name it stands for ("Joe", "Joseph"), so the
            // sub-key of the given name's sound keeps the two apart: each of the given
            // name's nickname groups is a sub-key of the block as well.
            out.extend(k.nick.iter().map(|&g| (2, block, nick_sub_key(g))));
        }
    }
    // The swapped reading (given and family exchanged) lands in the same kind, so a
    // "Smith John" meets a "John Smith".
    if k.given_phon != 0 && fi != 0 && !initial_only {
        out.push((2, mix(2, k.given_phon, fi), sub_key(k.family_phon)));
    }
    if k.company_h != 0 && k.given_h != 0 && fi != 0 {
        out.push((4, mix(4, k.company_h, k.given_h ^ fi), WHOLE));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Values that vouch for a pair inside a large block: the same company, city, postcode,
/// street, work e-mail domain or family-name sound. Zero is missing.
fn corroborators(k: &MatchKey) -> [u64; CORROBORATORS] {
    let domain = k.emails.iter().find(|e| !e.free).map_or(0, |e| e.domain);
    [
        k.company_h,
        k.city_h,
        k.postcode_h,
        k.street_h,
        domain,
        k.family_phon,
    ]
}

const CORROBORATORS: usize = 6;

/// The family-name sound among [`corroborators`].
const FAMILY_SOUND: usize = 5;

/// Records whose blocking entries are gathered in one parallel step.
const WAVE: usize = 1 << 16;

/// Where an entry's kind sits in its value.
const KIND_SHIFT: u32 = 61;
const _: () = assert!(KINDS.len() <= 1 << (64 - KIND_SHIFT));

/// A blocking-key value with its kind in the top bits, so that an entry needs no field
/// of its own for it (values of different kinds differ already: the kind is hashed in).
fn kinded(kind: u8, value: u64) -> u64 {
    (value & (u64::MAX >> (64 - KIND_SHIFT))) | (kind as u64) << KIND_SHIFT
}

/// Builds the candidate pairs.
///
/// A group of records that may pair (a block, or in a name-sound block one sub-key with
/// the wildcards) is compared in full when it has at most `refine_above` records. A
/// larger group is a common value (a frequent name, a big employer), and inside it only
/// pairs that also share a corroborating value are candidates: two "John Smith"s who
/// share nothing else could not reach the match threshold anyway, since a common name
/// alone carries little weight. A run of records sharing one corroborating value that
/// is larger than `max_block` is skipped and reported. This keeps the number of pairs
/// proportional to the number of records instead of growing with the square of the
/// largest blocks. `order` (one value per record, from its stable key) decides ties.
pub fn candidate_pairs(
    keys: &[MatchKey],
    order: &[u64],
    max_block: u32,
    refine_above: u32,
    window: u32,
    report: &dyn Report,
) -> CandidatePairs {
    report.stage("block", Some(keys.len() as u64));
    // (kind and value, sub-key, record): 16 bytes. Gathered a wave of records at a time
    // into one list reserved for the most the records can have: a parallel collect
    // joins per-task lists into a second copy, and the entries are the largest thing
    // blocking holds. Reserved room that is never written takes no memory.
    let bound: usize = keys.par_iter().map(max_key_values).sum();
    let mut entries: Vec<(u64, u32, u32)> = Vec::with_capacity(bound);
    for (w, wave) in keys.chunks(WAVE).enumerate() {
        let part: Vec<(u64, u32, u32)> = wave
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, k)| {
                let id = (w * WAVE + i) as u32;
                key_values(k)
                    .into_iter()
                    .map(move |(kind, v, sub)| (kinded(kind, v), sub, id))
            })
            .collect();
        entries.extend_from_slice(&part);
    }
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

    let refine_above = refine_above as usize;
    let max_block = max_block as usize;
    let window = window as usize;
    // A few blocks are far larger than the rest (a common name, a big employer); in a
    // task of 64 blocks, one of them kept one core busy while the other had finished.
    // So each large block is a task of its own, the largest first, and its passes
    // over the corroborating values run in parallel. The order of the tasks does not
    // show in the result: the pairs and the capped groups are sorted below.
    //
    // The large blocks are moved to the front in place: a copy of the list of blocks
    // (millions of them) would add to the stage's peak of memory.
    let mut n_big = 0;
    for i in 0..blocks.len() {
        let (s, e) = blocks[i];
        if e - s >= LARGE_BLOCK {
            blocks.swap(i, n_big);
            n_big += 1;
        }
    }
    let (big, small) = blocks.split_at_mut(n_big);
    big.sort_unstable_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
    let tasks: Vec<&[(usize, usize)]> = big.chunks(1).chain(small.chunks(64)).collect();
    let refine = Refine {
        keys,
        order,
        max_block,
        window,
    };
    let parts: Vec<(Vec<u64>, Vec<CappedBlock>)> = tasks
        .par_iter()
        .with_max_len(1)
        .map(|chunk| {
            let mut out = Vec::new();
            let mut capped = Vec::new();
            let mut group: Vec<u32> = Vec::new();
            let mut vals: Vec<(u64, u64, u64, u32)> = Vec::new();
            let mut members: Vec<Member> = Vec::new();
            for &(s, e) in *chunk {
                let block = &entries[s..e];
                let kind = (block[0].0 >> KIND_SHIFT) as u8;
                // Entries are sorted by sub-key, so wildcards (0) come first and equal
                // sub-keys are adjacent.
                let wild = block.iter().take_while(|x| x.1 == 0).count();
                let mut i = wild;
                let mut runs = Vec::new();
                while i < block.len() {
                    let run = block[i..].iter().take_while(|x| x.1 == block[i].1).count();
                    runs.push((i, i + run));
                    i += run;
                }
                if runs.is_empty() {
                    runs.push((wild, wild));
                }
                for (rs, re) in runs {
                    group.clear();
                    group.extend(block[..wild].iter().map(|x| x.2));
                    group.extend(block[rs..re].iter().map(|x| x.2));
                    if group.len() < 2 {
                        continue;
                    }
                    if group.len() <= refine_above {
                        all_pairs(&group, kind, &mut out);
                        continue;
                    }
                    refine.members(&group, &mut members);
                    let passes = (0..CORROBORATORS)
                        // A name-sound block shares the family sound by construction,
                        // and an e-mail local part ("jsmith") mostly spells the name.
                        .filter(|&c| !(c == FAMILY_SOUND && (kind == 2 || kind == 3)));
                    if group.len() < LARGE_BLOCK {
                        for c in passes {
                            refine.pass(&members, c, kind, &mut vals, &mut out, &mut capped);
                        }
                    } else {
                        let done: Vec<(Vec<u64>, Vec<CappedBlock>)> = passes
                            .collect::<Vec<_>>()
                            .into_par_iter()
                            .map(|c| {
                                let (mut o, mut cap) = (Vec::new(), Vec::new());
                                refine.pass(&members, c, kind, &mut Vec::new(), &mut o, &mut cap);
                                (o, cap)
                            })
                            .collect();
                        for (o, cap) in done {
                            out.extend(o);
                            capped.extend(cap);
                        }
                    }
                }
            }
            // A pair that several passes over one block's corroborating values, or
            // several blocks of one task, produce is kept once already here: that is
            // a quarter of the raw pairs, and the raw pairs are the largest thing the
            // stage holds.
            sort_dedup(&mut out);
            out.shrink_to_fit();
            (out, capped)
        })
        .collect();
    // The entries are done with; freeing them before the pairs are gathered into one
    // list keeps them out of the stage's peak of memory.
    drop(entries);
    let n_blocks = blocks.len() as u64;
    drop(blocks);
    let n_pairs = parts.iter().map(|p| p.0.len()).sum();
    let mut raw: Vec<u64> = Vec::with_capacity(n_pairs);
    let mut capped: Vec<CappedBlock> = Vec::new();
    for (p, c) in parts {
        raw.extend(p);
        capped.extend(c);
    }
    // A pair shared under several keys comes several times; sorting by (a, b, kind)
    // keeps the one from the first kind in [`KINDS`] order, and makes the output
    // independent of scheduling.
    raw.par_sort_unstable();
    raw.dedup_by(|x, y| same_pair(*x, *y));
    let pairs: Vec<CandidatePair> = raw.par_iter().map(|&p| unpack(p)).collect();
    drop(raw);
    capped.sort_unstable_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then(a.kind.cmp(&b.kind))
            .then(a.example.cmp(&b.example))
    });
    capped.dedup_by(|x, y| x.kind == y.kind && x.size == y.size && x.example == y.example);
    report.advance(keys.len() as u64 - keys.len() as u64 / 2);
    report.finish();
    CandidatePairs {
        pairs,
        capped,
        blocks: n_blocks,
    }
}

/// Blocks at least this large are a task of their own, with their passes over the
/// corroborating values in parallel.
const LARGE_BLOCK: usize = 2048;

/// A member of a large group: its corroborating values, its sort key within a run (its
/// name, then a hash of all those values), its tie-breaking order, and its id.
type Member = ([u64; CORROBORATORS], u64, u64, u32);

/// What pairing inside a large group reads.
struct Refine<'a> {
    keys: &'a [MatchKey],
    order: &'a [u64],
    max_block: usize,
    window: usize,
}

impl Refine<'_> {
    /// Each member's corroborating values, once per group. Within a run of one value,
    /// records with the same name sort next to each other, and among those, records
    /// that share more of the other values (`rest`); then by `order`, so the
    /// neighbours do not depend on the input's row order. The name comes first because
    /// a run grows with the data (a frequent name in a big city holds dozens of records
    /// at ten million), and a sign-up with only a name, a personal e-mail and a city
    /// shares no other value with the same person's full record: ordered by the other
    /// values alone, the two sat at random places in the run, beyond the window.
    fn members(&self, group: &[u32], members: &mut Vec<Member>) {
        members.clear();
        members.extend(group.iter().map(|&id| {
            let k = &self.keys[id as usize];
            let all = corroborators(k);
            let rest = all.iter().fold(0u64, |h, &x| {
                h.rotate_left(7) ^ x.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            });
            let name = (k.family_h.rotate_left(29) ^ k.given_h).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            // Name in the high half, the rest in the low half: one sort key.
            let key = (name & !0xFFFF_FFFF) | (rest >> 32);
            (all, key, self.order[id as usize], id)
        }));
    }

    /// The pairs of a large group that share corroborating value `c`.
    fn pass(
        &self,
        members: &[Member],
        c: usize,
        kind: u8,
        vals: &mut Vec<(u64, u64, u64, u32)>,
        out: &mut Vec<u64>,
        capped: &mut Vec<CappedBlock>,
    ) {
        vals.clear();
        vals.extend(
            members
                .iter()
                .filter(|m| m.0[c] != 0)
                .map(|&(all, key, ord, id)| (all[c], key, ord, id)),
        );
        vals.sort_unstable();
        let mut i = 0;
        while i < vals.len() {
            let n = vals[i..].iter().take_while(|x| x.0 == vals[i].0).count();
            if n > self.max_block {
                capped.push(CappedBlock {
                    kind,
                    size: n as u32,
                    example: vals[i].3,
                });
            } else if n >= 2 {
                // Every record meets only its `window` nearest neighbours in the order
                // above, so the work stays linear. A run is a common combination (a
                // frequent name in a big city), and a wider window adds mostly pairs
                // of different people.
                let run = &vals[i..i + n];
                for (x, a) in run.iter().enumerate() {
                    for b in run.iter().skip(x + 1).take(self.window) {
                        push_pair(a.3, b.3, kind, out);
                    }
                }
            }
            i += n;
        }
    }
}

/// Every pair of `ids`.
fn all_pairs(ids: &[u32], kind: u8, out: &mut Vec<u64>) {
    for (i, &x) in ids.iter().enumerate() {
        for &y in &ids[i + 1..] {
            push_pair(x, y, kind, out);
        }
    }
}

/// Records a run may hold: a raw pair packs both ids into one `u64` with its kind.
pub const MAX_RECORDS: usize = 1 << ID_BITS;

const ID_BITS: u32 = 30;
const KIND_BITS: u32 = 4;
const _: () = assert!(KINDS.len() <= 1 << KIND_BITS);

/// One pair, lower id first, packed as `a | b | kind` from the high bits down, so
/// sorting the packed values sorts by (a, b, kind). Blocking emits about 2.4 raw pairs
/// per distinct one on large inputs; 8 bytes each instead of a 12-byte
/// [`CandidatePair`] keeps the stage's peak of memory down, and a sort of plain
/// integers is quicker.
fn push_pair(x: u32, y: u32, kind: u8, out: &mut Vec<u64>) {
    if x != y {
        let (a, b) = if x < y { (x, y) } else { (y, x) };
        out.push((a as u64) << (ID_BITS + KIND_BITS) | (b as u64) << KIND_BITS | kind as u64);
    }
}

/// Whether two packed pairs name the same two records (whatever their kinds).
fn same_pair(x: u64, y: u64) -> bool {
    x >> KIND_BITS == y >> KIND_BITS
}

/// Sorts packed pairs and keeps each pair once, with its first kind.
fn sort_dedup(pairs: &mut Vec<u64>) {
    pairs.sort_unstable();
    pairs.dedup_by(|x, y| same_pair(*x, *y));
}

fn unpack(p: u64) -> CandidatePair {
    let id = |v: u64| (v & ((1 << ID_BITS) - 1)) as u32;
    CandidatePair {
        a: id(p >> (ID_BITS + KIND_BITS)),
        b: id(p >> KIND_BITS),
        kind: (p & ((1 << KIND_BITS) - 1)) as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large block (many records with one switchboard number) is paired on both
    /// cores, one pass per corroborating value; the pairs and the capped groups must be
    /// those of the passes run one after another, on any number of threads.
    #[test]
    fn large_block_gives_the_pairs_of_its_passes_run_in_turn() {
        use crate::normalize::keys::PhoneKey;
        let n = LARGE_BLOCK + 952;
        let keys: Vec<MatchKey> = (0..n as u64)
            .map(|i| {
                let mut k = MatchKey::default();
                k.phones = Box::new([PhoneKey {
                    national: 3_015_550_100,
                    generic: false,
                }]);
                // Seven employers (about 430 staff each, more than the cap below), 23
                // cities (about 130 each), and some without a postcode.
                k.company_h = 1 + i % 7;
                k.city_h = 100 + i % 23;
                k.postcode_h = if i % 3 == 0 { 0 } else { 1000 + i % 401 };
                k
            })
            .collect();
        let order: Vec<u64> = (0..n as u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let (max_block, window) = (300, 4);

        let refine = Refine {
            keys: &keys,
            order: &order,
            max_block,
            window,
        };
        let group: Vec<u32> = (0..n as u32).collect();
        let mut members = Vec::new();
        refine.members(&group, &mut members);
        let (mut raw, mut capped_want) = (Vec::new(), Vec::new());
        for c in 0..CORROBORATORS {
            refine.pass(&members, c, 1, &mut Vec::new(), &mut raw, &mut capped_want);
        }
        raw.sort_unstable();
        raw.dedup();
        let want: Vec<CandidatePair> = raw.into_iter().map(unpack).collect();
        let mut capped_want: Vec<(u32, u32)> =
            capped_want.iter().map(|c| (c.size, c.example)).collect();
        capped_want.sort_unstable();
        assert_eq!(capped_want.len(), 7, "each employer is over the cap");
        assert!(want.len() > n, "{} pairs", want.len());

        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let got = pool.install(|| {
                candidate_pairs(
                    &keys,
                    &order,
                    max_block as u32,
                    16,
                    window as u32,
                    &crate::report::Silent::default(),
                )
            });
            assert_eq!(got.pairs, want, "{threads} thread(s)");
            let mut capped: Vec<(u32, u32)> =
                got.capped.iter().map(|c| (c.size, c.example)).collect();
            capped.sort_unstable();
            assert_eq!(capped, capped_want, "{threads} thread(s)");
        }
    }

    /// In a large group, a sign-up with only a name and a city meets the full record
    /// of the same name in that city, however many others of the group live there: it
    /// shares no company, street or postcode with it to sort by.
    #[test]
    fn a_sign_up_meets_the_full_record_of_its_name_in_a_crowded_city() {
        let n = 60u32;
        let mut keys: Vec<MatchKey> = (0..n as u64)
            .map(|i| {
                let mut k = MatchKey::default();
                k.family_h = 11;
                k.given_h = 100 + i;
                k.city_h = 7;
                k.company_h = 1000 + i;
                k.street_h = 2000 + i;
                k.postcode_h = 3000 + i % 5;
                k
            })
            .collect();
        let order: Vec<u64> = (0..n as u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        const CITY: usize = 1;
        for (sign_up, full) in [(59u32, 0u32), (3, 17), (40, 58)] {
            let saved = keys[sign_up as usize].clone();
            let k = &mut keys[sign_up as usize];
            k.given_h = 100 + full as u64;
            k.company_h = 0;
            k.street_h = 0;
            k.postcode_h = 0;
            let refine = Refine {
                keys: &keys,
                order: &order,
                max_block: 200,
                window: 4,
            };
            let (mut members, mut raw) = (Vec::new(), Vec::new());
            refine.members(&(0..n).collect::<Vec<u32>>(), &mut members);
            refine.pass(
                &members,
                CITY,
                2,
                &mut Vec::new(),
                &mut raw,
                &mut Vec::new(),
            );
            let pairs: Vec<(u32, u32)> = raw.into_iter().map(unpack).map(|p| (p.a, p.b)).collect();
            let want = (sign_up.min(full), sign_up.max(full));
            assert!(
                pairs.contains(&want),
                "{want:?} not among {} pairs",
                pairs.len()
            );
            assert!(pairs.len() <= 4 * n as usize);
            keys[sign_up as usize] = saved;
        }
    }

    /// Colleagues who share a company and a given name but not a family name, an e-mail
    /// or a phone are two people: they are not compared. A copy that shares a phone, the
    /// name's sound with an initial, or (a family name misread on a card) the company,
    /// the given name and the family initial still is.
    #[test]
    fn colleagues_sharing_only_company_and_given_name_are_not_paired() {
        let contact = |given: &str, family: &str, email: &str, phone: u64| {
            crate::normalize::keys::test_key(given, family, email, phone, "Hartmann Logistik GmbH")
        };
        let keys = vec![
            contact("Anna", "Becker", "anna.becker@hartmann.example", 301_111),
            contact("Anna", "Schulz", "a.schulz@hartmann.example", 302_222),
            contact("Anna", "Bekcer", "", 301_111),
            contact("A.", "Becker", "", 0),
            contact("Anna", "Beclcer", "", 0),
        ];
        let order: Vec<u64> = (0..keys.len() as u64).collect();
        let got = candidate_pairs(&keys, &order, 200, 16, 4, &crate::report::Silent::default());
        let pairs: Vec<(u32, u32)> = got.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert!(!pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(
            !pairs.contains(&(1, 2)) && !pairs.contains(&(1, 3)),
            "{pairs:?}"
        );
        assert!(pairs.contains(&(0, 2)), "same phone: {pairs:?}");
        assert!(
            pairs.contains(&(0, 3)),
            "initial of the same name: {pairs:?}"
        );
        let misread = got.pairs.iter().find(|p| (p.a, p.b) == (0, 4));
        assert_eq!(
            misread.map(|p| KINDS[p.kind as usize]),
            Some("company-name")
        );
        assert!(!pairs.contains(&(1, 4)), "{pairs:?}");
        assert!(got.pairs.iter().all(|p| (p.kind as usize) < KINDS.len()));
    }

    /// "Joe Walanderers" and "Joseph Walanderers" at one company, with work addresses a
    /// letter apart, share no e-mail, phone or given-name sound: the nickname group
    /// pairs them. A "Julia" of the same family and company is paired with neither: her
    /// given name is neither theirs nor in their nickname group.
    #[test]
    fn nicknames_meet_the_names_they_stand_for() {
        let contact = |given: &str, email: &str| {
            crate::normalize::keys::test_key(given, "Walanderers", email, 0, "Smith & Holton Co.")
        };
        let keys = vec![
            contact("Joe", "josephwalandererss@smithholton.example"),
            contact("Joseph", "josephwalanderers@smithholton.example"),
            contact("Julia", "julia@smithholton.example"),
        ];
        assert!(!keys[0].nick.is_empty() && !keys[1].nick.is_empty());
        let order: Vec<u64> = (0..keys.len() as u64).collect();
        let got = candidate_pairs(&keys, &order, 200, 16, 4, &crate::report::Silent::default());
        let kind_of = |a: u32, b: u32| {
            got.pairs
                .iter()
                .find(|p| (p.a, p.b) == (a, b))
                .map(|p| KINDS[p.kind as usize])
        };
        assert_eq!(kind_of(0, 1), Some("name-sound"), "{:?}", got.pairs);
        assert_eq!(kind_of(0, 2), None, "{:?}", got.pairs);
        assert_eq!(kind_of(1, 2), None, "{:?}", got.pairs);
    }

    #[test]
    fn packed_pairs_sort_like_candidate_pairs_and_unpack_whole() {
        let top = (MAX_RECORDS - 1) as u32;
        let mut raw = Vec::new();
        let mut want = Vec::new();
        for (x, y, kind) in [(top, 0, 5), (3, 7, 2), (7, 3, 0), (0, top, 1), (5, 5, 0)] {
            push_pair(x, y, kind, &mut raw);
            if x != y {
                want.push(CandidatePair {
                    a: x.min(y),
                    b: x.max(y),
                    kind,
                });
            }
        }
        raw.sort_unstable();
        want.sort_unstable();
        let got: Vec<CandidatePair> = raw.into_iter().map(unpack).collect();
        assert_eq!(got, want);
    }
}
