//! Comparison: a candidate pair → one small-integer level per field.
//!
//! Input: two [`MatchKey`]s. Output: a [`Comparison`], the levels packed four bits per
//! field into a `u64`, so that the scoring stage can count distinct comparison vectors
//! instead of pairs. Level 0 always means "missing on one side" (no evidence either
//! way). The comparators read only precomputed keys: hashes for equality, folded
//! strings for Jaro-Winkler.

use crate::normalize::keys::{EmailKey, MatchKey};
use crate::rules::CompareMethod;

/// The built-in compared fields, in packing order. Custom fields follow.
pub const FIELDS: [&str; 5] = ["name", "email", "phone", "company", "address"];

/// Plain-words labels of each built-in field's levels (index = level).
///
/// The name is one comparison, not two: "same family name, different given name" (two
/// relatives) and "different family name, same given name" must weigh very
/// differently from the sum of their parts.
pub const LEVELS: [&[&str]; 5] = [
    &[
        "name missing",
        "same name",
        "same family name, nickname of the given name",
        "name spelt slightly differently",
        "same family name, initial or no given name",
        "same given name, no family name",
        "same family name, different given name",
        "same given name, different family name",
        "different name",
    ],
    &[
        "e-mail missing",
        "same e-mail",
        "same shared e-mail (info@, used by several people)",
        "same e-mail name at another domain",
        "similar e-mail at the same domain",
        "different e-mail at the same company domain",
        "different e-mail, one personal and one work",
        "different e-mail",
        "same e-mail name, one personal and one work",
        "different work e-mail",
    ],
    &[
        "phone missing",
        "same phone",
        "same shared phone (switchboard)",
        "phone differs by one digit",
        "different phone",
    ],
    &[
        "company missing",
        "same company",
        "company differs only slightly",
        "different company",
    ],
    &[
        "address missing",
        "same street address",
        "similar street address",
        "same postcode",
        "same city",
        "different street address",
        "different postcode",
        "different city",
    ],
];

/// How many classes [`level_class`] puts a field's levels into, at most.
pub const LEVEL_CLASSES: usize = 3;

/// Which of a field's levels can occur together, by what the two records carry.
///
/// An address is compared by street when both records have one, else by postcode,
/// else by city. So "same city" is the best a pair of sign-ups with only a city can
/// show, while a pair of full addresses almost never stops at it: how often one person
/// shows "same city" depends on which comparison was possible. m and u are therefore
/// shares within a level's class (see `score::blend`), and a level's weight says how
/// much it tells among the pairs that could show it. E-mail is alike: a sign-up with
/// only a personal address against a record with only a work address can show no more
/// than a shared e-mail name, whoever they are.
pub fn level_class(field: usize, level: usize) -> usize {
    // Keep the classes below `LEVEL_CLASSES`.
    match (field, level) {
        (1, 6 | 8) => 1,
        (4, 3 | 6) => 1,
        (4, 4 | 7) => 2,
        _ => 0,
    }
}

/// Whether a level of a field says the two records agree, however slightly: the name
/// alike in some way (levels 1–5), an e-mail shared or at one domain or with one e-mail
/// name, a phone shared or a digit apart, the company the same or nearly, an address
/// shared down to the city, a custom value the same or similar. Missing (0) and the
/// levels that differ are not agreement; nor is a personal e-mail against a work one,
/// which says nothing either way.
pub fn agrees(field: usize, level: usize) -> bool {
    match field {
        0 => matches!(level, 1..=5),
        1 => matches!(level, 1..=5 | 8),
        2 => matches!(level, 1..=3),
        3 => matches!(level, 1 | 2),
        4 => matches!(level, 1..=4),
        _ => matches!(level, 1 | 2),
    }
}

/// Labels of a custom field's levels.
pub const CUSTOM_LEVELS: [&str; 4] = ["missing", "same", "similar", "different"];

/// Number of levels of each built-in field.
pub fn level_count(field: usize) -> usize {
    if field < FIELDS.len() {
        LEVELS[field].len()
    } else {
        CUSTOM_LEVELS.len()
    }
}

/// Levels of one pair, four bits per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Comparison(pub u64);

impl Comparison {
    /// The level of field `f`.
    pub fn level(self, f: usize) -> usize {
        ((self.0 >> (4 * f)) & 0xF) as usize
    }

    fn set(&mut self, f: usize, level: u8) {
        self.0 |= (level as u64 & 0xF) << (4 * f);
    }
}

/// The maximum number of compared fields (built-in + custom).
pub const MAX_FIELDS: usize = 16;

/// Jaro-Winkler similarity, as `strsim::jaro_winkler` computes it.
///
/// Keys are folded ASCII, so the common case runs on bytes with the match flags in two
/// `u64` bit sets: no allocation in the pair loop. Longer or non-ASCII strings (custom
/// fields) go to strsim.
pub fn jw(a: &str, b: &str) -> f64 {
    // Jaro's greedy matching can count one transposition more in one direction than
    // in the other; a fixed argument order makes the score, and every weight built on
    // it, the same whichever record comes first in the input.
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 64 || y.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro_ascii(x, y);
    if sim > 0.7 {
        let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Whether `jw(a, b) >= threshold`, without computing the score when a cheap upper bound
/// already falls short.
///
/// Most pairs in a block differ in every fuzzily compared field except the one they were
/// blocked on, and Jaro's matching loop is quadratic in the window. Jaro's match count
/// `m` is at most the number of characters of either string that occur anywhere in the
/// other, and the transposition term is at most 1, so
/// `jaro <= (m/|a| + m/|b| + 1) / 3`; the Winkler boost is monotone in jaro for a given
/// common prefix. A bound below the threshold decides the answer exactly.
pub fn jw_at_least(a: &str, b: &str, threshold: f64) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.is_empty() || y.is_empty() || !a.is_ascii() || !b.is_ascii() {
        return jw(a, b) >= threshold;
    }
    let set = |s: &[u8]| s.iter().fold(0u64, |m, &c| m | 1 << (c & 63));
    let (sx, sy) = (set(x), set(y));
    let in_y = x.iter().filter(|&&c| sy & 1 << (c & 63) != 0).count();
    let in_x = y.iter().filter(|&&c| sx & 1 << (c & 63) != 0).count();
    let m = in_x.min(in_y) as f64;
    if m == 0.0 {
        return 0.0 >= threshold;
    }
    let bound = (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0;
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    let bound = if bound > 0.7 {
        bound + 0.1 * prefix as f64 * (1.0 - bound)
    } else {
        bound
    };
    // The margin keeps float rounding in the bound from ever pruning a true hit.
    if bound + 1e-9 < threshold {
        return false;
    }
    jw(a, b) >= threshold
}

fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    let (la, lb) = (a.len(), b.len());
    if la == 0 && lb == 0 {
        return 1.0;
    }
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let range = (la.max(lb) / 2).saturating_sub(1);
    let (mut fa, mut fb) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = lb.min(i + range + 1);
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if ca == cb && fb & (1 << j) == 0 {
                fa |= 1 << i;
                fb |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if fa & (1 << i) != 0 {
            while fb & (1 << j) == 0 {
                j += 1;
            }
            if ca != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    (m / la as f64 + m / lb as f64 + (matches - transpositions / 2) as f64 / m) / 3.0
}

/// How two given names relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Given {
    Missing,
    Exact,
    Nickname,
    Fuzzy,
    Initial,
    Different,
}

/// How two family names relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Missing,
    Exact,
    Fuzzy,
    Partial,
    Different,
}

fn given(a: &MatchKey, b: &MatchKey) -> Given {
    let (fa, fb) = (a.given_first(), b.given_first());
    if fa.is_empty() || fb.is_empty() {
        return Given::Missing;
    }
    if a.given_h == b.given_h {
        return Given::Exact;
    }
    if a.nick.iter().any(|g| b.nick.binary_search(g).is_ok()) {
        return Given::Nickname;
    }
    // "Jean Pierre" vs "Jean-Pierre" vs "Jeanpierre"
    if (a.given().len() > fa.len() || b.given().len() > fb.len()) && a.given_sq() == b.given_sq() {
        return Given::Exact;
    }
    initial_or_spelling(fa, fb)
}

/// Two given names (first words, neither empty) that are not the same: one an initial
/// of the other, spelt slightly differently, or different.
fn initial_or_spelling(fa: &str, fb: &str) -> Given {
    if (fa.len() == 1 || fb.len() == 1) && fa.as_bytes()[0] == fb.as_bytes()[0] {
        return Given::Initial;
    }
    if jw_at_least(fa, fb, 0.88) {
        return Given::Fuzzy;
    }
    Given::Different
}

fn family(a: &MatchKey, b: &MatchKey) -> Family {
    if a.family().is_empty() || b.family().is_empty() {
        return Family::Missing;
    }
    if a.family_h == b.family_h {
        return Family::Exact;
    }
    let floor = if a.family_phon == b.family_phon {
        0.8
    } else {
        0.88
    };
    if jw_at_least(a.family(), b.family(), floor) {
        return Family::Fuzzy;
    }
    if one_inside_other(a.family(), b.family()) {
        return Family::Partial;
    }
    Family::Different
}

/// Double family names and hyphenations: "garciamarquez" vs "garcia".
fn one_inside_other(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    short.len() >= 3 && (long.starts_with(short) || long.ends_with(short))
}

/// The composite name level (see [`LEVELS`]).
///
/// Names are read both ways round: when the straight reading says they differ, the
/// reading with given and family exchanged on one side counts if it agrees ("Edwards
/// Christine" is the same name). Exports swap the two with a typo, an initial or a
/// two-word family name on top ("Wouter Vermeulen" and "Vermeulne Wouter", "I. Foneau"
/// and "Foneau Isabel"); read one way only, such a pair was two different people, held
/// apart for good by `different-names-never-merge`.
fn name(a: &MatchKey, b: &MatchKey) -> u8 {
    let straight = level_of(given(a, b), family(a, b));
    if matches!(straight, 6..=8) {
        // Both ways, so that the level does not depend on which record is `a`.
        // The family name read against the other's given name decides first: most such
        // pairs are two people, and it rules them out with one comparison.
        let other = [(a, b), (b, a)]
            .into_iter()
            .filter_map(|(x, y)| {
                let f = family_swapped(x, y);
                matches!(f, Family::Exact | Family::Fuzzy | Family::Partial)
                    .then(|| level_of(given_swapped(x, y), f))
            })
            .filter(|l| matches!(l, 1..=4))
            .min();
        if let Some(other) = other {
            return other;
        }
    }
    straight
}

/// `a`'s given name against `b`'s family name, as [`given`] compares given names
/// (nicknames aside: `b`'s family name has no nickname groups).
fn given_swapped(a: &MatchKey, b: &MatchKey) -> Given {
    let (fa, fb) = (a.given_first(), b.family());
    if fa.is_empty() || fb.is_empty() {
        return Given::Missing;
    }
    if a.given_sq() == fb {
        return Given::Exact;
    }
    initial_or_spelling(fa, fb)
}

/// `a`'s family name against `b`'s given name, as [`family`] compares family names.
fn family_swapped(a: &MatchKey, b: &MatchKey) -> Family {
    let (fa, gb) = (a.family(), b.given_sq());
    if fa.is_empty() || gb.is_empty() {
        return Family::Missing;
    }
    if fa == gb {
        return Family::Exact;
    }
    if jw_at_least(fa, gb, 0.88) {
        return Family::Fuzzy;
    }
    if one_inside_other(fa, gb) {
        return Family::Partial;
    }
    Family::Different
}

/// The name level of a given-name and a family-name verdict.
fn level_of(given: Given, family: Family) -> u8 {
    use Family as F;
    use Given as G;
    match (given, family) {
        (G::Exact, F::Exact) => 1,
        (G::Nickname, F::Exact) => 2,
        (G::Exact | G::Nickname | G::Fuzzy, F::Exact | F::Fuzzy | F::Partial) => 3,
        (G::Initial | G::Missing, F::Exact | F::Fuzzy | F::Partial) => 4,
        (G::Exact | G::Nickname | G::Fuzzy, F::Missing) => 5,
        (G::Different, F::Exact | F::Fuzzy | F::Partial) => 6,
        (G::Exact | G::Nickname | G::Fuzzy | G::Initial, F::Different) => 7,
        (G::Different, F::Different | F::Missing) => 8,
        (G::Missing, F::Different) => 8,
        (G::Initial | G::Missing, F::Missing) => 0,
    }
}

/// Whether `a`'s address `x` and `b`'s address `y` have one personal e-mail name (at
/// least three letters, not a role mailbox), whatever their domains.
fn same_email_name(a: &MatchKey, x: &EmailKey, b: &MatchKey, y: &EmailKey) -> bool {
    x.local_h == y.local_h
        && !x.generic
        && !y.generic
        && a.email_local(x).len() >= 3
        && a.email_local(x) == b.email_local(y)
}

fn email(a: &MatchKey, b: &MatchKey) -> u8 {
    if a.emails.is_empty() || b.emails.is_empty() {
        return 0;
    }
    let kinds = |k: &MatchKey| {
        let free = k.emails.iter().filter(|e| e.free).count();
        (free > 0, free < k.emails.len())
    };
    let (a_kinds, b_kinds) = (kinds(a), kinds(b));
    // Only personal addresses on one side and only work ones on the other.
    let apart = a_kinds.0 != b_kinds.0 && a_kinds.1 != b_kinds.1;
    if apart {
        let same_name = a
            .emails
            .iter()
            .any(|x| b.emails.iter().any(|y| same_email_name(a, x, b, y)));
        return if same_name { 8 } else { 6 };
    }
    let mut best = 7u8;
    // Every address on both sides is a work one: a different work address may only
    // mean another employer (see `score::Model::level_weight`).
    let all_work = !a_kinds.0 && !b_kinds.0;
    for x in a.emails.iter() {
        for y in b.emails.iter() {
            let level = if x.full == y.full {
                if x.generic || y.generic {
                    2
                } else {
                    1
                }
            } else if same_email_name(a, x, b, y) {
                3
            } else if x.domain == y.domain && !x.free {
                if !x.generic && !y.generic && jw_at_least(a.email_local(x), b.email_local(y), 0.9)
                {
                    4
                } else {
                    5
                }
            } else {
                // A personal address against a work one says little when the records
                // also carry addresses of one kind to compare (see `level_class`).
                7
            };
            best = best.min(level);
        }
    }
    if best == 7 && all_work {
        9
    } else {
        best
    }
}

fn one_digit_apart(a: u64, b: u64) -> bool {
    let (mut a, mut b, mut diff) = (a, b, 0);
    while a > 0 || b > 0 {
        if a % 10 != b % 10 {
            diff += 1;
            if diff > 1 {
                return false;
            }
        }
        a /= 10;
        b /= 10;
    }
    diff == 1
}

fn phone(a: &MatchKey, b: &MatchKey) -> u8 {
    if a.phones.is_empty() || b.phones.is_empty() {
        return 0;
    }
    let mut best = 4u8;
    for x in a.phones.iter() {
        for y in b.phones.iter() {
            let level = if x.national == y.national {
                if x.generic || y.generic {
                    2
                } else {
                    1
                }
            } else if x.national.ilog10() == y.national.ilog10()
                && one_digit_apart(x.national, y.national)
            {
                3
            } else {
                4
            };
            best = best.min(level);
        }
    }
    best
}

fn company(a: &MatchKey, b: &MatchKey) -> u8 {
    if a.company().is_empty() || b.company().is_empty() {
        return 0;
    }
    if a.company_h == b.company_h {
        return 1;
    }
    if a.company_sq() == b.company_sq() || jw_at_least(a.company_sq(), b.company_sq(), 0.92) {
        return 2;
    }
    3
}

fn address(a: &MatchKey, b: &MatchKey) -> u8 {
    if !a.street().is_empty() && !b.street().is_empty() {
        if a.street_h == b.street_h {
            return 1;
        }
        if jw_at_least(a.street(), b.street(), 0.9) {
            return 2;
        }
        return 5;
    }
    if a.postcode_h != 0 && b.postcode_h != 0 {
        return if a.postcode_h == b.postcode_h { 3 } else { 6 };
    }
    if a.city_h != 0 && b.city_h != 0 {
        return if a.city_h == b.city_h { 4 } else { 7 };
    }
    0
}

fn custom(a: &MatchKey, b: &MatchKey, i: usize, method: CompareMethod) -> u8 {
    let (x, y) = (a.custom[i], b.custom[i]);
    if x == 0 || y == 0 {
        return 0;
    }
    if x == y {
        return 1;
    }
    if method == CompareMethod::Fuzzy && jw_at_least(&a.custom_text[i], &b.custom_text[i], 0.9) {
        return 2;
    }
    3
}

/// Compares two records' keys. `custom` lists the custom comparisons' methods.
pub fn compare(a: &MatchKey, b: &MatchKey, custom_methods: &[CompareMethod]) -> Comparison {
    let mut c = Comparison::default();
    c.set(0, name(a, b));
    c.set(1, email(a, b));
    c.set(2, phone(a, b));
    c.set(3, company(a, b));
    c.set(4, address(a, b));
    for (i, m) in custom_methods
        .iter()
        .enumerate()
        .take(MAX_FIELDS - FIELDS.len())
    {
        c.set(FIELDS.len() + i, custom(a, b, i, *m));
    }
    c
}

/// A date written in a common format (`1980-03-07`, `07.03.1980`, `3/7/1980`,
/// `19800307`) as `YYYYMMDD`; the folded text when it is not a date.
/// Day-first is assumed for `D.M.Y` and `D/M/Y` unless the first number is above 12
/// in the second position's place (then it is month-first).
///
/// ```
/// use listmerge::compare::date_key;
/// assert_eq!(date_key("1980-03-07"), "19800307");
/// assert_eq!(date_key("07.03.1980"), "19800307");
/// assert_eq!(date_key("3/27/1980"), "19800327");
/// ```
pub fn date_key(raw: &str) -> String {
    let nums: Vec<&str> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    let parsed = match nums.as_slice() {
        [y, m, d] if y.len() == 4 => Some((y.to_string(), m.parse().ok(), d.parse().ok())),
        [d, m, y] if y.len() == 4 => {
            let (d, m): (Option<u32>, Option<u32>) = (d.parse().ok(), m.parse().ok());
            match (d, m) {
                (Some(d), Some(m)) if m > 12 && d <= 12 => Some((y.to_string(), Some(d), Some(m))),
                _ => Some((y.to_string(), m, d)),
            }
        }
        [all] if all.len() == 8 => Some((
            all[..4].to_string(),
            all[4..6].parse().ok(),
            all[6..].parse().ok(),
        )),
        _ => None,
    };
    match parsed {
        Some((y, Some(m), Some(d))) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            format!("{y}{m:02}{d:02}")
        }
        _ => crate::normalize::fold::fold(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::keys::test_key as contact;

    #[test]
    fn exact_and_missing() {
        let a = contact("Jane", "Doe", "jane@acme.example", 2079460958, "ACME Ltd");
        let b = contact(
            "JANE",
            "DOE",
            "jane@acme.example",
            2079460958,
            "Acme Limited",
        );
        let c = compare(&a, &b, &[]);
        assert_eq!(c.level(0), 1);
        assert_eq!(c.level(1), 1);
        assert_eq!(c.level(2), 1);
        let e = contact("", "", "", 0, "");
        let c = compare(&a, &e, &[]);
        assert_eq!(c.0, 0);
    }

    #[test]
    fn name_levels() {
        let a = contact("Christine", "Edwards", "", 0, "");
        let level = |g: &str, f: &str| compare(&a, &contact(g, f, "", 0, ""), &[]).level(0);
        assert_eq!(level("Christine", "Edvvards"), 3);
        assert_eq!(level("C.", "Edwards"), 4);
        assert_eq!(level("", "Edwards"), 4);
        assert_eq!(level("Edwards", "Christine"), 1);
        assert_eq!(level("Martha", "Edwards"), 6);
        assert_eq!(level("Christine", "Okafor"), 7);
        assert_eq!(level("Martha", "Okafor"), 8);
        assert_eq!(level("Christine", ""), 5);
    }

    /// Given and family exchanged, with a slip, an initial or a two-word family name on
    /// top, is still one name; the same level whichever record comes first.
    #[test]
    fn swapped_names_with_a_difference_on_top() {
        let level = |a: (&str, &str), b: (&str, &str)| {
            let (x, y) = (contact(a.0, a.1, "", 0, ""), contact(b.0, b.1, "", 0, ""));
            let l = compare(&x, &y, &[]).level(0);
            assert_eq!(l, compare(&y, &x, &[]).level(0), "{a:?} {b:?}");
            l
        };
        assert_eq!(level(("Wouter", "Vermeulen"), ("Vermeulne", "Wouter")), 3);
        assert_eq!(level(("Christine", "Edwards"), ("Edwrads", "Christine")), 3);
        assert_eq!(level(("I.", "Foneau"), ("Foneau", "Isabel")), 4);
        assert_eq!(level(("Dalwalford", "R."), ("Robert", "Dalwalford")), 4);
        assert_eq!(
            level(
                ("Pablo", "Echevarrero Valvalero"),
                ("Echevarrero Valvalero", "Pablo")
            ),
            1
        );
        // Two people whose names share nothing either way round stay apart.
        assert_eq!(level(("Christine", "Okafor"), ("Okafor", "Martha")), 8);
        assert_eq!(level(("Martha", "Edwards"), ("Edwards", "Christine")), 8);
        assert_eq!(level(("Christine", "Edwards"), ("Martha", "Edwards")), 6);
    }

    #[test]
    fn email_levels() {
        let a = contact("A", "B", "anna.berg@acme.example", 0, "");
        let b = contact("A", "B", "anna.berg@other.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 3);
        // Only a personal address against only a work one: the e-mail name is all
        // they can share.
        let b = contact("A", "B", "annaberg@gmail.com", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 8);
        let b = contact("A", "B", "tom@gmail.com", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 6);
        // With a work address on both sides, the work addresses are compared.
        let b = contact("A", "B", "annaberg@gmail.com;tom@other.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 3);
        let b = contact("A", "B", "tom@gmail.com;tom@other.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 7);
        let b = contact("A", "B", "tom@acme.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 5);
        // Only work addresses, at two domains: what a change of employer shows.
        let b = contact("A", "B", "tom@other.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 9);
        let b = contact("A", "B", "tom@gmail.com", 0, "");
        let c = contact("A", "B", "anna@web.de", 0, "");
        assert_eq!(compare(&b, &c, &[]).level(1), 7);
        let a = contact("A", "B", "info@acme.example", 0, "");
        let b = contact("C", "D", "info@acme.example", 0, "");
        assert_eq!(compare(&a, &b, &[]).level(1), 2);
        // A slip in the local part at one company's domain.
        let a = contact("A", "B", "christine.edwards@acme.example", 0, "Acme");
        let b = contact("A", "B", "christine.edvvards@acme.example", 0, "Acme");
        assert_eq!(compare(&a, &b, &[]).level(1), 4);
    }

    #[test]
    fn email_local_parts_live_in_the_key_text() {
        let k = contact(
            "Zoë",
            "Ødegård",
            "anna_berg-lund.x+news@acme.example",
            0,
            "Acme GmbH",
        );
        let locals: Vec<&str> = k.emails.iter().map(|e| k.email_local(e)).collect();
        assert_eq!(locals, ["annaberglundx"]);
        assert_eq!(
            k.emails[0].local_h,
            crate::normalize::keys::hash("annaberglundx")
        );
        // The names and company read as before the local parts were added after them.
        assert_eq!(k.family(), "odegard");
        assert!(k.given().starts_with("zo"));
    }

    #[test]
    fn phone_one_digit() {
        let a = contact("A", "B", "", 2079460958, "");
        let b = contact("A", "B", "", 2079460959, "");
        assert_eq!(compare(&a, &b, &[]).level(2), 3);
        let b = contact("A", "B", "", 2079999999, "");
        assert_eq!(compare(&a, &b, &[]).level(2), 4);
    }

    proptest::proptest! {
        #[test]
        fn jw_agrees_with_strsim(a in "[a-e ]{0,20}", b in "[a-e ]{0,20}") {
            let ours = jw(&a, &b);
            // jw puts its arguments in order first (see there); strsim's own answer
            // for that order is what it must equal.
            let (x, y) = if a <= b { (&a, &b) } else { (&b, &a) };
            let theirs = strsim::jaro_winkler(x, y);
            proptest::prop_assert!((ours - theirs).abs() < 1e-12, "{} vs {}", ours, theirs);
            proptest::prop_assert_eq!(ours.to_bits(), jw(&b, &a).to_bits());
        }

        #[test]
        fn pruned_threshold_test_matches_the_score(
            a in "[a-hA ]{0,14}", b in "[a-hA ]{0,14}", t in 0.5f64..1.0,
        ) {
            proptest::prop_assert_eq!(jw_at_least(&a, &b, t), jw(&a, &b) >= t);
            let exact = jw(&a, &b);
            proptest::prop_assert!(jw_at_least(&a, &b, exact));
        }

        #[test]
        fn comparing_is_symmetric(
            g1 in "[a-d]{1,6}", f1 in "[a-d]{1,6}", g2 in "[a-d]{1,6}", f2 in "[a-d]{1,6}",
            e1 in "[ab]{1,3}@[xy]\\.example", e2 in "[ab]{1,3}@[xy]\\.example",
            c1 in "[ab]{0,5}", c2 in "[ab]{0,5}",
        ) {
            let a = contact(&g1, &f1, &e1, 0, &c1);
            let b = contact(&g2, &f2, &e2, 0, &c2);
            proptest::prop_assert_eq!(compare(&a, &b, &[]), compare(&b, &a, &[]));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date_key("1980-3-7"), "19800307");
        assert_eq!(date_key("19800307"), "19800307");
        assert_eq!(date_key("n/a"), "n a");
    }
}
