//! CSV import that survives real exports.
//!
//! Input: one file and its [`SourceSpec`]. Output: records and rejects appended to the
//! shared `Sink`.
//!
//! What it copes with, in the order it happens:
//! 1. **Encoding**, decided from the first 64 KiB: a UTF-8 / UTF-16 BOM; BOM-less
//!    UTF-16 from its NUL-byte pattern; valid UTF-8; else a legacy code page guessed by
//!    chardetng (Excel's "CSV (Comma delimited)" writes the ANSI code page, usually
//!    Windows-1252). Anything that is not UTF-8 is transcoded to UTF-8 as it streams,
//!    so the CSV parser only ever sees UTF-8 and line numbers stay those of the file.
//!    A file that looks binary becomes one file-level reject.
//! 2. **Delimiter**: `,` `;` TAB or `|`, whichever splits the first lines most
//!    consistently, counted outside quotes ([`sniff_delimiter`]).
//! 3. **Header row**: the best-scoring of the first 20 rows (LinkedIn and some CRMs
//!    write notes above the header); rows above it are skipped with a warning. No
//!    usable header → one file-level reject.
//! 4. **Rows**, read in blocks of a few MiB that end on a row boundary (found with the
//!    parser's own quoting rules), parsed and classified on all cores a window of
//!    blocks at a time, then filed in order: a row whose cells are all empty is skipped; a row with a different number of fields than the header is a
//!    reject (extra trailing fields that are all empty are tolerated: it is a trailing
//!    delimiter, not a shifted row); everything else is a record whose locator names the
//!    physical line the row starts on, even when quoted cells hold newlines.
//!
//! Performance: a row costs the two allocations of its packed [`Values`], whatever its
//! number of cells, and the list of records is sized for the whole file from its first
//! blocks; memory holds one window of blocks, not the file. Invalid UTF-8 inside a
//! file whose first 64 KiB were valid UTF-8 is decoded per cell as Windows-1252 (with
//! one warning), so a late stray byte does not force reading the whole file twice.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use ::csv::{ByteRecord, ReaderBuilder};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use rayon::prelude::*;

use super::mapping::{self, Col, Group, Guess};
use super::{ColumnTarget, Sink, SourceSpec};
use crate::error::{Error, Result};
use crate::model::{
    Field, FileId, FileInfo, FileLayout, Locator, Record, Reject, SourceId, Target, Values,
    ValuesBuilder,
};

/// How much of the file decides the encoding and the delimiter.
const SAMPLE: usize = 64 * 1024;
/// How many rows are looked at to find the header.
const HEADER_SCAN: usize = 20;

/// Reads one CSV file into the sink.
pub(crate) fn read(path: &Path, spec: &SourceSpec, sink: &mut Sink<'_>) -> Result<()> {
    let mut file = File::open(path).map_err(|e| {
        Error::input(
            path,
            format!("cannot open the file ({e}); check the path and that you may read it"),
        )
    })?;
    let file_len = file.metadata().map_or(0, |m| m.len());
    let mut sample = Vec::with_capacity(SAMPLE);
    (&mut file)
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(|e| read_error(path, 0, &e))?;
    let eof = sample.len() < SAMPLE;
    let detected = detect_encoding(&sample, eof);

    let file_id = FileId(sink.out.files.len() as u16);
    sink.out.files.push(FileInfo {
        path: path.display().to_string(),
        format: format!("csv {}", detected.describe()),
    });
    let mut file_source = None;

    let text = detected.decode_sample(&sample);
    if let Some(reason) = not_text(&text, sample.len() - detected.bom) {
        let source = lazy_source(&mut file_source, sink, spec, path);
        sink.out.rejects.push(file_reject(file_id, source, reason));
        return Ok(());
    }
    let delimiter = sniff_delimiter(&text);
    drop(text);
    sink.out.layouts.push(FileLayout {
        file: file_id,
        encoding: Some(detected.describe()),
        delimiter: Some(describe_delimiter(delimiter)),
        sheets: Vec::new(),
        header_line: None,
        columns: Vec::new(),
    });
    if let Some(info) = sink.out.files.last_mut() {
        info.format = format!(
            "csv {} {}",
            describe_delimiter(delimiter),
            detected.describe()
        );
    }

    let mut start = Cursor::new(sample);
    start.set_position(detected.bom as u64);
    let stream = start.chain(file);
    let reader: Box<dyn Read + Send> = if detected.encoding == UTF_8 {
        Box::new(LineEnds::new(stream))
    } else {
        Box::new(LineEnds::new(Transcode::new(stream, detected.encoding)))
    };
    let mut blocks = Blocks::new(reader, delimiter);
    let first = blocks
        .next_block()
        .map_err(|e| read_error(path, 0, &e))?
        .map_or(Vec::new(), |(b, _)| b);
    let mut rdr = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&first[..]);

    // Find the header among the first rows.
    let mut head = Vec::new();
    let mut record = ByteRecord::new();
    while head.len() < HEADER_SCAN && next(&mut rdr, &mut record, path)? {
        head.push(record.clone());
    }
    let mut lossy = false;
    let Some(h) = find_header(&head, &mut lossy) else {
        let reason = if head.is_empty() {
            "the file has no rows; nothing to import".to_string()
        } else {
            "no header row found in the first lines (no column named like a contact field); \
             add a header row or map the columns in rules.toml"
                .to_string()
        };
        let source = lazy_source(&mut file_source, sink, spec, path);
        sink.out.rejects.push(file_reject(file_id, source, reason));
        return Ok(());
    };
    if h > 0 {
        let line = line_of(&head[h]);
        sink.report.warn(&format!(
            "{}: skipped {h} line(s) above the header on line {line}",
            path.display()
        ));
    }
    let plan = Plan::new(&head[h], spec, sink, path, &mut lossy);
    let columns = plan.describe(&head[h], &mut lossy);
    if let Some(layout) = sink.out.layouts.last_mut() {
        layout.header_line = Some(line_of(&head[h]));
        layout.columns = columns;
    }

    let mut rows = Rows {
        file: file_id,
        spec,
        path,
        plan: &plan,
        file_source,
        row: 0,
        lossy,
    };
    for rec in &head[h + 1..] {
        rows.push(rec, sink);
    }
    // The rest of the first block, then the following blocks: parsed and classified
    // on all cores a window of blocks at a time, filed in order.
    let pos = rdr.position().clone();
    drop(rdr);
    let rest_of_first = first
        .get(usize::try_from(pos.byte()).unwrap_or(usize::MAX)..)
        .unwrap_or(&[])
        .to_vec();
    let per_window = rayon::current_num_threads().max(1) * 8;
    let read_window = |blocks: &mut Blocks<Box<dyn Read + Send>>,
                       window: &mut Vec<(Vec<u8>, u64)>|
     -> Result<()> {
        while window.len() < per_window {
            match blocks
                .next_block()
                .map_err(|e| read_error(path, blocks.line, &e))?
            {
                Some(b) => window.push(b),
                None => break,
            }
        }
        Ok(())
    };
    let mut window: Vec<(Vec<u8>, u64)> = vec![(rest_of_first, pos.line())];
    read_window(&mut blocks, &mut window)?;
    let mut sized = false;
    loop {
        if window.is_empty() {
            break;
        }
        // Parse this window on all cores while the next one is read.
        let mut next_window = Vec::new();
        let (parsed, more) = rayon::join(
            || -> Vec<BlockResult> {
                window
                    .par_iter()
                    .map(|(b, line)| parse_block(b, *line, delimiter, &plan))
                    .collect()
            },
            || read_window(&mut blocks, &mut next_window),
        );
        more?;
        if !sized {
            sized = true;
            let bytes: usize = window.iter().map(|(b, _)| b.len()).sum();
            let rows_seen: usize = parsed
                .iter()
                .map(|p| p.as_ref().map_or(0, |(r, _)| r.len()))
                .sum();
            reserve_rows(&mut sink.out.records, file_len, bytes, rows_seen);
        }
        window = next_window;
        for p in parsed {
            let (rows_of_block, lossy) = p.map_err(|(line, e)| {
                Error::input(
                    path,
                    format!("line {line}: the CSV reader stopped ({e}); check the file's format"),
                )
            })?;
            rows.lossy |= lossy;
            let n = rows_of_block.len() as u64;
            for r in rows_of_block {
                rows.commit(r, sink);
            }
            sink.report.advance(n);
        }
    }
    if rows.lossy {
        sink.report.warn(&format!(
            "{}: some cells were not valid UTF-8 and were read as Windows-1252; \
             check the names in this file for garbled letters",
            path.display()
        ));
    }
    Ok(())
}

/// Makes room for the records of a whole file, estimated from its size and the rows of
/// its first `bytes`. On a large file, growing the list by doubling copied it about
/// twenty times and touched twice the memory it ends with. An estimate a little too
/// high costs only address space; one too low grows as before.
fn reserve_rows(records: &mut Vec<Record>, file_len: u64, bytes: usize, rows: usize) {
    if bytes == 0 || rows == 0 || (file_len as usize) <= bytes {
        return;
    }
    let estimate = (file_len as f64 / bytes as f64 * rows as f64 * 1.02) as usize;
    // A row takes at least a few bytes; this bounds a wild estimate (a file that is
    // mostly one huge cell at the start).
    let estimate = estimate.min(file_len as usize / 4);
    records.reserve(estimate);
}

/// Reads the next row; `false` at the end of the file. The row's position is set to
/// the line its first cell is on.
fn next<R: Read>(rdr: &mut ::csv::Reader<R>, record: &mut ByteRecord, path: &Path) -> Result<bool> {
    let more = rdr.read_byte_record(record).map_err(|e| {
        let line = rdr.position().line();
        match e.kind() {
            ::csv::ErrorKind::Io(io) => read_error(path, line, io),
            // With flexible rows and byte records only I/O can fail; say so plainly if
            // that ever changes.
            _ => Error::input(
                path,
                format!("line {line}: the CSV reader stopped ({e}); check the file's format"),
            ),
        }
    })?;
    if more {
        // csv reports where it started looking for the row, which is before any blank
        // lines it skipped. Count back from the end instead: the stream ends every row
        // with exactly one `\n` (see `LineEnds`), so the row starts that many lines
        // before the end, less the newlines inside its quoted cells.
        let end = rdr.position();
        let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let mut start = record
            .position()
            .cloned()
            .unwrap_or_else(::csv::Position::new);
        start.set_line(end.line().saturating_sub(1 + inside).max(1));
        record.set_position(Some(start));
    }
    Ok(more)
}

fn read_error(path: &Path, line: u64, e: &io::Error) -> Error {
    let at = if line > 0 {
        format!("line {line}: ")
    } else {
        String::new()
    };
    Error::input(
        path,
        format!("{at}cannot read the file ({e}); check that it is complete and readable"),
    )
}

/// A reject for a whole file that could not be read (row 0, line 0).
pub(crate) fn file_reject(file: FileId, source: Option<SourceId>, reason: String) -> Reject {
    Reject {
        locator: Locator {
            file,
            sheet: None,
            row: 0,
            line: 0,
        },
        source,
        reason,
    }
}

/// The file's own source, created on first use (a file split by a `source` column
/// may never need it).
fn lazy_source(
    slot: &mut Option<SourceId>,
    sink: &mut Sink<'_>,
    spec: &SourceSpec,
    path: &Path,
) -> Option<SourceId> {
    if slot.is_none() {
        *slot = sink.file_source(spec, path);
    }
    *slot
}

fn line_of(record: &ByteRecord) -> u32 {
    record
        .position()
        .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------------------------
// Encoding

/// The encoding chosen for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The encoding of the text after the BOM.
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark (0 when none).
    pub bom: usize,
}

impl Detected {
    fn describe(&self) -> String {
        let name = self.encoding.name().to_ascii_lowercase();
        if self.bom > 0 {
            format!("{name} bom")
        } else {
            name
        }
    }

    /// The sample as text, for sniffing (a character cut at the sample's end is
    /// dropped or replaced; it does not matter there).
    fn decode_sample<'a>(&self, sample: &'a [u8]) -> Cow<'a, str> {
        let body = &sample[self.bom..];
        if self.encoding == UTF_8 {
            match std::str::from_utf8(body) {
                Ok(s) => Cow::Borrowed(s),
                Err(e) if e.error_len().is_none() => {
                    Cow::Borrowed(std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or(""))
                }
                Err(_) => String::from_utf8_lossy(body),
            }
        } else {
            self.encoding.decode_without_bom_handling(body).0
        }
    }
}

/// Decides a file's encoding from its first bytes. `eof` says the sample is the whole
/// file (so a multi-byte character cut at its end is an error, not a cut).
pub(crate) fn detect_encoding(sample: &[u8], eof: bool) -> Detected {
    let d = |encoding, bom| Detected { encoding, bom };
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return d(UTF_8, 3);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return d(UTF_16LE, 2);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return d(UTF_16BE, 2);
    }
    if let Some(enc) = utf16_by_nuls(sample) {
        return d(enc, 0);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return d(UTF_8, 0),
        Err(e) if !eof && e.error_len().is_none() => return d(UTF_8, 0),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, eof);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // chardetng only names single-byte and East Asian legacy encodings here; anything
    // else would be a surprise, and Windows-1252 is the likeliest legacy CSV.
    d(if guess == UTF_8 { WINDOWS_1252 } else { guess }, 0)
}

/// BOM-less UTF-16: text in Latin script has a NUL in every other byte. chardetng does
/// not look for this, so we do.
fn utf16_by_nuls(sample: &[u8]) -> Option<&'static Encoding> {
    let n = sample.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..n].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    // At least a third of the units look like ASCII, and the other byte is almost never NUL.
    if odd * 3 >= pairs && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 3 >= pairs && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// `Some(reason)` when the decoded sample does not look like text at all.
fn not_text(text: &str, bytes: usize) -> Option<String> {
    if bytes == 0 || text.trim().is_empty() {
        return Some("the file is empty; nothing to import".into());
    }
    let (mut chars, mut control, mut replaced) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        chars += 1;
        if c == '\0' {
            return Some(binary_reason());
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            control += 1;
        }
        if c == '\u{FFFD}' {
            replaced += 1;
        }
    }
    // Real exports have no control characters beyond a stray one; binary data has
    // them every few bytes. Many replacement characters mean no encoding fitted.
    if control * 64 > chars || replaced * 8 > chars {
        return Some(binary_reason());
    }
    None
}

fn binary_reason() -> String {
    "the file looks like binary data, not CSV text; export the list as CSV (or give \
     the workbook file instead)"
        .into()
}

/// Transcodes a legacy or UTF-16 stream to UTF-8 as it is read. Bad sequences become
/// U+FFFD rather than errors: a name with one garbled letter is still worth importing.
struct Transcode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    inner_done: bool,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        const IN: usize = 32 * 1024;
        let decoder = encoding.new_decoder_without_bom_handling();
        let out = decoder.max_utf8_buffer_length(IN).unwrap_or(IN * 3 + 16);
        Transcode {
            inner,
            decoder,
            input: vec![0; IN].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            inner_done: false,
            output: vec![0; out].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_start == self.out_end {
            if self.finished {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.inner_done {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_start = 0;
                self.in_end = n;
                self.inner_done = n == 0;
            }
            let last = self.inner_done;
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                last,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// Turns every line end (`\r\n`, `\r`, `\n`) into `\n` and makes sure the stream
/// ends with one. The CSV parser then finishes every row on a consumed `\n`, which
/// is what [`next`] relies on to give each row the line it starts on. (A `\r\n`
/// inside a quoted cell becomes `\n` too, which is how the value should read anyway.)
struct LineEnds<R> {
    inner: R,
    pending_cr: bool,
    last: Option<u8>,
    done: bool,
}

impl<R: Read> LineEnds<R> {
    fn new(inner: R) -> Self {
        LineEnds {
            inner,
            pending_cr: false,
            last: None,
            done: false,
        }
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.done {
            return Ok(0);
        }
        loop {
            let n = match self.inner.read(buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.done = true;
                if self.last.is_some_and(|b| b != b'\n') {
                    buf[0] = b'\n';
                    return Ok(1);
                }
                return Ok(0);
            }
            // Rewrite in place (the output is never longer than the input), a run of
            // bytes at a time between the `\r`s: a Windows file has one on every line,
            // and reading goes through here before any core can parse.
            let mut i = usize::from(self.pending_cr && buf[0] == b'\n');
            self.pending_cr = false;
            let mut j = 0;
            while let Some(k) = memchr::memchr(b'\r', &buf[i..n]) {
                let cr = i + k;
                buf.copy_within(i..cr, j);
                j += cr - i;
                buf[j] = b'\n';
                j += 1;
                i = cr + 1;
                if i == n {
                    self.pending_cr = true;
                } else if buf[i] == b'\n' {
                    i += 1;
                }
            }
            buf.copy_within(i..n, j);
            let kept = j + (n - i);
            if kept > 0 {
                self.last = Some(buf[kept - 1]);
                return Ok(kept);
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Delimiter and header

/// The candidate delimiters, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// How many rows the sniffer looks at.
const SNIFF_ROWS: usize = 30;

/// Picks the delimiter that splits the first rows most consistently: for each
/// candidate, the per-row counts outside quotes; the winner has the most rows at its
/// most common (non-zero) count, then the larger count. Defaults to `,`.
///
/// ```
/// # use listmerge::import::csv::sniff_delimiter;
/// assert_eq!(sniff_delimiter("a;b;c\n\"x;y\";2;3\n1;2;3\n"), b';');
/// assert_eq!(sniff_delimiter("name,note\nJo,\"a;b;c;d\"\n"), b',');
/// assert_eq!(sniff_delimiter("email\nx@example.com\n"), b',');
/// ```
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts: Vec<[u32; 4]> = Vec::new();
    let mut current = [0u32; 4];
    let mut in_quotes = false;
    let mut row_has_text = false;
    for b in text.bytes() {
        match b {
            // A doubled quote inside a quoted cell toggles twice: no harm done.
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => {
                if row_has_text {
                    counts.push(current);
                    if counts.len() == SNIFF_ROWS {
                        break;
                    }
                }
                current = [0; 4];
                row_has_text = false;
                continue;
            }
            _ if !in_quotes => {
                if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                    current[i] += 1;
                }
            }
            _ => {}
        }
        row_has_text = true;
    }
    if row_has_text && counts.len() < SNIFF_ROWS {
        counts.push(current);
    }
    let mut best = (0usize, 0u32, b',');
    for (i, &d) in DELIMITERS.iter().enumerate() {
        let mut freq: HashMap<u32, usize> = HashMap::new();
        for c in &counts {
            if c[i] > 0 {
                *freq.entry(c[i]).or_default() += 1;
            }
        }
        // The most common non-zero count; on a tie, the larger count.
        let Some((&mode, &rows)) = freq.iter().max_by_key(|(&n, &rows)| (rows, n)) else {
            continue;
        };
        if (rows, mode) > (best.0, best.1) {
            best = (rows, mode, d);
        }
    }
    best.2
}

fn describe_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        _ => format!("'{}'", d as char),
    }
}

/// A cell as text. Cells are UTF-8 (the stream was transcoded) except when a file
/// that started as UTF-8 has a stray legacy byte later on: that cell is read as
/// Windows-1252 and `lossy` is set.
fn cell<'a>(bytes: &'a [u8], lossy: &mut bool) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            *lossy = true;
            WINDOWS_1252.decode_without_bom_handling(bytes).0
        }
    }
}

fn is_blank(bytes: &[u8], lossy: &mut bool) -> bool {
    // Fast path: most empty cells are empty or ASCII spaces.
    bytes.iter().all(u8::is_ascii_whitespace) || cell(bytes, lossy).trim().is_empty()
}

/// Index of the header among the first rows: the row naming the most known fields
/// (the first on a tie). When no row names any, the first row still serves if it
/// looks like a header (short, distinct, non-numeric names, no e-mail addresses).
fn find_header(rows: &[ByteRecord], lossy: &mut bool) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        let score = row
            .iter()
            .filter(|c| mapping::guess(&cell(c, lossy)).is_some())
            .count();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    let first = rows.first()?;
    let names: Vec<Cow<'_, str>> = first.iter().map(|c| cell(c, lossy)).collect();
    let plausible = names.iter().all(|n| {
        let n = n.trim();
        n.len() <= 64 && !n.contains('@') && (n.is_empty() || n.chars().any(char::is_alphabetic))
    });
    let mut distinct: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let non_empty = distinct.len();
    distinct.sort_unstable();
    distinct.dedup();
    (plausible && non_empty > 0 && distinct.len() == non_empty).then_some(0)
}

// ---------------------------------------------------------------------------------
// Column plan

/// How the columns of one file map to targets.
struct Plan {
    cols: Vec<Col>,
    /// The `source` column, if the file has one.
    source_col: Option<usize>,
    /// Address groups present, in order of preference, each with its columns.
    groups: Vec<(Group, Vec<usize>)>,
}

impl Plan {
    fn new(
        header: &ByteRecord,
        spec: &SourceSpec,
        sink: &mut Sink<'_>,
        path: &Path,
        lossy: &mut bool,
    ) -> Plan {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = cell(c, lossy);
                let name = name.trim();
                if name.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    name.to_string()
                }
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
                    ColumnTarget::Field(f) => {
                        if *f == Field::Source && source_col.is_none() {
                            source_col = Some(i);
                        }
                        Col::Plain(Target::Known(*f))
                    }
                }
            } else {
                match guesses[i] {
                    None | Some(Guess::PhoneType(_)) => custom(sink, name),
                    Some(Guess::Field(f)) => {
                        if f == Field::Source && source_col.is_none() {
                            source_col = Some(i);
                        }
                        Col::Plain(Target::Known(f))
                    }
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
            cols.push(col);
        }
        for (used, (h, _)) in used_explicit.iter().zip(&spec.columns) {
            if !used {
                sink.report.warn(&format!(
                    "{}: the column mapping names \"{}\", which is not in the header",
                    path.display(),
                    h.trim()
                ));
            }
        }
        if custom_full {
            sink.report.warn(&format!(
                "{}: more than 65536 distinct custom columns; the rest were dropped",
                path.display()
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
            source_col,
            groups,
        }
    }

    fn width(&self) -> usize {
        self.cols.len()
    }

    /// Each header → where its column goes, in words, for `listmerge inspect`.
    fn describe(&self, header: &ByteRecord, lossy: &mut bool) -> Vec<(String, String)> {
        header
            .iter()
            .zip(&self.cols)
            .map(|(name, col)| {
                let target = match *col {
                    Col::Drop => "ignored".to_string(),
                    Col::Plain(Target::Known(f)) => f.name().to_string(),
                    Col::Plain(Target::Custom(_)) => "custom".to_string(),
                    Col::Address { field, .. } => format!("{field} (address group)"),
                    Col::Phone { .. } => "phone (kind from its type column)".to_string(),
                };
                (cell(name, lossy).trim().to_string(), target)
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------
// Rows

/// Turns data rows into records and rejects.
struct Rows<'a> {
    file: FileId,
    spec: &'a SourceSpec,
    path: &'a Path,
    plan: &'a Plan,
    file_source: Option<SourceId>,
    /// Data rows seen so far (the header excluded, empty rows included).
    row: u32,
    lossy: bool,
}

impl Rows<'_> {
    fn push(&mut self, rec: &ByteRecord, sink: &mut Sink<'_>) {
        let parsed = classify(
            self.plan,
            rec,
            line_of(rec),
            &mut self.lossy,
            &mut ValuesBuilder::default(),
        );
        self.commit(parsed, sink);
    }

    /// Files one classified row: counts it, resolves its source, and appends the
    /// record or the reject. Sequential, because sources are numbered on first sight.
    fn commit(&mut self, parsed: Parsed, sink: &mut Sink<'_>) {
        self.row = self.row.saturating_add(1);
        let (line, source_name, body) = match parsed {
            Parsed::Blank => return,
            Parsed::Row { line, source, body } => (line, source, body),
        };
        let locator = Locator {
            file: self.file,
            sheet: None,
            row: self.row,
            line,
        };
        let source = match source_name {
            Some(name) => sink.named_source(&name, self.spec),
            None => lazy_source(&mut self.file_source, sink, self.spec, self.path),
        };
        let values = match body {
            Body::Ragged(fields) => {
                sink.out.rejects.push(Reject {
                    locator,
                    source,
                    reason: format!(
                        "the row has {fields} fields, the header has {}",
                        self.plan.width()
                    ),
                });
                return;
            }
            Body::Values(values) => values,
        };
        let Some(source) = source else {
            sink.out.rejects.push(Reject {
                locator,
                source: None,
                reason: "too many sources (more than 65536); the row was not read".into(),
            });
            return;
        };
        sink.out.records.push(Record {
            source,
            locator,
            values,
        });
    }
}

/// One row as parsed, before it is numbered and given a source.
enum Parsed {
    /// Every cell empty: counted as a row, not read.
    Blank,
    /// A row with content.
    Row {
        /// The physical line it starts on.
        line: u32,
        /// Its `source` cell, when the file has one and it is filled in.
        source: Option<Box<str>>,
        /// What it holds.
        body: Body,
    },
}

/// The content of a row.
enum Body {
    /// Not the header's number of fields (this many instead).
    Ragged(usize),
    /// The values, in column order.
    Values(Values),
}

/// Turns one CSV row into values by the file's plan. Pure, so blocks of rows can be
/// classified on all cores.
fn classify(
    plan: &Plan,
    rec: &ByteRecord,
    line: u32,
    lossy: &mut bool,
    values: &mut ValuesBuilder,
) -> Parsed {
    if rec.iter().all(|c| is_blank(c, lossy)) {
        return Parsed::Blank;
    }
    let source = plan.source_col.and_then(|i| rec.get(i)).and_then(|raw| {
        let text = cell(raw, lossy);
        let name = text.trim();
        (!name.is_empty()).then(|| name.into())
    });
    let width = plan.width();
    let ragged = rec.len() < width || rec.iter().skip(width).any(|c| !is_blank(c, lossy));
    if ragged {
        return Parsed::Row {
            line,
            source,
            body: Body::Ragged(rec.len()),
        };
    }
    // The row's address comes from the first group that has anything in it.
    let address_group = plan
        .groups
        .iter()
        .find(|(_, cols)| {
            cols.iter()
                .any(|&i| rec.get(i).is_some_and(|c| !is_blank(c, lossy)))
        })
        .map(|(g, _)| *g);
    values.clear();
    for (raw, col) in rec.iter().zip(&plan.cols) {
        if raw.is_empty() {
            continue;
        }
        let text = cell(raw, lossy);
        let value = text.trim();
        if value.is_empty() {
            continue;
        }
        mapping::place(values, col, value, address_group, |k| {
            rec.get(k)
                .map(|k| cell(k, lossy).into_owned())
                .filter(|k| !k.trim().is_empty())
        });
    }
    Parsed::Row {
        line,
        source,
        body: Body::Values(values.build()),
    }
}

// ---------------------------------------------------------------------------------
// Blocks of whole rows, for parallel parsing

/// Bytes per block handed to one core.
const BLOCK: usize = 1 << 20;

/// Reads the (decoded, line-end-normalised) stream in blocks that end on a row
/// boundary, so each block can be parsed on its own. The boundary is found with the
/// same quoting rules the CSV parser applies (a quote opens a quoted cell only at the
/// start of a cell; `""` inside one is a quote), so a newline inside a quoted cell
/// never splits a row.
struct Blocks<R> {
    inner: R,
    carry: Vec<u8>,
    eof: bool,
    delimiter: u8,
    /// The 1-based line the next block starts on.
    line: u64,
    /// Bytes to read before looking for a boundary.
    size: usize,
}

impl<R: Read> Blocks<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        Blocks {
            inner,
            carry: Vec::new(),
            eof: false,
            delimiter,
            line: 1,
            size: BLOCK,
        }
    }

    /// The next block and the line it starts on; `None` at the end.
    fn next_block(&mut self) -> io::Result<Option<(Vec<u8>, u64)>> {
        let mut want = self.size;
        loop {
            while !self.eof && self.carry.len() < want {
                let start = self.carry.len();
                self.carry.resize(want, 0);
                let n = loop {
                    match self.inner.read(&mut self.carry[start..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            self.carry.truncate(start);
                            return Err(e);
                        }
                    }
                };
                self.carry.truncate(start + n);
                if n == 0 {
                    self.eof = true;
                }
            }
            if self.carry.is_empty() {
                return Ok(None);
            }
            let end = if self.eof {
                Some(self.carry.len())
            } else {
                last_row_end(&self.carry, self.delimiter)
            };
            match end {
                Some(end) => {
                    let rest = self.carry.split_off(end);
                    let block = std::mem::replace(&mut self.carry, rest);
                    let line = self.line;
                    self.line += memchr::memchr_iter(b'\n', &block).count() as u64;
                    return Ok(Some((block, line)));
                }
                // One row longer than a block: read on.
                None => want = self.carry.len() + self.size,
            }
        }
    }
}

/// The position just after the last row-ending newline in `bytes`, which starts at
/// the beginning of a row; `None` when no row ends in it.
///
/// A quote opens a quoted cell only at the start of a cell, as in the CSV parser;
/// inside one, `""` is a quote and a lone `"` closes it. Outside quotes the scan jumps
/// from delimiter to delimiter, so it runs at memory speed.
fn last_row_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    let mut field_start = true;
    while i < bytes.len() {
        if field_start && bytes[i] == b'"' {
            let mut j = i + 1;
            loop {
                // An unclosed quote: no row ends after this point in the block.
                let q = j + memchr::memchr(b'"', &bytes[j..])?;
                if bytes.get(q + 1) == Some(&b'"') {
                    j = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            field_start = false;
            continue;
        }
        let Some(k) = memchr::memchr2(delimiter, b'\n', &bytes[i..]) else {
            return last;
        };
        let p = i + k;
        if bytes[p] == b'\n' {
            last = Some(p + 1);
        }
        field_start = true;
        i = p + 1;
    }
    last
}

/// Parses one block of whole rows and classifies them; the lines are those of the file.
/// A block's classified rows and whether any cell needed the Windows-1252 fallback; or
/// the line where the parser stopped, and why.
type BlockResult = std::result::Result<(Vec<Parsed>, bool), (u64, String)>;

fn parse_block(block: &[u8], first_line: u64, delimiter: u8, plan: &Plan) -> BlockResult {
    let mut rdr = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(block);
    let mut rec = ByteRecord::new();
    let mut out = Vec::new();
    let mut lossy = false;
    let mut values = ValuesBuilder::default();
    // Reading from memory cannot fail, and with flexible rows of bytes nothing else
    // can; should that ever change, the run stops with the line rather than lose rows.
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err((first_line + rdr.position().line() - 1, e.to_string())),
        }
        let end = rdr.position().line();
        let inside = rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let rel = end.saturating_sub(1 + inside).max(1);
        let line = u32::try_from(first_line + rel - 1).unwrap_or(u32::MAX);
        out.push(classify(plan, &rec, line, &mut lossy, &mut values));
    }
    Ok((out, lossy))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a time, to cut line ends apart.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn line_ends_become_one_newline_however_the_text_is_cut() {
        // What LineEnds must give: every `\r\n`, `\r` and `\n` one `\n`, and a final one.
        let reference = |text: &[u8]| -> Vec<u8> {
            let mut out = Vec::new();
            let mut i = 0;
            while i < text.len() {
                if text[i] == b'\r' {
                    out.push(b'\n');
                    if text.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                } else {
                    out.push(text[i]);
                }
                i += 1;
            }
            if out.last().is_some_and(|&b| b != b'\n') {
                out.push(b'\n');
            }
            out
        };
        let texts: [&[u8]; 8] = [
            b"a,b\r\nc,d\r\n",
            b"a,b\rc,d\re",
            b"a\r\r\n\n\r\rb",
            b"\r\n\r\n",
            b"\n\r",
            b"no line end",
            b"x,\"two\r\nlines\"\r\ny,z",
            b"",
        ];
        for text in texts {
            for step in 1..=text.len().max(1) + 1 {
                for cap in [1, 2, 3, 5, 64] {
                    let mut r = LineEnds::new(Trickle { data: text, step });
                    let mut got = Vec::new();
                    let mut buf = vec![0u8; cap];
                    loop {
                        let n = r.read(&mut buf).expect("read");
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    assert_eq!(got, reference(text), "{text:?} step {step} buffer {cap}");
                }
            }
        }
    }

    #[test]
    fn rows_end_outside_quotes_only() {
        assert_eq!(last_row_end(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_row_end(b"a,\"x\ny\"\nc", b','), Some(8));
        assert_eq!(last_row_end(b"a,\"x\ny", b','), None);
        // An escaped quote does not close the cell.
        assert_eq!(last_row_end(b"\"say \"\"hi\"\"\n\"\nz", b','), Some(14));
        // A quote inside an unquoted cell is a plain character, as the parser reads it.
        assert_eq!(last_row_end(b"ab\"c,d\ne", b','), Some(7));
        assert_eq!(last_row_end(b"a;\"b;\n\";c\n", b';'), Some(10));
        assert_eq!(last_row_end(b"", b','), None);
    }

    #[test]
    fn blocks_split_only_between_rows() {
        let text =
            "name,note\nAnn,\"two\nlines\"\nBo,\"say \"\"hi\"\"\"\n\nCy,\"a,b\nc\nd\"\nDi,x\n";
        let whole: Vec<ByteRecord> = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .byte_records()
            .map(|r| r.unwrap_or_default())
            .collect();
        for size in 1..text.len() + 2 {
            let mut blocks = Blocks::new(text.as_bytes(), b',');
            blocks.size = size;
            let mut got = Vec::new();
            let mut lines = Vec::new();
            while let Ok(Some((block, line))) = blocks.next_block() {
                assert!(block.ends_with(b"\n"), "size {size}: {block:?}");
                lines.push(line);
                got.extend(
                    ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .from_reader(&block[..])
                        .byte_records()
                        .map(|r| r.unwrap_or_default()),
                );
            }
            assert_eq!(got, whole, "size {size}");
            assert_eq!(lines[0], 1);
        }
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            sniff_delimiter("Vorname;Nachname;Firma\nJörg;Müller;A, B & C\n"),
            b';'
        );
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\r\n1|2|3\r\n"), b'|');
        // Commas inside quotes (even across lines) do not count.
        assert_eq!(
            sniff_delimiter("a;b;c\n\"x,y,z,\nw,v\";2;3\n\"p,q\";5;6\n"),
            b';'
        );
        // A few note lines above the header do not win.
        assert_eq!(
            sniff_delimiter("Notes:\n\"When exporting, note this; and that\"\n\nFirst Name,Last Name,URL\na,b,c\nd,e,f\n"),
            b','
        );
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn detects_encodings() {
        let enc = |b: &[u8]| detect_encoding(b, true);
        assert_eq!(
            enc(b"\xEF\xBB\xBFa,b\n"),
            Detected {
                encoding: UTF_8,
                bom: 3
            }
        );
        assert_eq!(
            enc(b"\xFF\xFEa\0,\0b\0"),
            Detected {
                encoding: UTF_16LE,
                bom: 2
            }
        );
        assert_eq!(
            enc(b"\xFE\xFF\0a\0,\0b"),
            Detected {
                encoding: UTF_16BE,
                bom: 2
            }
        );
        assert_eq!(
            enc(b"n\0a\0m\0e\0,\0e\0\n\0"),
            Detected {
                encoding: UTF_16LE,
                bom: 0
            }
        );
        assert_eq!(
            enc(b"\0n\0a\0m\0e\0,\0e\0\n"),
            Detected {
                encoding: UTF_16BE,
                bom: 0
            }
        );
        assert_eq!(
            enc("name,Müller\n".as_bytes()),
            Detected {
                encoding: UTF_8,
                bom: 0
            }
        );
        let latin =
            b"Vorname;Nachname;Ort\nJ\xF6rg;M\xFCller;K\xF6ln\n\xDCbersee;Stra\xDFe;Gie\xDFen\n";
        assert_eq!(enc(latin).encoding, WINDOWS_1252);
        // A UTF-8 character cut at the end of a sample is not an error...
        assert_eq!(detect_encoding(b"name,M\xC3", false).encoding, UTF_8);
        // ...but at the end of the file it is.
        assert_ne!(detect_encoding(b"name,M\xC3", true).encoding, UTF_8);
    }

    #[test]
    fn transcodes_streams() {
        let mut utf16 = Vec::new();
        for u in "Jörg,Straße\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let mut out = String::new();
        Transcode::new(&utf16[..], UTF_16LE)
            .read_to_string(&mut out)
            .expect("decoding into a String");
        assert_eq!(out, "Jörg,Straße\n");
        let mut out = String::new();
        Transcode::new(&b"K\xF6ln"[..], WINDOWS_1252)
            .read_to_string(&mut out)
            .expect("decoding into a String");
        assert_eq!(out, "Köln");
    }

    #[test]
    fn binary_is_not_text() {
        assert!(not_text("a,b\n1,2\n", 8).is_none());
        assert!(not_text("a\0b", 3).is_some());
        assert!(not_text("\x01\x02\x03abc\x04\x05", 8).is_some());
        assert!(not_text("", 0).is_some());
        assert!(not_text(" \n\n", 3).is_some());
    }

    fn rec(cells: &[&str]) -> ByteRecord {
        ByteRecord::from(cells.to_vec())
    }

    #[test]
    fn finds_the_header_below_notes() {
        let mut lossy = false;
        let rows = [
            rec(&["Notes:"]),
            rec(&["When exporting your connection data, you may notice..."]),
            rec(&[
                "First Name",
                "Last Name",
                "URL",
                "Email Address",
                "Company",
                "Position",
                "Connected On",
            ]),
            rec(&["Jane", "Doe", "https://x", "", "ACME", "CEO", "01 Jan 2024"]),
        ];
        assert_eq!(find_header(&rows, &mut lossy), Some(2));
        // Unknown but header-like names still make a header...
        assert_eq!(
            find_header(&[rec(&["Foo", "Bar"]), rec(&["1", "2"])], &mut lossy),
            Some(0)
        );
        // ...data does not.
        assert_eq!(
            find_header(
                &[rec(&["John Doe", "John", "Doe", "john@doe.invalid"])],
                &mut lossy
            ),
            None
        );
        assert_eq!(find_header(&[rec(&["12", "34"])], &mut lossy), None);
        assert_eq!(find_header(&[], &mut lossy), None);
    }
}
