//! Survivorship: clusters → masters. Every chosen value keeps the record it came from
//! ([`Value::from`]), so outputs can say "e-mail from crm.csv row 17".
//!
//! Single-valued fields follow the rule `rules.toml` gives them (source priority, most
//! recent, most complete, most frequent; ties go to the higher-priority source, then
//! the smaller stable record key, so values do not depend on row order). E-mails and phones keep the union, most-used first.
//! Master IDs are derived from the smallest stable record key among the members, so
//! they do not depend on input order, thread count or the other members.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::cluster::Clusters;
use crate::model::{AddressRef, Contact, Inputs, NameRef, Phone, Record, SourceInfo};
use crate::normalize::fold::fold;
use crate::rules::{Survive, Survivorship};

/// A chosen value and the record it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value<T> {
    /// The value.
    pub value: T,
    /// The record (RecordId) it was taken from.
    pub from: u32,
}

/// One consolidated person: which record each chosen value comes from.
///
/// The values themselves stay in the records' contacts, and [`Master::view`] reads
/// them from there. Copying them into every master doubled the memory the contacts
/// already took, and filling that memory was most of the survivorship stage's time.
///
/// A run holds one per cluster (six million on ten million records), so it is kept
/// small: boxed slices, and the record each single value comes from as a [`Pick`].
#[derive(Debug, Clone)]
pub struct Master {
    /// Stable id (`M` + 12 hex digits).
    pub id: Box<str>,
    /// Member records, ascending.
    pub members: Box<[u32]>,
    /// Any member opted out.
    pub unsubscribed: bool,
    name: Pick,
    company: Pick,
    title: Pick,
    address: Pick,
    website: Pick,
    birthday: Pick,
    notes: Pick,
    /// (record, index in its e-mails, bounced), most used first.
    emails: Box<[(u32, u16, bool)]>,
    /// (record, index in its phones), most used first.
    phones: Box<[(u32, u16)]>,
    /// (custom index, record).
    custom: Box<[(u16, u32)]>,
}

/// The record a master's value was taken from, if it has one: an `Option<u32>` in
/// half the space (no record id reaches `u32::MAX`, see `block::MAX_RECORDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pick(u32);

impl Pick {
    const NONE: Pick = Pick(u32::MAX);

    fn get(self) -> Option<u32> {
        (self != Pick::NONE).then_some(self.0)
    }
}

impl From<Option<u32>> for Pick {
    fn from(r: Option<u32>) -> Pick {
        r.map_or(Pick::NONE, Pick)
    }
}

/// A master's values, read from the contacts they were chosen from.
#[derive(Debug, Clone)]
pub struct MasterView<'a> {
    /// Stable id (`M` + 12 hex digits).
    pub id: &'a str,
    /// Member records, ascending.
    pub members: &'a [u32],
    /// Name.
    pub name: Option<Value<NameRef<'a>>>,
    /// Company.
    pub company: Option<Value<&'a str>>,
    /// Job title.
    pub title: Option<Value<&'a str>>,
    /// Postal address.
    pub address: Option<Value<AddressRef<'a>>>,
    /// Web site.
    pub website: Option<Value<&'a str>>,
    /// Birthday.
    pub birthday: Option<Value<&'a str>>,
    /// Notes.
    pub notes: Option<Value<&'a str>>,
    /// Any member opted out.
    pub unsubscribed: bool,
    master: &'a Master,
    contacts: &'a [Contact],
}

impl<'a> MasterView<'a> {
    /// Valid e-mail addresses, most used first; each with a bounced flag.
    pub fn emails(&self) -> impl Iterator<Item = (Value<&'a str>, bool)> + 'a {
        let contacts = self.contacts;
        self.master.emails.iter().map(move |&(r, i, bounced)| {
            let value = contacts[r as usize].emails()[i as usize].address.as_str();
            (Value { value, from: r }, bounced)
        })
    }

    /// Phones, most used first.
    pub fn phones(&self) -> impl Iterator<Item = Value<&'a Phone>> + 'a {
        let contacts = self.contacts;
        self.master.phones.iter().map(move |&(r, i)| Value {
            value: &contacts[r as usize].phones()[i as usize],
            from: r,
        })
    }

    /// Custom fields: (custom index, value).
    pub fn custom(&self) -> impl Iterator<Item = (u16, Value<&'a str>)> + 'a {
        let contacts = self.contacts;
        self.master.custom.iter().map(move |&(i, r)| {
            let value = custom_value(&contacts[r as usize], i);
            (i, Value { value, from: r })
        })
    }
}

impl Master {
    /// The master's values; `contacts` are the contacts it was built from.
    pub fn view<'a>(&'a self, contacts: &'a [Contact]) -> MasterView<'a> {
        let c = |r: u32| &contacts[r as usize];
        let text = |r: Pick, get: fn(&Contact) -> &str| {
            r.get().map(|r| Value {
                value: get(c(r)),
                from: r,
            })
        };
        MasterView {
            id: &self.id,
            members: &self.members,
            name: self.name.get().map(|r| Value {
                value: c(r).name(),
                from: r,
            }),
            company: text(self.company, |c| c.company()),
            title: text(self.title, |c| c.title()),
            address: self.address.get().map(|r| Value {
                value: c(r).address(),
                from: r,
            }),
            website: text(self.website, |c| c.website()),
            birthday: text(self.birthday, |c| c.birthday()),
            notes: text(self.notes, |c| c.notes()),
            unsubscribed: self.unsubscribed,
            master: self,
            contacts,
        }
    }
}

impl Master {
    /// The address to mail: the first valid e-mail that has not bounced.
    pub fn mailing_email<'a>(&'a self, contacts: &'a [Contact]) -> Option<&'a str> {
        let mut emails = self.view(contacts).emails();
        emails.find(|(_, bounced)| !bounced).map(|(e, _)| e.value)
    }

    /// The custom fields this master has a value in.
    pub fn custom_fields(&self) -> impl Iterator<Item = u16> + '_ {
        self.custom.iter().map(|&(i, _)| i)
    }
}

/// A contact's value of custom field `i` ("" when it has none).
fn custom_value(c: &Contact, i: u16) -> &str {
    c.custom()
        .iter()
        .find(|(j, _)| *j == i)
        .map_or("", |(_, v)| &**v)
}

/// Each record's stable key before identical rows are numbered: `source:record-key`
/// when the source has an ID column, else `source:#` + a fingerprint of its normalised
/// content, so the key survives re-sorted and re-exported files. `records` and
/// `contacts` are the same records, in the same order (a slice of the run's).
/// [`number_repeats`] then tells identical rows apart. Made in parallel as they are
/// collected.
pub fn base_record_keys<'a>(
    sources: &'a [SourceInfo],
    records: &'a [Record],
    contacts: &'a [Contact],
) -> impl IndexedParallelIterator<Item = String> + 'a {
    contacts
        .par_iter()
        .zip(records)
        .with_min_len(1024)
        .map(|(c, r)| base_record_key(&sources[r.source.0 as usize].name, c))
}

fn base_record_key(source: &str, c: &Contact) -> String {
    match c.record_key() {
        Some(k) => format!("{source}:{k}"),
        None => {
            let mut text = String::new();
            let name = c.name();
            for part in [name.given, name.family, c.company(), c.address().street] {
                text.push_str(&fold(part));
                text.push('|');
            }
            for e in c.emails() {
                text.push_str(&e.address);
                text.push('|');
            }
            for p in c.phones() {
                text.push_str(&p.number);
                text.push('|');
            }
            format!("{source}:#{:012x}", xxh3_64(text.as_bytes()) >> 16)
        }
    }
}

/// Identical rows' stable keys get `~2`, `~3`, ... in input order.
pub fn number_repeats(keys: &mut [String]) {
    let texts: Vec<&str> = keys.iter().map(String::as_str).collect();
    for (i, n) in repeats(&texts) {
        keys[i] = format!("{}~{n}", keys[i]);
    }
}

/// (position, n) for the n-th (from 2) of each group of equal `texts`, counted in the
/// order of `texts`; in no particular order. Equal texts are found by a parallel sort
/// of their hashes (a hash table of a million texts, filled on one thread, took
/// several times as long); equal hashes are then told apart by their text.
fn repeats(texts: &[&str]) -> Vec<(usize, usize)> {
    let mut by_hash: Vec<(u64, u32)> = texts
        .par_iter()
        .enumerate()
        .map(|(i, t)| (xxh3_64(t.as_bytes()), i as u32))
        .collect();
    by_hash.par_sort_unstable();
    let mut out = Vec::new();
    for run in by_hash.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        // The run is in input order: sorted by (hash, position).
        for &(_, i) in run {
            let t = texts[i as usize];
            match seen.iter_mut().find(|(s, _)| *s == t) {
                Some(e) => {
                    e.1 += 1;
                    out.push((i as usize, e.1));
                }
                None => seen.push((t, 1)),
            }
        }
    }
    out
}

struct Ctx<'a> {
    inputs: &'a Inputs,
    contacts: &'a [Contact],
    /// Stable record keys: the last tie-break, so a master's values do not depend on
    /// the order of the input rows.
    keys: &'a [String],
}

impl Ctx<'_> {
    fn priority(&self, r: u32) -> i32 {
        let s = self.inputs.records[r as usize].source;
        self.inputs.sources[s.0 as usize].priority
    }

    /// Picks among (value, record, fold key, completeness) candidates by `rule`.
    fn pick<T>(&self, cands: Vec<(T, u32, String, usize)>, rule: Survive) -> Option<u32> {
        if cands.is_empty() {
            return None;
        }
        let tie = |a: &(T, u32, String, usize), b: &(T, u32, String, usize)| {
            self.priority(b.1)
                .cmp(&self.priority(a.1))
                .then_with(|| self.keys[a.1 as usize].cmp(&self.keys[b.1 as usize]))
        };
        let best = match rule {
            Survive::SourcePriority => cands.iter().min_by(|a, b| tie(a, b)),
            Survive::MostRecent => cands.iter().min_by(|a, b| {
                let (ua, ub) = (
                    self.contacts[a.1 as usize].updated(),
                    self.contacts[b.1 as usize].updated(),
                );
                ub.cmp(ua).then_with(|| tie(a, b))
            }),
            Survive::MostComplete => cands
                .iter()
                .min_by(|a, b| b.3.cmp(&a.3).then_with(|| tie(a, b))),
            Survive::MostFrequent => {
                // How often each candidate's value occurs among them: counted pairwise
                // for the few values of a usual master, by a table for a large one.
                let counts: Vec<usize> = if cands.len() <= 16 {
                    cands
                        .iter()
                        .map(|a| cands.iter().filter(|b| b.2 == a.2).count())
                        .collect()
                } else {
                    let mut freq: FxHashMap<&str, usize> = FxHashMap::default();
                    for c in &cands {
                        *freq.entry(c.2.as_str()).or_default() += 1;
                    }
                    cands.iter().map(|c| freq[c.2.as_str()]).collect()
                };
                cands
                    .iter()
                    .zip(&counts)
                    .min_by(|(a, na), (b, nb)| {
                        nb.cmp(na).then(b.3.cmp(&a.3)).then_with(|| tie(a, b))
                    })
                    .map(|(c, _)| c)
            }
        }?;
        Some(best.1)
    }

    fn text(&self, members: &[u32], rule: Survive, get: impl Fn(&Contact) -> &str) -> Option<u32> {
        let cands = members
            .iter()
            .filter_map(|&r| {
                let v = get(&self.contacts[r as usize]);
                if v.is_empty() {
                    None
                } else {
                    Some((
                        v,
                        r,
                        frequency_key(rule, members, || v),
                        quality_of(members, v),
                    ))
                }
            })
            .collect();
        self.pick(cands, rule)
    }
}

/// The folded value that "most frequent" counts; other rules and lone records never
/// read it, and folding every value of every master was a tenth of a large run.
/// `text` is only built when the key is needed.
fn frequency_key<T: AsRef<str>>(
    rule: Survive,
    members: &[u32],
    text: impl FnOnce() -> T,
) -> String {
    if rule == Survive::MostFrequent && members.len() > 1 {
        fold(text().as_ref())
    } else {
        String::new()
    }
}

/// [`quality`] when there is a choice to make; a lone record's value wins anyway.
fn quality_of(members: &[u32], v: &str) -> usize {
    if members.len() > 1 {
        quality(v)
    } else {
        0
    }
}

/// How much information a value carries, for "most complete", with a small bonus for
/// mixed case (a typed "Müller" beats a shouted "MULLER" of the same length).
fn quality(v: &str) -> usize {
    let mixed = v.chars().any(|c| c.is_uppercase()) && v.chars().any(|c| c.is_lowercase());
    let non_ascii = v.chars().filter(|c| !c.is_ascii()).count();
    v.chars().count() * 4 + usize::from(mixed) * 2 + non_ascii.min(1)
}

/// Builds one master per cluster.
pub fn masters(
    inputs: &Inputs,
    contacts: &[Contact],
    clusters: &Clusters,
    keys: &[String],
    rules: &Survivorship,
) -> Vec<Master> {
    let ctx = Ctx {
        inputs,
        contacts,
        keys,
    };
    let mut masters: Vec<Master> = clusters
        .clusters
        .par_iter()
        .with_min_len(1024)
        .map(|members| {
            let anchor = members
                .iter()
                .map(|&r| keys[r as usize].as_str())
                .min()
                .unwrap_or("");
            build(&ctx, &master_id(anchor), members, rules)
        })
        .collect();
    // A 48-bit id clash between two anchors is rare but possible; the later master (in
    // cluster order, which is deterministic) gets a suffix.
    let ids: Vec<&str> = masters.iter().map(|m| &*m.id).collect();
    for (i, n) in repeats(&ids) {
        masters[i].id = format!("{}-{n}", masters[i].id).into();
    }
    masters
}

/// The id of the master whose least stable key is `anchor`.
fn master_id(anchor: &str) -> String {
    format!("M{:012x}", xxh3_64(anchor.as_bytes()) >> 16)
}

fn build(ctx: &Ctx, id: &str, ids: &[u32], rules: &Survivorship) -> Master {
    // Members from the highest-priority source down, then in stable-key order: where
    // values tie, the first seen wins (an e-mail found in the CRM and in a sign-up list
    // is credited to the CRM), and that must not depend on the input's row order.
    let mut by_key = ids.to_vec();
    by_key.sort_by(|&a, &b| {
        ctx.priority(b)
            .cmp(&ctx.priority(a))
            .then_with(|| ctx.keys[a as usize].cmp(&ctx.keys[b as usize]))
    });
    let members = &by_key[..];
    let name_cands = members
        .iter()
        .filter_map(|&r| {
            let n = ctx.contacts[r as usize].name();
            if n.given.is_empty() && n.family.is_empty() {
                return None;
            }
            let key = frequency_key(rules.rule("name"), members, || {
                format!("{} {}", n.given, n.family)
            });
            let q = [&n.given, &n.family, &n.middle, &n.prefix]
                .iter()
                .map(|p| quality_of(members, p))
                .sum();
            Some((n, r, key, q))
        })
        .collect();
    let address_cands = members
        .iter()
        .filter_map(|&r| {
            let a = ctx.contacts[r as usize].address();
            if a.street.is_empty() && a.city.is_empty() && a.postcode.is_empty() {
                return None;
            }
            let key = frequency_key(rules.rule("address"), members, || {
                format!("{} {} {}", a.street, a.postcode, a.city)
            });
            let q = [&a.street, &a.city, &a.postcode, &a.region, &a.country]
                .iter()
                .filter(|s| !s.is_empty())
                .count()
                * 1000
                + quality_of(members, a.street);
            Some((a, r, key, q))
        })
        .collect();

    // E-mails: union, most used first, then priority, then first seen (in the order above).
    // (address, record, index in its e-mails, uses, bounced)
    let mut emails: Vec<(&str, u32, u16, usize, bool)> = Vec::new();
    // (phone, record, index in its phones, uses)
    let mut phones: Vec<(&Phone, u32, u16, usize)> = Vec::new();
    let mut unsubscribed = false;
    for &r in members {
        let c = &ctx.contacts[r as usize];
        unsubscribed |= c.unsubscribed();
        for (i, e) in c.emails().iter().enumerate().filter(|(_, e)| e.valid) {
            match emails.iter_mut().find(|x| x.0 == e.address) {
                Some(x) => {
                    x.3 += 1;
                    x.4 |= c.bounced();
                }
                None => emails.push((&e.address, r, index(i), 1, c.bounced())),
            }
        }
        for (i, p) in c.phones().iter().enumerate() {
            let same = |x: &Phone| {
                if p.national != 0 {
                    x.national == p.national
                } else {
                    x.number == p.number
                }
            };
            match phones.iter_mut().find(|x| same(x.0)) {
                Some(x) => {
                    x.3 += 1;
                    // Prefer the valid E.164 spelling of the same number.
                    if x.0.number != p.number
                        && !crate::normalize::phone::is_valid(&x.0.number)
                        && crate::normalize::phone::is_valid(&p.number)
                    {
                        (x.0, x.1, x.2) = (p, r, index(i));
                    }
                }
                None => phones.push((p, r, index(i), 1)),
            }
        }
    }
    emails.sort_by(|a, b| {
        b.3.cmp(&a.3)
            .then(ctx.priority(b.1).cmp(&ctx.priority(a.1)))
            .then_with(|| ctx.keys[a.1 as usize].cmp(&ctx.keys[b.1 as usize]))
    });
    phones.sort_by(|a, b| {
        b.3.cmp(&a.3)
            .then(ctx.priority(b.1).cmp(&ctx.priority(a.1)))
            .then_with(|| ctx.keys[a.1 as usize].cmp(&ctx.keys[b.1 as usize]))
    });

    let mut custom_idx: Vec<u16> = members
        .iter()
        .flat_map(|&r| ctx.contacts[r as usize].custom().iter().map(|(i, _)| *i))
        .collect();
    custom_idx.sort_unstable();
    custom_idx.dedup();
    let custom = custom_idx
        .into_iter()
        .filter_map(|i| {
            let r = ctx.text(members, Survive::MostFrequent, |c| custom_value(c, i))?;
            Some((i, r))
        })
        .collect();

    Master {
        id: id.into(),
        members: ids.into(),
        unsubscribed,
        name: ctx.pick(name_cands, rules.rule("name")).into(),
        company: ctx
            .text(members, rules.rule("company"), |c| c.company())
            .into(),
        title: ctx.text(members, rules.rule("title"), |c| c.title()).into(),
        address: ctx.pick(address_cands, rules.rule("address")).into(),
        website: ctx
            .text(members, rules.rule("website"), |c| c.website())
            .into(),
        birthday: ctx
            .text(members, rules.rule("birthday"), |c| c.birthday())
            .into(),
        notes: ctx.text(members, rules.rule("notes"), |c| c.notes()).into(),
        emails: emails.iter().map(|e| (e.1, e.2, e.4)).collect(),
        phones: phones.iter().map(|p| (p.1, p.2)).collect(),
        custom,
    }
}

/// A position in a contact's e-mails or phones. A contact has a handful; a cell with
/// more than 65535 of them keeps the last index, which the importers never produce.
fn index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Of equal ids the first keeps its id and the later ones, in order, are numbered
    /// from 2, wherever they stand.
    #[test]
    fn clashing_ids_are_numbered_in_order() {
        let ids = ["M2", "M1", "M2", "M3", "M1", "M2"];
        let mut got = repeats(&ids);
        got.sort_unstable();
        assert_eq!(got, vec![(2, 2), (4, 2), (5, 3)]);
        assert!(repeats(&["M1", "M2"]).is_empty());
        let mut keys: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        number_repeats(&mut keys);
        assert_eq!(keys, ["M2", "M1", "M2~2", "M3", "M1~2", "M2~3"]);
    }

    /// An id is `M` and the first 48 bits of the anchor's hash, as 12 hex digits.
    #[test]
    fn master_ids_have_their_documented_form() {
        let id = master_id("crm:42");
        assert_eq!(id.len(), 13);
        assert!(id.starts_with('M'));
        assert!(id[1..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(id, master_id("crm:42"));
        assert_ne!(id, master_id("crm:43"));
    }
}
