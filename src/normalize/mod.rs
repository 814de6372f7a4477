//! Normalisation: raw [`Record`]s into typed [`Contact`]s (display values, tidied) and,
//! in [`keys`], the match keys the comparison loop reads.
//!
//! Input: the records of an [`crate::model::Inputs`]. Output: one [`Contact`] per record, same order, same
//! [`crate::model::RecordId`]. Normalising never fails: a value that cannot be
//! understood is kept raw and flagged (an invalid e-mail, a phone without a country).

pub mod address;
pub mod company;
pub mod email;
pub mod fold;
pub mod keys;
pub mod name;
pub mod phone;

use std::cell::RefCell;
use std::thread::LocalKey;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::{
    Address, Contact, ContactValues, Field, PhoneKind, Record, SourceInfo, Target, Values,
};
use crate::report::Report;
use crate::rules::Rules;

/// A per-thread memo of a pure function of one string.
pub(crate) type Memo<V> = RefCell<FxHashMap<Box<str>, V>>;

/// Entries a memo holds at most, so memory stays bounded on lists with millions of
/// distinct values. A full memo keeps what it has (the frequent values turn up early)
/// and computes the rest without remembering them; clearing it instead made a list
/// with more distinct employers than this refill it over and over.
const MEMO_MAX: usize = 1 << 18;

/// `f(key)`, remembered per thread. Contact lists repeat their given names, family
/// names and employers many times, and the functions memoised this way (phonetic codes,
/// company folding) cost far more than a hash lookup. Each worker thread has its own
/// memo, so there is no lock, and the result never depends on which thread ran.
pub(crate) fn memo<V: Clone>(
    cell: &'static LocalKey<Memo<V>>,
    key: &str,
    f: impl FnOnce(&str) -> V,
) -> V {
    memo_with(cell, key, f, V::clone)
}

/// [`memo`], handing the remembered value to `then` instead of returning a copy: a
/// caller that appends a memoised string to its own buffer needs no copy of it.
pub(crate) fn memo_with<V, R>(
    cell: &'static LocalKey<Memo<V>>,
    key: &str,
    f: impl FnOnce(&str) -> V,
    then: impl FnOnce(&V) -> R,
) -> R {
    cell.with(|m| {
        if let Some(v) = m.borrow().get(key) {
            return then(v);
        }
        let v = f(key);
        let r = then(&v);
        let mut m = m.borrow_mut();
        if m.len() < MEMO_MAX {
            m.insert(key.into(), v);
        }
        r
    })
}

/// Normalises `records` (all or a slice of the run's, from `sources`), in parallel,
/// keeping order, and advances `report` by one per record.
///
/// The raw values of each record are released once it is normalised (later stages
/// read the contact, and the record's source and locator, only): on large inputs
/// that memory is then reused for the contacts instead of adding to the peak.
pub fn contacts(
    records: &mut [Record],
    sources: &[SourceInfo],
    rules: &Rules,
    report: &dyn Report,
) -> Vec<Contact> {
    records
        .par_iter_mut()
        .with_min_len(256)
        .map(|r| {
            let c = contact(r, default_country(sources, rules, r));
            r.values = Values::default();
            report.advance(1);
            c
        })
        .collect()
}

/// The phone country of `record` when nothing in it tells: its source's, else the
/// rules'.
pub fn default_country<'a>(
    sources: &'a [SourceInfo],
    rules: &'a Rules,
    record: &Record,
) -> Option<&'a str> {
    sources[record.source.0 as usize]
        .default_country
        .as_deref()
        .or(rules.matching.default_country.as_deref())
}

/// Normalises one record. `default_country` is the source's (or the rules') phone
/// country, used only when neither the record's country nor its e-mail domain tells.
pub fn contact(record: &Record, default_country: Option<&str>) -> Contact {
    let fields = record.fields();
    let get = |f: Field| fields.get(f).unwrap_or("");
    let name = name::parse(
        get(Field::Prefix),
        get(Field::GivenName),
        get(Field::MiddleName),
        get(Field::FamilyName),
        get(Field::Suffix),
        get(Field::FullName),
    );

    let mut emails: Vec<crate::model::Email> = Vec::new();
    for raw in fields.all(Field::Email) {
        for part in split_multi(raw, '@') {
            let e = email::normalize(part);
            if !e.address.is_empty() && !emails.iter().any(|x| x.address == e.address) {
                emails.push(e);
            }
        }
    }

    let street: Vec<&str> = fields.all(Field::Street).collect();
    let country = get(Field::Country);
    let address = Address {
        street: street.join(", "),
        city: get(Field::City).to_string(),
        region: get(Field::Region).to_string(),
        postcode: address::postcode(get(Field::Postcode)),
        country: country.to_string(),
        country_code: if country.is_empty() {
            None
        } else {
            address::country_code(country)
        },
    };

    // The record's own country beats the e-mail's ccTLD, which beats the source default:
    // a German address with a .com address still dials like Germany.
    let phone_country = address.country_code.or_else(|| {
        emails.iter().filter(|e| e.valid).find_map(|e| {
            e.address
                .rsplit_once('@')
                .and_then(|(_, d)| address::country_from_domain(d))
        })
    });
    let phone_country = phone_country.or(default_country);
    let mut phones: Vec<crate::model::Phone> = Vec::new();
    for (field, kind) in [
        (Field::Mobile, PhoneKind::Mobile),
        (Field::Phone, PhoneKind::Work),
        (Field::HomePhone, PhoneKind::Home),
        (Field::Fax, PhoneKind::Fax),
    ] {
        for raw in fields.all(field) {
            let p = phone::normalize(raw, kind, phone_country);
            if !phones.iter().any(|x| x.number == p.number) {
                phones.push(p);
            }
        }
    }

    let mut unsubscribed = fields.all(Field::Unsubscribed).any(truthy);
    let mut bounced = fields.all(Field::Bounced).any(truthy);
    for s in fields.all(Field::Status) {
        let s = s.to_ascii_lowercase();
        if s.contains("unsub") || s.contains("opt") && s.contains("out") {
            unsubscribed = true;
        }
        if s.contains("bounce") || s == "cleaned" || s.contains("undeliverable") {
            bounced = true;
        }
    }

    let custom = record
        .values
        .iter()
        .filter_map(|(t, v)| match t {
            Target::Custom(i) => Some((i, v.to_string())),
            Target::Known(_) => None,
        })
        .collect();

    ContactValues {
        name,
        emails,
        phones,
        company: company::tidy(get(Field::Company)),
        title: get(Field::Title).to_string(),
        address,
        website: get(Field::Website).to_string(),
        birthday: get(Field::Birthday).to_string(),
        notes: fields.all(Field::Notes).collect::<Vec<_>>().join("\n"),
        unsubscribed,
        bounced,
        updated: get(Field::Updated).to_string(),
        custom,
        record_key: fields.get(Field::RecordKey).map(str::to_string),
    }
    .into()
}

/// Splits a cell that holds several values ("a@x.com; b@y.com") when it holds more
/// than one `marker`; otherwise returns the cell whole.
fn split_multi(raw: &str, marker: char) -> Vec<&str> {
    if raw.matches(marker).count() > 1 {
        let parts: Vec<&str> = raw
            .split([';', ',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.iter().all(|p| p.contains(marker)) {
            return parts;
        }
    }
    vec![raw]
}

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true"
            | "yes"
            | "y"
            | "x"
            | "ja"
            | "oui"
            | "si"
            | "sí"
            | "unsubscribed"
            | "opted out"
            | "bounced"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(values: &[(Field, &str)]) -> Record {
        let values: Vec<(Target, &str)> = values
            .iter()
            .map(|(f, v)| (Target::Known(*f), *v))
            .collect();
        crate::model::test_record(&values)
    }

    #[test]
    fn several_emails_in_one_cell_are_split() {
        let c = contact(&record(&[(Field::Email, "a@x.example; b@y.example")]), None);
        assert_eq!(c.emails().len(), 2);
    }

    #[test]
    fn status_columns_set_flags() {
        let c = contact(&record(&[(Field::Status, "unsubscribed")]), None);
        assert!(c.unsubscribed() && !c.bounced());
        let c = contact(&record(&[(Field::Status, "cleaned")]), None);
        assert!(c.bounced());
        let c = contact(&record(&[(Field::Unsubscribed, "TRUE")]), None);
        assert!(c.unsubscribed());
    }

    #[test]
    fn record_key_is_kept() {
        let c = contact(&record(&[(Field::RecordKey, "C-17")]), None);
        assert_eq!(c.record_key(), Some("C-17"));
    }
}
