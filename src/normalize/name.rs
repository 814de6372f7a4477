//! Personal names: splitting full names, tidying case, nickname groups.
//! (Placeholder implementation: replaced by the full parser.)

use crate::model::PersonName;

/// Builds a [`PersonName`] from whatever name columns a record has.
pub fn parse(
    prefix: &str,
    given: &str,
    middle: &str,
    family: &str,
    suffix: &str,
    full: &str,
) -> PersonName {
    if !given.is_empty() || !family.is_empty() {
        return PersonName {
            prefix: prefix.to_string(),
            given: given.to_string(),
            middle: middle.to_string(),
            family: family.to_string(),
            suffix: suffix.to_string(),
        };
    }
    let (given, family) = match full.split_once(',') {
        Some((f, g)) => (g.trim(), f.trim()),
        None => match full.rsplit_once(' ') {
            Some((g, f)) => (g.trim(), f.trim()),
            None => ("", full.trim()),
        },
    };
    PersonName {
        prefix: prefix.to_string(),
        given: given.to_string(),
        middle: middle.to_string(),
        family: family.to_string(),
        suffix: suffix.to_string(),
    }
}

/// The nickname groups a folded given name belongs to (empty when none).
pub fn nickname_groups(_folded_given: &str) -> &'static [u32] {
    &[]
}
