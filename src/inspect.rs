//! `listmerge inspect FILE...`: how listmerge reads a file, before a nightly job uses it.
//!
//! For each file: the detected format, encoding, delimiter, sheets, header row and column
//! mapping, the counts of records and rejects (with the first reject reasons), and the
//! first few contacts as normalised. Each file is read on its own through
//! [`import::inputs`] (one spec per file), so every format the importer dispatches to
//! is covered, and a file that cannot be read is reported without stopping the others.
//!
//! Unlike errors and logs, this output shows field values: it is the user's own file on
//! their own terminal, and seeing the values is the point. The whole file is read and
//! normalised (only `limit` contacts are shown); fine for checking a source, not meant
//! for million-row files in a hurry.

use serde::Serialize;

use crate::error::Error;
use crate::import::{self, SourceSpec};
use crate::model::{Contact, Inputs, Locator};
use crate::report::Silent;

/// What `inspect` found out about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// Why the file could not be read at all (then everything else is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The format detected (`csv ';' windows-1252`, `business cards`).
    pub format: String,
    /// The text encoding, when the importer tells.
    pub encoding: Option<String>,
    /// The delimiter of a delimited text file.
    pub delimiter: Option<String>,
    /// The sheets read (workbooks).
    pub sheets: Vec<String>,
    /// The line (or sheet row) of the header row.
    pub header_line: Option<u32>,
    /// Header → target, in column order.
    pub columns: Vec<Column>,
    /// The sources the file feeds (more than one with a `source` column).
    pub sources: Vec<String>,
    /// Records read.
    pub records: usize,
    /// Rows that could not be read.
    pub rejects: usize,
    /// The first few rejects.
    pub first_rejects: Vec<RejectLine>,
    /// The first few records, normalised.
    pub contacts: Vec<ContactLine>,
    /// Warnings the importer gave (no personal data).
    pub warnings: Vec<String>,
}

/// One column of the header and where its values go.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The header as written.
    pub header: String,
    /// A field name (`email`), `custom` or `ignored`.
    pub target: String,
}

/// Where a reject was and why.
#[derive(Debug, Clone, Serialize)]
pub struct RejectLine {
    /// The sheet, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Data row or card number (0 for the whole file).
    pub row: u32,
    /// Physical line (0 when unknown).
    pub line: u32,
    /// Why.
    pub reason: String,
}

/// The parts of a normalised contact that tell whether a file was read right.
#[derive(Debug, Clone, Serialize)]
pub struct ContactLine {
    /// The sheet, for workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Data row or card number.
    pub row: u32,
    /// Physical line.
    pub line: u32,
    /// The parsed name, parts joined.
    pub name: String,
    /// E-mail addresses (invalid ones as written).
    pub emails: Vec<String>,
    /// Phones, E.164 when parsed, each with its kind (`+4930... (mobile)`).
    pub phones: Vec<String>,
    /// Company.
    pub company: String,
    /// City.
    pub city: String,
}

/// Inspects each file on its own; `limit` is how many rejects and contacts to show.
pub fn inspect(paths: &[String], limit: usize, default_country: Option<&str>) -> Vec<FileReport> {
    paths
        .iter()
        .map(|p| inspect_one(p, limit, default_country))
        .collect()
}

fn inspect_one(path: &str, limit: usize, default_country: Option<&str>) -> FileReport {
    let spec = SourceSpec {
        path: Some(path.into()),
        ..SourceSpec::default()
    };
    let report = Silent::default();
    match import::inputs(&[spec], &report) {
        Ok(inputs) => describe_inputs(path, &inputs, limit, default_country, report.warnings()),
        Err(e) => failed(path, &e),
    }
}

fn failed(path: &str, e: &Error) -> FileReport {
    FileReport {
        path: path.to_string(),
        error: Some(e.to_string()),
        format: String::new(),
        encoding: None,
        delimiter: None,
        sheets: Vec::new(),
        header_line: None,
        columns: Vec::new(),
        sources: Vec::new(),
        records: 0,
        rejects: 0,
        first_rejects: Vec::new(),
        contacts: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Builds the report of one file's [`Inputs`].
pub fn describe_inputs(
    path: &str,
    inputs: &Inputs,
    limit: usize,
    default_country: Option<&str>,
    warnings: Vec<String>,
) -> FileReport {
    let layout = inputs.layouts.first();
    // Sheets from the layout, else from the locators (an importer that reads sheets
    // but fills no layout still shows them).
    let mut sheets: Vec<String> = layout.map(|l| l.sheets.clone()).unwrap_or_default();
    if sheets.is_empty() {
        let locators = inputs
            .records
            .iter()
            .map(|r| &r.locator)
            .chain(inputs.rejects.iter().map(|r| &r.locator));
        for sheet in locators.filter_map(|l| l.sheet.as_deref()) {
            if !sheets.iter().any(|s| s == sheet) {
                sheets.push(sheet.to_string());
            }
        }
    }
    FileReport {
        path: path.to_string(),
        error: None,
        format: inputs
            .files
            .first()
            .map(|f| f.format.clone())
            .unwrap_or_default(),
        encoding: layout.and_then(|l| l.encoding.clone()),
        delimiter: layout.and_then(|l| l.delimiter.clone()),
        sheets,
        header_line: layout.and_then(|l| l.header_line),
        columns: layout
            .map(|l| {
                l.columns
                    .iter()
                    .map(|(header, target)| Column {
                        header: header.clone(),
                        target: target.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        sources: inputs.sources.iter().map(|s| s.name.clone()).collect(),
        records: inputs.records.len(),
        rejects: inputs.rejects.len(),
        first_rejects: inputs
            .rejects
            .iter()
            .take(limit)
            .map(|r| RejectLine {
                sheet: r.locator.sheet.as_deref().map(str::to_string),
                row: r.locator.row,
                line: r.locator.line,
                reason: r.reason.clone(),
            })
            .collect(),
        contacts: inputs
            .records
            .iter()
            .take(limit)
            .map(|r| {
                let country = inputs
                    .sources
                    .get(usize::from(r.source.0))
                    .and_then(|s| s.default_country.as_deref())
                    .or(default_country);
                contact_line(&r.locator, &crate::normalize::contact(r, country))
            })
            .collect(),
        warnings,
    }
}

fn contact_line(locator: &Locator, c: &Contact) -> ContactLine {
    let n = c.name();
    let name = [n.prefix, n.given, n.middle, n.family, n.suffix]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    ContactLine {
        sheet: locator.sheet.as_deref().map(str::to_string),
        row: locator.row,
        line: locator.line,
        name,
        emails: c
            .emails()
            .iter()
            .map(|e| {
                if e.valid {
                    e.address.clone()
                } else {
                    format!("{} (invalid)", e.address)
                }
            })
            .collect(),
        phones: c
            .phones()
            .iter()
            .map(|p| {
                let mut s = format!("{} ({})", p.number, p.kind.name());
                if !crate::normalize::phone::is_valid(&p.number) {
                    s.push_str(" (not a valid number)");
                }
                s
            })
            .collect(),
        company: c.company().to_string(),
        city: c.address().city.to_string(),
    }
}

/// The reports as text for a terminal.
pub fn to_text(reports: &[FileReport]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", r.path);
        if let Some(e) = &r.error {
            let _ = writeln!(out, "  error: {e}");
            continue;
        }
        let _ = writeln!(out, "  format:    {}", r.format);
        if let Some(e) = &r.encoding {
            let _ = writeln!(out, "  encoding:  {e}");
        }
        if let Some(d) = &r.delimiter {
            let _ = writeln!(out, "  delimiter: {d}");
        }
        if !r.sheets.is_empty() {
            let _ = writeln!(out, "  sheets:    {}", r.sheets.join(", "));
        }
        if let Some(h) = r.header_line {
            let _ = writeln!(out, "  header:    line {h}");
        }
        if !r.columns.is_empty() {
            let _ = writeln!(out, "  columns:");
            let width = r
                .columns
                .iter()
                .map(|c| c.header.chars().count())
                .max()
                .unwrap_or(0)
                .min(40);
            for c in &r.columns {
                let _ = writeln!(out, "    {:<width$}  → {}", c.header, c.target);
            }
        }
        if r.sources.len() > 1 {
            let _ = writeln!(out, "  sources:   {}", r.sources.join(", "));
        }
        let _ = writeln!(out, "  records:   {}", r.records);
        let _ = writeln!(out, "  rejects:   {}", r.rejects);
        for j in &r.first_rejects {
            let _ = writeln!(
                out,
                "    {}: {}",
                place(j.sheet.as_deref(), j.row, j.line),
                j.reason
            );
        }
        for w in &r.warnings {
            let _ = writeln!(out, "  warning:   {w}");
        }
        if !r.contacts.is_empty() {
            let _ = writeln!(out, "  first contacts:");
        }
        for c in &r.contacts {
            let _ = writeln!(out, "    {}", place(c.sheet.as_deref(), c.row, c.line));
            let mut field = |label: &str, value: &str| {
                if !value.is_empty() {
                    let _ = writeln!(out, "      {label:<8} {value}");
                }
            };
            field("name", &c.name);
            field("email", &c.emails.join(", "));
            field("phone", &c.phones.join(", "));
            field("company", &c.company);
            field("city", &c.city);
        }
    }
    out
}

fn place(sheet: Option<&str>, row: u32, line: u32) -> String {
    let mut s = String::new();
    if let Some(sheet) = sheet {
        s.push_str(sheet);
        s.push(' ');
    }
    if row == 0 {
        s.push_str("whole file");
    } else {
        s.push_str(&format!("row {row}"));
    }
    if line > 0 {
        s.push_str(&format!(" (line {line})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(name: &str) -> String {
        format!("{}/fixtures/demo/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn csv_file_shows_layout_and_contacts() {
        let r = inspect(&[demo("outlook.csv")], 2, None);
        let r = &r[0];
        assert_eq!(r.error, None);
        assert_eq!(r.format, "csv ';' windows-1252");
        assert_eq!(r.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(r.delimiter.as_deref(), Some("';'"));
        assert_eq!(r.header_line, Some(1));
        assert_eq!(r.columns.len(), 16);
        assert!(r
            .columns
            .iter()
            .any(|c| c.header == "E-mail Address" && c.target == "email"));
        assert_eq!((r.records, r.rejects), (14, 0));
        assert_eq!(r.contacts.len(), 2);
        assert_eq!(r.contacts[0].row, 1);
        assert!(r.contacts[0].name.contains("Hartmann"));
    }

    #[test]
    fn cards_file_and_rejects() {
        let r = &inspect(&[demo("tradeshow-cards.txt")], 3, None)[0];
        assert_eq!(r.format, "business cards");
        assert_eq!(r.header_line, None);
        assert!(r.columns.is_empty());
        assert_eq!((r.records, r.rejects), (6, 1));
        assert!(r.first_rejects[0]
            .reason
            .contains("no name, e-mail address or phone"));
        let c = &r.contacts[0];
        assert_eq!(c.name, "Margaret O'Brien");
        assert_eq!(c.emails, ["margaret.obrien@brightwater-analytics.example"]);
        assert_eq!(c.company, "Brightwater Analytics Ltd");
        assert_eq!(c.city, "London");
        // The OCR slip is repaired; without a country the national number stays as typed.
        assert!(c
            .phones
            .iter()
            .any(|p| p.starts_with("07700 900218 (mobile)")));
        assert!(c.phones.iter().any(|p| p == "+442079460958 (work)"));
    }

    #[test]
    fn json_shape() {
        let reports = inspect(&[demo("crm.csv"), demo("no-such-file.csv")], 1, None);
        let v = serde_json::to_value(&reports).expect("reports serialise");
        let first = &v[0];
        for key in [
            "path",
            "format",
            "encoding",
            "delimiter",
            "sheets",
            "header_line",
            "columns",
            "sources",
            "records",
            "rejects",
            "first_rejects",
            "contacts",
            "warnings",
        ] {
            assert!(first.get(key).is_some(), "missing {key}");
        }
        assert!(first.get("error").is_none());
        assert_eq!(first["columns"][0]["header"], "Record ID");
        assert_eq!(first["columns"][0]["target"], "record_key");
        let c = &first["contacts"][0];
        assert_eq!(c["name"], "Robert Hartmann");
        assert_eq!(c["row"], 1);
        assert_eq!(c["line"], 2);
        assert!(c["emails"].is_array() && c["phones"].is_array());
        assert!(c.get("sheet").is_none());
        let missing = &v[1];
        assert!(missing["error"]
            .as_str()
            .is_some_and(|e| e.contains("check the path")));
    }

    #[test]
    fn text_report_names_every_part() {
        let text = to_text(&inspect(&[demo("signups.csv")], 1, None));
        for part in [
            "format:",
            "encoding:",
            "header:",
            "columns:",
            "records:",
            "first contacts:",
        ] {
            assert!(text.contains(part), "{part} in\n{text}");
        }
    }
}
