//! Fuzzes every importer through the public entry point: the first byte picks the file
//! name's extension (CSV, text cards, workbook, vCard), the rest is the file. Whatever
//! the bytes, `import::inputs` must not panic and must not fail: a file that cannot be
//! understood becomes rejects, never an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 7] = ["csv", "txt", "xlsx", "xls", "ods", "vcf", "tsv"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "listmerge-fuzz-{}.{}",
        std::process::id(),
        EXTENSIONS[pick as usize % EXTENSIONS.len()]
    ));
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let spec = listmerge::import::SourceSpec {
        path: Some(path.clone()),
        ..Default::default()
    };
    let report = listmerge::report::Silent::default();
    let result = listmerge::import::inputs(&[spec], &report);
    let _ = std::fs::remove_file(&path);
    assert!(result.is_ok(), "a readable file must never be a fatal error");
});
