//! Fuzzes the vCard reader on raw bytes: it must never panic, whatever the file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = listmerge::import::vcard::parse(data);
    // Every card keeps the importer's promise: trimmed, non-empty values.
    for item in &parsed.items {
        if let listmerge::import::vcard::Item::Card(card) = item {
            assert!(card.values.iter().all(|(_, v)| !v.is_empty() && v.trim() == v));
        }
    }
});
