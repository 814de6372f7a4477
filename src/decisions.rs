//! Reviewers' decisions: `decisions.csv` (exported by `review.html`) read back into
//! must-links and cannot-links for the next run.
//!
//! Decisions name records by their stable record key (`source:record-key`, or
//! `source:#fingerprint` of the normalised content), never by row number, so they
//! survive re-exported and re-sorted files. A decision naming a record that is no
//! longer there is counted and reported, not fatal. `unsure` is not a decision: the
//! pair stays in review.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// What a reviewer said about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The same person: must-link.
    Same,
    /// Different people: cannot-link.
    Different,
    /// Not sure: no effect.
    Unsure,
}

/// One decision as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Stable key of one record.
    pub a: String,
    /// Stable key of the other.
    pub b: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// Decisions resolved against this run's records.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Pairs (record ids) that must end in one master.
    pub must: Vec<(u32, u32)>,
    /// Pairs that must not.
    pub cannot: Vec<(u32, u32)>,
    /// Decisions naming a record this run does not have.
    pub missing: usize,
    /// `unsure` decisions.
    pub unsure: usize,
}

fn bad(path: &Path, line: u64, message: String) -> Error {
    Error::Rules {
        path: path.to_path_buf(),
        line: line as usize,
        column: 0,
        message,
    }
}

/// Reads a decisions file: a CSV with the columns `record_a`, `record_b` and
/// `decision` (`same`, `different` or `unsure`); other columns are ignored.
pub fn read(path: &Path) -> Result<Vec<Decision>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| {
            bad(
                path,
                0,
                format!("cannot read the decisions file ({e}); check the path"),
            )
        })?;
    let headers = rdr
        .headers()
        .map_err(|e| bad(path, 1, format!("cannot read the header ({e})")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                bad(
                    path,
                    1,
                    format!(
                        "no `{name}` column; a decisions file has the columns record_a, record_b, \
                         decision (export it from review.html)"
                    ),
                )
            })
    };
    let (ca, cb, cd) = (col("record_a")?, col("record_b")?, col("decision")?);
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(path, line, format!("cannot read this row ({e})"))
        })?;
        let line = row.position().map_or(0, |p| p.line());
        // review.html and review.csv neutralise formula-like cells with a leading quote.
        let key = |i: usize| {
            let v = row.get(i).unwrap_or("").trim();
            v.strip_prefix('\'').unwrap_or(v).to_string()
        };
        let (a, b) = (key(ca), key(cb));
        if a.is_empty() && b.is_empty() {
            continue;
        }
        let verdict = match row
            .get(cd)
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "same" | "same person" | "match" | "yes" => Verdict::Same,
            "different" | "different people" | "no-match" | "no" => Verdict::Different,
            "unsure" | "not sure" | "" => Verdict::Unsure,
            other => {
                return Err(bad(
                    path,
                    line,
                    format!("unknown decision \"{other}\"; use same, different or unsure"),
                ))
            }
        };
        if a.is_empty() || b.is_empty() {
            return Err(bad(
                path,
                line,
                "a decision needs both record_a and record_b".into(),
            ));
        }
        out.push(Decision { a, b, verdict });
    }
    Ok(out)
}

/// Resolves decisions against the run's stable record keys. A later decision on the
/// same pair replaces an earlier one.
pub fn resolve(decisions: &[Decision], record_keys: &[String]) -> Resolved {
    let index: FxHashMap<&str, u32> = record_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let mut last: FxHashMap<(u32, u32), Verdict> = FxHashMap::default();
    let mut out = Resolved::default();
    for d in decisions {
        match (index.get(d.a.as_str()), index.get(d.b.as_str())) {
            (Some(&a), Some(&b)) if a != b => {
                last.insert((a.min(b), a.max(b)), d.verdict);
            }
            (Some(_), Some(_)) => {}
            _ => out.missing += 1,
        }
    }
    let mut pairs: Vec<((u32, u32), Verdict)> = last.into_iter().collect();
    pairs.sort_unstable_by_key(|(p, _)| *p);
    for (p, v) in pairs {
        match v {
            Verdict::Same => out.must.push(p),
            Verdict::Different => out.cannot.push(p),
            Verdict::Unsure => out.unsure += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_resolves() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("decisions.csv");
        std::fs::write(
            &p,
            "record_a,record_b,decision,where_a,where_b\n\
             crm:1,'=web:#abc,same,a,b\ncrm:2,crm:3,different,,\ncrm:4,gone:9,same,,\ncrm:1,crm:2,unsure,,\n",
        )
        .expect("write");
        let d = read(&p).expect("read");
        assert_eq!(d.len(), 4);
        assert_eq!(d[0].b, "=web:#abc");
        let keys: Vec<String> = ["crm:1", "crm:2", "crm:3", "crm:4", "=web:#abc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = resolve(&d, &keys);
        assert_eq!(r.must, vec![(0, 4)]);
        assert_eq!(r.cannot, vec![(1, 2)]);
        assert_eq!(r.missing, 1);
        assert_eq!(r.unsure, 1);
    }

    #[test]
    fn bad_files_name_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("d.csv");
        std::fs::write(&p, "record_a,record_b,decision\na,b,maybe\n").expect("write");
        let e = read(&p).expect_err("bad verdict").to_string();
        assert!(e.contains("d.csv:2:"), "{e}");
        std::fs::write(&p, "a,b\n").expect("write");
        let e = read(&p).expect_err("bad header").to_string();
        assert!(e.contains("record_a"), "{e}");
    }
}
