//! Neutralising spreadsheet formulas in output cells.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return may be run as a
//! formula when the CSV is opened in a spreadsheet (CSV injection). Such cells get a
//! leading `'`, which spreadsheets show as text. Phone numbers (`+44 20 7946 0958`,
//! `-` followed by digits) are plain numbers, not formulas, and are left alone so that
//! E.164 output stays E.164.

use std::borrow::Cow;

/// The value made safe for a spreadsheet cell.
///
/// ```
/// use listmerge::output::cell::safe;
/// assert_eq!(safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(safe("+442079460958"), "+442079460958");
/// assert_eq!(safe("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
/// assert_eq!(safe("Jane"), "Jane");
/// ```
pub fn safe(v: &str) -> Cow<'_, str> {
    // Every trigger is ASCII, so the first byte decides (a multi-byte first character
    // is never one) and the rest of a phone number is checked byte by byte.
    let Some(&first) = v.as_bytes().first() else {
        return Cow::Borrowed(v);
    };
    let risky = match first {
        b'=' | b'@' | b'\t' | b'\r' | b'\n' => true,
        b'+' | b'-' => !v.as_bytes()[1..]
            .iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, b' ' | b'(' | b')' | b'-' | b'.' | b'/')),
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{v}"))
    } else {
        Cow::Borrowed(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for v in [
            "=1+1",
            "@SUM(A1)",
            "-2+3",
            "+A1",
            "\t=1",
            "=cmd|' /C calc'!A0",
        ] {
            assert!(safe(v).starts_with('\''), "{v}");
        }
    }

    #[test]
    fn plain_values_pass() {
        for v in ["", "Jane Doe", "+49 30 1234567", "-", "-1", "0049 30"] {
            assert_eq!(safe(v), v);
        }
    }
}
