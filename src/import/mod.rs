//! Reading sources into [`Inputs`]: records with locators, plus rejects.
//!
//! Input: the [`SourceSpec`]s from the command line and `rules.toml`. Output: one
//! [`Inputs`] holding every file, source, custom column name, record and reject.
//!
//! Invariants: every non-empty data row of every file ends up as exactly one
//! [`crate::model::Record`] or one [`crate::model::Reject`]; a file that cannot be
//! understood at all (binary, no header) becomes one file-level reject (row 0) and the
//! run goes on; only a file that cannot be opened or read is an [`Error`].
//!
//! CSV (and its TSV / semicolon / pipe cousins, [`csv`]) and typed-in business cards
//! ([`cards`]: `.txt` files that are neither vCards nor tables) are read so far.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Field, Inputs, SourceId, SourceInfo};
use crate::report::Report;

pub mod cards;
pub mod csv;
pub mod mapping;
pub mod vcard;
pub mod xlsx;

/// What an explicit column mapping in `rules.toml` sends a column to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnTarget {
    /// A known field.
    Field(Field),
    /// Keep as a custom field under the column's own name.
    Custom,
    /// Drop the column (the user said so).
    Ignore,
}

/// One source as declared on the command line (`name=path`) or in `rules.toml`.
/// A spec without a path only gives defaults (priority, country) to the source of that
/// name, for sources created by a file's `source` column.
#[derive(Debug, Clone, Default)]
pub struct SourceSpec {
    /// Source name; defaults to the file stem.
    pub name: Option<String>,
    /// The file to read.
    pub path: Option<std::path::PathBuf>,
    /// Survivorship priority (higher wins).
    pub priority: i32,
    /// Default phone country, ISO 3166 alpha-2.
    pub default_country: Option<String>,
    /// Explicit column mapping: header (as written) → target. Wins over auto-mapping.
    pub columns: Vec<(String, ColumnTarget)>,
    /// Workbooks only: the sheets to read (by name); empty reads every sheet.
    pub sheets: Vec<String>,
}

/// Reads every spec with a path, in order, into one [`Inputs`].
///
/// A file that cannot be opened or read is an [`Error::Input`]; anything wrong with
/// its content becomes rejects.
pub fn inputs(specs: &[SourceSpec], report: &dyn Report) -> Result<Inputs> {
    let mut out = Inputs::default();
    let mut sink = Sink {
        out: &mut out,
        custom: HashMap::new(),
        sources: HashMap::new(),
        specs,
        report,
    };
    report.stage("import", None);
    for spec in specs {
        let Some(path) = &spec.path else { continue };
        if sink.out.files.len() >= u16::MAX as usize {
            return Err(Error::input(
                path,
                "too many input files (more than 65535); merge some of them first",
            ));
        }
        // Content decides before extensions where it can: a `.txt` of vCards is a
        // vCard file, a renamed workbook is a workbook.
        if xlsx::is_workbook(path) {
            xlsx::read(path, spec, &mut sink)?;
        } else if vcard::sniff(path) {
            vcard::read(path, spec, &mut sink)?;
        } else if cards::claims(path) {
            cards::read(path, spec, &mut sink)?;
        } else {
            csv::read(path, spec, &mut sink)?;
        }
    }
    report.finish();
    Ok(out)
}

/// Where the importers put what they read, with the lookup tables shared by all files.
pub(crate) struct Sink<'a> {
    /// The result being built.
    pub out: &'a mut Inputs,
    /// Custom column name → index into `out.custom_fields` (one entry per distinct name).
    custom: HashMap<String, u16>,
    /// Source name → id, so a `source` value seen in two files is one source.
    sources: HashMap<String, SourceId>,
    /// All specs, for the defaults of sources named by a `source` column.
    specs: &'a [SourceSpec],
    /// Progress and warnings.
    pub report: &'a dyn Report,
}

impl Sink<'_> {
    /// The custom-field index for a column name, adding it on first sight.
    /// `None` once the table is full (65536 names), which the caller reports.
    pub fn custom(&mut self, name: &str) -> Option<u16> {
        if let Some(&i) = self.custom.get(name) {
            return Some(i);
        }
        let i = u16::try_from(self.out.custom_fields.len()).ok()?;
        self.out.custom_fields.push(name.to_string());
        self.custom.insert(name.to_string(), i);
        Some(i)
    }

    /// The source named by a `source` column value, created on first use. Its priority
    /// and country come from a path-less spec of that name, else from `file_spec` (the
    /// file it was found in). `None` once there are 65536 sources.
    pub fn named_source(&mut self, name: &str, file_spec: &SourceSpec) -> Option<SourceId> {
        if let Some(&id) = self.sources.get(name) {
            return Some(id);
        }
        let defaults = self
            .specs
            .iter()
            .find(|s| s.path.is_none() && s.name.as_deref() == Some(name))
            .unwrap_or(file_spec);
        self.new_source(name, defaults)
    }

    /// A file's own source. Always a new one: two files that share a stem
    /// (`a/contacts.csv`, `b/contacts.csv`) are still two sources.
    pub fn file_source(&mut self, spec: &SourceSpec, path: &Path) -> Option<SourceId> {
        self.new_source(&spec_name(spec, path), spec)
    }

    fn new_source(&mut self, name: &str, defaults: &SourceSpec) -> Option<SourceId> {
        let id = SourceId(u16::try_from(self.out.sources.len()).ok()?);
        self.out.sources.push(SourceInfo {
            name: name.to_string(),
            priority: defaults.priority,
            default_country: defaults.default_country.clone(),
        });
        // A later `source` value of the same name joins this source.
        self.sources.entry(name.to_string()).or_insert(id);
        Some(id)
    }
}

/// The source name a file's spec gives: its `name`, else the file stem.
pub(crate) fn spec_name(spec: &SourceSpec, path: &Path) -> String {
    spec.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Target;
    use crate::report::Silent;
    use std::path::PathBuf;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/import")
            .join(rel)
    }

    fn read(rel: &str) -> Inputs {
        read_spec(SourceSpec {
            path: Some(fixture(rel)),
            ..SourceSpec::default()
        })
    }

    fn read_spec(spec: SourceSpec) -> Inputs {
        inputs(&[spec], &Silent::default()).expect("fixture files are readable")
    }

    /// Every corpus file copied into `fixtures/import/corpus`.
    fn corpus_files() -> Vec<String> {
        let root = fixture("corpus");
        let mut files = Vec::new();
        for dir in std::fs::read_dir(&root).expect("corpus folder") {
            let dir = dir.expect("corpus entry").path();
            for f in std::fs::read_dir(&dir).expect("corpus sub-folder") {
                let f = f.expect("corpus file").path();
                let rel = f.strip_prefix(fixture("")).expect("under fixtures");
                files.push(rel.display().to_string());
            }
        }
        files.sort();
        files
    }

    fn counts(rel: &str) -> (usize, usize) {
        let i = read(rel);
        (i.records.len(), i.rejects.len())
    }

    /// (line, value of `field`) of every record.
    fn lines(i: &Inputs, field: Field) -> Vec<(u32, Option<&str>)> {
        i.records
            .iter()
            .map(|r| (r.locator.line, r.get(field)))
            .collect()
    }

    #[test]
    fn every_corpus_file_is_read_and_pinned_ones_match() {
        // Counted by hand from the files (see fixtures/import/README.md).
        let pinned: &[(&str, usize, usize)] = &[
            ("corpus/chatwoot/contacts.csv", 25, 0),
            ("corpus/civicrm/column_names_casing.csv", 1, 0),
            (
                "corpus/civicrm/organization_multiple_duplicates_invalid.csv",
                3,
                0,
            ),
            ("corpus/invoiceninja/vendors.csv", 20, 0),
            ("corpus/roundcube/email.csv", 4, 0),
            ("corpus/roundcube/gmail.csv", 1, 0),
            ("corpus/roundcube/outlook.csv", 1, 0),
            ("corpus/thunderbird/csv_no_header.csv", 0, 1),
            ("corpus/thunderbird/csv_semicolon.csv", 2, 0),
            ("corpus/thunderbird/export.csv", 2, 0),
            ("corpus/thunderbird/utf16_addressbook.csv", 1, 0),
            // Both rows have 89 fields under a 92-column header.
            ("corpus/tine20/adb_outlook2007_default_de.csv", 0, 2),
            ("corpus/tine20/adb_google_import.csv", 1, 0),
            ("corpus/tine20/adb_mac_import.csv", 1, 0),
            ("corpus/tine20/import_duplicate_1.csv", 2, 0),
            ("corpus/tine20/importtest_win1252.csv", 4, 0),
            ("corpus/tine20/out1000.csv", 1000, 0),
        ];
        let files = corpus_files();
        assert_eq!(files.len(), 33, "every corpus file is copied");
        for rel in &files {
            let i = read(rel);
            assert_eq!(i.files.len(), 1, "{rel}");
            assert!(!i.records.is_empty() || !i.rejects.is_empty(), "{rel}");
            for r in &i.records {
                assert!(r.locator.row >= 1 && r.locator.line >= 1, "{rel}");
                assert!(r.values.iter().all(|(_, v)| !v.is_empty() && v.trim() == v));
            }
        }
        for &(rel, records, rejects) in pinned {
            assert!(files.iter().any(|f| f == rel), "{rel} is in the corpus");
            assert_eq!(counts(rel), (records, rejects), "{rel}");
        }
    }

    #[test]
    fn corpus_formats_and_values() {
        let i = read("corpus/thunderbird/utf16_addressbook.csv");
        assert_eq!(i.files[0].format, "csv ',' utf-16le bom");
        assert_eq!(i.records[0].get(Field::Email), Some("johndoe@host.invalid"));
        assert_eq!(i.records[0].locator.line, 2);

        let i = read("corpus/tine20/importtest_win1252.csv");
        assert_eq!(i.files[0].format, "csv ';' windows-1252");
        let names: Vec<_> = i
            .records
            .iter()
            .filter_map(|r| r.get(Field::GivenName))
            .collect();
        assert_eq!(names, ["Peter", "Maja", "ÖzdemirÖ", "Weiss"]);

        let i = read("corpus/tine20/adb_outlook2007_default_de.csv");
        assert!(i.rejects.iter().all(|r| r.reason.contains("89 fields")));
        assert_eq!(
            i.rejects.iter().map(|r| r.locator.line).collect::<Vec<_>>(),
            [2, 3]
        );

        // Old Google layout: phone kinds from the Type columns, the first address only.
        let i = read("corpus/roundcube/gmail.csv");
        let r = &i.records[0];
        assert_eq!(
            r.all(Field::Phone).collect::<Vec<_>>(),
            ["mainphone", "workphone"]
        );
        assert_eq!(r.get(Field::HomePhone), Some("homephone"));
        assert_eq!(r.get(Field::Mobile), Some("mobile"));
        assert_eq!(r.all(Field::Fax).count(), 2);
        assert_eq!(r.all(Field::Email).count(), 4);
        assert_eq!(r.get(Field::Street), Some("home_street"));
        assert_eq!(r.all(Field::City).collect::<Vec<_>>(), ["home_city"]);
        assert_eq!(r.get(Field::Company), Some("company"));
        assert_eq!(r.get(Field::Title), Some("jobtitle"));

        let i = read("corpus/tine20/import_duplicate_1.csv");
        assert_eq!(i.files[0].format, "csv ',' windows-1252");
        assert_eq!(i.records[0].get(Field::City), Some("Köln"));
        // `title` next to a job-title column (`role`) is the prefix.
        assert_eq!(
            i.records[0].all(Field::Prefix).collect::<Vec<_>>(),
            ["Herr", "Dr."]
        );
        assert_eq!(i.records[0].get(Field::Title), Some("Geschäftsführer"));

        let i = read("corpus/tine20/adb_mac_import.csv");
        assert_eq!(i.files[0].format, "csv tab utf-8");
        assert_eq!(i.records[0].get(Field::Street), Some("Musterstraße 1"));
    }

    #[test]
    fn windows_1252_semicolon_file() {
        let i = read("win1252_semicolon.csv");
        assert_eq!(i.files[0].format, "csv ';' windows-1252");
        assert!(i.rejects.is_empty());
        assert_eq!(
            lines(&i, Field::FamilyName),
            [(2, Some("Müller")), (3, Some("Özdemir")), (5, Some("Weiß"))]
        );
        assert_eq!(i.records[1].get(Field::Street), Some("Gießener Weg 1"));
        assert_eq!(i.records[1].get(Field::Email), None);
        // The empty row on line 4 is skipped but still counted as a data row.
        assert_eq!(i.records[2].locator.row, 4);
    }

    #[test]
    fn ragged_rows_are_rejects_with_their_lines() {
        let i = read("ragged.csv");
        assert_eq!(i.records.len(), 3);
        let rejects: Vec<_> = i
            .rejects
            .iter()
            .map(|r| (r.locator.row, r.locator.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            rejects,
            [
                (2, 3, "the row has 2 fields, the header has 3"),
                (4, 5, "the row has 4 fields, the header has 3"),
            ]
        );
        // Trailing empty fields are a trailing delimiter, not a shifted row.
        assert_eq!(i.records[2].get(Field::FullName), Some("Ed Kay"));
        assert_eq!(i.rejects[0].source, Some(SourceId(0)));
    }

    #[test]
    fn quoted_newlines_keep_the_first_line() {
        let i = read("quoted_newlines.csv");
        assert!(i.rejects.is_empty());
        assert_eq!(
            lines(&i, Field::Email),
            [
                (2, Some("ann@example.com")),
                (5, Some("bob@example.com")),
                (6, Some("cy@example.com")),
                (10, Some("di@example.com")),
            ]
        );
        assert_eq!(
            i.records[0].get(Field::Notes),
            Some("first line\nsecond line\nthird line")
        );
        assert_eq!(i.records[2].get(Field::FullName), Some("Cy\nPoe"));
        assert_eq!(i.records[2].get(Field::Notes), Some("a \"quoted\" word"));
    }

    #[test]
    fn linkedin_header_below_notes() {
        let report = Silent::default();
        let spec = SourceSpec {
            path: Some(fixture("linkedin_connections.csv")),
            ..SourceSpec::default()
        };
        let i = inputs(&[spec], &report).expect("readable");
        assert_eq!(
            lines(&i, Field::Company),
            [(5, Some("Example GmbH")), (6, Some("Roe & Sons, Ltd."))]
        );
        assert_eq!(i.records[0].locator.row, 1);
        assert_eq!(i.records[1].get(Field::Title), Some("CEO"));
        assert_eq!(i.custom_fields, ["Connected On"]);
        assert!(report.warnings()[0].contains("skipped 2 line(s) above the header on line 4"));
    }

    #[test]
    fn source_column_splits_the_file() {
        let specs = [
            SourceSpec {
                name: Some("web".into()),
                priority: 7,
                default_country: Some("DE".into()),
                ..SourceSpec::default()
            },
            SourceSpec {
                path: Some(fixture("source_column.csv")),
                priority: 3,
                default_country: Some("US".into()),
                ..SourceSpec::default()
            },
        ];
        let i = inputs(&specs, &Silent::default()).expect("readable");
        let sources: Vec<_> = i
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.priority, s.default_country.as_deref()))
            .collect();
        assert_eq!(
            sources,
            [
                ("crm", 3, Some("US")),
                ("web", 7, Some("DE")),
                ("source_column", 3, Some("US"))
            ]
        );
        let of: Vec<_> = i.records.iter().map(|r| r.source.0).collect();
        assert_eq!(of, [0, 1, 0, 2]);
        assert_eq!(i.custom_fields[0], "source_row");
        // Address from one group per row; street lines joined.
        let r = &i.records;
        assert_eq!(r[0].get(Field::Street), Some("1 Main St, Suite 4"));
        assert_eq!(r[1].get(Field::Street), Some("9 Elm Rd"));
        assert_eq!(r[1].get(Field::City), Some("Shelbyville"));
        assert_eq!(r[2].get(Field::City), Some("Ogdenville"));
        assert_eq!(r[2].get(Field::Street), None);
        assert_eq!(
            r[2].values
                .iter()
                .filter(|(t, _)| matches!(t, Target::Custom(_)))
                .count(),
            3
        );
        assert_eq!(r[0].get(Field::RecordKey), Some("1"));
    }

    #[test]
    fn binary_and_missing_files() {
        let i = read("binary.csv");
        assert!(i.records.is_empty());
        assert_eq!(i.rejects.len(), 1);
        assert_eq!(i.rejects[0].locator.row, 0);
        assert!(i.rejects[0].reason.contains("binary"));

        let spec = SourceSpec {
            path: Some(fixture("no-such-file.csv")),
            ..SourceSpec::default()
        };
        let err = inputs(&[spec], &Silent::default()).expect_err("missing file");
        assert_eq!(err.exit_code(), 3);
        let msg = err.to_string();
        assert!(
            msg.contains("no-such-file.csv") && msg.contains("check the path"),
            "{msg}"
        );
    }

    #[test]
    fn utf16_without_bom_and_google_phones() {
        let i = read("utf16be_nobom.tsv");
        assert_eq!(i.files[0].format, "csv tab utf-16be");
        assert_eq!(i.records[0].get(Field::FamilyName), Some("Lindström"));

        let i = read("google_phones.csv");
        let r = &i.records;
        assert_eq!(r[0].get(Field::Mobile), Some("+1 555 0100"));
        assert_eq!(r[0].get(Field::Fax), Some("+1 555 0101"));
        assert_eq!(
            r[0].get(Field::Phone),
            None,
            "a pager is kept as a custom column"
        );
        assert_eq!(r[1].get(Field::Phone), Some("+1 555 0200"));
        assert_eq!(r[1].get(Field::HomePhone), Some("+1 555 0201"));
    }

    #[test]
    fn explicit_columns_win() {
        let i = read_spec(SourceSpec {
            path: Some(fixture("ragged.csv")),
            name: Some("list".into()),
            columns: vec![
                ("phone".into(), ColumnTarget::Ignore),
                ("NAME".into(), ColumnTarget::Field(Field::Company)),
                ("email".into(), ColumnTarget::Custom),
            ],
            ..SourceSpec::default()
        });
        assert_eq!(i.sources[0].name, "list");
        let r = &i.records[0];
        assert_eq!(r.get(Field::Company), Some("Ann Lee"));
        assert_eq!(r.values.len(), 2);
        assert_eq!(i.custom_fields, ["email"]);
    }

    /// The dev data sets, when present (they are not copied into the fixtures).
    #[test]
    fn dev_data_set_when_present() {
        let path = Path::new("/work/shared/data/dev-2k/records.csv");
        if !path.exists() {
            return;
        }
        let i = read_spec(SourceSpec {
            path: Some(path.into()),
            ..SourceSpec::default()
        });
        assert_eq!(i.records.len() + i.rejects.len(), 2000);
        assert!(i.sources.len() > 1);
        assert!(i.records.iter().all(|r| r.get(Field::RecordKey).is_some()));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;
        use std::io::Write;

        fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
            let mut f = tempfile::Builder::new()
                .suffix(".csv")
                .tempfile()
                .expect("temp file");
            f.write_all(bytes).expect("write temp file");
            f
        }

        fn run(bytes: &[u8]) -> Inputs {
            let f = write_temp(bytes);
            read_spec(SourceSpec {
                path: Some(f.path().into()),
                ..SourceSpec::default()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
                let i = run(&bytes);
                let mut rows: Vec<u32> = i.records.iter().map(|r| r.locator.row)
                    .chain(i.rejects.iter().map(|r| r.locator.row)).collect();
                rows.sort_unstable();
                let n = rows.len();
                rows.dedup();
                prop_assert_eq!(rows.len(), n, "a row is reported once");
            }

            #[test]
            fn every_non_empty_row_is_one_record_or_reject(
                rows in proptest::collection::vec(
                    proptest::collection::vec("[aeiouxyzÄé0-9 ,\"\n@.]{0,6}", 1..5),
                    0..30,
                ),
                crlf in any::<bool>(),
            ) {
                let mut w = ::csv::WriterBuilder::new()
                    .flexible(true)
                    .terminator(if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') })
                    .from_writer(Vec::new());
                w.write_record(["name", "email", "phone"]).expect("write header");
                for r in &rows {
                    w.write_record(r).expect("write row");
                }
                let bytes = w.into_inner().expect("flush");
                let expected = rows.iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).count();
                let i = run(&bytes);
                prop_assert_eq!(i.records.len() + i.rejects.len(), expected);
                prop_assert!(i.rejects.iter().all(|r| r.reason.contains("fields")));
            }
        }
    }
}
