//! E-mail addresses. (Placeholder implementation: replaced by the full normaliser.)

use crate::model::Email;

/// Trims, lower-cases and validates an address; an invalid one is kept raw, flagged.
pub fn normalize(raw: &str) -> Email {
    let a = raw.trim().to_lowercase();
    let valid = a.contains('@');
    Email { address: a, valid }
}

/// Whether a local part names a role or shared mailbox (`info`, `sales`, `kontakt`).
pub fn is_generic_local(local: &str) -> bool {
    matches!(
        local,
        "info" | "sales" | "contact" | "office" | "admin" | "hello"
    )
}

/// Whether a domain is a free / personal mail provider.
pub fn is_free_mail(domain: &str) -> bool {
    matches!(
        domain,
        "gmail.com" | "hotmail.com" | "yahoo.com" | "web.de" | "gmx.de"
    )
}
