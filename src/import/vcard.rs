//! vCard import (2.1, 3.0 and 4.0): one record per card, with locators.
//!
//! Input: one `.vcf` file (or any file whose first line is `BEGIN:VCARD`) and its
//! [`SourceSpec`]. Output: records and rejects appended to the shared [`Sink`]; the
//! locator's `row` is the 1-based card number in the file and `line` is the physical
//! line of the card's `BEGIN:VCARD`.
//!
//! Why calcard: of six vCard crates run over the 140 corpus files (CRATES.md §3) only
//! calcard read them all; `vcard_parser`, the obvious name, reads no 2.1 or 3.0 file at
//! all, and Outlook and Android write 2.1, Google and Apple 3.0. calcard is a tokenizer:
//! it decodes quoted-printable and CHARSET, knows bare 2.1 parameters (`TEL;CELL`) and
//! keeps group names. Its types stay inside this module so that it can be swapped for a
//! hand-written tokenizer if its dependency weight or MSRV ever hurts.
//!
//! What this module does around calcard, in the order it happens ([`parse`]):
//! 1. **Bytes to lines.** A UTF-16 file (with or without BOM) is transcoded first;
//!    a UTF-8 BOM is dropped. Everything else stays bytes: physical lines are joined
//!    into logical lines *before* decoding, because folding may split a multi-byte
//!    character (then the raw file is not valid UTF-8 until unfolded). Joined are
//!    folded lines (leading space or tab), quoted-printable soft breaks (`=` at the
//!    end; one followed by an empty line ends the value, where calcard would cut it),
//!    and base64 continuation lines of 2.1, which do not start with a space.
//! 2. **Binaries are dropped here.** `PHOTO`, `LOGO`, `SOUND`, `KEY` and any base64
//!    property are skipped while joining, so a 30 KB photo is never held in memory.
//! 3. **Cards.** `BEGIN:VCARD` … `END:VCARD` delimit cards; each card is tokenized on
//!    its own, so a broken card becomes one [`Reject`] and the next card still reads.
//!    A card cut short (no `END:VCARD` before the next `BEGIN` or the end of the file)
//!    is read up to there with a warning; text outside any card is a reject (row 0,
//!    its first line), since it may be a card whose `BEGIN` was lost.
//! 4. **Decoding, per line.** Valid UTF-8 stays as it is; a known `CHARSET` on raw
//!    8-bit bytes decodes that line (2.1 files mix raw Windows-1252 with QP-encoded
//!    UTF-8); other 8-bit text uses the file's legacy code page as guessed by
//!    chardetng. The bare 2.1 parameter `QUOTED-PRINTABLE` (no `ENCODING=`), which
//!    calcard ignores, is rewritten to `ENCODING=QUOTED-PRINTABLE`. An unknown CHARSET
//!    name gives a warning; its QP value is read as UTF-8 (lossy when calcard hands
//!    back bytes), its raw 8-bit text with the file's code page.
//! 5. **Mapping** to [`Field`]s ([`card_values`]): `N`, `FN`, `NICKNAME`, `ORG`
//!    (first unit → company, the rest → department), `TITLE`, every `EMAIL` and `TEL`
//!    (kind from TYPE or from an Apple `itemN.X-ABLabel` in the same group), the
//!    preferred `ADR` (work or pref, else the first; the others become custom fields
//!    named like `ADR;home`), `NOTE`, `URL`, `BDAY` and `REV` (ISO), `CATEGORIES`
//!    (custom field) and `UID` (record key). Other properties are not imported.
//!
//! A card with no usable value is a reject, so no card is ever dropped silently.
//! Warnings name the file, card and line, never a value.
//!
//! Performance: the file is read into memory whole (vCard exports are small; the
//! 1000-card corpus file is 77 KB) and each card is tokenized from its own buffer.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use calcard::vcard::{
    VCard, VCardEntry, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue,
};
use calcard::{Entry, Parser};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::{Sink, SourceSpec};
use crate::error::{Error, Result};
use crate::model::{Field, FileId, FileInfo, Locator, Record, Reject, Target, ValuesBuilder};

/// How much of a file [`sniff`] looks at.
const SNIFF: usize = 4096;

/// Whether a file is read as vCard: its extension is `.vcf` / `.vcard`, or its first
/// non-blank line (after a BOM) is `BEGIN:VCARD`. A file that cannot be opened is not
/// a vCard here; the CSV path then reports the error.
pub fn sniff(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if matches!(ext.as_deref(), Some("vcf" | "vcard")) {
        return true;
    }
    use std::io::Read;
    let mut head = Vec::with_capacity(SNIFF);
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.take(SNIFF as u64).read_to_end(&mut head).is_err() {
        return false;
    }
    starts_with_begin(&head)
}

/// Whether the first non-blank line of `head` (after a BOM) is `BEGIN:VCARD`.
fn starts_with_begin(head: &[u8]) -> bool {
    let text = to_utf8_head(head);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.eq_ignore_ascii_case("BEGIN:VCARD"))
}

/// The start of a file as text, for sniffing only.
fn to_utf8_head(head: &[u8]) -> Cow<'_, str> {
    match utf16(head) {
        Some((enc, bom)) => Cow::Owned(enc.decode_without_bom_handling(&head[bom..]).0.into()),
        None => String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head)),
    }
}

/// UTF-16 by BOM or by NUL-byte pattern: (encoding, BOM length).
fn utf16(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return None;
    }
    let d = super::csv::detect_encoding(&bytes[..bytes.len().min(SNIFF)], true);
    (d.encoding == UTF_16LE || d.encoding == UTF_16BE).then_some((d.encoding, d.bom))
}

/// Reads one vCard file into the sink.
pub(crate) fn read(path: &Path, spec: &SourceSpec, sink: &mut Sink<'_>) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::input(
            path,
            format!("cannot read the file ({e}); check the path and that you may read it"),
        )
    })?;
    let parsed = parse(&bytes);
    let file = FileId(sink.out.files.len() as u16);
    sink.out.files.push(FileInfo {
        path: path.display().to_string(),
        format: format!("vcard {}", parsed.encoding),
    });
    let source = sink.file_source(spec, path);
    for w in &parsed.warnings {
        sink.report.warn(&format!("{}: {w}", path.display()));
    }
    let locator = |row, line| Locator {
        file,
        sheet: None,
        row,
        line,
    };
    let Some(source) = source else {
        sink.out.rejects.push(Reject {
            locator: locator(0, 0),
            source: None,
            reason: "too many sources (more than 65535); merge some files first".into(),
        });
        return Ok(());
    };
    let mut full = false;
    for item in parsed.items {
        match item {
            Item::Card(card) => {
                let mut values = ValuesBuilder::default();
                for (key, value) in card.values {
                    let target = match key {
                        Key::Field(f) => Target::Known(f),
                        Key::Custom(name) => match sink.custom(&name) {
                            Some(i) => Target::Custom(i),
                            None => {
                                full = true;
                                continue;
                            }
                        },
                    };
                    values.push(target, &value);
                }
                sink.out.records.push(Record {
                    source,
                    locator: locator(card.row, card.line),
                    values: values.build(),
                });
            }
            Item::Problem(p) => sink.out.rejects.push(Reject {
                locator: locator(p.row, p.line),
                source: Some(source),
                reason: p.reason,
            }),
        }
    }
    if full {
        sink.report.warn(&format!(
            "{}: more than 65536 custom field names; later ones were dropped",
            path.display()
        ));
    }
    sink.report.advance(u64::from(parsed.cards));
    Ok(())
}

/// Where a card's value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A field listmerge understands.
    Field(Field),
    /// A custom field by name (`CATEGORIES`, `ADR;home`).
    Custom(String),
}

/// One card as read: its number, its `BEGIN` line and its values (trimmed, non-empty).
#[derive(Debug, Clone)]
pub struct Card {
    /// 1-based card number in the file.
    pub row: u32,
    /// Physical line of `BEGIN:VCARD`.
    pub line: u32,
    /// The values, in the card's order.
    pub values: Vec<(Key, String)>,
}

/// A card (or stray text) that could not be read.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Card number (0 for text outside any card).
    pub row: u32,
    /// The first physical line.
    pub line: u32,
    /// Why, with what to do (no values).
    pub reason: String,
}

/// A card or a problem, in file order.
#[derive(Debug, Clone)]
pub enum Item {
    /// A card that was read.
    Card(Card),
    /// Something that could not be read.
    Problem(Problem),
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Cards and problems in file order.
    pub items: Vec<Item>,
    /// Number of `BEGIN:VCARD` lines seen.
    pub cards: u32,
    /// Warnings (card and line, never values).
    pub warnings: Vec<String>,
    /// The encoding as described in the file list (`utf-8`, `windows-1252`, `utf-16le bom`).
    pub encoding: String,
}

/// Parses the bytes of a vCard file. Never panics; anything unreadable becomes a
/// [`Problem`].
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    // 1. UTF-16 → UTF-8 first; everything else is handled per line below.
    let (body, mut encoding): (Cow<'_, [u8]>, String) = match utf16(bytes) {
        Some((enc, bom)) => {
            let text = enc.decode_without_bom_handling(&bytes[bom..]).0;
            let name = enc.name().to_ascii_lowercase();
            (
                Cow::Owned(text.into_owned().into_bytes()),
                if bom > 0 { format!("{name} bom") } else { name },
            )
        }
        None => match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (Cow::Borrowed(rest), "utf-8 bom".into()),
            None => (Cow::Borrowed(bytes), "utf-8".into()),
        },
    };
    let lines = logical_lines(&body);
    out.encoding = encoding.clone();
    if lines
        .iter()
        .all(|l| l.text.iter().all(u8::is_ascii_whitespace))
    {
        out.items.push(Item::Problem(Problem {
            row: 0,
            line: 0,
            reason: "the file is empty; nothing to import".into(),
        }));
        return out;
    }
    // The legacy code page for 8-bit text that is not UTF-8, guessed once from all of
    // it (after unfolding, so split characters do not mislead chardetng).
    let legacy = legacy_encoding(&lines);
    if let Some(enc) = legacy {
        encoding = enc.name().to_ascii_lowercase();
    }
    let legacy = legacy.unwrap_or(encoding_rs::WINDOWS_1252);

    // 2. Cards.
    let mut open: Option<(u32, u32, Vec<&Line>)> = None;
    let mut stray: Option<(u32, u32)> = None; // (first line, count)
    let flush_stray = |stray: &mut Option<(u32, u32)>, out: &mut Parsed| {
        if let Some((line, n)) = stray.take() {
            out.items.push(Item::Problem(Problem {
                row: 0,
                line,
                reason: format!(
                    "{n} line(s) outside any BEGIN:VCARD … END:VCARD; this is not vCard \
                     data (export the contacts as vCard again)"
                ),
            }));
        }
    };
    for l in &lines {
        let t = trim(&l.text);
        if t.eq_ignore_ascii_case(b"BEGIN:VCARD") {
            flush_stray(&mut stray, &mut out);
            if let Some((row, line, body)) = open.take() {
                out.warnings
                    .push(cut_short(row, line, "before the next BEGIN:VCARD"));
                out.items
                    .push(card(row, line, &body, legacy, &mut out.warnings));
            }
            out.cards = out.cards.saturating_add(1);
            open = Some((out.cards, l.number, Vec::new()));
        } else if t.eq_ignore_ascii_case(b"END:VCARD") {
            match open.take() {
                Some((row, line, body)) => {
                    out.items
                        .push(card(row, line, &body, legacy, &mut out.warnings));
                }
                None => note_stray(&mut stray, l.number),
            }
        } else if let Some((_, _, body)) = &mut open {
            if !t.is_empty() && !l.skipped {
                body.push(l);
            }
        } else if !t.is_empty() {
            note_stray(&mut stray, l.number);
        }
    }
    flush_stray(&mut stray, &mut out);
    if let Some((row, line, body)) = open.take() {
        out.warnings
            .push(cut_short(row, line, "before the end of the file"));
        out.items
            .push(card(row, line, &body, legacy, &mut out.warnings));
    }
    out.encoding = encoding;
    out
}

fn note_stray(stray: &mut Option<(u32, u32)>, line: u32) {
    match stray {
        Some((_, n)) => *n += 1,
        None => *stray = Some((line, 1)),
    }
}

/// A card without `END:VCARD` is still read up to where it stops (what is there is
/// what the file holds), with a warning, since the file may be cut short.
fn cut_short(row: u32, line: u32, what: &str) -> String {
    format!(
        "card {row}, line {line}: no END:VCARD {what}; read up to there \
         (the file may be cut short: check it or export it again)"
    )
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

// ---------------------------------------------------------------------------------
// Logical lines

/// One unfolded line: its bytes and the physical line it starts on.
#[derive(Debug)]
struct Line {
    number: u32,
    text: Vec<u8>,
    /// A binary property (photo, base64) whose value was not kept.
    skipped: bool,
}

/// What the start of a property line says about how its value continues.
#[derive(Debug, Clone, Copy, Default)]
struct Head {
    qp: bool,
    base64: bool,
    binary_name: bool,
}

fn head(line: &[u8]) -> Head {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Head::default();
    };
    let header = line[..colon].to_ascii_uppercase();
    let mut parts = header.split(|&b| b == b';');
    let name = parts.next().unwrap_or_default();
    let name = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    let mut h = Head {
        binary_name: matches!(name, b"PHOTO" | b"LOGO" | b"SOUND" | b"KEY")
            || name.starts_with(b"X-MS-CARDPICTURE"),
        ..Head::default()
    };
    for p in parts {
        let p = p.trim_ascii();
        match p {
            b"QUOTED-PRINTABLE" | b"ENCODING=QUOTED-PRINTABLE" => h.qp = true,
            b"BASE64" | b"ENCODING=BASE64" | b"ENCODING=B" => h.base64 = true,
            _ => {}
        }
    }
    h
}

/// Splits bytes into physical lines and joins them into logical lines.
fn logical_lines(body: &[u8]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut cur: Option<(Line, Head)> = None;
    // A QP soft break at the end of the previous physical line.
    let mut soft = false;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some((line, h)) = &mut cur {
            let binary = h.base64 || h.binary_name;
            if soft {
                // A soft break followed by an empty line ends the value (Outlook).
                soft = !raw.is_empty() && raw.ends_with(b"=");
                if !line.skipped {
                    line.text.extend_from_slice(raw);
                    if soft {
                        line.text.pop();
                    }
                }
                continue;
            }
            let folded = matches!(raw.first(), Some(b' ' | b'\t'));
            // Android writes a newline inside a 2.1 value as a backslash at the end of
            // the line; the next line has no ':' of its own then.
            if !folded
                && !line.skipped
                && odd_backslashes(&line.text)
                && !raw.is_empty()
                && !raw.contains(&b':')
            {
                line.text.push(b'n');
                line.text.extend_from_slice(raw);
                continue;
            }
            // 2.1 base64 runs on without leading spaces until an empty line; such
            // lines never hold a ':'.
            let b64_run = binary && !raw.is_empty() && !raw.contains(&b':');
            if folded || b64_run {
                if !line.skipped {
                    line.text
                        .extend_from_slice(if folded { &raw[1..] } else { raw });
                    if h.qp && line.text.ends_with(b"=") {
                        line.text.pop();
                        soft = true;
                    }
                }
                continue;
            }
        }
        if let Some((line, _)) = cur.take() {
            out.push(line);
        }
        let h = head(raw);
        let skipped = h.base64 || h.binary_name;
        let mut text = if skipped {
            // Keep the property name only, for line accounting.
            Vec::new()
        } else {
            raw.to_vec()
        };
        soft = false;
        if h.qp && !skipped && text.ends_with(b"=") {
            text.pop();
            soft = true;
        }
        cur = Some((
            Line {
                number,
                text,
                skipped,
            },
            h,
        ));
    }
    if let Some((line, _)) = cur {
        out.push(line);
    }
    out
}

/// Whether the text ends in an odd number of backslashes (a lone, unescaped one).
fn odd_backslashes(text: &[u8]) -> bool {
    text.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The legacy code page of the 8-bit lines that are not UTF-8, if there are any.
fn legacy_encoding(lines: &[Line]) -> Option<&'static Encoding> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut any = false;
    for l in lines {
        if std::str::from_utf8(&l.text).is_err() {
            any = true;
            detector.feed(&l.text, false);
            detector.feed(b"\n", false);
        }
    }
    if !any {
        return None;
    }
    detector.feed(b"", true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    Some(if guess == UTF_8 {
        encoding_rs::WINDOWS_1252
    } else {
        guess
    })
}

// ---------------------------------------------------------------------------------
// One card

/// Tokenizes one card's lines with calcard and maps them to values.
fn card(
    row: u32,
    line: u32,
    body: &[&Line],
    legacy: &'static Encoding,
    warnings: &mut Vec<String>,
) -> Item {
    let mut text = String::from("BEGIN:VCARD\r\n");
    for l in body {
        let decoded = decode_line(&l.text, legacy, |msg| {
            warnings.push(format!("card {row}, line {}: {msg}", l.number));
        });
        if !decoded.contains(':') {
            warnings.push(format!(
                "card {row}, line {}: a line without ':' was skipped",
                l.number
            ));
            continue;
        }
        text.push_str(&decoded);
        text.push_str("\r\n");
    }
    text.push_str("END:VCARD\r\n");
    let mut parser = Parser::new(&text);
    let vcard = match parser.entry() {
        Entry::VCard(v) => v,
        _ => {
            return Item::Problem(Problem {
                row,
                line,
                reason: "the card could not be tokenized; check that it is vCard text".into(),
            })
        }
    };
    let mut bytes_as_text = false;
    let values = card_values(&vcard, &mut bytes_as_text);
    if bytes_as_text {
        warnings.push(format!(
            "card {row}, line {line}: a value in an unknown CHARSET was read as UTF-8 (lossy)"
        ));
    }
    if values.is_empty() {
        return Item::Problem(Problem {
            row,
            line,
            reason: "the card holds no name, e-mail, phone, address or other contact field".into(),
        });
    }
    Item::Card(Card { row, line, values })
}

/// Decodes one logical line to text: UTF-8 as is; else the line's own CHARSET when
/// it names a known encoding and the value is not QP (calcard decodes QP itself);
/// else the file's legacy code page. Rewrites the bare 2.1 `QUOTED-PRINTABLE`.
fn decode_line<'a>(
    raw: &'a [u8],
    legacy: &'static Encoding,
    mut warn: impl FnMut(&str),
) -> Cow<'a, str> {
    let colon = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
    let header = &raw[..colon];
    let mut charset = None;
    let mut bare_qp = false;
    let mut qp = false;
    for p in header.split(|&b| b == b';').skip(1) {
        let p = p.trim_ascii();
        if p.eq_ignore_ascii_case(b"QUOTED-PRINTABLE") {
            bare_qp = true;
        } else if p.eq_ignore_ascii_case(b"ENCODING=QUOTED-PRINTABLE") {
            qp = true;
        } else if p.len() > 8 && p[..8].eq_ignore_ascii_case(b"CHARSET=") {
            charset = Some(&p[8..]);
        }
    }
    if let Some(name) = charset {
        if Encoding::for_label(name).is_none() && (qp || bare_qp || !raw.is_ascii()) {
            warn("unknown CHARSET; the value is read as UTF-8 (or the file's code page)");
        }
    }
    let mut text: Cow<'a, str> = match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let enc = match charset {
                Some(name) if !qp && !bare_qp => match Encoding::for_label(name) {
                    Some(e) => e,
                    None => legacy,
                },
                _ => legacy,
            };
            // Decode the whole line: the header is ASCII in every encoding we meet.
            enc.decode_without_bom_handling(raw).0
        }
    };
    if bare_qp {
        // calcard only knows `ENCODING=QUOTED-PRINTABLE`.
        let s = text.into_owned();
        let colon = s.find(':').unwrap_or(s.len());
        let (h, v) = s.split_at(colon);
        let mut fixed = String::with_capacity(s.len() + 9);
        for (i, p) in h.split(';').enumerate() {
            if i > 0 {
                fixed.push(';');
            }
            if p.trim().eq_ignore_ascii_case("QUOTED-PRINTABLE") {
                fixed.push_str("ENCODING=QUOTED-PRINTABLE");
            } else {
                fixed.push_str(p);
            }
        }
        fixed.push_str(v);
        text = Cow::Owned(fixed);
    }
    text
}

// ---------------------------------------------------------------------------------
// Mapping

/// Lower-case TYPE names of an entry, plus `pref` for a PREF parameter and the label
/// of its Apple group (`itemN.X-ABLabel`).
fn types(entry: &VCardEntry, label: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for p in &entry.params {
        match (&p.name, &p.value) {
            (VCardParameterName::Type, VCardParameterValue::Type(t)) => {
                // Debug names of calcard's type enum are the RFC names (`Cell`).
                out.push(format!("{t:?}").to_ascii_lowercase());
            }
            (VCardParameterName::Type, VCardParameterValue::Text(t)) => {
                out.extend(t.split(',').map(|s| s.trim().to_ascii_lowercase()));
            }
            (VCardParameterName::Pref, _) => out.push("pref".into()),
            (VCardParameterName::Other(name), VCardParameterValue::Null) => {
                out.push(name.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    if let Some(l) = label {
        out.push(l.to_ascii_lowercase());
    }
    out.retain(|t| !t.is_empty());
    out
}

/// An Apple label (`_$!<Mobile>!$_`) as a plain word.
fn clean_label(label: &str) -> String {
    label
        .trim()
        .trim_start_matches("_$!<")
        .trim_end_matches(">!$_")
        .trim_start_matches("$!<")
        .trim_end_matches(">!$")
        .trim()
        .to_string()
}

/// The text of a value; bytes (QP under an unknown CHARSET) are read as UTF-8 lossy.
fn value_text(v: &VCardValue, bytes_as_text: &mut bool) -> Option<String> {
    match v {
        VCardValue::Text(s) => Some(s.clone()),
        VCardValue::Component(parts) => Some(parts.join(" ")),
        VCardValue::Integer(i) => Some(i.to_string()),
        VCardValue::Float(f) => Some(f.to_string()),
        VCardValue::PartialDateTime(d) => Some(iso(d)),
        VCardValue::Binary(data) => {
            *bytes_as_text = true;
            Some(String::from_utf8_lossy(&data.data).into_owned())
        }
        _ => None,
    }
}

/// The structured components of a value (`N`, `ADR`, `ORG`).
fn components(entry: &VCardEntry, bytes_as_text: &mut bool) -> Vec<String> {
    entry
        .values
        .iter()
        .map(|v| {
            value_text(v, bytes_as_text)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// A calcard date as ISO 8601 (`1970-01-31`, `--01-31`, `2024-05-14T09:12:33Z`).
fn iso(d: &calcard::common::PartialDateTime) -> String {
    let mut s = String::new();
    match (d.year, d.month, d.day) {
        (Some(y), Some(m), Some(day)) => {
            let _ = write!(s, "{y:04}-{m:02}-{day:02}");
        }
        (None, Some(m), Some(day)) => {
            let _ = write!(s, "--{m:02}-{day:02}");
        }
        (Some(y), Some(m), None) => {
            let _ = write!(s, "{y:04}-{m:02}");
        }
        (Some(y), None, None) => {
            let _ = write!(s, "{y:04}");
        }
        _ => {}
    }
    if let (Some(h), Some(mi)) = (d.hour, d.minute) {
        let _ = write!(s, "T{h:02}:{mi:02}:{:02}", d.second.unwrap_or(0));
        match (d.tz_hour, d.tz_minute) {
            (Some(0), Some(0) | None) => s.push('Z'),
            (Some(th), tm) => {
                let sign = if d.tz_minus { '-' } else { '+' };
                let _ = write!(s, "{sign}{th:02}:{:02}", tm.unwrap_or(0));
            }
            _ => {}
        }
    }
    s
}

/// Maps a tokenized card to (key, value) pairs, trimmed and never empty.
fn card_values(vcard: &VCard, bytes_as_text: &mut bool) -> Vec<(Key, String)> {
    let labels: Vec<(&str, String)> = vcard
        .entries
        .iter()
        .filter(
            |e| matches!(&e.name, VCardProperty::Other(n) if n.eq_ignore_ascii_case("X-ABLabel")),
        )
        .filter_map(|e| {
            let g = e.group.as_deref()?;
            let text = e
                .values
                .first()
                .and_then(|v| value_text(v, bytes_as_text))?;
            Some((g, clean_label(&text)))
        })
        .collect();
    let label_of = |e: &VCardEntry| -> Option<&str> {
        let g = e.group.as_deref()?;
        labels
            .iter()
            .find(|(lg, _)| lg.eq_ignore_ascii_case(g))
            .map(|(_, l)| l.as_str())
    };

    let mut out: Vec<(Key, String)> = Vec::new();
    let push = |key: Key, value: &str, out: &mut Vec<(Key, String)>| {
        let v = value.trim();
        if !v.is_empty() {
            out.push((key, v.to_string()));
        }
    };
    let mut adrs: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut seen_fn = false;
    for e in &vcard.entries {
        let first = || {
            let mut b = false;
            let t = e.values.first().and_then(|v| value_text(v, &mut b));
            (t, b)
        };
        match &e.name {
            VCardProperty::N => {
                let c = components(e, bytes_as_text);
                let fields = [
                    Field::FamilyName,
                    Field::GivenName,
                    Field::MiddleName,
                    Field::Prefix,
                    Field::Suffix,
                ];
                for (f, v) in fields.iter().zip(c.iter()) {
                    push(Key::Field(*f), v, &mut out);
                }
            }
            VCardProperty::Fn if !seen_fn => {
                let (t, b) = first();
                *bytes_as_text |= b;
                if let Some(t) = t {
                    seen_fn = !t.trim().is_empty();
                    push(Key::Field(Field::FullName), &t, &mut out);
                }
            }
            VCardProperty::Nickname => {
                for v in components(e, bytes_as_text) {
                    push(Key::Field(Field::Nickname), &v, &mut out);
                }
            }
            VCardProperty::Org => {
                let c = components(e, bytes_as_text);
                if let Some(company) = c.first() {
                    push(Key::Field(Field::Company), company, &mut out);
                }
                let units: Vec<&str> = c
                    .iter()
                    .skip(1)
                    .map(|s| s.as_str())
                    .filter(|s| !s.is_empty())
                    .collect();
                push(Key::Field(Field::Department), &units.join(", "), &mut out);
            }
            VCardProperty::Title => {
                let (t, b) = first();
                *bytes_as_text |= b;
                push(Key::Field(Field::Title), &t.unwrap_or_default(), &mut out);
            }
            VCardProperty::Email => {
                let (t, b) = first();
                *bytes_as_text |= b;
                let t = t.unwrap_or_default();
                let t = t.trim();
                let t = t
                    .strip_prefix("mailto:")
                    .or_else(|| t.strip_prefix("MAILTO:"))
                    .unwrap_or(t);
                push(Key::Field(Field::Email), t, &mut out);
            }
            VCardProperty::Tel => {
                let t = match e.values.first() {
                    // A `tel:` URI (4.0) may come back as bytes.
                    Some(VCardValue::Binary(d)) => String::from_utf8_lossy(&d.data).into_owned(),
                    Some(v) => value_text(v, bytes_as_text).unwrap_or_default(),
                    None => String::new(),
                };
                let t = t.trim();
                let t = t.strip_prefix("tel:").unwrap_or(t);
                let ty = types(e, label_of(e));
                let has = |w: &str| ty.iter().any(|t| t.contains(w));
                let key = if has("fax") {
                    Key::Field(Field::Fax)
                } else if has("cell") || has("mobile") || has("iphone") {
                    Key::Field(Field::Mobile)
                } else if has("pager") {
                    Key::Custom("TEL;pager".into())
                } else if has("home") && !has("work") {
                    Key::Field(Field::HomePhone)
                } else {
                    Key::Field(Field::Phone)
                };
                push(key, t, &mut out);
            }
            VCardProperty::Adr => {
                let c = components(e, bytes_as_text);
                adrs.push((c, types(e, label_of(e))));
            }
            VCardProperty::Note => {
                let (t, b) = first();
                *bytes_as_text |= b;
                push(Key::Field(Field::Notes), &t.unwrap_or_default(), &mut out);
            }
            VCardProperty::Url => {
                let t = match e.values.first() {
                    Some(VCardValue::Binary(d)) => String::from_utf8_lossy(&d.data).into_owned(),
                    Some(v) => value_text(v, bytes_as_text).unwrap_or_default(),
                    None => String::new(),
                };
                push(Key::Field(Field::Website), &t, &mut out);
            }
            VCardProperty::Bday => {
                let (t, b) = first();
                *bytes_as_text |= b;
                push(
                    Key::Field(Field::Birthday),
                    &t.unwrap_or_default(),
                    &mut out,
                );
            }
            VCardProperty::Rev => {
                let (t, b) = first();
                *bytes_as_text |= b;
                push(Key::Field(Field::Updated), &t.unwrap_or_default(), &mut out);
            }
            VCardProperty::Uid => {
                let (t, b) = first();
                *bytes_as_text |= b;
                push(
                    Key::Field(Field::RecordKey),
                    &t.unwrap_or_default(),
                    &mut out,
                );
            }
            VCardProperty::Categories => {
                let c: Vec<String> = components(e, bytes_as_text)
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                push(Key::Custom("CATEGORIES".into()), &c.join(", "), &mut out);
            }
            _ => {}
        }
    }
    // The preferred address fills the address fields; the others are kept as custom
    // fields so that nothing is lost.
    let pick = adrs
        .iter()
        .position(|(_, t)| t.iter().any(|t| t == "work" || t == "pref"))
        .unwrap_or(0);
    for (i, (c, t)) in adrs.iter().enumerate() {
        let get = |n: usize| c.get(n).map(String::as_str).unwrap_or("");
        if i == pick {
            let street: Vec<&str> = [get(2), get(1), get(0)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            push(Key::Field(Field::Street), &street.join(", "), &mut out);
            push(Key::Field(Field::City), get(3), &mut out);
            push(Key::Field(Field::Region), get(4), &mut out);
            push(Key::Field(Field::Postcode), get(5), &mut out);
            push(Key::Field(Field::Country), get(6), &mut out);
        } else {
            let parts: Vec<&str> = c
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            let kinds: Vec<&str> = t
                .iter()
                .map(String::as_str)
                .filter(|t| *t != "pref")
                .collect();
            let name = if kinds.is_empty() {
                "ADR".to_string()
            } else {
                format!("ADR;{}", kinds.join(","))
            };
            push(Key::Custom(name), &parts.join(", "), &mut out);
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Writer

/// Writes one vCard 3.0 card from (field, value) pairs (a record's known fields).
/// Name parts go to `N`, company and department to `ORG`, the first street / city /
/// region / postcode / country to one `ADR;TYPE=work`; repeated e-mails and phones
/// become repeated properties. Fields with no vCard property (flags, status, source)
/// are left out. Values are escaped (RFC 2426 §5) and lines folded at 75 octets.
pub fn write_card(values: &[(Field, &str)]) -> String {
    let first = |f: Field| {
        values
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| *v)
            .unwrap_or("")
    };
    let mut lines: Vec<String> = vec!["BEGIN:VCARD".into(), "VERSION:3.0".into()];
    let n = [
        Field::FamilyName,
        Field::GivenName,
        Field::MiddleName,
        Field::Prefix,
        Field::Suffix,
    ]
    .map(|f| escape(first(f)))
    .join(";");
    let full = first(Field::FullName);
    // FN is required in 3.0; fall back to the name parts.
    let fn_value = if full.is_empty() {
        [first(Field::GivenName), first(Field::FamilyName)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        full.to_string()
    };
    lines.push(format!("N:{n}"));
    lines.push(format!("FN:{}", escape(&fn_value)));
    let (company, department) = (first(Field::Company), first(Field::Department));
    if !company.is_empty() || !department.is_empty() {
        let mut org = escape(company);
        if !department.is_empty() {
            org.push(';');
            org.push_str(&escape(department));
        }
        lines.push(format!("ORG:{org}"));
    }
    let adr = [
        Field::Street,
        Field::City,
        Field::Region,
        Field::Postcode,
        Field::Country,
    ]
    .map(first);
    if adr.iter().any(|s| !s.is_empty()) {
        let adr = adr.map(escape);
        lines.push(format!("ADR;TYPE=work:;;{}", adr.join(";")));
    }
    for (field, value) in values {
        let v = escape(value);
        let line = match field {
            Field::Nickname => format!("NICKNAME:{v}"),
            Field::Title => format!("TITLE:{v}"),
            Field::Email => format!("EMAIL;TYPE=internet:{v}"),
            Field::Phone => format!("TEL;TYPE=work,voice:{v}"),
            Field::Mobile => format!("TEL;TYPE=cell:{v}"),
            Field::HomePhone => format!("TEL;TYPE=home,voice:{v}"),
            Field::Fax => format!("TEL;TYPE=fax:{v}"),
            Field::Website => format!("URL:{v}"),
            Field::Birthday => format!("BDAY:{v}"),
            Field::Notes => format!("NOTE:{v}"),
            Field::RecordKey => format!("UID:{v}"),
            Field::Updated => format!("REV:{v}"),
            _ => continue,
        };
        lines.push(line);
    }
    lines.push("END:VCARD".into());
    let mut out = String::new();
    for l in &lines {
        fold_into(&mut out, l);
    }
    out
}

/// Escapes a text value: backslash, newline, comma and semicolon.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            c => out.push(c),
        }
    }
    out
}

/// Appends a line folded at 75 octets (never inside a character), ending in CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{inputs, SourceSpec};
    use crate::model::Inputs;
    use crate::report::Silent;
    use std::io::Write;
    use std::path::PathBuf;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/import/vcf")
            .join(rel)
    }

    fn read_path(path: PathBuf) -> (Inputs, Vec<String>) {
        let report = Silent::default();
        let spec = SourceSpec {
            path: Some(path),
            ..SourceSpec::default()
        };
        let i = inputs(&[spec], &report).expect("fixture files are readable");
        (i, report.warnings())
    }

    fn read(rel: &str) -> Inputs {
        read_path(fixture(rel)).0
    }

    fn temp(suffix: &str, bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new()
            .suffix(suffix)
            .tempfile()
            .expect("temp file");
        f.write_all(bytes).expect("write temp file");
        f
    }

    /// The values of one card read from text, known fields only.
    fn fields(text: &[u8]) -> Vec<(Field, String)> {
        let p = parse(text);
        let Some(Item::Card(c)) = p.items.into_iter().next() else {
            panic!("one card expected");
        };
        c.values
            .into_iter()
            .filter_map(|(k, v)| match k {
                Key::Field(f) => Some((f, v)),
                Key::Custom(_) => None,
            })
            .collect()
    }

    fn get(values: &[(Field, String)], field: Field) -> Vec<&str> {
        values
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn every_corpus_file_gives_the_records_and_rejects_counted_by_hand() {
        // (file, records, rejects). Card counts agree with the "facts" column of
        // shared/corpus/SOURCES.md, except:
        // - v21_android_custom_prop, v21_im: one card each, but with nothing but
        //   X-ANDROID-CUSTOM / X-GOOGLE-TALK: a reject ("no contact field").
        // - Empty.vcf: only a BOM: one file-level reject ("empty").
        // - tine20/contacts.vcf: a stray `ENCODING:UTF-8` line before the first card:
        //   one reject (row 0, line 1) next to the two cards.
        // - evolution 8.vcf, 9.vcf and khard/unparsable.vcf have no END:VCARD: read up
        //   to the end of the file, with a warning.
        let table: &[(&str, usize, usize)] = &[
            ("android-vcard/v21_adr_multiple_line.vcf", 1, 0),
            ("android-vcard/v21_android_custom_prop.vcf", 0, 1),
            ("android-vcard/v21_backslash.vcf", 1, 0),
            ("android-vcard/v21_base64_no_2_crlf.vcf", 1, 0),
            ("android-vcard/v21_blackberry_photo.vcf", 1, 0),
            ("android-vcard/v21_complicated.vcf", 1, 0),
            ("android-vcard/v21_im.vcf", 0, 1),
            ("android-vcard/v21_invalid_multiple_line.vcf", 1, 0),
            ("android-vcard/v21_japanese_1.vcf", 1, 0),
            ("android-vcard/v21_japanese_3.vcf", 1, 0),
            ("android-vcard/v21_malformed_photo.vcf", 1, 0),
            ("android-vcard/v21_org_before_title.vcf", 1, 0),
            ("android-vcard/v21_pref_handling.vcf", 1, 0),
            ("android-vcard/v21_simple_1.vcf", 1, 0),
            ("android-vcard/v21_simple_2.vcf", 1, 0),
            ("android-vcard/v21_simple_3.vcf", 1, 0),
            ("android-vcard/v21_sip.vcf", 1, 0),
            ("android-vcard/v21_title_before_org.vcf", 1, 0),
            ("android-vcard/v21_winmo_65.vcf", 1, 0),
            ("android-vcard/v21_x_android_custom_after_photo.vcf", 1, 0),
            ("android-vcard/v21_x_param.vcf", 1, 0),
            ("android-vcard/v30_comma_separated.vcf", 1, 0),
            ("android-vcard/v30_japanese.vcf", 1, 0),
            ("android-vcard/v30_multibyte_param.vcf", 1, 0),
            ("android-vcard/v30_pager.vcf", 1, 0),
            ("android-vcard/v30_pause_wait.vcf", 1, 0),
            ("android-vcard/v30_simple.vcf", 1, 0),
            ("android-vcard/v30_sip.vcf", 1, 0),
            ("android-vcard/v40_sip.vcf", 1, 0),
            ("android-vcard/v40_sort_as.vcf", 1, 0),
            ("evolution-data-server/1.vcf", 1, 0),
            ("evolution-data-server/10.vcf", 1, 0),
            ("evolution-data-server/11.vcf", 1, 0),
            ("evolution-data-server/13.vcf", 1, 0),
            ("evolution-data-server/2.vcf", 1, 0),
            ("evolution-data-server/3.vcf", 1, 0),
            ("evolution-data-server/4.vcf", 1, 0),
            ("evolution-data-server/5.vcf", 1, 0),
            ("evolution-data-server/6.vcf", 1, 0),
            ("evolution-data-server/8.vcf", 1, 0),
            ("evolution-data-server/9.vcf", 1, 0),
            ("evolution-data-server/custom-1.vcf", 1, 0),
            ("evolution-data-server/logo-1.vcf", 1, 0),
            ("evolution-data-server/migrate-1.vcf", 1, 0),
            ("evolution-data-server/name-only.vcf", 1, 0),
            ("evolution-data-server/photo-1.vcf", 1, 0),
            ("evolution-data-server/simple-1.vcf", 1, 0),
            ("ez-vcard/John_Doe_ANDROID.vcf", 6, 0),
            ("ez-vcard/John_Doe_EVOLUTION.vcf", 1, 0),
            ("ez-vcard/John_Doe_GMAIL.vcf", 1, 0),
            ("ez-vcard/John_Doe_MAC_ADDRESS_BOOK.vcf", 1, 0),
            ("ez-vcard/John_Doe_MS_OUTLOOK.vcf", 1, 0),
            ("ez-vcard/fullcontact.vcf", 1, 0),
            ("ez-vcard/gmail-list.vcf", 3, 0),
            ("ez-vcard/gmail-single.vcf", 1, 0),
            ("ez-vcard/issue114.vcf", 1, 0),
            ("ez-vcard/outlook-2007.vcf", 1, 0),
            ("ez-vcard/rfc2426-example.vcf", 2, 0),
            ("ez-vcard/rfc6350-example.vcf", 1, 0),
            (
                "ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf",
                1,
                0,
            ),
            ("folkerkinzel-vcards/AnsiIssue.vcf", 1, 0),
            ("folkerkinzel-vcards/AnsiIssueNoEncoding.vcf", 1, 0),
            ("folkerkinzel-vcards/Empty.vcf", 0, 1),
            ("folkerkinzel-vcards/LabelTest1.vcf", 1, 0),
            ("folkerkinzel-vcards/LabelTest2.vcf", 1, 0),
            ("folkerkinzel-vcards/LargeFile.vcf", 1000, 0),
            ("folkerkinzel-vcards/Library_v2.vcf", 1, 0),
            ("folkerkinzel-vcards/Photo_Outlook_v2.vcf", 1, 0),
            ("folkerkinzel-vcards/Photo_v3.vcf", 1, 0),
            ("folkerkinzel-vcards/WhatsAppIssue.vcf", 1, 0),
            ("folkerkinzel-vcards/ansi_German.vcf", 1, 0),
            ("folkerkinzel-vcards/ansi_Murks.vcf", 1, 0),
            ("folkerkinzel-vcards/ansi_utf-8.vcf", 1, 0),
            ("folkerkinzel-vcards/ansi_v3Ansi.vcf", 2, 0),
            ("folkerkinzel-vcards/ansi_v3Utf16Bom.vcf", 2, 0),
            ("folkerkinzel-vcards/v2_1.vcf", 1, 0),
            ("folkerkinzel-vcards/v3.vcf", 2, 0),
            ("folkerkinzel-vcards/v4.vcf", 2, 0),
            ("jeroendesloovere-vcard/contacts.vcf", 5, 0),
            ("jeroendesloovere-vcard/example.vcf", 1, 0),
            ("jeroendesloovere-vcard/invalid_encoding.vcf", 1, 0),
            ("kde-kcontacts/testfullvcard.vcf", 1, 0),
            ("kde-kcontacts/vcard1.vcf", 1, 0),
            ("kde-kcontacts/vcard11.vcf", 1, 0),
            ("kde-kcontacts/vcard12.vcf", 1, 0),
            ("kde-kcontacts/vcard13.vcf", 1, 0),
            ("kde-kcontacts/vcard14.vcf", 1, 0),
            ("kde-kcontacts/vcard15.vcf", 1, 0),
            ("kde-kcontacts/vcard2.vcf", 1, 0),
            ("kde-kcontacts/vcard3.vcf", 1, 0),
            ("kde-kcontacts/vcard4.vcf", 1, 0),
            ("kde-kcontacts/vcard6.vcf", 1, 0),
            ("kde-kcontacts/vcard7.vcf", 1, 0),
            ("kde-kcontacts/vcard8.vcf", 1, 0),
            ("kde-kcontacts/vcard_extension_case_normalization.vcf", 1, 0),
            ("kde-kcontacts/vcard_legacy_messaging_fields.vcf", 1, 0),
            ("kde-kcontacts/vcardwithitemasapplesupport.vcf", 1, 0),
            ("khard/altid.vcf", 1, 0),
            ("khard/category.vcf", 1, 0),
            ("khard/contact1.vcf", 1, 0),
            ("khard/contact2.vcf", 1, 0),
            ("khard/individual.vcf", 1, 0),
            ("khard/issue249.vcf", 1, 0),
            ("khard/joe.vcf", 1, 0),
            ("khard/korean-c.vcf", 1, 0),
            ("khard/labels.vcf", 1, 0),
            ("khard/minimal.vcf", 1, 0),
            ("khard/nickname.vcf", 1, 0),
            ("khard/no-nickname.vcf", 1, 0),
            ("khard/org.vcf", 1, 0),
            ("khard/photov3.vcf", 1, 0),
            ("khard/photov4.vcf", 1, 0),
            ("khard/post.vcf", 1, 0),
            ("khard/tel-value-uri.vcf", 1, 0),
            ("khard/text-bday.vcf", 1, 0),
            ("khard/unparsable.vcf", 1, 0),
            ("nextcloud-contacts/forrest-gump.vcf", 1, 0),
            ("nextcloud-contacts/without-uid.vcf", 1, 0),
            ("py-vobject/radicale-1587.vcf", 1, 0),
            ("roundcube/apple.vcf", 1, 0),
            ("roundcube/email.vcf", 4, 0),
            ("roundcube/gmail.vcf", 1, 0),
            ("roundcube/johndoe.vcf", 1, 0),
            ("roundcube/outlook.vcf", 1, 0),
            ("roundcube/photo.vcf", 1, 0),
            ("roundcube/tb_plain.vcf", 1, 0),
            ("sabre-vobject/issue153.vcf", 1, 0),
            ("thunderbird/basic_vcard_addressbook.vcf", 2, 0),
            ("thunderbird/dos_vcard_addressbook.vcf", 1, 0),
            ("thunderbird/emptylines_vcard_addressbook.vcf", 2, 0),
            ("thunderbird/export.vcf", 2, 0),
            ("thunderbird/v3-binary-jpeg.vcf", 1, 0),
            ("tine20/HerrStephanLaunig.vcf", 1, 0),
            ("tine20/WebDAVCollaborator.vcf", 1, 0),
            ("tine20/adb_vcard_import.vcf", 1, 0),
            ("tine20/contactUmlaut.vcf", 1, 0),
            ("tine20/contacts.vcf", 2, 1),
            ("tine20/ios_5_addressbook.vcf", 1, 0),
            ("tine20/jan.vcf", 1, 0),
            ("tine20/mac_os_x_addressbook.vcf", 1, 0),
            ("tine20/rcube_contacts-3.vcf", 2, 0),
            ("tine20/telefonbuch.vcf", 1, 0),
            ("tine20/without_N_property.vcf", 1, 0),
            ("tine20/without_adr_type.vcf", 1, 0),
        ];
        let mut files = Vec::new();
        for dir in std::fs::read_dir(fixture("corpus")).expect("corpus") {
            let dir = dir.expect("entry").path();
            if dir.is_dir() {
                for f in std::fs::read_dir(&dir).expect("dir") {
                    let f = f.expect("file").path();
                    let rel = f.strip_prefix(fixture("corpus")).expect("under corpus");
                    files.push(rel.display().to_string());
                }
            }
        }
        files.sort();
        assert_eq!(files.len(), 144, "every corpus vCard is copied");
        assert_eq!(table.len(), files.len(), "every file is pinned");
        for &(rel, records, rejects) in table {
            let i = read(&format!("corpus/{rel}"));
            assert!(i.files[0].format.starts_with("vcard "), "{rel}");
            assert_eq!(
                (i.records.len(), i.rejects.len()),
                (records, rejects),
                "{rel}"
            );
            for (n, r) in i.records.iter().enumerate() {
                assert!(r.locator.row >= 1 && r.locator.line >= 1, "{rel}");
                assert!(r.locator.row as usize > n, "{rel}");
                assert!(r.values.iter().all(|(_, v)| !v.is_empty() && v.trim() == v));
            }
        }
    }

    #[test]
    fn android_export_2_1() {
        let i = read("corpus/ez-vcard/John_Doe_ANDROID.vcf");
        assert_eq!(i.records.len(), 6);
        let rows: Vec<_> = i
            .records
            .iter()
            .map(|r| (r.locator.row, r.locator.line))
            .collect();
        assert_eq!(rows[..3], [(1, 1), (2, 6), (3, 11)]);
        let r = &i.records[3];
        // QP with CHARSET=UTF-8 and a soft break across lines.
        assert_eq!(r.get(Field::FullName), Some("Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"));
        assert_eq!(
            r.all(Field::Mobile).collect::<Vec<_>>(),
            ["123456", "3456789"]
        );
        assert_eq!(r.get(Field::HomePhone), Some("234567"));
        let custom = i.custom_fields.iter().position(|c| c == "CATEGORIES");
        assert!(custom.is_some());
    }

    #[test]
    fn outlook_legacy_code_pages_and_bare_quoted_printable() {
        let i = read("corpus/folkerkinzel-vcards/ansi_German.vcf");
        assert_eq!(i.files[0].format, "vcard windows-1252");
        let r = &i.records[0];
        assert_eq!(r.get(Field::FamilyName), Some("Nüßlebaum"));
        assert_eq!(r.get(Field::City), Some("Mößlitz"));

        // Windows-1252 file mixing raw 8-bit values and QP-encoded UTF-8.
        let i = read("corpus/folkerkinzel-vcards/AnsiIssue.vcf");
        assert_eq!(i.records[0].get(Field::Street), Some("Lämmerweg 12"));
        assert_eq!(
            i.records[0].get(Field::Updated),
            Some("2023-06-11T14:03:25Z")
        );

        // Shift_JIS raw bytes under CHARSET=SHIFT_JIS.
        let i = read("corpus/android-vcard/v21_japanese_3.vcf");
        assert_eq!(i.records[0].get(Field::FamilyName), Some("伊能"));

        let i = read("corpus/folkerkinzel-vcards/ansi_v3Utf16Bom.vcf");
        assert_eq!(i.files[0].format, "vcard utf-16le bom");
        assert_eq!(i.records[1].get(Field::Company), Some("KMS Außenstelle"));
    }

    #[test]
    fn bare_qp_with_an_unknown_charset_is_read_as_utf8_with_a_warning() {
        let card = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jo\r\n\
            NOTE;CHARSET=Murks;QUOTED-PRINTABLE:Gr=C3=BC=C3=9Fe\r\nEND:VCARD\r\n";
        let p = parse(card);
        let Some(Item::Card(c)) = p.items.first() else {
            panic!("card expected")
        };
        assert!(c
            .values
            .contains(&(Key::Field(Field::Notes), "Grüße".into())));
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(!p.warnings[0].contains("Gr"), "no values in warnings");
    }

    #[test]
    fn qp_soft_break_before_an_empty_line_ends_the_value() {
        let v = fields(
            b"BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-PRINTABLE:one=0D=0Atwo=\n\nFN:A B\nEND:VCARD\n",
        );
        assert_eq!(get(&v, Field::Notes), ["one\r\ntwo"]);
        assert_eq!(get(&v, Field::FullName), ["A B"]);
    }

    #[test]
    fn folding_that_splits_a_utf8_character_is_undone_before_decoding() {
        // "Jürgen" folded between the two bytes of "ü".
        let mut text = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:J\xC3".to_vec();
        text.extend_from_slice(b"\r\n \xBCrgen\r\nEND:VCARD\r\n");
        let p = parse(&text);
        assert_eq!(p.encoding, "utf-8");
        let Some(Item::Card(c)) = p.items.first() else {
            panic!("card expected")
        };
        assert_eq!(c.values, [(Key::Field(Field::FullName), "Jürgen".into())]);
    }

    #[test]
    fn a_broken_card_is_a_reject_and_the_next_card_reads() {
        let text = b"junk before\nBEGIN:VCARD\nVERSION:3.0\nX-FOO:bar\nEND:VCARD\n\
                     BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann@example.com\nEND:VCARD\n";
        let f = temp(".vcf", text);
        let (i, _) = read_path(f.path().into());
        let rejects: Vec<_> = i
            .rejects
            .iter()
            .map(|r| (r.locator.row, r.locator.line))
            .collect();
        assert_eq!(rejects, [(0, 1), (1, 2)]);
        assert_eq!(i.records.len(), 1);
        assert_eq!(
            (i.records[0].locator.row, i.records[0].locator.line),
            (2, 6)
        );
        assert!(i.rejects.iter().all(|r| !r.reason.contains("junk")));
    }

    #[test]
    fn mapping_of_types_groups_org_and_addresses() {
        let v = fields(
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;Q;Dr.;PhD\r\nFN:Dr. Jane Q. Doe\r\n\
              ORG:Acme Inc.;Research;Lab 2\r\nTITLE:Chemist\r\n\
              TEL;TYPE=CELL:+1 555 0100\r\nTEL;TYPE=HOME,VOICE:+1 555 0101\r\n\
              TEL;TYPE=WORK,FAX:+1 555 0102\r\nTEL:+1 555 0103\r\n\
              item1.TEL:+1 555 0104\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n\
              item2.EMAIL;TYPE=INTERNET:jane@example.com\r\nitem2.X-ABLabel:_$!<Work>!$_\r\n\
              ADR;TYPE=HOME:;;1 Home St;Hometown;;11111;US\r\n\
              ADR;TYPE=WORK:PO Box 9;Bldg 4;2 Work Rd;Worktown;CA;22222;USA\r\n\
              URL:https://example.com\r\nBDAY:1980-03-22\r\nUID:abc-1\r\n\
              REV:2024-05-14T09:12:33Z\r\nCATEGORIES:a,b\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n\
              \x20BBBB\r\nEND:VCARD\r\n",
        );
        assert_eq!(get(&v, Field::FamilyName), ["Doe"]);
        assert_eq!(get(&v, Field::Prefix), ["Dr."]);
        assert_eq!(get(&v, Field::Suffix), ["PhD"]);
        assert_eq!(get(&v, Field::Company), ["Acme Inc."]);
        assert_eq!(get(&v, Field::Department), ["Research, Lab 2"]);
        assert_eq!(get(&v, Field::Mobile), ["+1 555 0100", "+1 555 0104"]);
        assert_eq!(get(&v, Field::HomePhone), ["+1 555 0101"]);
        assert_eq!(get(&v, Field::Fax), ["+1 555 0102"]);
        assert_eq!(get(&v, Field::Phone), ["+1 555 0103"]);
        assert_eq!(get(&v, Field::Email), ["jane@example.com"]);
        assert_eq!(get(&v, Field::Street), ["2 Work Rd, Bldg 4, PO Box 9"]);
        assert_eq!(get(&v, Field::City), ["Worktown"]);
        assert_eq!(get(&v, Field::Region), ["CA"]);
        assert_eq!(get(&v, Field::Postcode), ["22222"]);
        assert_eq!(get(&v, Field::Website), ["https://example.com"]);
        assert_eq!(get(&v, Field::Birthday), ["1980-03-22"]);
        assert_eq!(get(&v, Field::RecordKey), ["abc-1"]);
        assert_eq!(get(&v, Field::Updated), ["2024-05-14T09:12:33Z"]);
        let p = parse(b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nADR;TYPE=HOME:;;1 Home St;Hometown;;11111;US\nADR;TYPE=WORK:;;2 Rd;X;;1;Y\nCATEGORIES:a,b\nEND:VCARD\n");
        let Some(Item::Card(c)) = p.items.first() else {
            panic!("card expected")
        };
        assert!(c.values.contains(&(
            Key::Custom("ADR;home".into()),
            "1 Home St, Hometown, 11111, US".into()
        )));
        assert!(c
            .values
            .contains(&(Key::Custom("CATEGORIES".into()), "a, b".into())));
    }

    #[test]
    fn dispatch_sniffs_content_and_extension() {
        let card =
            b"\xEF\xBB\xBF\r\n  \r\nbegin:vcard\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n";
        let f = temp(".txt", card);
        let (i, _) = read_path(f.path().into());
        assert_eq!(i.files[0].format, "vcard utf-8 bom");
        assert_eq!(i.records[0].get(Field::FullName), Some("Ann Lee"));
        assert_eq!(i.records[0].locator.line, 3);

        // UTF-16 without a BOM, named .txt.
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Åsa Öberg\nEND:VCARD\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let f = temp(".txt", &bytes);
        let (i, _) = read_path(f.path().into());
        assert_eq!(i.files[0].format, "vcard utf-16le");
        assert_eq!(i.records[0].get(Field::FullName), Some("Åsa Öberg"));

        // A CSV stays CSV.
        let f = temp(".txt", b"name,email\nAnn,ann@example.com\n");
        let (i, _) = read_path(f.path().into());
        assert!(i.files[0].format.starts_with("csv"));
    }

    #[test]
    fn demo_phone_export() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/phone-export.vcf");
        let (i, warnings) = read_path(path);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(i.rejects.is_empty());
        assert!((4..=6).contains(&i.records.len()));
        assert!(i.records.iter().all(|r| r.get(Field::FullName).is_some()));
        assert!(i
            .records
            .iter()
            .any(|r| r.get(Field::FamilyName) == Some("Müller")));
    }

    #[test]
    #[ignore = "prints every corpus card; run by hand"]
    fn dump_corpus() {
        let mut files = Vec::new();
        for dir in std::fs::read_dir(fixture("corpus")).expect("corpus") {
            let dir = dir.expect("entry").path();
            if !dir.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&dir).expect("dir") {
                files.push(f.expect("file").path());
            }
        }
        files.sort();
        for f in files {
            let p = parse(&std::fs::read(&f).expect("read"));
            let cards = p
                .items
                .iter()
                .filter(|i| matches!(i, Item::Card(_)))
                .count();
            let probs = p.items.len() - cards;
            println!(
                "=== {} {} cards={} problems={} warnings={:?}",
                f.display(),
                p.encoding,
                cards,
                probs,
                p.warnings
            );
            for i in &p.items {
                match i {
                    Item::Card(c) => println!("  card {} line {} {:?}", c.row, c.line, c.values),
                    Item::Problem(pr) => {
                        println!("  PROBLEM {} line {} {}", pr.row, pr.line, pr.reason)
                    }
                }
            }
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9äöüßÑ伊 ,;:.@\\\\-]{1,90}".prop_filter_map("non-blank", |s| {
                let t = s.trim().to_string();
                (!t.is_empty()).then_some(t)
            })
        }

        const SINGLE: [Field; 19] = [
            Field::FullName,
            Field::GivenName,
            Field::FamilyName,
            Field::MiddleName,
            Field::Prefix,
            Field::Suffix,
            Field::Nickname,
            Field::Company,
            Field::Department,
            Field::Title,
            Field::Street,
            Field::City,
            Field::Region,
            Field::Postcode,
            Field::Country,
            Field::Website,
            Field::Notes,
            Field::RecordKey,
            Field::Fax,
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
                let p = parse(&bytes);
                prop_assert!(p.items.len() <= p.cards as usize + bytes.len() + 1);
            }

            #[test]
            fn card_like_noise_never_panics(
                lines in proptest::collection::vec(
                    "(BEGIN:VCARD|END:VCARD|VERSION:2.1|[A-Z]{1,4}(;[A-Z=-]{1,12}){0,2}:[ -~=]{0,20}|=[0-9A-F]{2}=| [ -~]{0,10}|)",
                    0..40,
                ),
            ) {
                let text = lines.join("\r\n");
                let p = parse(text.as_bytes());
                for i in &p.items {
                    if let Item::Card(c) = i {
                        prop_assert!(c.values.iter().all(|(_, v)| !v.is_empty() && v.trim() == v));
                    }
                }
            }

            #[test]
            fn a_written_card_reads_back_the_same(
                single in proptest::collection::vec(proptest::option::of(value()), SINGLE.len()),
                full in value(),
                emails in proptest::collection::vec("[a-z0-9.]{1,12}@[a-z]{1,8}\\.example", 0..3),
                phones in proptest::collection::vec(("[0-9 +()-]{3,16}", 0..3usize), 0..4),
            ) {
                let mut values: Vec<(Field, String)> = vec![(Field::FullName, full)];
                for (f, v) in SINGLE.iter().zip(single) {
                    if let (Some(v), true) = (v, *f != Field::FullName) {
                        values.push((*f, v));
                    }
                }
                values.extend(emails.into_iter().map(|e| (Field::Email, e)));
                for (p, kind) in phones {
                    let p = p.trim().to_string();
                    if p.is_empty() { continue; }
                    let f = [Field::Phone, Field::Mobile, Field::HomePhone][kind];
                    values.push((f, p));
                }
                let borrowed: Vec<(Field, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
                let text = write_card(&borrowed);
                prop_assert!(text.lines().all(|l| l.len() <= 75), "folded");
                // calcard collapses spaces in list-valued properties such as NICKNAME
                // (after an escaped comma, and runs of spaces); compare nicknames so.
                let tidy = |v: Vec<(Field, String)>| -> Vec<(Field, String)> {
                    let mut v: Vec<_> = v
                        .into_iter()
                        .map(|(f, s)| {
                            if f != Field::Nickname {
                                return (f, s);
                            }
                            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                            (f, s.replace(", ", ","))
                        })
                        .collect();
                    v.sort();
                    v
                };
                let back = tidy(fields(text.as_bytes()));
                let values = tidy(values);
                prop_assert_eq!(back, values, "{}", text);
            }
        }
    }
}
