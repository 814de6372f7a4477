//! Company names. (Placeholder implementation: replaced by the full normaliser.)

/// Tidies a company name for display.
pub fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds a company name for matching, legal suffixes removed.
pub fn fold(raw: &str) -> String {
    super::fold::fold(raw)
}
