//! `listmerge explain`: the numbers it prints are the ones the run used.

use crate::util::{fixture, wide_rules, Workdir};

fn explain_json(wd: &Workdir, a: &str, b: &str) -> serde_json::Value {
    let rules = wide_rules(wd);
    let o = wd
        .command(&["explain", "--json", "--rules"])
        .arg(rules)
        .arg(a)
        .arg(b)
        .assert_success();
    serde_json::from_slice(&o.stdout).expect("explain --json prints JSON")
}

#[test]
fn review_pairs_explain_to_their_review_csv_numbers() {
    let wd = Workdir::new();
    let rules = wide_rules(&wd);
    wd.command(&["run", "-q", "--out", "out", "--rules"])
        .arg(&rules)
        .assert_success();
    let review = wd.csv("out/review.csv");
    assert!(!review.is_empty(), "the demo has pairs to review");
    for row in &review {
        let e = explain_json(&wd, &row["record_a"], &row["record_b"]);
        let what = format!("{} {}", row["record_a"], row["record_b"]);
        let probability = e["probability"].as_f64().expect("probability");
        let weight = e["weight"].as_f64().expect("weight");
        assert_eq!(format!("{probability:.4}"), row["probability"], "{what}");
        assert_eq!(format!("{weight:.2}"), row["weight"], "{what}");
        assert_eq!(e["in_review"], true, "{what}");
        // A cluster's weakest link is reviewed too; its two records share a master.
        assert_eq!(
            e["same_master"],
            row["master_a"] == row["master_b"],
            "{what}"
        );
        assert_eq!(e["a"]["master"].as_str(), Some(row["master_a"].as_str()));
        assert_eq!(e["b"]["master"].as_str(), Some(row["master_b"].as_str()));
        for f in e["fields"].as_array().expect("fields") {
            let name = f["field"].as_str().expect("field name");
            assert_eq!(
                f["label"].as_str(),
                Some(row[&format!("{name}_level")].as_str())
            );
            let w = f["weight"].as_f64().expect("field weight");
            assert_eq!(
                format!("{w:.2}"),
                row[&format!("{name}_weight")],
                "{what} {name}"
            );
        }
    }
}

#[test]
fn hartmann_crm_and_outlook_are_one_master() {
    let wd = Workdir::new();
    let o = wd
        .command(&["explain", "--rules"])
        .arg(fixture("demo/rules.toml"))
        .arg("crm.csv:1")
        .arg("outlook.csv:1")
        .assert_success();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("same master"), "{out}");
    assert!(out.contains("Hartmann"), "{out}");
    assert!(out.contains("same e-mail"), "{out}");
    assert!(out.contains("came from the email block"), "{out}");

    let e = explain_json(&wd, "crm:10451", "outlook:1");
    assert_eq!(e["same_master"], true);
    assert_eq!(e["above_match"], true);
    assert_eq!(e["hypothetical"], false);
    assert_eq!(e["blocking"]["emitted_by"], "email");
    assert_eq!(e["a"]["named_by"], "stable-key");
    assert_eq!(e["b"]["named_by"], "source-row");
}

#[test]
fn a_pair_never_compared_is_marked_hypothetical() {
    let wd = Workdir::new();
    // Robert Hartmann and Javier Ortega share nothing.
    let e = explain_json(&wd, "crm:10451", "tradeshow:16");
    assert_eq!(e["blocking"]["candidate"], false);
    assert_eq!(e["blocking"]["shared"], serde_json::json!([]));
    assert_eq!(e["hypothetical"], true);
    assert_eq!(e["same_master"], false);
}

#[test]
fn unknown_record_is_exit_2_and_points_to_xref() {
    let wd = Workdir::new();
    let o = wd
        .command(&["explain", "--rules"])
        .arg(fixture("demo/rules.toml"))
        .arg("crm:99999")
        .arg("outlook:1")
        .assert_exit_code(2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("listmerge: "), "{err}");
    assert!(err.contains("crm:99999"), "{err}");
    assert!(err.contains("stable_key"), "{err}");
    assert!(err.contains("xref.csv"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn help_documents_record_names_and_exit_codes() {
    let wd = Workdir::new();
    let o = wd.command(&["explain", "--help"]).assert_success();
    let out = String::from_utf8_lossy(&o.stdout);
    for s in [
        "RECORD_A",
        "RECORD_B",
        "stable_key",
        "source:row",
        "file:row",
        "hypothetical",
        "2 ",
    ] {
        assert!(out.contains(s), "{s}\n{out}");
    }
}
