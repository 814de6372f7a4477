//! Phone numbers. (Placeholder implementation: replaced by the E.164 normaliser.)

use crate::model::{Phone, PhoneKind};

/// Normalises a phone number to E.164 with the given default country (ISO alpha-2).
pub fn normalize(raw: &str, kind: PhoneKind, _default_country: Option<&str>) -> Phone {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let tail = &digits[digits.len().saturating_sub(9)..];
    Phone {
        number: raw.trim().to_string(),
        valid: false,
        extension: String::new(),
        kind,
        national: tail.parse().unwrap_or(0),
    }
}
