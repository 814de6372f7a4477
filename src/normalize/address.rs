//! Postal addresses. (Placeholder implementation: replaced by the full normaliser.)

/// Folds a street line for matching (street-type abbreviations expanded).
pub fn fold_street(raw: &str) -> String {
    super::fold::fold(raw)
}

/// Upper-cases and tidies a postcode.
pub fn postcode(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Recognises a country name or code; returns the ISO 3166 alpha-2 code.
pub fn country_code(raw: &str) -> Option<&'static str> {
    match super::fold::fold(raw).as_str() {
        "germany" | "deutschland" | "de" => Some("DE"),
        "united kingdom" | "uk" | "gb" => Some("GB"),
        "united states" | "usa" | "us" => Some("US"),
        _ => None,
    }
}
