//! Automatic header mapping. (Placeholder: replaced by the full export-aware table.)

use crate::model::Field;

/// Maps a column header to a known field, if it is one.
pub fn auto(header: &str) -> Option<Field> {
    let h = header.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Some(match h.as_str() {
        "record_id" | "id" => Field::RecordKey,
        "source" => Field::Source,
        "first_name" => Field::GivenName,
        "last_name" => Field::FamilyName,
        "full_name" | "name" => Field::FullName,
        "title" => Field::Title,
        "company" => Field::Company,
        "email" => Field::Email,
        "phone" => Field::Phone,
        "mobile" => Field::Mobile,
        "street" => Field::Street,
        "city" => Field::City,
        "postcode" => Field::Postcode,
        "country" => Field::Country,
        "notes" => Field::Notes,
        _ => return None,
    })
}
