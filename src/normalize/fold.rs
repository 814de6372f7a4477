//! Folding text into match keys: accents removed, other scripts transliterated,
//! case folded, punctuation dropped. Keys are for matching only, never displayed.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` into lower-case ASCII words separated by single spaces.
///
/// Accents are dropped (é → e), other scripts transliterated (Σ → s), `ß` → `ss`,
/// and anything that is not a letter or digit becomes a word break.
///
/// ```
/// use listmerge::normalize::fold::fold;
/// assert_eq!(fold("  Müller-Lüdenscheidt, GmbH "), "muller ludenscheidt gmbh");
/// assert_eq!(fold("Łukasz Żółć"), "lukasz zolc");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Like [`fold`], appending to `out` (reuses the caller's buffer).
pub fn fold_into(s: &str, out: &mut String) {
    let mut folder = Folder {
        start: out.len(),
        pending_space: false,
        out,
    };
    if s.is_ascii() {
        for b in s.bytes() {
            folder.push(char::from(b));
        }
        return;
    }
    for c in s.nfkd() {
        if c.is_ascii() {
            folder.push(c);
        } else if unicode_normalization::char::is_combining_mark(c) {
            continue;
        } else if c.is_alphanumeric() {
            // Transliterate one char at a time so word boundaries stay where they were.
            for tc in deunicode::deunicode_char(c).unwrap_or("").chars() {
                folder.push(tc);
            }
        } else {
            folder.pending_space = true;
        }
    }
}

struct Folder<'a> {
    start: usize,
    pending_space: bool,
    out: &'a mut String,
}

impl Folder<'_> {
    fn push(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            if self.pending_space && self.out.len() > self.start {
                self.out.push(' ');
            }
            self.pending_space = false;
            self.out.push(c.to_ascii_lowercase());
        } else {
            self.pending_space = true;
        }
    }
}

/// Folds a name for matching: [`fold`], then German umlaut spellings collapsed
/// (`ae`→`a`, `oe`→`o`, `ue`→`u`), so Müller, Mueller and Muller share a key.
///
/// ```
/// use listmerge::normalize::fold::fold_name;
/// assert_eq!(fold_name("Müller"), fold_name("MUELLER"));
/// assert_eq!(fold_name("Köster"), "koster");
/// ```
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_name_into(s, &mut out);
    out
}

/// Like [`fold_name`], appending to `out` (reuses the caller's buffer).
pub fn fold_name_into(s: &str, out: &mut String) {
    let start = out.len();
    fold_into(s, out);
    if out.as_bytes()[start..].iter().any(u8::is_ascii_digit) {
        repair_digits(out, start);
    }
    // Folded text is ASCII; one pass over byte pairs instead of three substring
    // searches, as nearly every name has none of these spellings.
    let umlaut_spelling = |w: &[u8]| w[1] == b'e' && matches!(w[0], b'a' | b'o' | b'u');
    if !out.as_bytes()[start..].windows(2).any(umlaut_spelling) {
        return;
    }
    // Rare (only names with these spellings), so a copy of the folded part is fine.
    let folded = out.split_off(start);
    let b = folded.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Folded text is ASCII, so a byte is a char.
        out.push(char::from(b[i]));
        if i + 1 < b.len() && b[i + 1] == b'e' && matches!(b[i], b'a' | b'o' | b'u') {
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Reads the digits inside a word of a folded name as the letters they stand for.
///
/// No one's name holds a digit, so a digit among letters ("8elin", "0livia", "Wi1son")
/// is a slip of OCR on a scanned card or of hurried typing, for the letter it looks
/// like. Left alone, it would keep the record from every key that rests on the sound of
/// its name. Words of digits only ("2000") are left as they are.
fn repair_digits(out: &mut String, start: usize) {
    let folded = out.split_off(start);
    for (i, word) in folded.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
            out.push_str(word);
            continue;
        }
        let b = word.as_bytes();
        for (j, &c) in b.iter().enumerate() {
            out.push(match c {
                b'0' => 'o',
                // "1van" is Ivan; "1ouise" and "Wi1son" have lost an l.
                b'1' if j == 0 && b.get(1).is_some_and(|n| !b"aeiou".contains(n)) => 'i',
                b'1' => 'l',
                b'2' => 'z',
                b'3' => 'e',
                b'4' => 'a',
                b'5' => 's',
                b'6' | b'9' => 'g',
                b'7' => 't',
                b'8' => 'b',
                _ => char::from(c),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("García Márquez"), "garcia marquez");
        assert_eq!(fold("O'Brien"), "o brien");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ÆRØ"), "aero");
        assert_eq!(fold(""), "");
        assert_eq!(fold("  --  "), "");
    }

    #[test]
    fn transliterates_other_scripts() {
        assert_eq!(fold("Παπαδόπουλος"), "papadopoulos");
        assert_eq!(fold("Иванов"), "ivanov");
    }

    #[test]
    fn name_fold_joins_umlaut_spellings() {
        assert_eq!(fold_name("Müller"), "muller");
        assert_eq!(fold_name("Mueller"), "muller");
        assert_eq!(fold_name("Muller"), "muller");
        assert_eq!(fold_name("Goethe"), "gothe");
    }

    #[test]
    fn name_fold_reads_digits_in_words_as_letters() {
        assert_eq!(fold_name("8elin"), fold_name("Belin"));
        assert_eq!(fold_name("Noémie 8elin"), fold_name("Noémie Belin"));
        assert_eq!(fold_name("0LIVIA"), "olivia");
        assert_eq!(fold_name("Wi1son"), "wilson");
        assert_eq!(fold_name("1van"), "ivan");
        assert_eq!(fold_name("5chmidt"), "schmidt");
        // A number is not a slip.
        assert_eq!(fold_name("Smith 2000"), "smith 2000");
    }

    #[test]
    fn fold_is_idempotent() {
        for s in ["Müller-Lüdenscheidt", "José  María", "安藤"] {
            let once = fold(s);
            assert_eq!(fold(&once), once);
        }
    }
}
