//! Workbook import: Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument (`.ods`).
//!
//! Input: one file and its [`SourceSpec`]. Output: records and rejects appended to the
//! shared [`Sink`], one source per sheet.
//!
//! Why calamine: it is the one pure-Rust reader that covers all five formats (the
//! legacy BIFF `.xls` and binary `.xlsb` included), gives the *cached* value of formula
//! cells (what the user saw, without evaluating anything), knows which numbers are
//! date-formatted, and says when a workbook is password-protected. We only read values,
//! so nothing of its writer-side weight matters.
//!
//! What it does, in order:
//! 1. **Open**: the whole file is read into memory (workbooks are zip or OLE containers
//!    that need random access anyway); the format comes from the magic bytes, then the
//!    extension. A password-protected, corrupt or unknown workbook becomes one
//!    file-level reject (row 0) plus a warning, and the run goes on. Only a file that
//!    cannot be read at all is an [`Error`].
//! 2. **Sheets**: every worksheet (chart and macro sheets skipped), or the ones named
//!    in [`SourceSpec::sheets`]. Each sheet with data is a source named
//!    `<source>:<sheet>` when the workbook has more than one, else `<source>`.
//! 3. **Header**: the row naming the most known fields among the first 20 non-blank
//!    rows, so title rows and blank rows above it are skipped (with a warning). The
//!    header→field mapping is [`mapping::guess`], shared with the CSV importer.
//! 4. **Rows**: blank rows and merged heading rows (one value spread over a merged
//!    range) are skipped; a value merged down over several rows is given to each of
//!    them. Cells become text: strings trimmed, integers without `.0`, dates as ISO
//!    `YYYY-MM-DD`, formula cells their cached result, error cells (`#N/A`) nothing.
//!    A number in a phone column keeps its digits and is flagged with a warning,
//!    because Excel drops a leading `0` or `+` and phone normalisation comes later.
//!
//! Locators: `sheet` is the sheet's name, `row` the 1-based data row below the header
//! (blank rows counted, as in CSV) and `line` the 1-based sheet row number as Excel
//! shows it. Messages name file, sheet, row and column, never a cell's value.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, Dimensions, Range, Reader, SheetType, Sheets};

use super::mapping::{self, Col, Group, Guess};
use super::{spec_name, ColumnTarget, Sink, SourceSpec};
use crate::error::{Error, Result};
use crate::model::{
    Field, FileId, FileInfo, Locator, Record, Reject, SourceId, Target, ValuesBuilder,
};

/// How many non-blank rows are looked at to find the header.
const HEADER_SCAN: usize = 20;
/// Phone-stored-as-number warnings per sheet before they are summed up.
const PHONE_WARNINGS: usize = 10;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0";
/// Extensions that always mean a workbook.
const EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "xla", "xlam"];

/// Whether `path` is a workbook: by extension, or by magic bytes (a zip holding `xl/`
/// or `content.xml`, or an OLE2 compound file). A file that cannot be opened is not
/// one here; the CSV importer then reports it.
pub(crate) fn is_workbook(path: &Path) -> bool {
    if extension(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
        return true;
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    // The zip's entry names are in its local headers (start) and central directory
    // (end); 64 KiB of each finds them without reading a large file twice.
    let mut head = Vec::with_capacity(64 * 1024);
    if (&mut file).take(64 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    if head.starts_with(OLE_MAGIC) {
        return true;
    }
    if !head.starts_with(ZIP_MAGIC) {
        return false;
    }
    let mut tail = Vec::new();
    if let Ok(len) = file.metadata().map(|m| m.len()) {
        use std::io::{Seek, SeekFrom};
        if len > head.len() as u64
            && file
                .seek(SeekFrom::End(-(64 * 1024).min(len as i64)))
                .is_ok()
        {
            let _ = file.read_to_end(&mut tail);
        }
    }
    let names = |b: &[u8]| contains(b, b"xl/") || contains(b, b"content.xml");
    names(&head) || names(&tail)
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Reads one workbook into the sink.
pub(crate) fn read(path: &Path, spec: &SourceSpec, sink: &mut Sink<'_>) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::input(
            path,
            format!("cannot open the file ({e}); check the path and that you may read it"),
        )
    })?;
    let file = FileId(sink.out.files.len() as u16);
    let kind = Kind::detect(&bytes, path);
    sink.out.files.push(FileInfo {
        path: path.display().to_string(),
        format: kind.name().to_string(),
    });
    let mut book = match open(&bytes, kind) {
        Ok(book) => book,
        Err(problem) => {
            let reason = problem.reason(kind);
            sink.report.warn(&format!("{}: {reason}", path.display()));
            let source = sink.file_source(spec, path);
            sink.out
                .rejects
                .push(reject(file, None, 0, 0, source, reason));
            return Ok(());
        }
    };

    // Which sheets: worksheets only (a chart sheet has no cells), filtered by name.
    let all: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let wanted: Vec<&String> = if spec.sheets.is_empty() {
        all.iter().collect()
    } else {
        for name in &spec.sheets {
            if !all.iter().any(|s| same_sheet(s, name)) {
                sink.report.warn(&format!(
                    "{}: the workbook has no sheet named \"{}\"; its sheets are: {}",
                    path.display(),
                    name.trim(),
                    all.join(", ")
                ));
            }
        }
        all.iter()
            .filter(|s| spec.sheets.iter().any(|n| same_sheet(s, n)))
            .collect()
    };

    // Load every wanted sheet first: the source names depend on how many have data.
    let mut sheets = Vec::with_capacity(wanted.len());
    for name in wanted {
        match book.worksheet_range(name) {
            Ok(range) => {
                let merges = merged_regions(&mut book, name);
                sheets.push((name.clone(), range, merges));
            }
            Err(e) => {
                let reason = format!(
                    "the sheet could not be read ({}); open the workbook in a spreadsheet \
                     program, check the sheet and save a copy",
                    Problem::from(&e).what()
                );
                sink.report
                    .warn(&format!("{}:{name}: {reason}", path.display()));
                let source = sink.file_source(spec, path);
                sink.out
                    .rejects
                    .push(reject(file, Some(name), 0, 0, source, reason));
            }
        }
    }
    if let Some(info) = sink.out.files.last_mut() {
        let n = all.len();
        info.format = format!(
            "{}, {n} sheet{}",
            kind.name(),
            if n == 1 { "" } else { "s" }
        );
    }
    let with_data = sheets
        .iter()
        .filter(|(_, r, _)| r.used_cells().any(|(_, _, c)| text(c).is_some()))
        .count();
    if with_data == 0 && !sheets.is_empty() {
        let reason = "every sheet of the workbook is empty; nothing to import".to_string();
        let source = sink.file_source(spec, path);
        sink.out
            .rejects
            .push(reject(file, None, 0, 0, source, reason));
    }
    for (name, range, merges) in &sheets {
        let source_name = if with_data > 1 {
            format!("{}:{name}", spec_name(spec, path))
        } else {
            spec_name(spec, path)
        };
        let sheet = Sheet {
            file,
            path,
            spec,
            name,
            source_name,
            source: None,
        };
        sheet.read(range, merges, sink);
    }
    Ok(())
}

fn same_sheet(sheet: &str, wanted: &str) -> bool {
    let wanted = wanted.trim();
    sheet == wanted || sheet.to_lowercase() == wanted.to_lowercase()
}

fn reject(
    file: FileId,
    sheet: Option<&str>,
    row: u32,
    line: u32,
    source: Option<SourceId>,
    reason: String,
) -> Reject {
    Reject {
        locator: Locator {
            file,
            sheet: sheet.map(Into::into),
            row,
            line,
        },
        source,
        reason,
    }
}

// ---------------------------------------------------------------------------------
// Opening

/// The container format, from the magic bytes first and the extension second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// Neither magic nor extension says what it is.
    Unknown,
}

impl Kind {
    fn detect(bytes: &[u8], path: &Path) -> Kind {
        let ext = extension(path).unwrap_or_default();
        let by_ext = match ext.as_str() {
            "xlsx" | "xlsm" | "xlam" => Kind::Xlsx,
            "xlsb" => Kind::Xlsb,
            "xls" | "xla" => Kind::Xls,
            "ods" => Kind::Ods,
            _ => Kind::Unknown,
        };
        if bytes.starts_with(ZIP_MAGIC) {
            // A renamed file should still open: the bytes say which zip it is.
            if contains(bytes, b"xl/workbook.bin") {
                Kind::Xlsb
            } else if contains(bytes, b"xl/") {
                Kind::Xlsx
            } else if contains(bytes, b"content.xml") {
                Kind::Ods
            } else if by_ext == Kind::Xls {
                Kind::Unknown
            } else {
                by_ext
            }
        } else if bytes.starts_with(OLE_MAGIC) {
            // An OLE file is a BIFF .xls, or an encrypted xlsx/xlsb (the zip wrapped in
            // an OLE container); `open` tells them apart.
            match by_ext {
                Kind::Xlsx | Kind::Xlsb => by_ext,
                _ => Kind::Xls,
            }
        } else {
            by_ext
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Xls => "xls",
            Kind::Ods => "ods",
            Kind::Unknown => "workbook",
        }
    }
}

type Book<'a> = Sheets<Cursor<&'a [u8]>>;

/// Why a workbook (or a sheet) could not be read. Built from calamine's error kinds,
/// never from their text, which may quote cell contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Password,
    /// The container (zip / OLE) is damaged or incomplete.
    Container,
    /// The container is fine but the workbook inside is damaged or not what the
    /// format says.
    Content,
    /// Not a workbook at all.
    NotWorkbook,
}

impl Problem {
    fn what(self) -> &'static str {
        match self {
            Problem::Password => "it is password-protected",
            Problem::Container => "the file is damaged or incomplete",
            Problem::Content => "its content is damaged or in an unexpected layout",
            Problem::NotWorkbook => "it is not an Excel or OpenDocument workbook",
        }
    }

    fn reason(self, kind: Kind) -> String {
        match self {
            Problem::Password => "the workbook is password-protected; save an unprotected copy \
                                  (File > Info > Protect Workbook > Encrypt with Password: clear it) \
                                  and give that file instead"
                .into(),
            Problem::Container | Problem::Content => format!(
                "the {} workbook cannot be read: {}; open it in a spreadsheet program and save \
                 it again, or export the list as CSV",
                kind.name(),
                self.what()
            ),
            Problem::NotWorkbook => "the file is named like a workbook but is not an Excel or \
                                     OpenDocument file; check that it is the right file, or \
                                     export the list as CSV"
                .into(),
        }
    }
}

impl From<&calamine::Error> for Problem {
    fn from(e: &calamine::Error) -> Problem {
        use calamine::{Error as E, OdsError, XlsError, XlsbError, XlsxError};
        match e {
            E::Xlsx(XlsxError::Password)
            | E::Xlsb(XlsbError::Password)
            | E::Xls(XlsError::Password)
            | E::Ods(OdsError::Password) => Problem::Password,
            E::Io(_)
            | E::Xlsx(XlsxError::Zip(_) | XlsxError::Io(_))
            | E::Xlsb(XlsbError::Zip(_) | XlsbError::Io(_))
            | E::Ods(OdsError::Zip(_) | OdsError::Io(_))
            | E::Xls(XlsError::Cfb(_) | XlsError::Io(_)) => Problem::Container,
            E::Msg(_) => Problem::NotWorkbook,
            _ => Problem::Content,
        }
    }
}

/// Opens the workbook as `kind`, then as the other formats of the same container, so
/// a misnamed file still opens. The problem reported is the first format's.
fn open(bytes: &[u8], kind: Kind) -> std::result::Result<Book<'_>, Problem> {
    use calamine::{open_workbook_from_rs as from, Ods, Xls, Xlsb, Xlsx};
    let try_kind = |k: Kind| -> std::result::Result<Book<'_>, calamine::Error> {
        let rs = Cursor::new(bytes);
        Ok(match k {
            Kind::Xlsx => Sheets::Xlsx(from::<Xlsx<_>, _>(rs)?),
            Kind::Xlsb => Sheets::Xlsb(from::<Xlsb<_>, _>(rs)?),
            Kind::Xls => Sheets::Xls(from::<Xls<_>, _>(rs)?),
            Kind::Ods => Sheets::Ods(from::<Ods<_>, _>(rs)?),
            Kind::Unknown => return Err(calamine::Error::Msg("unknown format")),
        })
    };
    let order: &[Kind] = match kind {
        Kind::Xlsx | Kind::Xlsb | Kind::Ods => &[Kind::Xlsx, Kind::Xlsb, Kind::Ods],
        // An encrypted xlsx is an OLE file too: only the xlsx reader says "password".
        Kind::Xls => &[Kind::Xls, Kind::Xlsx],
        Kind::Unknown => &[],
    };
    let mut first: Option<Problem> = None;
    for &k in std::iter::once(&kind).chain(order.iter().filter(|&&k| k != kind)) {
        match try_kind(k) {
            Ok(book) => return Ok(book),
            Err(e) => {
                let p = Problem::from(&e);
                // A password found by any reader is the real story.
                if p == Problem::Password {
                    return Err(p);
                }
                first.get_or_insert(p);
            }
        }
    }
    Err(first.unwrap_or(Problem::NotWorkbook))
}

/// Merged ranges of a sheet (xlsx and xls know them; xlsb and ods readers do not
/// expose them, so nothing is merged there). A failure only loses the merge handling.
fn merged_regions(book: &mut Book<'_>, sheet: &str) -> Vec<Dimensions> {
    match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------
// Cells

/// A cell's text (trimmed, never empty) and whether it was a number; `None` when empty.
type Cell = Option<(String, bool)>;

/// A cell as text, trimmed and never empty, or `None` for an empty or error cell. The
/// flag says the cell was a number (for the phone check).
fn text(cell: &Data) -> Cell {
    let (s, number) = match cell {
        Data::Empty | Data::Error(_) => return None,
        Data::String(s) => {
            let t = s.trim();
            if t.len() == s.len() {
                (s.clone(), false)
            } else {
                (t.to_string(), false)
            }
        }
        Data::Int(i) => (i.to_string(), true),
        Data::Float(f) => (number(*f), true),
        Data::Bool(b) => ((if *b { "true" } else { "false" }).to_string(), false),
        Data::DateTime(dt) if dt.is_duration() => (number(dt.as_f64()), true),
        Data::DateTime(dt) => (excel_date(dt), false),
        Data::DateTimeIso(s) => (iso_date(s.trim()), false),
        Data::DurationIso(s) => (s.trim().to_string(), false),
    };
    (!s.is_empty()).then_some((s, number))
}

/// A number as the user typed it: integral values without `.0` and never with an
/// exponent (Rust's `Display` for `f64` writes neither), so `447700900123.0` reads
/// `447700900123` and `12345.0` reads `12345`.
///
/// Floats with a fraction keep Rust's shortest round-trip form (`0.1 + 0.2` gives
/// `0.30000000000000004` where Excel shows `0.3`); contact data rarely holds such
/// numbers, so this is not rounded.
fn number(f: f64) -> String {
    if f == 0.0 {
        // -0.0 would print as "-0".
        return "0".into();
    }
    f.to_string()
}

/// An Excel serial date as ISO: `YYYY-MM-DD`, with `THH:MM:SS` only when it has a
/// time of day; a pure time (serial below 1) as `HH:MM:SS`.
fn excel_date(dt: &calamine::ExcelDateTime) -> String {
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if dt.as_f64() < 1.0 && dt.as_f64() >= 0.0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }
}

/// An ODS ISO date-time with a midnight time dropped (`2024-03-05T00:00:00` →
/// `2024-03-05`), so dates read the same from every format.
fn iso_date(s: &str) -> String {
    for midnight in ["T00:00:00.000", "T00:00:00"] {
        if let Some(date) = s.strip_suffix(midnight) {
            return date.to_string();
        }
    }
    s.to_string()
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column.
fn column_letter(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------
// Header

/// Index of the header among the candidate rows (each a list of cells): the one
/// naming the most known fields, the first on a tie. When none names any, the first
/// row still serves if it looks like a header (text cells only, short, distinct, no
/// e-mail addresses) — the CSV importer's rule, so both agree.
fn find_header(rows: &[Vec<Cell>]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        let score = row
            .iter()
            .flatten()
            .filter(|(t, number)| !number && mapping::guess(t).is_some())
            .count();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    let first = rows.first()?;
    let mut names = Vec::new();
    for (t, number) in first.iter().flatten() {
        let plausible = !number
            && t.chars().count() <= 64
            && !t.contains('@')
            && t.chars().any(char::is_alphabetic);
        if !plausible {
            return None;
        }
        names.push(t.as_str());
    }
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    (n > 0 && names.len() == n).then_some(0)
}

// ---------------------------------------------------------------------------------
// Column plan
//
// The same decisions as the CSV importer's `Plan` (explicit `columns` first, then
// `mapping::guess`; `Title` as prefix next to a job-title column; address groups;
// Google's phone type columns; the `source` column). That code is private to
// `csv.rs` and works on byte records, so it is mirrored here over text cells; both
// should move to one shared plan in `mapping.rs`.

struct Plan {
    cols: Vec<Col>,
    /// The header text of each column, for warnings.
    names: Vec<String>,
    source_col: Option<usize>,
    groups: Vec<(Group, Vec<usize>)>,
}

impl Plan {
    fn new(header: &[Cell], spec: &SourceSpec, sink: &mut Sink<'_>, at: &str) -> Plan {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                Some((t, _)) => t.clone(),
                None => format!("column {}", i + 1),
            })
            .collect();
        let guesses: Vec<Option<Guess>> = names.iter().map(|n| mapping::guess(n)).collect();
        let has_job_title = guesses.contains(&Some(Guess::Field(Field::Title)));
        let mut used_explicit = vec![false; spec.columns.len()];
        let mut custom_full = false;
        let mut custom = |sink: &mut Sink<'_>, name: &str| match sink.custom(name) {
            Some(i) => Col::Plain(Target::Custom(i)),
            None => {
                custom_full = true;
                Col::Drop
            }
        };
        let mut cols = Vec::with_capacity(names.len());
        let mut source_col = None;
        for (i, name) in names.iter().enumerate() {
            let explicit = spec.columns.iter().position(|(h, _)| {
                let h = h.trim();
                h == name || h.eq_ignore_ascii_case(name)
            });
            let col = if let Some(e) = explicit {
                used_explicit[e] = true;
                match &spec.columns[e].1 {
                    ColumnTarget::Ignore => Col::Drop,
                    ColumnTarget::Custom => custom(sink, name),
                    ColumnTarget::Field(f) => Col::Plain(Target::Known(*f)),
                }
            } else {
                match guesses[i] {
                    None | Some(Guess::PhoneType(_)) => custom(sink, name),
                    Some(Guess::Field(f)) => Col::Plain(Target::Known(f)),
                    Some(Guess::AmbiguousTitle) => Col::Plain(Target::Known(if has_job_title {
                        Field::Prefix
                    } else {
                        Field::Title
                    })),
                    Some(Guess::Address {
                        field,
                        group,
                        append,
                    }) => match custom(sink, name) {
                        Col::Plain(other) => Col::Address {
                            field,
                            group,
                            append,
                            other,
                        },
                        _ => Col::Plain(Target::Known(field)),
                    },
                    Some(Guess::PhoneValue(n)) => {
                        let kind_col = guesses.iter().position(|g| *g == Some(Guess::PhoneType(n)));
                        match custom(sink, name) {
                            Col::Plain(other) => Col::Phone { kind_col, other },
                            _ => Col::Plain(Target::Known(Field::Phone)),
                        }
                    }
                }
            };
            if col == Col::Plain(Target::Known(Field::Source)) && source_col.is_none() {
                source_col = Some(i);
            }
            cols.push(col);
        }
        for (used, (h, _)) in used_explicit.iter().zip(&spec.columns) {
            if !used {
                sink.report.warn(&format!(
                    "{at}: the column mapping names \"{}\", which is not in the header",
                    h.trim()
                ));
            }
        }
        if custom_full {
            sink.report.warn(&format!(
                "{at}: more than 65536 distinct custom columns; the rest were dropped"
            ));
        }
        let mut groups: Vec<(Group, Vec<usize>)> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            if let Col::Address { group, .. } = col {
                match groups.iter_mut().find(|(g, _)| g == group) {
                    Some((_, members)) => members.push(i),
                    None => groups.push((*group, vec![i])),
                }
            }
        }
        groups.sort_by_key(|(g, _)| *g);
        Plan {
            cols,
            names,
            source_col,
            groups,
        }
    }

    /// Whether a column can only hold a phone number.
    fn is_phone(&self, i: usize) -> bool {
        const PHONES: [Field; 4] = [Field::Phone, Field::Mobile, Field::HomePhone, Field::Fax];
        match self.cols.get(i) {
            Some(Col::Plain(Target::Known(f))) => PHONES.contains(f),
            Some(Col::Phone { .. }) => true,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------
// Rows

/// One sheet being read.
struct Sheet<'a> {
    file: FileId,
    path: &'a Path,
    spec: &'a SourceSpec,
    name: &'a str,
    /// The name the sheet's own source gets.
    source_name: String,
    /// The sheet's own source, created on first use (a `source` column may route
    /// every row elsewhere).
    source: Option<SourceId>,
}

impl Sheet<'_> {
    fn at(&self) -> String {
        format!("{}:{}", self.path.display(), self.name)
    }

    fn own_source(&mut self, sink: &mut Sink<'_>) -> Option<SourceId> {
        if self.source.is_none() {
            self.source = sink.new_source(&self.source_name, self.spec);
        }
        self.source
    }

    fn read(mut self, range: &Range<Data>, merges: &[Dimensions], sink: &mut Sink<'_>) {
        let Some((top, left)) = range.start() else {
            return; // An empty sheet: nothing to read, nothing to reject.
        };
        let width = range.width();
        // The sheet as text, each row with its 1-based sheet row number.
        let mut grid: Vec<(u32, Vec<Cell>)> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| (top + i as u32 + 1, cells.iter().map(text).collect()))
            .collect();

        // Merged ranges: a value merged down over several rows belongs to each row; a
        // row whose only value is a merge spread across columns is a heading.
        let mut headings = Vec::new();
        for m in merges {
            let (r0, c0) = m.start;
            let (r1, c1) = m.end;
            let (Some(ri), Some(ci)) = (r0.checked_sub(top), c0.checked_sub(left)) else {
                continue;
            };
            let (ri, ci) = (ri as usize, ci as usize);
            let Some(value) = grid
                .get(ri)
                .and_then(|(_, row)| row.get(ci))
                .cloned()
                .flatten()
            else {
                continue;
            };
            if r1 > r0 {
                let last = ((r1 - top) as usize).min(grid.len().saturating_sub(1));
                for (_, row) in &mut grid[ri + 1..=last] {
                    if let Some(slot @ None) = row.get_mut(ci) {
                        *slot = Some(value.clone());
                    }
                }
            } else if c1 > c0 {
                let alone = grid[ri]
                    .1
                    .iter()
                    .enumerate()
                    .all(|(j, c)| j == ci || c.is_none());
                if alone {
                    headings.push(r0 + 1);
                }
            }
        }

        let non_blank: Vec<usize> = grid
            .iter()
            .enumerate()
            .filter(|(_, (_, row))| row.iter().any(Option::is_some))
            .map(|(i, _)| i)
            .take(HEADER_SCAN)
            .collect();
        if non_blank.is_empty() {
            return; // Only formatted empty cells: nothing to read.
        }
        let candidates: Vec<Vec<Cell>> = non_blank.iter().map(|&i| grid[i].1.clone()).collect();
        let Some(h) = find_header(&candidates) else {
            let reason = "no header row found in the first rows of the sheet (no column named \
                          like a contact field); add a header row or map the columns in rules.toml"
                .to_string();
            let source = self.own_source(sink);
            sink.out
                .rejects
                .push(reject(self.file, Some(self.name), 0, 0, source, reason));
            return;
        };
        let header_index = non_blank[h];
        let header_line = grid[header_index].0;
        if header_line > 1 {
            sink.report.warn(&format!(
                "{}: skipped {} row(s) above the header on row {header_line}",
                self.at(),
                header_line - 1
            ));
        }
        let plan = Plan::new(&grid[header_index].1, self.spec, sink, &self.at());
        debug_assert_eq!(plan.cols.len(), width);

        let mut skipped_headings = Vec::new();
        let mut phone_flags = 0usize;
        for (line, row) in &grid[header_index + 1..] {
            let line = *line;
            if row.iter().all(Option::is_none) {
                continue;
            }
            if headings.contains(&line) {
                skipped_headings.push(line);
                continue;
            }
            let locator = Locator {
                file: self.file,
                sheet: Some(self.name.into()),
                row: line - header_line,
                line,
            };
            for (j, cell) in row.iter().enumerate() {
                if let Some((_, true)) = cell {
                    if plan.is_phone(j) {
                        phone_flags += 1;
                        if phone_flags <= PHONE_WARNINGS {
                            sink.report.warn(&format!(
                                "{}:{line}: column {} (\"{}\") holds a phone number stored as a \
                                 number, read as its digits; a leading 0 or + may be lost, so \
                                 check it (format the column as text in the workbook)",
                                self.at(),
                                column_letter(left + j as u32),
                                plan.names[j]
                            ));
                        }
                    }
                }
            }
            self.push(row, &plan, locator, sink);
        }
        if phone_flags > PHONE_WARNINGS {
            sink.report.warn(&format!(
                "{}: {} more phone number(s) stored as numbers (warnings above show the first \
                 {PHONE_WARNINGS})",
                self.at(),
                phone_flags - PHONE_WARNINGS
            ));
        }
        if !skipped_headings.is_empty() {
            let rows: Vec<String> = skipped_headings.iter().map(u32::to_string).collect();
            sink.report.warn(&format!(
                "{}: skipped {} merged heading row(s): row {}",
                self.at(),
                rows.len(),
                rows.join(", ")
            ));
        }
        sink.report.advance(grid.len() as u64);
    }

    fn push(&mut self, row: &[Cell], plan: &Plan, locator: Locator, sink: &mut Sink<'_>) {
        let named = plan
            .source_col
            .and_then(|i| row.get(i))
            .and_then(|c| c.as_ref())
            .map(|(t, _)| t.as_str());
        let source = match named {
            Some(name) => sink.named_source(name, self.spec),
            None => self.own_source(sink),
        };
        let Some(source) = source else {
            sink.out.rejects.push(Reject {
                locator,
                source: None,
                reason: "too many sources (more than 65536); the row was not read".into(),
            });
            return;
        };
        let address_group = plan
            .groups
            .iter()
            .find(|(_, cols)| {
                cols.iter()
                    .any(|&i| row.get(i).is_some_and(Option::is_some))
            })
            .map(|(g, _)| *g);
        let mut values = ValuesBuilder::default();
        for (cell, col) in row.iter().zip(&plan.cols) {
            let Some((value, _)) = cell else { continue };
            mapping::place(&mut values, col, value, address_group, |k| {
                row.get(k).and_then(|c| c.as_ref()).map(|(t, _)| t.clone())
            });
        }
        sink.out.records.push(Record {
            source,
            locator,
            values: values.build(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::inputs;
    use crate::model::Inputs;
    use crate::report::Silent;
    use std::path::PathBuf;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel)
    }

    fn read_with(spec: SourceSpec) -> (Inputs, Vec<String>) {
        let report = Silent::default();
        let i = inputs(&[spec], &report).expect("fixture files are readable");
        (i, report.warnings())
    }

    fn read(rel: &str) -> (Inputs, Vec<String>) {
        read_with(SourceSpec {
            path: Some(fixture(rel)),
            ..SourceSpec::default()
        })
    }

    fn counts(rel: &str) -> (usize, usize) {
        let (i, _) = read(rel);
        (i.records.len(), i.rejects.len())
    }

    #[test]
    fn corpus_workbooks() {
        // Counted by hand (python openpyxl / xlrd, see README.md in the fixture folder).
        let pinned: &[(&str, usize, usize)] = &[
            ("import/xlsx/akaunting-customers.xlsx", 1, 0),
            (
                "import/xlsx/laravel-import-empty-users-with-headings.xlsx",
                0,
                0,
            ),
            // One cell, =1+1 (cached 2): a number is no header.
            ("import/xlsx/laravel-import-formulas.xlsx", 0, 1),
            // name,email rows without a header row.
            (
                "import/xlsx/laravel-import-users-with-duplicates.xlsx",
                0,
                1,
            ),
            ("import/xlsx/laravel-import-users.xlsx", 0, 1),
            ("import/xlsx/laravel-import-users-with-headings.xlsx", 2, 0),
            (
                "import/xlsx/laravel-import-users-with-mixed-headings.xlsx",
                1,
                0,
            ),
            ("import/xlsx/laravel-import-external-reference.xls", 3, 0),
        ];
        for &(rel, records, rejects) in pinned {
            assert_eq!(counts(rel), (records, rejects), "{rel}");
        }

        let (i, _) = read("import/xlsx/akaunting-customers.xlsx");
        assert_eq!(i.files[0].format, "xlsx, 1 sheet");
        assert_eq!(i.sources[0].name, "akaunting-customers");
        let r = &i.records[0];
        assert_eq!(r.get(Field::FullName), Some("Test Customer"));
        assert_eq!(r.get(Field::Email), Some("test@customer.com"));
        assert_eq!(r.get(Field::Country), Some("United States"));
        assert_eq!(r.locator.sheet.as_deref(), Some("customers"));
        assert_eq!((r.locator.row, r.locator.line), (1, 2));
        assert!(r.values.iter().any(|(_, v)| v == "true"), "enabled = TRUE");

        let (i, _) = read("import/xlsx/laravel-import-users-with-headings.xlsx");
        let emails: Vec<_> = i
            .records
            .iter()
            .filter_map(|r| r.get(Field::Email))
            .collect();
        assert_eq!(emails, ["patrick@maatwebsite.nl", "taylor@laravel.com"]);

        let (i, _) = read("import/xlsx/laravel-import-users-with-mixed-headings.xlsx");
        assert_eq!(i.records[0].get(Field::Status), Some("active"));
        assert_eq!(i.custom_fields, ["column 1", "column 4"]);

        let (i, _) = read("import/xlsx/laravel-import-formulas.xlsx");
        assert_eq!(i.rejects[0].locator.sheet.as_deref(), Some("Worksheet"));
        assert!(i.rejects[0].reason.contains("no header row"));

        let (i, _) = read("import/xlsx/laravel-import-external-reference.xls");
        assert_eq!(i.files[0].format, "xls, 1 sheet");
        assert_eq!(i.records[0].get(Field::FullName), Some("julien"));
        assert_eq!(
            i.records[0]
                .values
                .iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or_default(),
            "2"
        );
        assert_eq!(i.records[2].locator.line, 4);
    }

    #[test]
    fn title_rows_two_sheets_dates_phones_formulas_merges() {
        let (i, warnings) = read("import/xlsx/title_two_sheets.xlsx");
        assert_eq!(i.files[0].format, "xlsx, 3 sheets");
        assert!(i.rejects.is_empty(), "{:?}", i.rejects);
        let names: Vec<_> = i.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["title_two_sheets:Contacts", "title_two_sheets:Partners"]
        );

        let contacts: Vec<_> = i.records.iter().filter(|r| r.source.0 == 0).collect();
        let at: Vec<_> = contacts
            .iter()
            .map(|r| (r.locator.row, r.locator.line, r.get(Field::GivenName)))
            .collect();
        // Header on row 3; the merged heading on row 8 and blank row 9 are skipped.
        assert_eq!(
            at,
            [
                (1, 4, Some("Ann")),
                (2, 5, Some("Bob")),
                (3, 6, Some("Cy")),
                (4, 7, Some("Di")),
                (7, 10, Some("Ed")),
            ]
        );
        let ann = contacts[0];
        assert_eq!(ann.get(Field::Mobile), Some("447700900123"));
        assert_eq!(ann.get(Field::Birthday), Some("1985-04-12"));
        assert_eq!(
            ann.get(Field::FullName),
            Some("Ann Lee"),
            "cached formula value"
        );
        assert_eq!(ann.get(Field::Company), Some("Lee & Co"));
        assert_eq!(contacts[1].get(Field::Email), Some("bob@example.com"));
        assert_eq!(contacts[2].get(Field::Mobile), Some("7700900789"));
        // Company merged down over rows 6 and 7.
        assert_eq!(contacts[3].get(Field::Company), Some("Poe Partners"));
        assert_eq!(contacts[3].get(Field::Birthday), Some("1979-02-28"));
        assert_eq!(contacts[4].get(Field::Mobile), Some("12345"));

        let partners: Vec<_> = i.records.iter().filter(|r| r.source.0 == 1).collect();
        assert_eq!(partners.len(), 2);
        assert_eq!(partners[0].locator.sheet.as_deref(), Some("Partners"));
        assert_eq!(partners[0].get(Field::FullName), Some("Fay Wu"));
        let employees = i
            .custom_fields
            .iter()
            .position(|c| c == "Employees")
            .expect("custom");
        let custom = |r: &Record| {
            r.values
                .iter()
                .find(|(t, _)| *t == Target::Custom(employees as u16))
                .map(|(_, v)| v.to_string())
        };
        assert_eq!(custom(partners[0]).as_deref(), Some("100"), "=20*5 cached");
        assert_eq!(custom(partners[1]).as_deref(), Some("12"));
        let registered = i
            .custom_fields
            .iter()
            .position(|c| c == "Registered on")
            .expect("custom");
        assert!(partners[1]
            .values
            .iter()
            .any(|(t, v)| t == Target::Custom(registered as u16) && v == "2024-03-06"));

        // Warnings: rows above the header, three phones stored as numbers, the heading.
        let flagged: Vec<_> = warnings
            .iter()
            .filter(|w| w.contains("stored as a number"))
            .collect();
        assert_eq!(flagged.len(), 3, "{warnings:?}");
        assert!(flagged[0].contains("title_two_sheets.xlsx:Contacts:4: column D (\"Mobile\")"));
        assert!(warnings
            .iter()
            .any(|w| w.contains("Contacts: skipped 2 row(s) above the header on row 3")));
        assert!(warnings
            .iter()
            .any(|w| w.contains("merged heading row(s): row 8")));
        // No cell value in any warning.
        for w in &warnings {
            for v in [
                "447700900123",
                "7700900789",
                "Ann",
                "ann.lee",
                "Former customers",
            ] {
                assert!(!w.contains(v), "{w}");
            }
        }
    }

    #[test]
    fn sheet_filter_and_names() {
        let (i, warnings) = read_with(SourceSpec {
            name: Some("shop".into()),
            path: Some(fixture("import/xlsx/title_two_sheets.xlsx")),
            sheets: vec!["partners".into(), "Nope".into()],
            ..SourceSpec::default()
        });
        assert_eq!(i.records.len(), 2);
        // Only one sheet with data was read: the source is just the spec's name.
        assert_eq!(i.sources[0].name, "shop");
        assert!(warnings
            .iter()
            .any(|w| w.contains("no sheet named \"Nope\"")));
    }

    #[test]
    fn ods_workbook() {
        let (i, warnings) = read("import/xlsx/kontakte.ods");
        assert_eq!(i.files[0].format, "ods, 1 sheet");
        assert_eq!(i.records.len(), 2);
        let r = &i.records[0];
        assert_eq!(r.get(Field::GivenName), Some("Jörg"));
        assert_eq!(r.get(Field::Phone), Some("4930123456"));
        assert_eq!(r.get(Field::Birthday), Some("1970-01-31"));
        assert_eq!(r.locator.sheet.as_deref(), Some("Kontakte"));
        assert_eq!(i.records[1].get(Field::Phone), Some("+49 40 123456"));
        assert_eq!(
            warnings
                .iter()
                .filter(|w| w.contains("stored as a number"))
                .count(),
            1
        );
    }

    #[test]
    fn broken_workbooks_are_file_rejects() {
        for (rel, needle) in [
            ("import/xlsx/truncated.xlsx", "damaged or incomplete"),
            (
                "import/xlsx/protected.xlsx",
                "password-protected; save an unprotected copy",
            ),
            ("import/xlsx/ole_garbage.xls", "cannot be read"),
        ] {
            let (i, warnings) = read(rel);
            assert!(i.records.is_empty(), "{rel}");
            assert_eq!(i.rejects.len(), 1, "{rel}");
            let r = &i.rejects[0];
            assert_eq!(
                (r.locator.row, r.locator.sheet.as_deref()),
                (0, None),
                "{rel}"
            );
            assert!(r.reason.contains(needle), "{rel}: {}", r.reason);
            assert_eq!(warnings.len(), 1, "{rel}");
        }
        // The run goes on with the next source.
        let specs = [
            SourceSpec {
                path: Some(fixture("import/xlsx/protected.xlsx")),
                ..SourceSpec::default()
            },
            SourceSpec {
                path: Some(fixture(
                    "import/xlsx/laravel-import-users-with-headings.xlsx",
                )),
                ..SourceSpec::default()
            },
        ];
        let i = inputs(&specs, &Silent::default()).expect("readable");
        assert_eq!((i.records.len(), i.rejects.len(), i.files.len()), (2, 1, 2));

        let err = inputs(
            &[SourceSpec {
                path: Some(fixture("import/xlsx/no-such-file.xlsx")),
                ..SourceSpec::default()
            }],
            &Silent::default(),
        )
        .expect_err("missing file");
        assert_eq!(err.exit_code(), 3);
    }

    #[test]
    fn workbooks_by_magic_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let renamed = dir.path().join("export.dat");
        std::fs::copy(
            fixture("import/xlsx/laravel-import-users-with-headings.xlsx"),
            &renamed,
        )
        .expect("copy");
        assert!(is_workbook(&renamed));
        let (i, _) = read_with(SourceSpec {
            path: Some(renamed),
            ..SourceSpec::default()
        });
        assert_eq!(i.records.len(), 2);
        assert!(!is_workbook(&fixture("demo/crm.csv")));
        assert!(is_workbook(&fixture("import/xlsx/ole_garbage.xls")));
    }

    #[test]
    fn demo_events() {
        let (i, warnings) = read("demo/events.xlsx");
        assert_eq!(i.records.len(), 7);
        assert_eq!(i.sources[0].name, "events");
        let r = &i.records[1];
        assert_eq!(r.get(Field::Mobile), Some("447700900218"));
        assert_eq!(r.locator.line, 5);
        assert!(i.records.iter().all(|r| r.get(Field::Email).is_some()));
        assert_eq!(
            warnings
                .iter()
                .filter(|w| w.contains("stored as a number"))
                .count(),
            1
        );
    }

    #[test]
    fn cell_text() {
        assert_eq!(
            text(&Data::Float(447700900123.0)),
            Some(("447700900123".into(), true))
        );
        assert_eq!(text(&Data::Float(12345.0)), Some(("12345".into(), true)));
        assert_eq!(
            text(&Data::Float(1e20)),
            Some(("100000000000000000000".into(), true))
        );
        assert_eq!(text(&Data::Float(-0.0)), Some(("0".into(), true)));
        assert_eq!(text(&Data::Float(2.5)), Some(("2.5".into(), true)));
        assert_eq!(text(&Data::Int(7)), Some(("7".into(), true)));
        assert_eq!(
            text(&Data::String("  a b ".into())),
            Some(("a b".into(), false))
        );
        assert_eq!(text(&Data::String("   ".into())), None);
        assert_eq!(text(&Data::Empty), None);
        assert_eq!(text(&Data::Error(calamine::CellErrorType::NA)), None);
        assert_eq!(text(&Data::Bool(true)), Some(("true".into(), false)));
        assert_eq!(
            text(&Data::DateTimeIso("2024-03-05T00:00:00".into())),
            Some(("2024-03-05".into(), false))
        );
        let date = |v| {
            Data::DateTime(calamine::ExcelDateTime::new(
                v,
                calamine::ExcelDateTimeType::DateTime,
                false,
            ))
        };
        assert_eq!(text(&date(45356.0)), Some(("2024-03-05".into(), false)));
        assert_eq!(
            text(&date(45356.5)),
            Some(("2024-03-05T12:00:00".into(), false))
        );
        assert_eq!(text(&date(0.25)), Some(("06:00:00".into(), false)));
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;
        use std::io::Write;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn random_bytes_named_xlsx_never_panic(
                bytes in proptest::collection::vec(any::<u8>(), 0..4096),
                magic in 0u8..3,
            ) {
                let mut data = match magic {
                    0 => Vec::new(),
                    1 => ZIP_MAGIC.to_vec(),
                    _ => b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec(),
                };
                data.extend_from_slice(&bytes);
                let mut f = tempfile::Builder::new().suffix(".xlsx").tempfile().expect("temp file");
                f.write_all(&data).expect("write temp file");
                let i = inputs(
                    &[SourceSpec { path: Some(f.path().into()), ..SourceSpec::default() }],
                    &Silent::default(),
                ).expect("an existing file is never an error");
                // Random bytes are never a workbook: one file-level reject, no records.
                prop_assert!(i.records.is_empty());
                prop_assert_eq!(i.rejects.len(), 1);
                prop_assert_eq!(i.rejects[0].locator.row, 0);
                prop_assert_eq!(i.files.len(), 1);
            }
        }
    }
}
