//! Reading sources into [`Inputs`]: records with locators, plus rejects.
//! (Placeholder: plain UTF-8 comma CSV only; replaced by the full importers.)

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::{
    Field, FileId, FileInfo, Inputs, Locator, Record, Reject, SourceId, SourceInfo, Target,
};
use crate::report::Report;

pub mod mapping;

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
    pub path: Option<PathBuf>,
    /// Survivorship priority (higher wins).
    pub priority: i32,
    /// Default phone country, ISO 3166 alpha-2.
    pub default_country: Option<String>,
    /// Explicit column mapping: header (as written) → target. Wins over auto-mapping.
    pub columns: Vec<(String, ColumnTarget)>,
}

/// Reads every spec with a path, in order, into one [`Inputs`].
pub fn inputs(specs: &[SourceSpec], report: &dyn Report) -> Result<Inputs> {
    let mut out = Inputs::default();
    for spec in specs {
        let Some(path) = &spec.path else { continue };
        report.stage("import", None);
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(path, format!("cannot read the file ({e}); check the path"))
        })?;
        let file = FileId(out.files.len() as u16);
        out.files.push(FileInfo {
            path: path.display().to_string(),
            format: "csv".into(),
        });
        let name = spec.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let source = SourceId(out.sources.len() as u16);
        out.sources.push(SourceInfo {
            name,
            priority: spec.priority,
            default_country: spec.default_country.clone(),
        });
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| Error::input(path, e.to_string()))?
            .clone();
        let targets: Vec<Target> = headers
            .iter()
            .map(|h| match mapping::auto(h) {
                Some(f) => Target::Known(f),
                None => {
                    let i = out.custom_fields.len() as u16;
                    out.custom_fields.push(h.to_string());
                    Target::Custom(i)
                }
            })
            .collect();
        for (i, row) in rdr.records().enumerate() {
            let locator = Locator {
                file,
                sheet: None,
                row: i as u32 + 1,
                line: 0,
            };
            match row {
                Ok(row) if row.len() == headers.len() => {
                    let values = row
                        .iter()
                        .zip(&targets)
                        .filter(|(v, _)| !v.trim().is_empty())
                        .map(|(v, t)| (*t, v.trim().into()))
                        .collect();
                    out.records.push(Record {
                        source,
                        locator,
                        values,
                    });
                }
                Ok(_) => out.rejects.push(Reject {
                    locator,
                    source: Some(source),
                    reason: "wrong number of fields".into(),
                }),
                Err(e) => out.rejects.push(Reject {
                    locator,
                    source: Some(source),
                    reason: e.to_string(),
                }),
            }
        }
        report.finish();
    }
    Ok(out)
}
