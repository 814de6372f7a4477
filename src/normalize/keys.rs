//! Match keys: everything the blocking and comparison stages read, computed once per
//! contact so the pair loop never re-normalises.
//!
//! Strings here are folded (lower-case ASCII, accents dropped, other scripts
//! transliterated); equality is tested on 64-bit hashes of them and similarity on the
//! strings. A hash of 0 means "missing".

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::fold::{fold, fold_into, fold_name_into};
use super::{address, company, email, name};
use crate::model::Contact;

/// Hash of a folded string; 0 for the empty string (missing).
pub fn hash(s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        // 0 is reserved for "missing"; a real string hashing to 0 moves to 1.
        xxh3_64(s.as_bytes()).max(1)
    }
}

/// One e-mail address's keys.
#[derive(Debug, Clone)]
pub struct EmailKey {
    /// Hash of the whole address.
    pub full: u64,
    /// Hash of the local part, lower-case, with `.`, `_`, `-` and a `+tag` removed.
    pub local_h: u64,
    /// Where that local part lies in its key's text: see [`MatchKey::email_local`].
    /// Kept in the key's one buffer rather than allocated per address, so the pair
    /// loop finds it with the names instead of following another pointer.
    local: (u32, u32),
    /// Hash of the domain.
    pub domain: u64,
    /// A role or shared mailbox (`info@`), or an address several people share.
    pub generic: bool,
    /// A personal-mail provider (gmail, web.de): the domain says nothing about the company.
    pub free: bool,
}

/// One phone number's keys.
#[derive(Debug, Clone, Copy)]
pub struct PhoneKey {
    /// National significant number digits.
    pub national: u64,
    /// A number several people share (a switchboard).
    pub generic: bool,
}

/// The match keys of one contact.
#[derive(Debug, Clone, Default)]
pub struct MatchKey {
    /// The folded strings, back to back: given, given squeezed, family, company, company
    /// squeezed, street. One allocation per contact instead of one per string keeps the
    /// comparison loop's reads of a record close together in memory.
    text: Box<str>,
    /// Where each of the six strings in `text` ends.
    ends: [u32; 6],
    /// Hash of the first given token.
    pub given_h: u64,
    /// Double Metaphone of the first given token (hashed).
    pub given_phon: u64,
    /// Hash of `family`.
    pub family_h: u64,
    /// Double Metaphone of the family name (hashed).
    pub family_phon: u64,
    /// Nickname groups of the first given token.
    pub nick: &'static [u32],
    /// E-mail keys.
    pub emails: Box<[EmailKey]>,
    /// Phone keys.
    pub phones: Box<[PhoneKey]>,
    /// Hash of `company`.
    pub company_h: u64,
    /// Hash of `street`.
    pub street_h: u64,
    /// Hash of the postcode (spaces removed).
    pub postcode_h: u64,
    /// Hash of the folded city.
    pub city_h: u64,
    /// Custom-field values to compare, one per `[[compare]]` (0 = missing); see
    /// `compare::custom_value`.
    pub custom: Box<[u64]>,
    /// Folded custom values for fuzzy comparison, same order as `custom`.
    pub custom_text: Box<[Box<str>]>,
}

/// String `i` of a key's `text` whose strings end at `ends`.
fn part<'a>(text: &'a str, ends: &[u32; 6], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    text.get(start..ends[i] as usize).unwrap_or_default()
}

/// Indices of the strings in [`MatchKey`]'s text.
const GIVEN: usize = 0;
const GIVEN_SQ: usize = 1;
const FAMILY: usize = 2;
const COMPANY: usize = 3;
const COMPANY_SQ: usize = 4;
const STREET: usize = 5;

impl MatchKey {
    fn part(&self, i: usize) -> &str {
        part(&self.text, &self.ends, i)
    }

    /// Folded given name (all given tokens, space separated).
    pub fn given(&self) -> &str {
        self.part(GIVEN)
    }

    /// `given` without spaces ("jeanpierre").
    pub fn given_sq(&self) -> &str {
        self.part(GIVEN_SQ)
    }

    /// Folded family name with spaces removed ("vanderberg").
    pub fn family(&self) -> &str {
        self.part(FAMILY)
    }

    /// Folded company, legal forms removed.
    pub fn company(&self) -> &str {
        self.part(COMPANY)
    }

    /// `company` without spaces.
    pub fn company_sq(&self) -> &str {
        self.part(COMPANY_SQ)
    }

    /// Folded street line, street types unified.
    pub fn street(&self) -> &str {
        self.part(STREET)
    }

    /// Asks the processor to start loading this key, without waiting for it: see
    /// `pipeline::map_pairs`.
    pub fn prefetch(&self) {
        crate::prefetch_value(self);
    }

    /// Asks the processor to start loading this key's strings, e-mails and phones.
    pub fn prefetch_heap(&self) {
        crate::prefetch(self.text.as_ptr());
        // The e-mail local parts end the text, often on the next cache line.
        crate::prefetch(
            self.text
                .as_ptr()
                .wrapping_add(self.text.len().saturating_sub(1)),
        );
        crate::prefetch(self.emails.as_ptr().cast());
        crate::prefetch(self.phones.as_ptr().cast());
    }

    /// The local part of e-mail key `e` (one of this key's `emails`), lower-case, with
    /// `.`, `_`, `-` and a `+tag` removed.
    pub fn email_local(&self, e: &EmailKey) -> &str {
        self.text
            .get(e.local.0 as usize..e.local.1 as usize)
            .unwrap_or_default()
    }

    /// The first given token.
    pub fn given_first(&self) -> &str {
        // A byte loop: the pair loop asks this twice per pair, of names a few letters
        // long, where a general substring search costs more than the scan.
        let given = self.given();
        let end = given.bytes().position(|b| b == b' ').unwrap_or(given.len());
        &given[..end]
    }
}

/// Builds the keys of every contact in parallel, then marks e-mails and phones that
/// several different people share as generic. `custom` gives, per `[[compare]]`, the
/// custom-field index to read (None when no file has that column).
pub fn match_keys(
    contacts: &[Contact],
    custom: &[(Option<u16>, crate::rules::CompareMethod)],
    generic_after: u32,
) -> (Vec<MatchKey>, Generic) {
    let mut keys: Vec<MatchKey> = keys(contacts, custom).collect();
    let generic = mark_generic(&mut keys, generic_after);
    (keys, generic)
}

/// The keys of `contacts` (all or a slice of the run's), made in parallel as they are
/// collected, before [`mark_generic`].
pub fn keys<'a>(
    contacts: &'a [Contact],
    custom: &'a [(Option<u16>, crate::rules::CompareMethod)],
) -> impl IndexedParallelIterator<Item = MatchKey> + 'a {
    contacts
        .par_iter()
        .with_min_len(256)
        .map(move |c| key(c, custom))
}

/// What [`match_keys`] found to be shared by several people.
#[derive(Debug, Default, Clone)]
pub struct Generic {
    /// Shared e-mail addresses (hashes), each with the number of records using it.
    pub emails: Vec<(u64, u32)>,
    /// Shared phone numbers, each with the number of records using it.
    pub phones: Vec<(u64, u32)>,
}

thread_local! {
    static DM_MEMO: super::Memo<u64> = Default::default();
}

fn dm(s: &str) -> u64 {
    if s.is_empty() {
        return 0;
    }
    super::memo(&DM_MEMO, s, dm_uncached)
}

fn dm_uncached(s: &str) -> u64 {
    // The encoder only ever sees folded ASCII; catch_unwind is a second guard because a
    // panic in a third-party encoder must never end a run.
    let code = std::panic::catch_unwind(|| {
        use rphonetic::Encoder;
        rphonetic::DoubleMetaphone::default().encode(s)
    })
    .unwrap_or_default();
    hash(if code.is_empty() { s } else { &code })
}

/// Builds one contact's keys.
pub fn key(c: &Contact, custom: &[(Option<u16>, crate::rules::CompareMethod)]) -> MatchKey {
    // Every folded string is written straight into the key's one text buffer; the
    // scratch buffer holds what is folded only to be filtered or hashed. A contact
    // used to take a dozen short-lived allocations here.
    let (name, addr) = (c.name(), c.address());
    let mut scratch = String::with_capacity(64);
    let mut text = String::with_capacity(
        2 * (name.given.len() + c.company().len())
            + name.family.len()
            + addr.street.len()
            + c.emails().iter().map(|e| e.address.len()).sum::<usize>(),
    );
    let mut ends = [0u32; 6];
    // A folded cell longer than 4 GiB cannot occur (cells come from files read into
    // memory); saturate rather than wrap if it ever did.
    let end = |t: &String| u32::try_from(t.len()).unwrap_or(u32::MAX);

    fold_name_into(name.given, &mut text);
    ends[GIVEN] = end(&text);
    push_without_spaces(&mut text, 0..ends[GIVEN] as usize);
    ends[GIVEN_SQ] = end(&text);
    fold_name_into(name.family, &mut scratch);
    text.extend(scratch.chars().filter(|c| *c != ' '));
    ends[FAMILY] = end(&text);
    let company_start = text.len();
    company::fold_into(c.company(), &mut text);
    ends[COMPANY] = end(&text);
    push_without_spaces(&mut text, company_start..ends[COMPANY] as usize);
    ends[COMPANY_SQ] = end(&text);
    text.push_str(&address::fold_street(addr.street));
    ends[STREET] = end(&text);

    let emails: Box<[EmailKey]> = c
        .emails()
        .iter()
        .filter(|e| e.valid)
        .filter_map(|e| {
            let (local, domain) = e.address.rsplit_once('@')?;
            let base = local.split('+').next().unwrap_or(local);
            let start = end(&text);
            text.extend(base.chars().filter(|ch| !matches!(ch, '.' | '_' | '-')));
            let stop = end(&text);
            Some(EmailKey {
                full: hash(&e.address),
                generic: email::is_generic_local(base),
                free: email::is_free_mail(domain),
                local_h: hash(&text[start as usize..stop as usize]),
                local: (start, stop),
                domain: hash(domain),
            })
        })
        .collect();
    let phones: Box<[PhoneKey]> = c
        .phones()
        .iter()
        .filter(|p| p.national != 0)
        .map(|p| PhoneKey {
            national: p.national,
            generic: false,
        })
        .collect();
    let postcode_h = if addr.postcode.contains(' ') {
        scratch.clear();
        scratch.extend(addr.postcode.chars().filter(|c| *c != ' '));
        hash(&scratch)
    } else {
        hash(addr.postcode)
    };
    scratch.clear();
    fold_into(addr.city, &mut scratch);
    let city_h = hash(&scratch);
    let mut custom_h = Vec::with_capacity(custom.len());
    let mut custom_t = Vec::with_capacity(custom.len());
    for (idx, method) in custom {
        let raw = idx
            .and_then(|i| c.custom().iter().find(|(j, _)| *j == i))
            .map(|(_, v)| &**v)
            .unwrap_or("");
        let v = match method {
            crate::rules::CompareMethod::Date => crate::compare::date_key(raw),
            _ => fold(raw),
        };
        custom_h.push(hash(&v));
        custom_t.push(v.into_boxed_str());
    }
    let first = part(&text, &ends, GIVEN).split(' ').next().unwrap_or("");
    let family = part(&text, &ends, FAMILY);
    MatchKey {
        given_h: hash(first),
        given_phon: dm(first),
        nick: name::nickname_groups(first),
        family_h: hash(family),
        family_phon: dm(family),
        company_h: hash(part(&text, &ends, COMPANY)),
        street_h: hash(part(&text, &ends, STREET)),
        emails,
        phones,
        postcode_h,
        city_h,
        custom: custom_h.into(),
        custom_text: custom_t.into(),
        text: text.into(),
        ends,
    }
}

/// Appends `text[range]` to `text` without its spaces.
fn push_without_spaces(text: &mut String, range: std::ops::Range<usize>) {
    // Folded text is ASCII (see `fold`), so a byte is a char.
    for i in range {
        let b = text.as_bytes()[i];
        if b != b' ' {
            text.push(char::from(b));
        }
    }
}

/// A person signature for counting distinct people behind one address or number:
/// given initial plus the family name's sound, so spelling slips of one person do not
/// count as several people.
fn person(k: &MatchKey) -> u64 {
    let initial = k.given().bytes().next().unwrap_or(0) as u64;
    if k.family_phon == 0 {
        return 0;
    }
    k.family_phon.rotate_left(8) ^ initial
}

/// The match key of a contact with just these values (empty or 0 = missing), for tests
/// of the stages that read keys.
#[cfg(test)]
pub(crate) fn test_key(
    given: &str,
    family: &str,
    email: &str,
    phone: u64,
    company: &str,
) -> MatchKey {
    use crate::model::{ContactValues, Email, PersonName, Phone, PhoneKind};
    let c = ContactValues {
        name: PersonName {
            given: given.into(),
            family: family.into(),
            ..Default::default()
        },
        // Several addresses are separated by `;`.
        emails: email
            .split(';')
            .filter(|e| !e.is_empty())
            .map(|e| Email {
                address: e.into(),
                valid: true,
            })
            .collect(),
        phones: (phone != 0)
            .then_some(Phone {
                number: String::new(),
                extension: String::new(),
                kind: PhoneKind::Work,
                national: phone,
            })
            .into_iter()
            .collect(),
        company: company.into(),
        ..Default::default()
    };
    key(&c.into(), &[])
}

/// Marks the e-mails and phones that `after` or more different people share as
/// generic, and returns them: the second half of [`match_keys`], for keys built a
/// slice at a time with [`keys`].
pub fn mark_generic(keys: &mut [MatchKey], after: u32) -> Generic {
    // (value, person) for every e-mail and phone; sorted, each value's run tells how
    // many records use it and how many distinct people. Sorting in parallel beats a
    // hash set per value by far on large inputs.
    let mut emails: Vec<(u64, u64)> = keys
        .par_iter()
        .flat_map_iter(|k| {
            let p = person(k);
            k.emails.iter().map(move |e| (e.full, p))
        })
        .collect();
    let mut phones: Vec<(u64, u64)> = keys
        .par_iter()
        .flat_map_iter(|k| {
            let p = person(k);
            k.phones.iter().map(move |ph| (ph.national, p))
        })
        .collect();
    emails.par_sort_unstable();
    phones.par_sort_unstable();
    let shared = |pairs: &[(u64, u64)]| -> FxHashMap<u64, u32> {
        let mut out = FxHashMap::default();
        let mut i = 0;
        while i < pairs.len() {
            let v = pairs[i].0;
            let n = pairs[i..].iter().take_while(|x| x.0 == v).count();
            let run = &pairs[i..i + n];
            // Distinct non-zero people in the run (the run is sorted by person).
            let people = run
                .iter()
                .enumerate()
                .filter(|&(j, x)| x.1 != 0 && (j == 0 || run[j - 1].1 != x.1))
                .count();
            if people >= after as usize {
                out.insert(v, n as u32);
            }
            i += n;
        }
        out
    };
    let shared_e = shared(&emails);
    let shared_p = shared(&phones);
    drop(emails);
    drop(phones);
    keys.par_iter_mut().for_each(|k| {
        for e in k.emails.iter_mut() {
            if shared_e.contains_key(&e.full) {
                e.generic = true;
            }
        }
        for ph in k.phones.iter_mut() {
            if shared_p.contains_key(&ph.national) {
                ph.generic = true;
            }
        }
    });
    let mut g = Generic {
        emails: shared_e.into_iter().collect(),
        phones: shared_p.into_iter().collect(),
    };
    g.emails
        .sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    g.phones
        .sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    g
}
