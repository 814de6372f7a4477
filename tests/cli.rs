//! Exit codes and error messages.

use crate::util::Workdir;

#[test]
fn missing_input_is_exit_3_and_names_the_file() {
    let wd = Workdir::new();
    let o = wd
        .command(&["run", "--out", "out", "nope.csv"])
        .assert_exit_code(3);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nope.csv"), "{err}");
    assert!(!wd.path().join("out/master.csv").exists());
}

#[test]
fn no_inputs_is_usage_error() {
    let wd = Workdir::new();
    wd.command(&["run"]).assert_exit_code(2);
}

#[test]
fn unknown_flag_is_usage_error() {
    let wd = Workdir::new();
    wd.command(&["run", "--frobnicate", "x.csv"])
        .assert_exit_code(2);
}

#[test]
fn bad_rules_name_file_line_and_fix() {
    let wd = Workdir::new();
    wd.create("a.csv", "name,email\nJane Doe,jane@example.com\n");
    wd.create(
        "rules.toml",
        "[matching]\nmatch-threshold = 0.9\nreview-threshold = 0.95\n",
    );
    let o = wd
        .command(&["run", "--rules", "rules.toml", "a.csv"])
        .assert_exit_code(2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("listmerge: rules.toml:3:"), "{err}");
    assert!(err.contains("must be below match-threshold"), "{err}");

    wd.create("typo.toml", "[matching]\nmatch-treshold = 0.9\n");
    let o = wd
        .command(&["run", "--rules", "typo.toml", "a.csv"])
        .assert_exit_code(2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("listmerge: typo.toml:2:"), "{err}");
}

#[test]
fn unwritable_output_is_exit_4() {
    let wd = Workdir::new();
    wd.create("a.csv", "name,email\nJane Doe,jane@example.com\n");
    // A file where the output folder should be.
    wd.create("out", "not a folder");
    wd.command(&["run", "--out", "out", "a.csv"])
        .assert_exit_code(4);
}

#[test]
fn help_lists_exit_codes() {
    let wd = Workdir::new();
    let o = wd.command(&["run", "--help"]).assert_success();
    let out = String::from_utf8_lossy(&o.stdout);
    for code in ["0 ", "2 ", "3 ", "4 ", "130"] {
        assert!(out.contains(code), "{out}");
    }
}

#[test]
fn errors_do_not_print_contact_values() {
    let wd = Workdir::new();
    // A ragged row with a recognisable value: it must go to rejects.csv, not to stderr.
    wd.create(
        "a.csv",
        "name,email\nJane Secretname,jane@example.com,extra\n",
    );
    let o = wd
        .command(&["run", "-q", "--out", "out", "a.csv"])
        .assert_success();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("Secretname"), "{err}");
    assert_eq!(wd.csv("out/rejects.csv").len(), 1);
}
