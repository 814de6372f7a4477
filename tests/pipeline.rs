//! The whole pipeline on the demo fixtures: the master list a person would check.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::{fixture, Workdir};

/// The seven demo sources declared in fixtures/demo/rules.toml.
const DEMO: [&str; 7] = [
    "crm.csv",
    "outlook.csv",
    "signups.csv",
    "tradeshow.csv",
    "events.xlsx",
    "phone-export.vcf",
    "tradeshow-cards.txt",
];

/// Data rows of the one sheet of events.xlsx, counted by hand: `make.py` (`events`) writes a
/// title row (sheet row 1), a blank row, the header (row 3) and 7 people (rows 4-10); the
/// sheet XML holds rows 1 and 3-10. No CSV reader can count a workbook, so this is pinned.
const EVENTS_XLSX_ROWS: usize = 7;

fn demo_run(wd: &Workdir, extra: &[&str]) {
    let rules = fixture("demo/rules.toml");
    let mut cmd = wd.command(&["run", "-q", "--out", "out"]);
    cmd.arg("--rules").arg(&rules);
    for a in extra {
        cmd.arg(a);
    }
    cmd.assert_success();
}

/// master id of the record at `file` (name only) and 1-based `row`.
fn master_of(xref: &[BTreeMap<String, String>], file: &str, row: u32) -> String {
    xref.iter()
        .find(|r| r["file"].ends_with(file) && r["row"] == row.to_string())
        .unwrap_or_else(|| panic!("{file}:{row} not in xref.csv"))["master_id"]
        .clone()
}

/// Data rows (records, cards) of a demo file, counted independently of listmerge: CSV files
/// by a CSV reader, the vCard file by its `BEGIN:VCARD` lines, the cards file by its blocks
/// (runs of lines between blank lines and `---` lines), the workbook by hand.
fn data_rows(file: &str) -> usize {
    if file.ends_with(".xlsx") {
        return EVENTS_XLSX_ROWS;
    }
    let bytes = std::fs::read(fixture(&format!("demo/{file}"))).expect("read fixture");
    if file.ends_with(".vcf") {
        let text = String::from_utf8_lossy(&bytes);
        return text
            .lines()
            .filter(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
            .count();
    }
    if file.ends_with(".txt") {
        let text = String::from_utf8_lossy(&bytes);
        let mut blocks = 0;
        let mut in_block = false;
        for l in text.lines() {
            let l = l.trim();
            let separator = l.is_empty() || (l.len() >= 3 && l.chars().all(|c| c == '-'));
            if !separator && !in_block {
                blocks += 1;
            }
            in_block = !separator;
        }
        return blocks;
    }
    let delim = if file == "outlook.csv" { b';' } else { b',' };
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(&bytes[..])
        .byte_records()
        .count()
}

#[test]
fn every_row_is_in_xref_or_rejects_exactly_once() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    let mut seen: BTreeMap<(String, String), u32> = BTreeMap::new();
    for r in wd
        .csv("out/xref.csv")
        .iter()
        .chain(wd.csv("out/rejects.csv").iter())
    {
        let file = r["file"].rsplit('/').next().unwrap_or("").to_string();
        *seen.entry((file, r["row"].clone())).or_default() += 1;
    }
    let expected: usize = DEMO.iter().map(|f| data_rows(f)).sum();
    assert_eq!(seen.len(), expected, "{seen:?}");
    assert!(seen.values().all(|&n| n == 1), "{seen:?}");
}

#[test]
fn demo_master_list_is_what_a_person_expects() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    let xref = wd.csv("out/xref.csv");
    // Robert Hartmann: CRM, Outlook (Dr.) and the sign-up list as "bob".
    let robert = master_of(&xref, "crm.csv", 1);
    assert_eq!(master_of(&xref, "outlook.csv", 1), robert);
    assert_eq!(master_of(&xref, "signups.csv", 1), robert);
    // Jürgen Müller in the CRM and "MULLER, JURGEN" on the bought list.
    assert_eq!(
        master_of(&xref, "tradeshow.csv", 1),
        master_of(&xref, "crm.csv", 2)
    );
    // Claire Moreau and Julien Garnier share info@ and the switchboard: two people.
    assert_ne!(
        master_of(&xref, "tradeshow.csv", 4),
        master_of(&xref, "tradeshow.csv", 5)
    );
    // Hans and Greta Becker share a surname, a street and a landline: two people.
    let masters = wd.csv("out/master.csv");
    let beckers: BTreeSet<&str> = masters
        .iter()
        .filter(|m| m["family_name"] == "Becker")
        .map(|m| m["given_name"].as_str())
        .collect();
    assert!(
        beckers.contains("Hans") && beckers.contains("Greta"),
        "{beckers:?}"
    );

    // The master of Robert Hartmann takes the CRM's values and says so.
    let m = masters
        .iter()
        .find(|m| m["master_id"] == robert)
        .expect("master");
    assert_eq!(m["given_name"], "Robert");
    assert_eq!(m["email"], "robert.hartmann@hartmann-maschinenbau.example");
    assert!(m["sources"].contains("crm") && m["sources"].contains("signups"));
    let prov = wd.csv("out/provenance.csv");
    let email = prov
        .iter()
        .find(|p| p["master_id"] == robert && p["field"] == "email" && p["value"] == m["email"])
        .expect("provenance of the e-mail");
    assert!(email["file"].ends_with("crm.csv"), "{email:?}");
    assert_eq!(email["row"], "1");
}

#[test]
fn card_vcard_and_crm_make_one_master() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    let xref = wd.csv("out/xref.csv");
    // Margaret O'Brien: crm.csv row 3, "Maggie" in phone-export.vcf (card 3, private
    // e-mail) and the first card of tradeshow-cards.txt (OCR slips in e-mail and mobile).
    let places = [
        ("crm.csv", 3),
        ("phone-export.vcf", 3),
        ("tradeshow-cards.txt", 1),
    ];
    let masters: BTreeSet<String> = places
        .iter()
        .map(|&(f, row)| master_of(&xref, f, row))
        .collect();
    assert_eq!(masters.len(), 1, "{places:?} -> {masters:?}");
    let margaret = masters.into_iter().next().expect("one master");

    // The card's xref line names the card's first line in the file.
    let cards = std::fs::read_to_string(fixture("demo/tradeshow-cards.txt")).expect("read");
    let first_line = cards
        .lines()
        .position(|l| l.trim() == "Margaret O'Brien")
        .expect("card 1 in the file")
        + 1;
    let card = xref
        .iter()
        .find(|r| r["file"].ends_with("tradeshow-cards.txt") && r["row"] == "1")
        .expect("card 1 in xref.csv");
    assert_eq!(card["line"], first_line.to_string(), "{card:?}");

    // Her master's values name the card, the vCard and the CRM row they came from.
    let prov = wd.csv("out/provenance.csv");
    for (file, row) in places {
        assert!(
            prov.iter().any(|p| p["master_id"] == margaret
                && p["file"].ends_with(file)
                && p["row"] == row.to_string()),
            "no provenance row of {margaret} names {file} row {row}"
        );
    }
}

#[test]
fn mailing_list_leaves_out_unsubscribes_and_bounces() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    let mailing = wd.csv("out/mailing.csv");
    let emails: Vec<&str> = mailing.iter().map(|r| r["email"].as_str()).collect();
    let unique: BTreeSet<&&str> = emails.iter().collect();
    assert_eq!(unique.len(), emails.len(), "one row per address");
    // Read the sign-up file's statuses independently.
    let text = std::fs::read_to_string(fixture("demo/signups.csv")).expect("read");
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut checked = 0;
    for r in rdr.records() {
        let r = r.expect("row");
        let (email, status) = (r[0].to_lowercase(), &r[6]);
        if status == "unsubscribed" || status == "cleaned" {
            assert!(
                !emails.contains(&email.as_str()),
                "{email} ({status}) is in mailing.csv"
            );
            checked += 1;
        }
    }
    assert!(checked >= 3);
    assert!(!mailing.is_empty());
}

#[test]
fn formulas_are_neutralised_in_every_csv() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    for f in [
        "master.csv",
        "provenance.csv",
        "xref.csv",
        "review.csv",
        "rejects.csv",
        "mailing.csv",
    ] {
        for r in wd.csv(&format!("out/{f}")) {
            for v in r.values() {
                assert!(
                    !v.starts_with('=') && !v.starts_with('@'),
                    "{f} has a live formula cell: {v}"
                );
            }
        }
    }
    let prov = wd.read("out/provenance.csv");
    assert!(
        prov.contains("'=HYPERLINK"),
        "the formula company is kept, neutralised"
    );
}

#[test]
fn summary_and_eval() {
    let wd = Workdir::new();
    demo_run(&wd, &[]);
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("out/summary.json")).expect("summary.json");
    // 62 CSV rows + 7 workbook rows + 5 vCards + 7 cards = 81 rows: 79 records and 2
    // rejects (tradeshow.csv row 13, the ragged row; tradeshow-cards.txt card 7, no name,
    // e-mail or phone).
    assert_eq!(summary["rejects"], 2);
    assert_eq!(summary["records"].as_u64(), Some(79));
    // Every stage says how long it took by the clock and on the processors, and the
    // totals add up.
    let stages = summary["stages"].as_array().expect("stages");
    let names: Vec<&str> = stages.iter().filter_map(|s| s["stage"].as_str()).collect();
    assert_eq!(names.first(), Some(&"import"));
    assert_eq!(names.last(), Some(&"write"));
    let total = |field: &str| -> f64 {
        stages
            .iter()
            .map(|s| s[field].as_f64().expect("a number"))
            .inspect(|v| assert!(*v >= 0.0, "{field} is negative in {stages:?}"))
            .sum()
    };
    assert!((total("seconds") - summary["seconds"].as_f64().unwrap()).abs() < 1e-6);
    let cpu = summary["cpu_seconds"].as_f64().expect("cpu_seconds");
    assert!((total("cpu_seconds") - cpu).abs() < 1e-6);
    if cfg!(unix) {
        assert!(cpu > 0.0, "a run on Unix measures its CPU time");
    }
    let o = wd
        .command(&["eval", "--json", "--truth"])
        .arg(fixture("demo/truth.csv"))
        .arg("out")
        .assert_success();
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).expect("eval json");
    assert_eq!(e["records"], 79);
    assert_eq!(
        e["missing"], 1,
        "the rejected row (the rejected card has no truth line)"
    );
    assert_eq!(e["unlabelled"], 0, "truth.csv lists every record");
    assert_eq!(
        e["entities"], 41,
        "42 people minus Oliver Bennett (rejected)"
    );
    let f1 = e["cluster"]["f1"].as_f64().expect("f1");
    assert!(f1 > 0.8, "demo F1 fell to {f1}");
}

/// `write-matches = true`: matches.csv lists every pair at or above the match
/// threshold, as many as the summary counts, each pair's records in one master. (A
/// run frees the other pairs before writing; this is the case that must keep them.)
#[test]
fn matches_csv_lists_the_merged_pairs() {
    let wd = Workdir::new();
    let demo = fixture("demo");
    let text = std::fs::read_to_string(demo.join("rules.toml")).expect("demo rules");
    let text = text.replace("path = \"", &format!("path = \"{}/", demo.display()));
    let rules = wd.create(
        "rules.toml",
        format!("[output]\nwrite-matches = true\n\n{text}"),
    );
    let mut cmd = wd.command(&["run", "-q", "--out", "out", "--rules"]);
    cmd.arg(&rules).assert_success();
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("out/summary.json")).expect("summary.json");
    let matches = wd.csv("out/matches.csv");
    assert!(!matches.is_empty(), "the demo has duplicates");
    assert_eq!(
        summary["matched_pairs"].as_u64(),
        Some(matches.len() as u64)
    );
    let master: BTreeMap<String, String> = wd
        .csv("out/xref.csv")
        .into_iter()
        .map(|r| (r["stable_key"].clone(), r["master_id"].clone()))
        .collect();
    for m in &matches {
        let p: f64 = m["probability"].parse().expect("a probability");
        assert!(p >= 0.5, "{m:?} is below the demo's match threshold");
        assert_eq!(
            master.get(&m["record_a"]),
            master.get(&m["record_b"]),
            "{m:?} was merged but its records are in different masters"
        );
        assert!(master.contains_key(&m["record_a"]), "{m:?} names no record");
    }
}

#[test]
fn same_clusters_and_ids_whatever_order_and_threads() {
    let a = Workdir::new();
    let b = Workdir::new();
    let files: Vec<String> = DEMO
        .iter()
        .map(|f| fixture(&format!("demo/{f}")).display().to_string())
        .collect();
    let mut cmd = a.command(&["run", "-q", "--threads", "1", "--out", "out"]);
    for f in &files {
        cmd.arg(f);
    }
    cmd.assert_success();
    let mut cmd = b.command(&["run", "-q", "--threads", "2", "--out", "out"]);
    for f in files.iter().rev() {
        cmd.arg(f);
    }
    cmd.assert_success();
    let map = |wd: &Workdir| -> BTreeMap<String, String> {
        wd.csv("out/xref.csv")
            .into_iter()
            .map(|r| (r["stable_key"].clone(), r["master_id"].clone()))
            .collect()
    };
    assert_eq!(map(&a), map(&b));
}

/// Generated contacts, read once in file order on one thread and once with the rows
/// reversed on two: every record must land in the same master, under the same id,
/// with the same values.
#[test]
fn generated_data_gives_the_same_masters_whatever_row_order_and_threads() {
    let wd = Workdir::new();
    wd.command(&[
        "generate",
        "--records",
        "5000",
        "--seed",
        "7",
        "--out",
        "gen",
    ])
    .assert_success();
    let mut rdr = csv::Reader::from_path(wd.path().join("gen/records.csv")).expect("records");
    let header = rdr.byte_headers().expect("header").clone();
    let mut rows: Vec<csv::ByteRecord> = rdr.byte_records().map(|r| r.expect("row")).collect();
    rows.reverse();
    let mut w = csv::Writer::from_path(wd.path().join("reversed.csv")).expect("reversed");
    w.write_byte_record(&header).expect("write");
    for r in &rows {
        w.write_byte_record(r).expect("write");
    }
    w.flush().expect("flush");

    let gen = wd.path().join("gen/records.csv").display().to_string();
    wd.command(&["run", "-q", "--threads", "1", "--out", "a", &gen])
        .assert_success();
    wd.command(&["run", "-q", "--threads", "2", "--out", "b", "reversed.csv"])
        .assert_success();

    let xref = |dir: &str| -> BTreeMap<String, String> {
        wd.csv(&format!("{dir}/xref.csv"))
            .into_iter()
            .map(|r| (r["stable_key"].clone(), r["master_id"].clone()))
            .collect()
    };
    let (xa, xb) = (xref("a"), xref("b"));
    assert_eq!(xa.len(), 5000);
    let moved: Vec<&String> = xa.keys().filter(|k| xa.get(*k) != xb.get(*k)).collect();
    assert!(moved.is_empty(), "records in another master: {moved:?}");
    let merged = xa.values().collect::<std::collections::BTreeSet<_>>().len();
    assert!(
        merged < 4000,
        "the generated duplicates were merged ({merged} masters)"
    );

    let masters = |dir: &str| -> BTreeMap<String, BTreeMap<String, String>> {
        wd.csv(&format!("{dir}/master.csv"))
            .into_iter()
            .map(|r| (r["master_id"].clone(), r))
            .collect()
    };
    let header = wd.read("a/master.csv");
    let header: Vec<&str> = header.lines().next().unwrap_or("").split(',').collect();
    let mut names = header.clone();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), header.len(), "a column name twice: {header:?}");
    let (ma, mb) = (masters("a"), masters("b"));
    let with_street = ma.values().filter(|m| !m["street"].is_empty()).count();
    assert!(
        with_street > ma.len() / 2,
        "{with_street} masters with a street"
    );
    let differ: Vec<&String> = ma.keys().filter(|k| ma.get(*k) != mb.get(*k)).collect();
    assert!(differ.is_empty(), "masters with other values: {differ:?}");

    // Contacts parked on disk through the matching stages come back whole: the same
    // outputs, byte for byte, and no temporary file left behind.
    let rules = wd.create("spill.toml", "[output]\nspill-contacts-above = 0\n");
    wd.command(&["run", "-q", "--threads", "1", "--out", "c", &gen])
        .arg("--rules")
        .arg(&rules)
        .assert_success();
    for file in [
        "xref.csv",
        "master.csv",
        "provenance.csv",
        "mailing.csv",
        "review.csv",
    ] {
        assert!(
            wd.read(&format!("a/{file}")) == wd.read(&format!("c/{file}")),
            "{file} differs after parking the contacts"
        );
    }
    let files = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(wd.path().join(dir))
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(files("c"), files("a"), "files in the output folder");
}

#[test]
fn corpus_csv_files_all_run() {
    let wd = Workdir::new();
    let mut cmd = wd.command(&["run", "-q", "--out", "out"]);
    let mut n = 0;
    for dir in std::fs::read_dir(fixture("import/corpus")).expect("corpus") {
        for f in std::fs::read_dir(dir.expect("dir").path()).expect("dir") {
            let p = f.expect("file").path();
            if p.extension().is_some_and(|e| e == "csv") {
                cmd.arg(p);
                n += 1;
            }
        }
    }
    assert!(n >= 30);
    cmd.assert_success();
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("out/summary.json")).expect("summary.json");
    assert!(summary["records"].as_u64().unwrap_or(0) > 1000);
}

/// A file without an id column, with the same row three times: each copy keeps a key
/// of its own, numbered in file order, and the keys stay put when the file is re-run.
#[test]
fn identical_rows_get_numbered_stable_keys() {
    let wd = Workdir::new();
    let row = "Ada,Lovelace,ada@analytical.example\n";
    wd.create(
        "list.csv",
        format!("first_name,last_name,email\n{row}Charles,Babbage,cb@engine.example\n{row}{row}"),
    );
    wd.command(&["run", "-q", "--out", "out", "list.csv"])
        .assert_success();
    let keys: Vec<(String, String)> = wd
        .csv("out/xref.csv")
        .into_iter()
        .map(|r| (r["row"].clone(), r["stable_key"].clone()))
        .collect();
    let ada = &keys[0].1;
    assert!(ada.starts_with("list:#"), "{keys:?}");
    assert_eq!(keys[2].1, format!("{ada}~2"), "{keys:?}");
    assert_eq!(keys[3].1, format!("{ada}~3"), "{keys:?}");
    assert!(!keys[1].1.contains('~'), "{keys:?}");
    let distinct: std::collections::BTreeSet<&String> = keys.iter().map(|k| &k.1).collect();
    assert_eq!(distinct.len(), 4);
}
