//! `listmerge eval`: precision, recall and F1 of a run's output against a labelled
//! truth file.
//!
//! The truth file names each record's true entity, either by the record's own key
//! (`record_id,entity_id`, as in the benchmark sets) or by where it is
//! (`file,row,entity_id`, file name without folders). Cluster-level numbers come from
//! the contingency table of (master, entity): predicted pairs are pairs of records in
//! one master, true pairs are pairs of records of one entity; no pair is listed.
//! Pairwise numbers, over the merged pairs in `matches.csv`, appear when the run
//! wrote that file (`write-matches = true`).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Precision, recall and F1 of one kind.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Scores {
    /// Predicted pairs that are true pairs / predicted pairs.
    pub precision: f64,
    /// True pairs predicted / true pairs.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
    /// True pairs predicted.
    pub true_positives: u64,
    /// Pairs predicted.
    pub predicted: u64,
    /// True pairs.
    pub actual: u64,
}

impl Scores {
    fn new(tp: u64, predicted: u64, actual: u64) -> Scores {
        let precision = if predicted == 0 {
            1.0
        } else {
            tp as f64 / predicted as f64
        };
        let recall = if actual == 0 {
            1.0
        } else {
            tp as f64 / actual as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
            true_positives: tp,
            predicted,
            actual,
        }
    }
}

/// The evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Records in both the output and the truth.
    pub records: usize,
    /// Truth records not found in the output (rejected or not read).
    pub missing: usize,
    /// Output records without a truth entry.
    pub unlabelled: usize,
    /// Masters among the evaluated records.
    pub masters: usize,
    /// Entities among the evaluated records.
    pub entities: usize,
    /// Cluster-level scores.
    pub cluster: Scores,
    /// Pairwise scores over matches.csv, when present.
    pub pairwise: Option<Scores>,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| {
            Error::input(
                path,
                format!("cannot read ({e}); run `listmerge run` first or check the path"),
            )
        })
}

fn column(headers: &csv::StringRecord, name: &str, path: &Path) -> Result<usize> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        Error::input(
            path,
            format!("has no `{name}` column; is this the right file?"),
        )
    })
}

fn base(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Evaluates the output folder `out` against `truth`.
pub fn evaluate(out: &Path, truth: &Path) -> Result<Evaluation> {
    let tpath = truth;
    let mut t = open(tpath)?;
    let th = t
        .headers()
        .map_err(|e| Error::input(tpath, e.to_string()))?
        .clone();
    let entity_col = column(&th, "entity_id", tpath)?;
    let by_key = th.iter().any(|h| h == "record_id");
    let key_cols: Vec<usize> = if by_key {
        vec![column(&th, "record_id", tpath)?]
    } else {
        vec![column(&th, "file", tpath)?, column(&th, "row", tpath)?]
    };
    let mut entity_of: HashMap<String, u32> = HashMap::new();
    let mut entity_ids: HashMap<String, u32> = HashMap::new();
    for (i, r) in t.records().enumerate() {
        let r = r.map_err(|e| Error::input(tpath, format!("row {}: {e}", i + 1)))?;
        let key = if by_key {
            r.get(key_cols[0]).unwrap_or("").to_string()
        } else {
            format!(
                "{}:{}",
                base(r.get(key_cols[0]).unwrap_or("")),
                r.get(key_cols[1]).unwrap_or("")
            )
        };
        let n = entity_ids.len() as u32;
        let e = *entity_ids
            .entry(r.get(entity_col).unwrap_or("").to_string())
            .or_insert(n);
        entity_of.insert(key, e);
    }

    let xpath = out.join("xref.csv");
    let mut x = open(&xpath)?;
    let xh = x
        .headers()
        .map_err(|e| Error::input(&xpath, e.to_string()))?
        .clone();
    let (c_key, c_file, c_row, c_master, c_stable) = (
        column(&xh, "record_key", &xpath)?,
        column(&xh, "file", &xpath)?,
        column(&xh, "row", &xpath)?,
        column(&xh, "master_id", &xpath)?,
        column(&xh, "stable_key", &xpath)?,
    );
    let mut masters: HashMap<String, u32> = HashMap::new();
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut master_n: HashMap<u32, u64> = HashMap::new();
    let mut entity_n: HashMap<u32, u64> = HashMap::new();
    let mut stable_entity: HashMap<String, u32> = HashMap::new();
    let (mut records, mut unlabelled) = (0, 0);
    let mut found = std::collections::HashSet::new();
    for (i, r) in x.records().enumerate() {
        let r = r.map_err(|e| Error::input(&xpath, format!("row {}: {e}", i + 1)))?;
        let key = if by_key {
            r.get(c_key).unwrap_or("").to_string()
        } else {
            format!(
                "{}:{}",
                base(r.get(c_file).unwrap_or("")),
                r.get(c_row).unwrap_or("")
            )
        };
        let Some(&e) = entity_of.get(&key) else {
            unlabelled += 1;
            continue;
        };
        found.insert(key);
        records += 1;
        let n = masters.len() as u32;
        let m = *masters
            .entry(r.get(c_master).unwrap_or("").to_string())
            .or_insert(n);
        *cells.entry((m, e)).or_default() += 1;
        *master_n.entry(m).or_default() += 1;
        *entity_n.entry(e).or_default() += 1;
        stable_entity.insert(r.get(c_stable).unwrap_or("").to_string(), e);
    }
    let tp: u64 = cells.values().map(|&n| pairs(n)).sum();
    let predicted: u64 = master_n.values().map(|&n| pairs(n)).sum();
    let actual: u64 = entity_n.values().map(|&n| pairs(n)).sum();

    let mpath = out.join("matches.csv");
    let pairwise = if mpath.exists() {
        let mut m = open(&mpath)?;
        let (mut ptp, mut pn) = (0u64, 0u64);
        for r in m.records() {
            let r = r.map_err(|e| Error::input(&mpath, e.to_string()))?;
            let (a, b) = (r.get(0).unwrap_or(""), r.get(1).unwrap_or(""));
            if let (Some(ea), Some(eb)) = (stable_entity.get(a), stable_entity.get(b)) {
                pn += 1;
                if ea == eb {
                    ptp += 1;
                }
            }
        }
        Some(Scores::new(ptp, pn, actual))
    } else {
        None
    };

    Ok(Evaluation {
        records,
        missing: entity_of.len() - found.len(),
        unlabelled,
        masters: master_n.len(),
        entities: entity_n.len(),
        cluster: Scores::new(tp, predicted, actual),
        pairwise,
    })
}

/// The evaluation for people.
pub fn describe(e: &Evaluation) -> String {
    let mut s = format!(
        "records evaluated: {} (missing from output: {}, without truth: {})\n\
         masters: {}   true entities: {}\n\
         cluster-level   precision {:.4}   recall {:.4}   F1 {:.4}   (pairs: {} predicted, {} true, {} correct)\n",
        e.records,
        e.missing,
        e.unlabelled,
        e.masters,
        e.entities,
        e.cluster.precision,
        e.cluster.recall,
        e.cluster.f1,
        e.cluster.predicted,
        e.cluster.actual,
        e.cluster.true_positives
    );
    match &e.pairwise {
        Some(p) => s.push_str(&format!(
            "pairwise        precision {:.4}   recall {:.4}   F1 {:.4}   (merged pairs: {})\n",
            p.precision, p.recall, p.f1, p.predicted
        )),
        None => {
            s.push_str("pairwise        (run with write-matches = true in [output] to get these)\n")
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_from_counts() {
        let s = Scores::new(8, 10, 16);
        assert!((s.precision - 0.8).abs() < 1e-12);
        assert!((s.recall - 0.5).abs() < 1e-12);
        assert!((s.f1 - 2.0 * 0.8 * 0.5 / 1.3).abs() < 1e-12);
        assert_eq!(Scores::new(0, 0, 0).f1, 1.0);
    }

    #[test]
    fn contingency_from_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("xref.csv"),
            "file,sheet,row,line,source,record_key,stable_key,master_id,match_weight,match_probability\n\
             a.csv,,1,2,s,1,s:1,M1,,\na.csv,,2,3,s,2,s:2,M1,,\na.csv,,3,4,s,3,s:3,M1,,\na.csv,,4,5,s,4,s:4,M2,,\n",
        )
        .expect("write");
        let truth = dir.path().join("truth.csv");
        std::fs::write(
            &truth,
            "record_id,entity_id\n1,E1\n2,E1\n3,E2\n4,E2\n5,E3\n",
        )
        .expect("write");
        let e = evaluate(dir.path(), &truth).expect("eval");
        // predicted pairs: (1,2) (1,3) (2,3); true: (1,2) (3,4); correct: (1,2)
        assert_eq!(e.cluster.predicted, 3);
        assert_eq!(e.cluster.actual, 2);
        assert_eq!(e.cluster.true_positives, 1);
        assert_eq!(e.missing, 1);
    }
}
