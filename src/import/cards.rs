//! Business cards typed in after a trade show: plain text, one card per block.
//!
//! Input: one text file and its [`SourceSpec`]. Output: one [`Record`] per card (or one
//! [`Reject`] when a card has no usable name, e-mail or phone), appended to the shared
//! `Sink`. The locator's `row` is the card number (1-based) and `line` the card's first
//! line; the file's format reads `business cards`.
//!
//! Cards are separated by blank lines or by a line of dashes (`---`). Each line is cut into
//! segments at `·`, `•`, `|`, runs of three or more spaces and tabs, and before an inner
//! `Label:` that this module knows (`Tel: ... Fax: ...` on one line). Each segment is then:
//! - **labelled** (`Name:`, `Firma:`, `Portable:`, `Teléfono:` ...) — the label decides,
//!   in English, German, French and Spanish, with the CSV header table
//!   ([`mapping::auto`]) as the fallback;
//! - **certain by shape**: an e-mail address, a web address, a phone number (with an
//!   optional short label such as `Tel.`, `M`, `Mob`, `Fax`), or a postal address (street
//!   word plus number, a postcode, a country);
//! - **scored** as name, company or job title: legal forms (`Ltd`, `GmbH`, `S.L.`, via
//!   [`company::fold`]) and likeness to the e-mail or web domain point to the company,
//!   likeness to the e-mail's local part, a name prefix and a known given name point to
//!   the person, title words in four languages point to the title. One name and one
//!   company per card; what is left over goes into [`Field::Notes`].
//!
//! Invariant: a card never loses a line. Every segment lands in exactly one `Item`;
//! an item's values hold the segment's text without its label (an address segment may
//! give several values: street, postcode, city, country).
//!
//! OCR slips are repaired only where unambiguous: `O`/`o`/`l`/`I` in a phone number that
//! is otherwise digits, and `0`/`1` between letters in an e-mail address (or anywhere in
//! its top-level domain). Cards files are small, so a file is read whole.

use std::path::Path;

use super::{csv, mapping, Sink, SourceSpec};
use crate::error::{Error, Result};
use crate::model::{Field, FileId, FileInfo, FileLayout, Locator, Record, Reject, Target, Values};
use crate::normalize::{address, company, email, fold::fold, name};

/// How much of a file [`claims`] looks at.
const SNIFF: usize = 8 * 1024;

/// Whether a file should be read as business cards rather than CSV: a `.txt` file that
/// is neither a vCard nor a table with a header row, or a file with an unknown extension
/// whose text looks like cards. Any read problem says "no": the CSV reader then reports
/// it properly.
pub(crate) fn claims(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(
        ext.as_str(),
        "csv" | "tsv" | "tab" | "xlsx" | "xlsm" | "xls" | "ods" | "vcf" | "vcard"
    ) {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut sample = Vec::with_capacity(SNIFF);
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, SNIFF as u64), &mut sample)
        .is_err()
    {
        return false;
    }
    let text = decode(&sample, sample.len() < SNIFF).0;
    if text.contains('\0') || text.trim().is_empty() || is_vcard(&text) || is_table(&text) {
        return false;
    }
    // A `.txt` file is a card file unless proven otherwise (Excel's "Unicode text"
    // tables were ruled out above); other names need to look like cards.
    ext == "txt" || ext == "cards" || looks_like_cards(&text)
}

fn is_vcard(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim().eq_ignore_ascii_case("begin:vcard"))
}

/// A delimited table: its first line splits into two or more cells that name known fields.
fn is_table(text: &str) -> bool {
    let delimiter = char::from(csv::sniff_delimiter(text));
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let cells: Vec<&str> = first.split(delimiter).collect();
    cells.len() >= 2
        && cells
            .iter()
            .filter(|c| mapping::guess(c.trim().trim_matches('"')).is_some())
            .count()
            >= 2
}

/// Some card in the sample has an e-mail address or a phone number, and few lines
/// carry a delimiter (a headerless CSV would).
fn looks_like_cards(text: &str) -> bool {
    let cards = split_cards(text);
    let lines: Vec<&str> = cards
        .iter()
        .flat_map(|c| c.lines.iter().map(|l| l.1))
        .collect();
    let delimited = lines
        .iter()
        .filter(|l| l.matches([',', ';', '\t']).count() >= 2)
        .count();
    let contact = lines.iter().any(|l| {
        segments(l)
            .iter()
            .any(|s| s.contains('@') || phone_part(s).is_some())
    });
    contact && delimited * 2 < lines.len()
}

/// Decodes a file's bytes with the CSV importer's encoding detection; also returns the
/// encoding's description (`utf-8`, `windows-1252`, `utf-16le bom`).
fn decode(bytes: &[u8], eof: bool) -> (String, String) {
    let detected = csv::detect_encoding(bytes, eof);
    let body = &bytes[detected.bom.min(bytes.len())..];
    let text = detected
        .encoding
        .decode_without_bom_handling(body)
        .0
        .into_owned();
    let mut name = detected.encoding.name().to_ascii_lowercase();
    if detected.bom > 0 {
        name.push_str(" bom");
    }
    (text, name)
}

/// Reads one card file into the sink.
pub(crate) fn read(path: &Path, spec: &SourceSpec, sink: &mut Sink<'_>) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::input(
            path,
            format!("cannot read the file ({e}); check the path and that you may read it"),
        )
    })?;
    let (text, encoding) = decode(&bytes, true);
    let file = FileId(sink.out.files.len() as u16);
    sink.out.files.push(FileInfo {
        path: path.display().to_string(),
        format: "business cards".into(),
    });
    sink.out.layouts.push(FileLayout {
        file,
        encoding: Some(encoding),
        delimiter: None,
        sheets: Vec::new(),
        header_line: None,
        columns: Vec::new(),
    });
    let source = sink.file_source(spec, path);
    let cards = split_cards(&text);
    if cards.is_empty() || text.contains('\0') {
        let reason = if cards.is_empty() {
            "the file has no cards; nothing to import"
        } else {
            "the file looks like binary data, not typed-in cards; give a text file"
        };
        sink.out
            .rejects
            .push(super::csv::file_reject(file, source, reason.into()));
        return Ok(());
    }
    sink.report.advance(cards.len() as u64);
    for (i, card) in cards.iter().enumerate() {
        let locator = Locator {
            file,
            sheet: None,
            row: u32::try_from(i + 1).unwrap_or(u32::MAX),
            line: card.first_line,
        };
        let Some(source) = source else {
            sink.out.rejects.push(Reject {
                locator,
                source: None,
                reason: "too many sources (more than 65536); the card was not read".into(),
            });
            continue;
        };
        let items = classify(card);
        let values: Values = items
            .iter()
            .flat_map(|it| it.values.iter())
            .map(|(f, v)| (Target::Known(*f), v.as_str()))
            .collect();
        if !usable(&values) {
            let last = card.lines.last().map_or(card.first_line, |l| l.0);
            sink.out.rejects.push(Reject {
                locator,
                source: Some(source),
                reason: format!(
                    "card {} (lines {}-{last}) has no name, e-mail address or phone number; \
                     add one or remove the card",
                    i + 1,
                    card.first_line
                ),
            });
            continue;
        }
        sink.out.records.push(Record {
            source,
            locator,
            values,
        });
    }
    Ok(())
}

/// A card has a name, a valid e-mail address or a phone with enough digits.
fn usable(values: &Values) -> bool {
    values.iter().any(|(t, v)| match t {
        Target::Known(Field::FullName | Field::GivenName | Field::FamilyName) => true,
        Target::Known(Field::Email) => email::normalize(v).valid,
        Target::Known(Field::Phone | Field::Mobile | Field::Fax | Field::HomePhone) => {
            v.bytes().filter(u8::is_ascii_digit).count() >= 6
        }
        _ => false,
    })
}

// ---------------------------------------------------------------------------------
// Splitting

/// One card: its non-blank lines with their 1-based line numbers.
#[derive(Debug, Clone)]
pub(crate) struct Card<'a> {
    /// The line the card starts on.
    pub first_line: u32,
    /// Non-blank lines (trimmed), with their line numbers.
    pub lines: Vec<(u32, &'a str)>,
}

/// Splits text into cards at blank lines and `---` lines. `\r\n`, `\n` and a lone `\r`
/// (old Mac files) end a line, so line numbers are those an editor shows.
pub(crate) fn split_cards(text: &str) -> Vec<Card<'_>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let lone_cr = !text.contains('\n');
    let lines: Box<dyn Iterator<Item = &str>> = if lone_cr {
        Box::new(text.split('\r'))
    } else {
        Box::new(text.split('\n'))
    };
    let mut cards = Vec::new();
    let mut current: Vec<(u32, &str)> = Vec::new();
    for (i, raw) in lines.enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        let separator = line.is_empty()
            || line.chars().count() >= 3
                && line.chars().all(|c| matches!(c, '-' | '=' | '_' | '*'));
        if separator {
            if let Some(first) = current.first() {
                cards.push(Card {
                    first_line: first.0,
                    lines: std::mem::take(&mut current),
                });
            }
        } else {
            current.push((number, line));
        }
    }
    if let Some(first) = current.first() {
        cards.push(Card {
            first_line: first.0,
            lines: current,
        });
    }
    cards
}

/// Cuts a line into segments: at `·`, `•`, `|`, tabs, runs of 3+ spaces, and before an
/// inner known label (`Tel: 1 Fax: 2`). Segments are trimmed and never empty.
fn segments(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for coarse in split_coarse(line) {
        let mut start = 0;
        for (at, word) in words_with_offsets(coarse) {
            if at > start && word.ends_with(':') && is_inner_label(word.trim_end_matches(':')) {
                let piece = coarse[start..at].trim();
                if !piece.is_empty() {
                    out.push(piece);
                }
                start = at;
            }
        }
        let piece = coarse[start..].trim();
        if !piece.is_empty() {
            out.push(piece);
        }
    }
    // A line of nothing but separators (`|`) is still kept, as a note.
    if out.is_empty() && !line.trim().is_empty() {
        out.push(line.trim());
    }
    out
}

fn split_coarse(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut spaces = 0;
    let mut space_start = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' {
            if spaces == 0 {
                space_start = i;
            }
            spaces += 1;
            continue;
        }
        if spaces >= 3 {
            out.push(&line[start..space_start]);
            start = i;
        }
        spaces = 0;
        if matches!(c, '·' | '•' | '|' | '\t') {
            out.push(&line[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&line[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn words_with_offsets(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split(' ').scan(0usize, |pos, w| {
        let at = *pos;
        *pos += w.len() + 1;
        Some((at, w))
    })
}

/// Labels that start a new segment inside a line: contact channels only, so that
/// `Head of Sales: EMEA` stays one segment.
fn is_inner_label(word: &str) -> bool {
    matches!(
        label(word),
        Some(Label::Phone(_) | Label::Email | Label::Web)
    )
}

// ---------------------------------------------------------------------------------
// Labels

/// What a label says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// A name (full, or one part).
    Name(Field),
    /// A phone of this field.
    Phone(Field),
    Email,
    Web,
    Address,
    /// `Title:` is a job title unless the value is `Dr.`, `Mrs.`, ...
    Title,
    /// Any other field, as the CSV header table knows it.
    Plain(Field),
}

/// The label a word (or a few words) stands for, in English, German, French, Spanish.
fn label(text: &str) -> Option<Label> {
    let key = fold(text.trim().trim_end_matches(['.', ':']));
    let key = key.as_str();
    Some(match key {
        "name" | "full name" | "contact" | "nom" | "nombre" | "nom complet" => {
            Label::Name(Field::FullName)
        }
        "t" | "tel" | "tele" | "telephone" | "phone" | "ph" | "p" | "telefon" | "fon"
        | "office" | "direct" | "buro" | "telf" | "tfno" | "telefono" | "work" | "festnetz"
        | "fixe" => Label::Phone(Field::Phone),
        "m" | "mob" | "mobile" | "mobil" | "handy" | "cell" | "cellphone" | "mobile phone"
        | "portable" | "port" | "movil" | "celular" | "cel" | "gsm" | "mobiltelefon" => {
            Label::Phone(Field::Mobile)
        }
        "f" | "fax" | "telefax" | "telecopie" => Label::Phone(Field::Fax),
        "e" | "email" | "e mail" | "mail" | "courriel" | "correo" | "correo electronico"
        | "adresse e mail" => Label::Email,
        "w" | "web" | "website" | "www" | "url" | "homepage" | "internet" | "site" | "site web"
        | "sitio web" | "pagina web" | "webseite" => Label::Web,
        "address" | "addr" | "anschrift" | "adresse" | "direccion" | "domicilio"
        | "postanschrift" | "adresse postale" => Label::Address,
        "title" | "titel" | "titre" => Label::Title,
        _ => match mapping::auto(text.trim().trim_end_matches(':'))? {
            f @ (Field::FullName | Field::GivenName | Field::FamilyName) => Label::Name(f),
            f @ (Field::Phone | Field::Mobile | Field::Fax | Field::HomePhone) => Label::Phone(f),
            Field::Email => Label::Email,
            Field::Website => Label::Web,
            f => Label::Plain(f),
        },
    })
}

/// `Label: value` when the label is known. Single-letter labels (`T:`, `M:`) need the
/// colon to count here; they also work without it in front of a phone number.
fn labelled(segment: &str) -> Option<(Label, &str)> {
    let (head, value) = segment.split_once(':')?;
    // `https://...` is a web address, not a label.
    if value.starts_with("//") || head.is_empty() || head.chars().count() > 30 {
        return None;
    }
    if !head
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '.' | '/' | '\''))
    {
        return None;
    }
    Some((label(head)?, value.trim()))
}

// ---------------------------------------------------------------------------------
// Classification

/// One segment of a card and the values it gave.
#[derive(Debug, Clone)]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "`line` and `raw` let the tests check that no text is lost"
    )
)]
pub(crate) struct Item<'a> {
    /// The line it is on.
    pub line: u32,
    /// The segment as written.
    pub raw: &'a str,
    /// The values it gave (never empty).
    pub values: Vec<(Field, String)>,
}

/// What a segment turned out to be before name / company / title are settled.
#[derive(Debug, Clone)]
enum Class {
    Done(Vec<(Field, String)>),
    /// Free text: a name, a company, a title or a note.
    Open,
}

/// Classifies every segment of a card.
pub(crate) fn classify<'a>(card: &Card<'a>) -> Vec<Item<'a>> {
    let mut segs: Vec<(u32, &'a str, Class)> = Vec::new();
    for &(line, text) in &card.lines {
        for seg in segments(text) {
            segs.push((line, seg, fixed(seg)));
        }
    }
    let ctx = Context::of(&segs);

    // Score the open segments; the best name and the best company win, titles may repeat.
    let open: Vec<usize> = (0..segs.len())
        .filter(|&i| matches!(segs[i].2, Class::Open))
        .collect();
    let scores: Vec<Scores> = open
        .iter()
        .enumerate()
        .map(|(rank, &i)| ctx.score(segs[i].1, rank == 0))
        .collect();
    let mut chosen: Vec<Option<Field>> = vec![None; open.len()];
    for (k, s) in scores.iter().enumerate() {
        if s.title >= 3.0 && s.title >= s.name && s.title >= s.company {
            chosen[k] = Some(Field::Title);
        }
    }
    for (field, pick) in [
        (
            Field::Company,
            (|s: &Scores| s.company - s.name.max(0.0)) as fn(&Scores) -> f32,
        ),
        (Field::FullName, |s: &Scores| s.name - s.company.max(0.0)),
    ] {
        let best = (0..open.len())
            .filter(|&k| chosen[k].is_none())
            .map(|k| (k, pick(&scores[k])))
            .filter(|&(k, margin)| {
                let own = if field == Field::Company {
                    scores[k].company
                } else {
                    scores[k].name
                };
                own >= 1.5 && margin > 0.0
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((k, _)) = best {
            chosen[k] = Some(field);
        }
    }
    // Fallbacks by position: a card's first plausible free line is the person, the next
    // one the company — the order cards are printed in.
    if !chosen.contains(&Some(Field::FullName)) {
        if let Some(k) = (0..open.len()).find(|&k| {
            chosen[k].is_none() && scores[k].plausible && looks_like_a_name(segs[open[k]].1)
        }) {
            chosen[k] = Some(Field::FullName);
        }
    }
    if !chosen.contains(&Some(Field::Company)) {
        if let Some(k) = (0..open.len()).find(|&k| {
            let seg = segs[open[k]].1;
            chosen[k].is_none()
                && scores[k].plausible
                && scores[k].name < 3.0
                && scores[k].title == 0.0
                && seg.starts_with(char::is_uppercase)
                && !seg.contains(',')
        }) {
            chosen[k] = Some(Field::Company);
        }
    }
    for (k, &i) in open.iter().enumerate() {
        let field = chosen[k].unwrap_or(Field::Notes);
        segs[i].2 = Class::Done(vec![(field, segs[i].1.to_string())]);
    }

    segs.into_iter()
        .map(|(line, raw, class)| {
            let mut values = match class {
                Class::Done(v) => v,
                Class::Open => Vec::new(),
            };
            // A repair can empty a value (`E-mail: .`); the text then stays a note.
            values.retain(|(_, v)| !v.trim().is_empty());
            if values.is_empty() {
                values.push((Field::Notes, raw.to_string()));
            }
            Item { line, raw, values }
        })
        .collect()
}

/// Two to four words, no comma, most of them capitalised: the least a name needs when
/// nothing else on the card points to it.
fn looks_like_a_name(seg: &str) -> bool {
    let words: Vec<&str> = seg.split_whitespace().collect();
    let capitalised = words
        .iter()
        .filter(|w| w.starts_with(char::is_uppercase))
        .count();
    (2..=4).contains(&words.len()) && !seg.contains(',') && capitalised * 2 > words.len()
}

/// Classes that do not depend on the rest of the card: labelled values, e-mail and web
/// addresses, phones, postal addresses.
fn fixed(seg: &str) -> Class {
    if let Some((label, value)) = labelled(seg) {
        if value.is_empty() {
            return Class::Done(vec![(Field::Notes, seg.to_string())]);
        }
        return Class::Done(match label {
            Label::Name(f) => vec![(f, value.to_string())],
            Label::Phone(f) => vec![(f, repair_phone(value))],
            Label::Email => {
                emails_and_webs(value).unwrap_or_else(|| vec![(Field::Email, repair_email(value))])
            }
            Label::Web => vec![(Field::Website, value.to_string())],
            Label::Address => address_parts(value),
            Label::Title => {
                let n = name::parse("", "", "", "", "", value);
                let is_prefix = !n.prefix.is_empty() && n.given.is_empty() && n.family.is_empty();
                vec![(
                    if is_prefix {
                        Field::Prefix
                    } else {
                        Field::Title
                    },
                    value.to_string(),
                )]
            }
            Label::Plain(f) => vec![(f, value.to_string())],
        });
    }
    if seg.contains('@') {
        if let Some(v) = emails_and_webs(seg) {
            return Class::Done(v);
        }
    }
    if is_website(seg) {
        return Class::Done(vec![(Field::Website, seg.to_string())]);
    }
    if let Some((field, number)) = phone_part(seg) {
        return Class::Done(vec![(field, repair_phone(number))]);
    }
    if is_address(seg) {
        return Class::Done(address_parts(seg));
    }
    Class::Open
}

/// A segment of e-mail and web addresses (and the labels between them), one value each.
/// `None` when any word is something else.
fn emails_and_webs(seg: &str) -> Option<Vec<(Field, String)>> {
    // "jane @ acme.com" is one address typed with spaces.
    let joined = seg
        .replace(" @ ", "@")
        .replace("@ ", "@")
        .replace(" @", "@");
    let mut out = Vec::new();
    for word in joined.split_whitespace() {
        let bare = word.trim_end_matches([',', ';']);
        if bare.contains('@') {
            out.push((Field::Email, repair_email(bare)));
        } else if is_website(bare) {
            out.push((Field::Website, bare.to_string()));
        } else if label(bare).is_none_or(|l| !matches!(l, Label::Email | Label::Web)) {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn is_website(seg: &str) -> bool {
    let s = seg.trim();
    if s.contains(char::is_whitespace) || s.contains('@') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("www.") || lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    let host = lower.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels[0]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| {
            matches!(
                *tld,
                "com"
                    | "net"
                    | "org"
                    | "info"
                    | "biz"
                    | "io"
                    | "eu"
                    | "de"
                    | "at"
                    | "ch"
                    | "fr"
                    | "es"
                    | "it"
                    | "nl"
                    | "be"
                    | "uk"
                    | "pl"
                    | "gr"
                    | "us"
                    | "example"
            )
        })
}

/// The phone in a segment, with its field: `[label] number`, where the label is a phone
/// label (`Tel.`, `M`, `Mob:`, `Fax`) and the number has at least 6 digits and nothing
/// but digits, phone punctuation, OCR look-alikes and an extension marker.
fn phone_part(seg: &str) -> Option<(Field, &str)> {
    let mut field = Field::Phone;
    let mut number = seg.trim();
    let first_digit = number.find(|c: char| c.is_ascii_digit() || c == '+' || c == '(')?;
    if first_digit > 0 {
        let head = number[..first_digit].trim();
        // `O7700 900123`: the label may not swallow an OCR slip in the first digit.
        let head_word = head.trim_end_matches(['O', 'o']).trim();
        let label_text = if head_word.is_empty() {
            head
        } else {
            head_word
        };
        if !label_text.is_empty() {
            match label(label_text) {
                Some(Label::Phone(f)) => {
                    field = f;
                    number = number[label_text.len()..].trim_start_matches([':', '.', ' ']);
                }
                _ if head.chars().all(|c| matches!(c, 'O' | 'o' | 'l' | 'I')) => {}
                _ => return None,
            }
        }
    }
    let body = strip_extension(number);
    let mut digits = 0usize;
    let mut ocr = 0usize;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            'O' | 'o' | 'l' | 'I' => ocr += 1,
            ' ' | '+' | '(' | ')' | '-' | '.' | '/' => {}
            _ => return None,
        }
    }
    (digits >= 6 && digits >= 2 * ocr && digits + ocr <= 20).then_some((field, number))
}

/// The number without a trailing `ext. 12` / `x12` / `Durchwahl 12`.
fn strip_extension(number: &str) -> &str {
    let lower = number.to_ascii_lowercase();
    for marker in [" ext", " x", "x", " durchwahl", " dw", " poste", " anexo"] {
        if let Some(at) = lower.rfind(marker) {
            let tail = lower[at + marker.len()..].trim_start_matches(['.', ':', ' ']);
            if !tail.is_empty() && tail.len() <= 6 && tail.bytes().all(|b| b.is_ascii_digit()) {
                return &number[..at];
            }
        }
    }
    number
}

/// Undoes OCR slips in a number that is otherwise digits (`O7700 9OO123`).
fn repair_phone(number: &str) -> String {
    let body = strip_extension(number);
    let letters = body.chars().filter(|c| c.is_alphabetic()).count();
    let ocr = body
        .chars()
        .filter(|c| matches!(c, 'O' | 'o' | 'l' | 'I'))
        .count();
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if ocr == 0 || letters != ocr || digits < 2 * ocr {
        return number.to_string();
    }
    let fixed: String = body
        .chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' => '1',
            c => c,
        })
        .collect();
    format!("{fixed}{}", &number[body.len()..])
}

/// Undoes OCR slips in an e-mail address: `0`→`o` and `1`→`l` between two letters when
/// the part holds no other digit, and anywhere in the top-level domain (always letters).
///
/// `jane.d0e@acme.c0.uk` → `jane.doe@acme.co.uk`; `jdoe1@acme.com` is left alone.
fn repair_email(raw: &str) -> String {
    let s = raw.trim().trim_end_matches(['.', ',', ';']);
    let Some((local, domain)) = s.rsplit_once('@') else {
        return s.to_string();
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let last = labels.len().saturating_sub(1);
    let domain: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // Labels after the name (`co`, `com`, `uk`) are letters only.
            let suffix_like = i == last || i > 0 && l.len() <= 4;
            let letters_and_slips = l.chars().any(|c| c.is_ascii_alphabetic())
                && l.chars()
                    .all(|c| c.is_ascii_alphabetic() || matches!(c, '0' | '1'));
            if suffix_like && letters_and_slips {
                l.replace('0', "o").replace('1', "l")
            } else {
                between_letters(l)
            }
        })
        .collect();
    format!("{}@{}", between_letters(local), domain.join("."))
}

fn between_letters(part: &str) -> String {
    let chars: Vec<char> = part.chars().collect();
    let other_digits = chars
        .iter()
        .any(|c| c.is_ascii_digit() && !matches!(c, '0' | '1'));
    if other_digits {
        return part.to_string();
    }
    let letter = |i: usize| chars.get(i).is_some_and(|c| c.is_alphabetic());
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            '0' if i > 0 && letter(i - 1) && letter(i + 1) => 'o',
            '1' if i > 0 && letter(i - 1) && letter(i + 1) => 'l',
            c => c,
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Addresses

/// Street words (folded), whole words.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "ln",
    "drive",
    "way",
    "place",
    "square",
    "court",
    "boulevard",
    "blvd",
    "close",
    "crescent",
    "terrace",
    "suite",
    "floor",
    "unit",
    "strasse",
    "str",
    "weg",
    "platz",
    "allee",
    "gasse",
    "damm",
    "ring",
    "ufer",
    "chaussee",
    "anlage",
    "markt",
    "rue",
    "av",
    "bd",
    "quai",
    "chemin",
    "impasse",
    "cours",
    "calle",
    "c",
    "avenida",
    "avda",
    "plaza",
    "paseo",
    "carrer",
    "camino",
    "ronda",
    "ul",
    "straat",
    "laan",
    "plein",
    "gracht",
    "kade",
    "via",
    "piazza",
    "corso",
    "po",
    "box",
    "postfach",
];

/// German and Dutch street names glue the street word on (`Industriestraße`).
const STREET_SUFFIXES: &[&str] = &[
    "strasse", "str", "weg", "platz", "allee", "gasse", "damm", "ufer", "straat", "laan", "plein",
    "gracht", "kade",
];

fn is_street(part: &str) -> bool {
    street_word(part) || numbered_words(part)
}

/// A street word (`Road`, `rue`, `Calle`, `...straße`) next to a number.
fn street_word(part: &str) -> bool {
    let folded = fold(part);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let has_number = words
        .iter()
        .any(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.len() <= 5);
    has_number
        && words.iter().any(|w| {
            STREET_WORDS.contains(w)
                || STREET_SUFFIXES
                    .iter()
                    .any(|s| w.len() > s.len() + 2 && w.ends_with(s))
        })
}

/// `Waalhaven Zuidzijde 20`: a house number at one end of two or more words (one word
/// and a number is too often something else: `Booth 4B`).
fn numbered_words(part: &str) -> bool {
    let folded = fold(part);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    words.len() >= 3
        && (is_house_number(words[0]) || words.last().is_some_and(|w| is_house_number(w)))
        && words
            .iter()
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .count()
            == 1
}

fn is_house_number(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    (1..=4).contains(&digits) && w.len() - digits <= 1
}

/// The postcode in a part, as (start, end) byte offsets.
fn postcode_span(part: &str) -> Option<(usize, usize)> {
    let words: Vec<(usize, &str)> = words_with_offsets(part)
        .filter(|(_, w)| !w.is_empty())
        .collect();
    for (k, &(at, w)) in words.iter().enumerate() {
        let w = w.trim_end_matches(',');
        let bare = w
            .split_once('-')
            .filter(|(p, _)| p.len() <= 2 && p.chars().all(|c| c.is_ascii_uppercase()))
            .map_or(w, |(_, rest)| rest);
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        // 4-5 digits (DE, FR, ES, IT, US, NL, AT, CH), with an optional `D-` prefix.
        if (4..=5).contains(&bare.len()) && all_digits(bare) {
            // `3089 JH` (NL).
            if let Some(&(_, next)) = words.get(k + 1) {
                if next.len() == 2
                    && next.chars().all(|c| c.is_ascii_uppercase())
                    && bare.len() == 4
                {
                    return Some((at, at + w.len() + 1 + next.len()));
                }
            }
            return Some((at, at + w.len()));
        }
        // `31-147` (PL).
        if let Some((a, b)) = w.split_once('-') {
            if a.len() == 2 && b.len() == 3 && all_digits(a) && all_digits(b) {
                return Some((at, at + w.len()));
            }
        }
        // `EC1A 1BB` (UK).
        if let Some(&(_, next)) = words.get(k + 1) {
            let next = next.trim_end_matches(',');
            let outward = (2..=4).contains(&w.len())
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && w.chars().any(|c| c.is_ascii_digit());
            let inward = next.len() == 3
                && next.starts_with(|c: char| c.is_ascii_digit())
                && next[1..].chars().all(|c| c.is_ascii_uppercase());
            if outward && inward {
                return Some((at, at + w.len() + 1 + next.len()));
            }
        }
    }
    None
}

fn is_country(part: &str) -> bool {
    let p = part.trim();
    p.chars().count() >= 4
        && !p.chars().any(|c| c.is_ascii_digit())
        && p.split_whitespace().count() <= 3
        && address::country_code(p).is_some()
}

fn is_address(seg: &str) -> bool {
    seg.split([',', ';'])
        .any(|p| is_street(p) || postcode_span(p.trim()).is_some())
        || is_country(seg)
}

/// Splits an address into street, postcode, city, region and country values. Every
/// comma-separated part becomes exactly one value, so nothing is lost.
fn address_parts(text: &str) -> Vec<(Field, String)> {
    let mut out: Vec<(Field, String)> = Vec::new();
    let has = |out: &[(Field, String)], f: Field| out.iter().any(|(g, _)| *g == f);
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if is_country(part) && !has(&out, Field::Country) {
            out.push((Field::Country, part.to_string()));
        } else if let Some((a, b)) = postcode_span(part).filter(|_| !street_word(part)) {
            out.push((Field::Postcode, part[a..b].to_string()));
            let rest = format!("{} {}", part[..a].trim(), part[b..].trim());
            let rest = rest.trim();
            if !rest.is_empty() {
                let short_code = rest.len() == 2 && rest.chars().all(|c| c.is_ascii_uppercase());
                let f = if short_code || has(&out, Field::City) {
                    Field::Region
                } else {
                    Field::City
                };
                out.push((f, rest.to_string()));
            }
        } else if is_street(part) || !has(&out, Field::Street) && out.is_empty() {
            out.push((Field::Street, part.to_string()));
        } else if !has(&out, Field::City) {
            out.push((Field::City, part.to_string()));
        } else {
            out.push((Field::Region, part.to_string()));
        }
    }
    if out.is_empty() {
        out.push((Field::Notes, text.to_string()));
    }
    out
}

// ---------------------------------------------------------------------------------
// Name, company, title

/// Title words (folded), matched as whole words.
const TITLE_WORDS: &[&str] = &[
    // English
    "head",
    "manager",
    "director",
    "ceo",
    "cfo",
    "cto",
    "coo",
    "cmo",
    "vp",
    "president",
    "vice",
    "founder",
    "cofounder",
    "owner",
    "partner",
    "lead",
    "officer",
    "engineer",
    "consultant",
    "procurement",
    "purchasing",
    "buyer",
    "assistant",
    "coordinator",
    "specialist",
    "executive",
    "chief",
    "chairman",
    "secretary",
    "analyst",
    "representative",
    "sales",
    "marketing",
    "accountant",
    "advisor",
    "adviser",
    "supervisor",
    "administrator",
    // German
    "leiter",
    "leiterin",
    "geschaftsfuhrer",
    "geschaftsfuhrerin",
    "geschaeftsfuehrer",
    "vertrieb",
    "vertriebsleiter",
    "einkauf",
    "einkaufsleiter",
    "einkaufsleiterin",
    "prokurist",
    "inhaber",
    "inhaberin",
    "vorstand",
    "referent",
    "referentin",
    "berater",
    "beraterin",
    "abteilungsleiter",
    "abteilungsleiterin",
    "sachbearbeiter",
    "sachbearbeiterin",
    "vertriebsleiterin",
    "teamleiter",
    "teamleiterin",
    "bereichsleiter",
    // French
    "directeur",
    "directrice",
    "responsable",
    "gerant",
    "gerante",
    "chef",
    "charge",
    "chargee",
    "ingenieur",
    "commercial",
    "commerciale",
    "achats",
    "assistante",
    "pdg",
    "fondateur",
    "fondatrice",
    "associe",
    "associee",
    "conseiller",
    "conseillere",
    // Spanish
    "gerente",
    "jefe",
    "jefa",
    "directora",
    "compras",
    "ventas",
    "presidente",
    "presidenta",
    "socio",
    "socia",
    "fundador",
    "fundadora",
    "asesor",
    "asesora",
    "comercial",
    "encargado",
    "encargada",
    "coordinadora",
    "ejecutivo",
    "ejecutiva",
];

/// Words that suggest an organisation even without a legal form.
const COMPANY_WORDS: &[&str] = &[
    "group",
    "gruppe",
    "grupo",
    "groupe",
    "consulting",
    "solutions",
    "logistics",
    "logistik",
    "logistiek",
    "bank",
    "partners",
    "associates",
    "industries",
    "technologies",
    "systems",
    "services",
    "international",
    "holding",
    "holdings",
    "company",
    "corporation",
    "studio",
    "atelier",
    "agency",
    "agentur",
    "labs",
    "software",
    "foods",
    "analytics",
    "design",
    "maschinenbau",
    "elektrotechnik",
    "steuerberatung",
    "trans",
    "outfitters",
    "widgets",
];

/// What the card's contact channels tell about its people and company.
struct Context {
    /// Folded e-mail local parts (umlauts spelled out and plain).
    locals: Vec<String>,
    /// Folded second-level labels of e-mail and web domains (`acme`, `mueller-logistik`
    /// as `muellerlogistik`).
    domains: Vec<String>,
}

/// Scores for one free-text segment.
#[derive(Debug, Clone, Copy)]
struct Scores {
    name: f32,
    company: f32,
    title: f32,
    /// Could be a name or a company at all: letters, no digits, at most six words.
    plausible: bool,
}

impl Context {
    fn of(segs: &[(u32, &str, Class)]) -> Context {
        let mut locals = Vec::new();
        let mut domains = Vec::new();
        for (_, _, class) in segs {
            let Class::Done(values) = class else { continue };
            for (f, v) in values {
                let host = match f {
                    Field::Email => {
                        let e = v.to_lowercase();
                        let Some((local, domain)) = e.rsplit_once('@') else {
                            continue;
                        };
                        if !email::is_generic_local(local) {
                            locals.push(squash(local));
                        }
                        if email::is_free_mail(domain) {
                            continue;
                        }
                        domain.to_string()
                    }
                    Field::Website => {
                        let w = v.to_lowercase();
                        let w = w
                            .trim_start_matches("https://")
                            .trim_start_matches("http://")
                            .trim_start_matches("www.");
                        w.split('/').next().unwrap_or("").to_string()
                    }
                    _ => continue,
                };
                let registrable = email::registrable_domain(&host);
                let label = registrable.split('.').next().unwrap_or("");
                if label.len() >= 2 {
                    domains.push(squash(label));
                }
            }
        }
        Context { locals, domains }
    }

    fn score(&self, seg: &str, first: bool) -> Scores {
        let words: Vec<String> = folded_words(seg);
        let n = words.len();
        let plausible = n > 0
            && n <= 6
            && !seg.chars().any(|c| c.is_ascii_digit())
            && seg.chars().any(char::is_alphabetic);
        let title_hits = words
            .iter()
            .filter(|w| TITLE_WORDS.contains(&w.as_str()))
            .count();
        let title = if title_hits > 0 { 3.0 } else { 0.0 };

        let legal = has_legal_form(seg);
        let mut company = 0.0;
        if legal {
            company += 4.0;
        }
        company += 3.0 * likeness(&words, &self.domains);
        if words.iter().any(|w| COMPANY_WORDS.contains(&w.as_str())) || seg.contains('&') {
            company += 1.0;
        }

        let mut name = 0.0;
        if plausible && n <= 5 && !legal {
            name += 3.0 * likeness(&words, &self.locals);
            let parsed = name::parse("", "", "", "", "", seg);
            if !parsed.prefix.is_empty() {
                name += 2.0;
            }
            if seg
                .split_whitespace()
                .find(|w| !w.ends_with('.'))
                .is_some_and(name::is_known_given_name)
            {
                name += 2.0;
            }
            let capitalised = seg
                .split_whitespace()
                .filter(|w| w.starts_with(char::is_uppercase))
                .count();
            if n >= 2 && capitalised * 2 >= n {
                name += 1.0;
            }
            if first {
                name += 0.5;
            }
            if title_hits > 0 {
                name -= 3.0;
            }
        }
        Scores {
            name,
            company,
            title,
            plausible,
        }
    }
}

/// Folded words, umlauts spelled out (`Müller` → `mueller`) so they meet e-mail spellings.
fn folded_words(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lower-case ASCII letters and digits only, with German umlauts also spelled out:
/// `mueller-logistik` → `muellerlogistik`.
fn squash(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// How much of `words` shows up in one of `targets` (0..=1): the share of words of 2+
/// letters found inside the best target, with `ü` also tried as `ue`.
fn likeness(words: &[String], targets: &[String]) -> f32 {
    let counted: Vec<&String> = words.iter().filter(|w| w.len() >= 2).collect();
    if counted.is_empty() {
        return 0.0;
    }
    targets
        .iter()
        .map(|t| {
            let hits = counted
                .iter()
                .filter(|w| {
                    t.contains(w.as_str()) || spelled_out(w).is_some_and(|s| t.contains(&s))
                })
                .count();
            hits as f32 / counted.len() as f32
        })
        .fold(0.0, f32::max)
}

/// `muller` cannot tell whether the card said `Müller`; the e-mail says `mueller`. Try
/// the German spellings: a vowel followed by `e`.
fn spelled_out(word: &str) -> Option<String> {
    if !word.contains(['a', 'o', 'u']) {
        return None;
    }
    Some(
        word.replace('u', "ue")
            .replace('o', "oe")
            .replace('a', "ae"),
    )
}

/// Whether the company normaliser strips a legal form from the end (`Ltd`, `GmbH`,
/// `S.A.`, `Sp. z o.o.`).
fn has_legal_form(seg: &str) -> bool {
    let plain = fold(seg);
    let key = company::fold(seg);
    let last_plain = plain.split(' ').next_back().unwrap_or("");
    let last_key = key.split(' ').next_back().unwrap_or("");
    !key.is_empty() && last_plain != last_key && plain.split(' ').count() > key.split(' ').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<(Field, String)>> {
        split_cards(text)
            .iter()
            .map(|c| {
                classify(c)
                    .into_iter()
                    .flat_map(|i| i.values)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn get(values: &[(Field, String)], f: Field) -> Vec<&str> {
        values
            .iter()
            .filter(|(g, _)| *g == f)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn english_free_layout() {
        let card = "Dr. Jane Doe\nHead of Procurement\nACME Widgets Ltd.\n\
                    Tel: +44 (0)20 7946 0958   Mob: O7700 900123\n\
                    jane.doe@acme.c0.uk · www.acme.co.uk\n12 High Street, London EC1A 1BB\n";
        let v = &fields(card)[0];
        assert_eq!(get(v, Field::FullName), ["Dr. Jane Doe"]);
        assert_eq!(get(v, Field::Title), ["Head of Procurement"]);
        assert_eq!(get(v, Field::Company), ["ACME Widgets Ltd."]);
        assert_eq!(get(v, Field::Phone), ["+44 (0)20 7946 0958"]);
        assert_eq!(get(v, Field::Mobile), ["07700 900123"]);
        assert_eq!(get(v, Field::Email), ["jane.doe@acme.co.uk"]);
        assert_eq!(get(v, Field::Website), ["www.acme.co.uk"]);
        assert_eq!(get(v, Field::Street), ["12 High Street"]);
        assert_eq!(get(v, Field::Postcode), ["EC1A 1BB"]);
        assert_eq!(get(v, Field::City), ["London"]);
        assert!(get(v, Field::Notes).is_empty());
    }

    #[test]
    fn company_first_and_domain_likeness() {
        // No legal form: the company resembles the domain, the person the local part.
        let card = "Brightwater Analytics\nMargaret O'Brien\nmargaret.obrien@brightwater-analytics.example\n+44 20 7946 0958";
        let v = &fields(card)[0];
        assert_eq!(get(v, Field::Company), ["Brightwater Analytics"]);
        assert_eq!(get(v, Field::FullName), ["Margaret O'Brien"]);
    }

    #[test]
    fn german_label_layout() {
        let card = "Name: Jürgen Müller\nPosition: Leiter Einkauf\nFirma: Müller & Söhne Logistik GmbH\n\
                    Telefon: +49 40 66969101\nMobil: 0171 3920021\nE-Mail: juergen.mueller@mueller-logistik.example\n\
                    Anschrift: Am Sandtorkai 41, 20457 Hamburg\n";
        let v = &fields(card)[0];
        assert_eq!(get(v, Field::FullName), ["Jürgen Müller"]);
        assert_eq!(get(v, Field::Title), ["Leiter Einkauf"]);
        assert_eq!(get(v, Field::Company), ["Müller & Söhne Logistik GmbH"]);
        assert_eq!(get(v, Field::Phone), ["+49 40 66969101"]);
        assert_eq!(get(v, Field::Mobile), ["0171 3920021"]);
        assert_eq!(get(v, Field::Street), ["Am Sandtorkai 41"]);
        assert_eq!(get(v, Field::Postcode), ["20457"]);
        assert_eq!(get(v, Field::City), ["Hamburg"]);
    }

    #[test]
    fn german_free_layout() {
        let card = "Klaus Schröder\nGeschäftsführer\nSchröder Elektrotechnik GmbH\nSendlinger Straße 30\n80331 München\n\
                    T +49 89 99998210 | k.schroeder@schroeder-elektrotechnik.example";
        let v = &fields(card)[0];
        assert_eq!(get(v, Field::FullName), ["Klaus Schröder"]);
        assert_eq!(get(v, Field::Title), ["Geschäftsführer"]);
        assert_eq!(get(v, Field::Company), ["Schröder Elektrotechnik GmbH"]);
        assert_eq!(get(v, Field::Street), ["Sendlinger Straße 30"]);
        assert_eq!(get(v, Field::City), ["München"]);
        assert_eq!(get(v, Field::Phone), ["+49 89 99998210"]);
    }

    #[test]
    fn french_both_layouts() {
        let free = "François Lefèvre\nDirecteur commercial\nDubois & Fils SARL\n\
                    Tél. 04 65 71 20 10 · Portable 06 39 98 45 12\nfrancois.lefevre@dubois-fils.example\n\
                    12 rue de la République, 69002 Lyon, France";
        let v = &fields(free)[0];
        assert_eq!(get(v, Field::FullName), ["François Lefèvre"]);
        assert_eq!(get(v, Field::Title), ["Directeur commercial"]);
        assert_eq!(get(v, Field::Company), ["Dubois & Fils SARL"]);
        assert_eq!(get(v, Field::Phone), ["04 65 71 20 10"]);
        assert_eq!(get(v, Field::Mobile), ["06 39 98 45 12"]);
        assert_eq!(get(v, Field::Country), ["France"]);
        assert_eq!(get(v, Field::City), ["Lyon"]);

        let labelled = "Nom : Claire Moreau\nSociété : Atelier Moreau\nPoste : Gérante\n\
                        Téléphone : 05 36 49 12 00\nCourriel : info@atelier-moreau.example\n\
                        Adresse : 8 quai des Chartrons, 33000 Bordeaux";
        let v = &fields(labelled)[0];
        assert_eq!(get(v, Field::FullName), ["Claire Moreau"]);
        assert_eq!(get(v, Field::Company), ["Atelier Moreau"]);
        assert_eq!(get(v, Field::Title), ["Gérante"]);
        assert_eq!(get(v, Field::Phone), ["05 36 49 12 00"]);
        assert_eq!(get(v, Field::Email), ["info@atelier-moreau.example"]);
        assert_eq!(get(v, Field::Street), ["8 quai des Chartrons"]);
    }

    #[test]
    fn spanish_both_layouts() {
        let labelled = "Nombre: Carmen García López\nCargo: Directora de Compras\nEmpresa: Soluciones Ibéricas S.L.\n\
                        Teléfono: +34 91 123 45 67\nMóvil: +34 612 345 678\nCorreo: carmen.garcia@solucionesibericas.example\n\
                        Dirección: Calle de Alcalá 120, 28009 Madrid";
        let v = &fields(labelled)[0];
        assert_eq!(get(v, Field::FullName), ["Carmen García López"]);
        assert_eq!(get(v, Field::Title), ["Directora de Compras"]);
        assert_eq!(get(v, Field::Company), ["Soluciones Ibéricas S.L."]);
        assert_eq!(get(v, Field::Mobile), ["+34 612 345 678"]);
        assert_eq!(get(v, Field::Street), ["Calle de Alcalá 120"]);
        assert_eq!(get(v, Field::City), ["Madrid"]);

        let free = "Vinos del Sur S.L.\nIsabel Fernández\nJefa de Exportación\n\
                    Tel. +34 954 123 456   Móvil +34 655 432 109\nisabel.fernandez@vinosdelsur.example";
        let v = &fields(free)[0];
        assert_eq!(get(v, Field::Company), ["Vinos del Sur S.L."]);
        assert_eq!(get(v, Field::FullName), ["Isabel Fernández"]);
        assert_eq!(get(v, Field::Title), ["Jefa de Exportación"]);
        assert_eq!(get(v, Field::Mobile), ["+34 655 432 109"]);
    }

    #[test]
    fn address_parts_in_several_countries() {
        let parts = |s: &str| address_parts(s);
        assert_eq!(
            parts("Waalhaven Zuidzijde 20, 3089 JH Rotterdam"),
            [
                (Field::Street, "Waalhaven Zuidzijde 20".into()),
                (Field::Postcode, "3089 JH".into()),
                (Field::City, "Rotterdam".into())
            ]
        );
        assert_eq!(
            parts("200 N Michigan Ave, Chicago, IL 60601"),
            [
                (Field::Street, "200 N Michigan Ave".into()),
                (Field::City, "Chicago".into()),
                (Field::Postcode, "60601".into()),
                (Field::Region, "IL".into())
            ]
        );
        assert_eq!(
            parts("ul. Długa 15, 31-147 Kraków, Poland"),
            [
                (Field::Street, "ul. Długa 15".into()),
                (Field::Postcode, "31-147".into()),
                (Field::City, "Kraków".into()),
                (Field::Country, "Poland".into())
            ]
        );
    }

    #[test]
    fn file_through_the_importer() {
        use crate::import::{inputs, SourceSpec};
        use crate::report::Silent;
        let read = |rel: &str| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(rel);
            let spec = SourceSpec {
                path: Some(path),
                ..SourceSpec::default()
            };
            inputs(&[spec], &Silent::default()).expect("fixture is readable")
        };
        let i = read("import/cards/mixed.txt");
        assert_eq!(i.files[0].format, "business cards");
        let at: Vec<_> = i
            .records
            .iter()
            .map(|r| (r.locator.row, r.locator.line))
            .collect();
        assert_eq!(at, [(1, 1), (2, 8)]);
        assert_eq!(i.records[0].get(Field::Email), Some("jane.doe@acme.co.uk"));
        assert_eq!(i.records[0].get(Field::Mobile), Some("07700 900123"));
        assert_eq!(i.records[1].get(Field::Company), Some("Atelier Moreau"));
        assert_eq!(i.rejects.len(), 1);
        assert_eq!(
            (i.rejects[0].locator.row, i.rejects[0].locator.line),
            (3, 14)
        );
        assert!(i.rejects[0].reason.contains("lines 14-15"));

        let i = read("import/cards/crlf.txt");
        let at: Vec<_> = i.records.iter().map(|r| r.locator.line).collect();
        assert_eq!(at, [1, 4]);
        assert_eq!(i.records[1].get(Field::FullName), Some("Bob Roe"));

        // A `.txt` table (Excel's "Unicode text") is still CSV.
        let i = read("import/cards/table.txt");
        assert_eq!(i.files[0].format, "csv tab utf-8");

        let i = read("demo/tradeshow-cards.txt");
        assert_eq!((i.records.len(), i.rejects.len()), (6, 1));
        let german = &i.records[1];
        assert_eq!(german.get(Field::Title), Some("Geschäftsführer"));
        assert_eq!(german.get(Field::Mobile), Some("0171 3920012"));
        assert_eq!(german.get(Field::Street), Some("Industriestraße 7"));
        let emily = &i.records[2];
        assert_eq!(emily.get(Field::Phone), Some("+1 312-555-0142"));
        assert_eq!(emily.get(Field::Title), Some("VP Sales"));
        assert_eq!(emily.get(Field::Region), Some("IL"));
        let lena = &i.records[5];
        assert_eq!(
            lena.get(Field::Notes),
            Some("Met at booth C12, wants the spring catalogue")
        );
    }

    #[test]
    fn separators_and_leftovers() {
        let text = "Ann Lee\nann@lee.example\n---\nBooth 4B, met on Tuesday\nBob Roe\n+1 312 555 0142\n\n\nonly a note";
        let cards = split_cards(text);
        assert_eq!(
            cards.iter().map(|c| c.first_line).collect::<Vec<_>>(),
            [1, 4, 9]
        );
        let v = fields(text);
        assert_eq!(get(&v[1], Field::Notes), ["Booth 4B, met on Tuesday"]);
        assert_eq!(get(&v[1], Field::FullName), ["Bob Roe"]);
        assert_eq!(get(&v[2], Field::Notes), ["only a note"]);
    }

    #[test]
    fn ocr_repairs_are_conservative() {
        assert_eq!(repair_email("jane.d0e@acme.c0.uk"), "jane.doe@acme.co.uk");
        assert_eq!(repair_email("jdoe1@acme1.com"), "jdoe1@acme1.com");
        assert_eq!(repair_email("a1ex@examp1e.c0m."), "alex@example.com");
        assert_eq!(repair_phone("O7700 9OO123"), "07700 900123");
        assert_eq!(repair_phone("+1 555 0100 ext. 12"), "+1 555 0100 ext. 12");
        assert_eq!(
            phone_part("Fax: 020 7946 0959"),
            Some((Field::Fax, "020 7946 0959"))
        );
        assert_eq!(phone_part("M. Dupont"), None);
        assert_eq!(phone_part("12099 Berlin"), None);
    }

    #[test]
    fn sniffing() {
        assert!(is_table("Name\tEmail\tPhone\nAnn\ta@b.example\t1\n"));
        assert!(!is_table("Name: Ann\nEmail: a@b.example\n"));
        assert!(is_vcard("\nBEGIN:VCARD\nFN:Ann\nEND:VCARD\n"));
        assert!(looks_like_cards(
            "Ann Lee\nann@lee.example\n\nBob\n+1 312 555 0142\n"
        ));
        assert!(!looks_like_cards(
            "a@b.example,Ann,Lee\nc@d.example,Bob,Roe\n"
        ));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// A line without its separators and whitespace, for comparing text coverage.
        fn squeeze(s: &str) -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '|'))
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn never_panics_and_keeps_every_line(
                lines in proptest::collection::vec(
                    prop_oneof![
                        "\\PC{0,30}",
                        "[A-Za-zÄéü .:@|·0-9+()-]{0,40}",
                        "(Tel|Mob|Fax|Name|Firma|E-mail|Web|Adresse): [a-z0-9 .@+]{0,20}",
                    ],
                    0..12,
                ),
            ) {
                let text = lines.join("\n");
                for card in split_cards(&text) {
                    let items = classify(&card);
                    for &(line, raw) in &card.lines {
                        let mine: Vec<&Item> = items.iter().filter(|i| i.line == line).collect();
                        prop_assert!(!mine.is_empty(), "line {} has an item", line);
                        let joined: String = mine.iter().map(|i| i.raw).collect();
                        prop_assert_eq!(squeeze(&joined), squeeze(raw));
                    }
                    for item in &items {
                        prop_assert!(!item.values.is_empty());
                        prop_assert!(item.values.iter().all(|(_, v)| !v.trim().is_empty() || item.raw.trim().is_empty()));
                    }
                }
            }
        }
    }
}
