//! Phone numbers: raw text as typed into CRMs, spreadsheets and business cards → E.164
//! plus a country-independent match key.
//!
//! Input is one cell (`"+49 (0)511 6919491"`, `"(0511) 6919491"`, `"0Z0 9463 4143"`,
//! `"+1-202-555-0173 ext. 89"`); output is a [`Phone`]. Parsing and validation are
//! Google's libphonenumber rules through the `rlibphonenumber` crate; its types never
//! leave this module, so another parser can be swapped in here alone.
//!
//! Invariants:
//! - `number` is E.164 whenever libphonenumber could parse the text (valid or not),
//!   else the trimmed raw text; [`is_valid`] tells whether it is a valid number.
//! - `national` depends only on the digits a person would dial inside the country, so
//!   `"(0511) 6919491"`, `"+49 (0)511 6919491"`, `"0049 511 6919491"` and
//!   `"+495116919491"` all give `5116919491`, with or without a default country.
//! - Never panics, whatever the input.
//!
//! Before parsing, the text is cleaned: a leading label (`"Tel.:"`) is dropped, the
//! extension is split off, OCR slips on typed-in cards are undone (`O`→`0`, `l`→`1`, ...)
//! when the value is mostly digits, and `00` / `++` international prefixes become `+`.

use crate::model::{Phone, PhoneKind};
use rlibphonenumber::{enums::Region, PhoneNumber, PhoneNumberFormat, PHONE_NUMBER_UTIL};

/// Numbers with fewer digits than this carry no usable match key (`national` = 0).
const MIN_DIGITS: usize = 6;

/// More digits than this cannot be one phone number (E.164 allows 15, plus a trunk
/// prefix and an IDD); such text gets `national` = 0 rather than a meaningless key.
const MAX_DIGITS: usize = 18;

/// Normalises one phone number to E.164; `default_country` (ISO 3166 alpha-2, e.g. `"DE"`)
/// is used for numbers written without a country code.
///
/// ```
/// use listmerge::model::PhoneKind;
/// use listmerge::normalize::phone::normalize;
///
/// let p = normalize("+44 (0)20 7946 0958", PhoneKind::Work, None);
/// assert_eq!(p.number, "+442079460958");
/// assert!(listmerge::normalize::phone::is_valid(&p.number));
/// assert_eq!(p.national, 2079460958);
///
/// let p = normalize("(0511) 6919491", PhoneKind::Work, Some("DE"));
/// assert_eq!(p.number, "+495116919491");
/// assert_eq!(p.national, normalize("0049 511 6919491", PhoneKind::Work, None).national);
///
/// let p = normalize("+1-202-555-0173 ext. 89", PhoneKind::Mobile, None);
/// assert_eq!((p.number.as_str(), p.extension.as_str()), ("+12025550173", "89"));
/// ```
pub fn normalize(raw: &str, kind: PhoneKind, default_country: Option<&str>) -> Phone {
    let trimmed = raw.trim();
    let (main, mut extension) = split_extension(strip_label(trimmed));
    let cleaned = clean(main);
    let digits = Digits::of(&cleaned);
    let region = default_country.and_then(region_for);

    let parsed = if digits.count == 0 {
        None
    } else {
        parse(&cleaned, region, &digits)
    };

    let national = if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.count) {
        0
    } else {
        match &parsed {
            Some(number) => number.national_number,
            None => fallback_national(&cleaned, &digits),
        }
    };

    match parsed {
        Some(number) => {
            if extension.is_empty() {
                if let Some(ext) = number.extension.as_deref() {
                    extension.push_str(ext);
                }
            }
            Phone {
                number: number.format_as(PhoneNumberFormat::E164).into_owned(),
                extension,
                national,
                kind,
            }
        }
        None => Phone {
            number: trimmed.to_string(),
            extension,
            national,
            kind,
        },
    }
}

/// Whether a normalised number (E.164 from [`normalize`]) is a valid phone number by
/// libphonenumber's rules. Validation costs about as much as parsing, and matching
/// never needs it (it compares national digits), so it is asked only where a value is
/// chosen or shown, not for every record.
///
/// ```
/// use listmerge::normalize::phone::is_valid;
/// assert!(is_valid("+442079460958"));
/// assert!(!is_valid("+4420"));
/// assert!(!is_valid("n/a"));
/// ```
pub fn is_valid(number: &str) -> bool {
    number.starts_with('+')
        && PHONE_NUMBER_UTIL
            .parse(number, None)
            .is_ok_and(|n| n.is_valid())
}

/// The libphonenumber region for an ISO alpha-2 code; `UK` is accepted for `GB`
/// because people write it.
fn region_for(code: &str) -> Option<Region> {
    let code = code.trim();
    if code.eq_ignore_ascii_case("uk") {
        return Region::from_code("GB").ok();
    }
    Region::from_code(code).ok()
}

/// Parses the cleaned text, recovering a country code typed without its `+`.
///
/// `"4916072318396"` in a German file is a German mobile written internationally
/// without the plus; parsed nationally it would be a (formally valid!) 13-digit German
/// number. So when the digits are long enough to hold a country code and do not start
/// with a trunk `0`, and they either failed nationally or begin with the default
/// country's own calling code, the international reading wins if it is valid.
fn parse(cleaned: &str, region: Option<Region>, digits: &Digits) -> Option<PhoneNumber> {
    let national = PHONE_NUMBER_UTIL.parse(cleaned, region).ok();
    if digits.plus || digits.count < 11 || digits.first == b'0' {
        return national;
    }
    let national_ok = national.as_ref().is_some_and(|n| n.is_valid());
    let starts_with_own_code = region
        .and_then(|r| PHONE_NUMBER_UTIL.get_country_code_for_region(r))
        .is_some_and(|cc| digits.starts_with_code(cc));
    if national_ok && !starts_with_own_code {
        return national;
    }
    let mut international = String::with_capacity(digits.count + 1);
    international.push('+');
    digits.push_to(&mut international);
    match PHONE_NUMBER_UTIL.parse(&international, None) {
        Ok(n) if n.is_valid() => Some(n),
        _ => national,
    }
}

/// The national significant number from the digits alone, for text libphonenumber
/// could not parse (no default country, unknown country code, odd length).
///
/// A leading `+` is followed by a country code; calling codes are prefix-free, so the
/// first 1–3 digits that name a known one are it. Parsing into `u64` drops leading
/// zeros, which is exactly the trunk `0` (and Italy's leading zero, which the parsed
/// path drops too, so both paths agree).
fn fallback_national(cleaned: &str, digits: &Digits) -> u64 {
    let mut skip = 0;
    if digits.plus {
        let code_len = (1..=3).find(|&len| {
            digits
                .prefix(len)
                .is_some_and(|cc| PHONE_NUMBER_UTIL.get_region_for_country_code(cc).is_some())
        });
        match code_len {
            Some(len) => skip = len,
            // Not sure where the country code ends: keep every digit.
            None => skip = 0,
        }
    }
    cleaned
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip(skip)
        .fold(0u64, |acc, d| {
            acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
}

/// Summary of the ASCII digits in the cleaned text.
struct Digits {
    /// How many ASCII digits.
    count: usize,
    /// The first digit (0 when none).
    first: u8,
    /// Whether the text starts with `+`.
    plus: bool,
    /// Up to the first 18 digits, for prefix checks without re-scanning.
    head: [u8; MAX_DIGITS],
}

impl Digits {
    fn of(cleaned: &str) -> Digits {
        let mut head = [0u8; MAX_DIGITS];
        let mut count = 0;
        for b in cleaned.bytes().filter(u8::is_ascii_digit) {
            if count < MAX_DIGITS {
                head[count] = b;
            }
            count += 1;
        }
        Digits {
            count,
            first: head[0],
            plus: cleaned.starts_with('+'),
            head,
        }
    }

    /// The first `len` digits as a number, if there are that many.
    fn prefix(&self, len: usize) -> Option<i32> {
        if len > self.count.min(MAX_DIGITS) {
            return None;
        }
        Some(
            self.head[..len]
                .iter()
                .fold(0i32, |acc, d| acc * 10 + i32::from(d - b'0')),
        )
    }

    fn starts_with_code(&self, code: i32) -> bool {
        (1..=3).any(|len| self.prefix(len) == Some(code))
    }

    fn push_to(&self, out: &mut String) {
        let n = self.count.min(MAX_DIGITS);
        out.extend(self.head[..n].iter().map(|&b| b as char));
    }
}

/// Drops a leading label such as `"Tel.:"`, `"Mobil:"` or `"Fax:"`.
fn strip_label(s: &str) -> &str {
    match s.find(':') {
        Some(colon)
            if colon > 0
                && s[..colon]
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b' ' || b == b'.') =>
        {
            s[colon + 1..].trim_start()
        }
        _ => s,
    }
}

/// Words that introduce an extension (lower case). `wew.` is Polish, `tst.` Dutch,
/// `poste` French, `int.` Italian, `anexo` Spanish, `ramal` Portuguese.
const EXTENSION_MARKERS: [&str; 13] = [
    "ext",
    "extn",
    "extension",
    "x",
    "#",
    "poste",
    "int",
    "interno",
    "anexo",
    "ramal",
    "wew",
    "tst",
    "toestel",
];

/// German "Durchwahl" (direct dial) digits are the tail of a dialable number, not an
/// extension: `"0511 6919491 Durchwahl 23"` is the line `0511 691949123`, just as
/// `"-0"` is the switchboard.
const DIRECT_DIAL_MARKERS: [&str; 3] = ["durchwahl", "dw", "dw."];

/// Splits `"... ext. 89"` into the number and the extension digits.
///
/// Looks only at the end of the text: a run of digits preceded (after spaces, dots,
/// colons, `=`) by a marker word that itself starts at a word boundary.
fn split_extension(s: &str) -> (&str, String) {
    let bytes = s.as_bytes();
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b' ' | b')') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    if start == end || end - start > 6 {
        return (s, String::new());
    }
    let mut marker_end = start;
    while marker_end > 0 && matches!(bytes[marker_end - 1], b' ' | b'.' | b':' | b'=') {
        marker_end -= 1;
    }
    let mut marker_start = marker_end;
    while marker_start > 0 && (bytes[marker_start - 1].is_ascii_alphabetic()) {
        marker_start -= 1;
    }
    if marker_start == marker_end && marker_end > 0 && bytes[marker_end - 1] == b'#' {
        marker_start -= 1;
    }
    if marker_start == marker_end {
        return (s, String::new());
    }
    let marker = &s[marker_start..marker_end];
    // A marker glued to a digit ("555-0173x123") still counts; one glued to a letter
    // is part of a word.
    let boundary = marker_start == 0 || !bytes[marker_start - 1].is_ascii_alphabetic();
    if !boundary || marker_start == 0 {
        return (s, String::new());
    }
    let is = |list: &[&str]| list.iter().any(|m| m.eq_ignore_ascii_case(marker));
    if is(&EXTENSION_MARKERS) {
        return (s[..marker_start].trim_end(), s[start..end].to_string());
    }
    (s, String::new())
}

/// Letters that OCR and hurried typing put in place of digits.
fn ocr_digit(c: u8) -> Option<u8> {
    Some(match c {
        b'O' | b'o' => b'0',
        b'l' | b'I' | b'|' => b'1',
        b'Z' => b'2',
        b'S' => b'5',
        b'B' => b'8',
        b'G' => b'6',
        _ => return None,
    })
}

/// Cleans the number part before parsing: undoes OCR slips when the text is mostly
/// digits, drops German direct-dial words, and turns `00` / `++` into `+`.
fn clean(s: &str) -> String {
    let mut digits = 0usize;
    let mut ocr = 0usize;
    let mut other_letters = 0usize;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if c.is_ascii() && ocr_digit(c as u8).is_some() {
            ocr += 1;
        } else if c.is_alphabetic() {
            other_letters += 1;
        }
    }
    // Any other letter means words ("1-800-FLOWERS", "Durchwahl"): leave them alone.
    let fix_ocr = ocr > 0 && other_letters == 0 && digits >= 4 && digits >= 2 * ocr;

    let mut out = String::with_capacity(s.len() + 1);
    let mut rest = s.trim_start_matches([' ', '(']);
    if let Some(r) = rest.strip_prefix("++") {
        out.push('+');
        rest = r;
    } else if let Some(r) = rest.strip_prefix("00") {
        if r.trim_start().starts_with(|c: char| matches!(c, '1'..='9')) {
            out.push('+');
            rest = r;
        } else {
            rest = s;
        }
    } else {
        rest = s;
    }

    if other_letters > 0 && contains_direct_dial(rest) {
        for word in rest.split(' ') {
            if !DIRECT_DIAL_MARKERS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(word))
            {
                out.push_str(word);
            }
        }
        return out;
    }
    if fix_ocr {
        out.extend(rest.chars().map(|c| {
            if c.is_ascii() {
                ocr_digit(c as u8).map_or(c, char::from)
            } else {
                c
            }
        }));
    } else {
        out.push_str(rest);
    }
    out
}

fn contains_direct_dial(s: &str) -> bool {
    s.split(' ').any(|word| {
        DIRECT_DIAL_MARKERS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str, country: Option<&str>) -> Phone {
        normalize(raw, PhoneKind::Work, country)
    }

    fn e164(raw: &str, country: Option<&str>) -> String {
        norm(raw, country).number
    }

    #[test]
    fn german_forms_share_one_national_key() {
        for (raw, country) in [
            ("(0511) 6919491", Some("DE")),
            ("(0511) 6919491", None),
            ("+49 (0)511 6919491", None),
            ("+49 (0)511 6919491", Some("FR")),
            ("0049 511 6919491", None),
            ("0049 511 6919491", Some("US")),
            ("++49 511 6919491", None),
            ("+495116919491", None),
            ("0511/6919491", Some("DE")),
            ("Tel.: 0511 - 69 19 49 1", Some("DE")),
        ] {
            assert_eq!(norm(raw, country).national, 5116919491, "{raw} {country:?}");
        }
        let p = norm("(0511) 6919491", Some("DE"));
        assert_eq!(p.number, "+495116919491");
        assert!(is_valid(&p.number));
    }

    #[test]
    fn international_prefixes_and_trunk_zero() {
        assert_eq!(e164("+44 (0)20 7946 0958", None), "+442079460958");
        assert_eq!(e164("0044 20 7946 0958", None), "+442079460958");
        assert_eq!(e164("020 7946 0958", Some("GB")), "+442079460958");
        assert_eq!(e164("+33 (0)6 67 07 76 67", None), "+33667077667");
        assert_eq!(e164("04 68 81 24 95", Some("FR")), "+33468812495");
        assert_eq!(e164("06-33692338", Some("NL")), "+31633692338");
        assert_eq!(e164("+31 20 808 6361", None), "+31208086361");
        assert_eq!(e164("0043 1 5331234", None), "+4315331234");
        assert_eq!(e164("044 668 18 00", Some("CH")), "+41446681800");
        // Poland dropped its trunk 0 in 2002: numbers are written without one.
        assert_eq!(e164("22 345 67 89", Some("PL")), "+48223456789");
        assert_eq!(e164("+48 606 271 918", None), "+48606271918");
        assert_eq!(e164("912 345 678", Some("ES")), "+34912345678");
    }

    #[test]
    fn italian_leading_zero_is_kept_in_e164() {
        // In Italy the 0 belongs to the number, so "(0)" must not be dropped.
        assert_eq!(e164("+39 02 5819 8187", None), "+390258198187");
        assert_eq!(e164("0039 011 9989 8329", None), "+3901199898329");
        assert_eq!(e164("02 5819 8187", Some("IT")), "+390258198187");
        assert_eq!(
            norm("02 5819 8187", Some("IT")).national,
            norm("+39 02 5819 8187", None).national
        );
    }

    #[test]
    fn us_numbers() {
        assert_eq!(e164("(213) 208-2771", Some("US")), "+12132082771");
        assert_eq!(e164("+1 702 689 4750", None), "+17026894750");
        assert_eq!(e164("1-800-FLOWERS", Some("US")), "+18003569377");
        assert_eq!(
            norm("(213) 208-2771", Some("US")).national,
            norm("+12132082771", None).national
        );
    }

    #[test]
    fn missing_plus_is_recovered_when_valid() {
        let p = norm("4916072318396", Some("DE"));
        assert_eq!(p.number, "+4916072318396");
        assert!(is_valid(&p.number));
        assert_eq!(e164("33624174382", None), "+33624174382");
        assert_eq!(e164("447906099790", Some("GB")), "+447906099790");
    }

    #[test]
    fn extensions() {
        let p = norm("+1-202-555-0173 ext. 89", None);
        assert_eq!(
            (p.number.as_str(), p.extension.as_str()),
            ("+12025550173", "89")
        );
        assert_eq!(norm("+1 202 555 0173 x123", None).extension, "123");
        assert_eq!(norm("+1 202 555 0173x123", None).extension, "123");
        assert_eq!(norm("020 7946 0958 Ext: 4", Some("GB")).extension, "4");
        assert_eq!(norm("01 23 45 67 89 poste 12", Some("FR")).extension, "12");
        assert_eq!(norm("022 345 67 89 wew. 21", Some("PL")).extension, "21");
        assert_eq!(norm("020 123 4567 tst. 3", Some("NL")).extension, "3");
        assert_eq!(norm("+1 202 555 0173 #7", None).extension, "7");
        // The German switchboard "-0" and direct-dial digits are part of the number.
        let p = norm("+49 89 123 456-0", None);
        assert_eq!(
            (p.number.as_str(), p.extension.as_str()),
            ("+49891234560", "")
        );
        let p = norm("0511 6919491 Durchwahl 23", Some("DE"));
        assert_eq!(
            (p.number.as_str(), p.extension.as_str()),
            ("+49511691949123", "")
        );
    }

    #[test]
    fn ocr_slips_on_cards() {
        assert_eq!(e164("0Z0 9463 4143", Some("GB")), "+442094634143");
        assert_eq!(e164("93.328.04.B4", Some("ES")), "+34933280484");
        assert_eq!(e164("(01l3) 884-1951", Some("GB")), "+441138841951");
        assert_eq!(e164("+49 3O 1234567", None), "+49301234567");
        assert_eq!(e164("O6 12 34 56 78", Some("FR")), "+33612345678");
        // Words are left alone: not OCR.
        assert!(!is_valid(&norm("n/a", Some("DE")).number));
    }

    #[test]
    fn unparseable_keeps_raw_text() {
        let p = norm("  call reception  ", Some("DE"));
        assert_eq!(p.number, "call reception");
        assert!(!is_valid(&p.number));
        assert_eq!(p.national, 0);
        assert_eq!(norm("", None).national, 0);
        assert_eq!(norm("12345", Some("DE")).national, 0);
        assert_eq!(norm("+999 123 456 789", None).national, 999123456789);
    }

    #[test]
    fn kind_is_kept() {
        assert_eq!(
            normalize("+41 44 668 18 00", PhoneKind::Fax, None).kind,
            PhoneKind::Fax
        );
    }

    #[test]
    fn unknown_default_country_is_ignored() {
        assert_eq!(e164("+43 1 5331234", Some("??")), "+4315331234");
        assert_eq!(e164("020 7946 0958", Some("uk")), "+442079460958");
        assert_eq!(norm("0511 6919491", Some("XX")).national, 5116919491);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}", c in proptest::option::of("[A-Za-z?]{0,3}")) {
            let _ = normalize(&s, PhoneKind::Work, c.as_deref());
        }

        #[test]
        fn never_panics_on_phone_like_text(s in "[0-9 +()/.xX#OlSBZG-]{0,30}", c in proptest::option::of("(DE|GB|US|IT|FR)")) {
            let p = normalize(&s, PhoneKind::Mobile, c.as_deref());
            proptest::prop_assert!(p.national == 0 || p.national.to_string().len() <= MAX_DIGITS);
        }
    }
}
