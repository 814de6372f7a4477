//! Criterion benches: each pipeline stage on its own and the whole pipeline, on data from
//! `listmerge::generate` written to a temp dir (no downloads), plus micro benches
//! (key building for 10k contacts, comparing 100k pairs, union-find over 1M edges).
//!
//! Sizes: 100k records by default; `LISTMERGE_BENCH_1M=1` adds the 1M whole-pipeline
//! bench (minutes per sample). Sample sizes are kept at the minimum criterion allows
//! (10) so that `cargo bench` finishes in a few minutes; the numbers are for spotting
//! regressions, BENCHMARKS.md has the whole-command timings.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use listmerge::cluster::{self, Edge};
use listmerge::compare::{compare, Comparison};
use listmerge::import::{self, SourceSpec};
use listmerge::normalize::{self, keys};
use listmerge::pipeline::{self, Mark, RunOptions};
use listmerge::report::Silent;
use listmerge::rules::Rules;
use listmerge::{block, generate, output, score, survive};
use rayon::iter::ParallelIterator;

fn generated(dir: &Path, records: u64) -> PathBuf {
    let opts = generate::Options { records, seed: 42 };
    if let Err(e) = generate::generate(&opts, dir) {
        panic!("cannot generate bench data: {e}");
    }
    dir.join("records.csv")
}

fn specs(path: &Path) -> Vec<SourceSpec> {
    vec![SourceSpec {
        path: Some(path.to_path_buf()),
        ..SourceSpec::default()
    }]
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temp dir: {e}"),
    }
}

fn stages(c: &mut Criterion) {
    let dir = tempdir();
    let path = generated(dir.path(), 100_000);
    let rules = Rules::defaults();
    let report = Silent::default();
    let specs = specs(&path);
    let opts = RunOptions {
        decisions: None,
        sources: specs.clone(),
        out: dir.path().join("out"),
    };
    let mut linked = match pipeline::link(&rules, &opts, &report) {
        Ok(l) => l,
        Err(e) => panic!("pipeline failed: {e}"),
    };
    let m = &rules.matching;

    let mut g = c.benchmark_group("stage_100k");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("import", |b| {
        b.iter(|| import::inputs(black_box(&specs), &report).map(|i| i.records.len()))
    });
    g.bench_function("normalise", |b| {
        // Normalising releases the raw values, so each round reads the file afresh
        // (setup, not timed).
        b.iter_batched(
            || match import::inputs(&specs, &report) {
                Ok(i) => i,
                Err(e) => panic!("import failed: {e}"),
            },
            |mut inputs| {
                let inputs = black_box(&mut inputs);
                normalize::contacts(&mut inputs.records, &inputs.sources, &rules, &report).len()
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("match_keys", |b| {
        b.iter(|| keys::match_keys(black_box(&linked.contacts), &[], m.generic_after).0)
    });
    g.bench_function("block", |b| {
        b.iter(|| {
            block::candidate_pairs(
                black_box(&linked.keys),
                &linked.order,
                m.max_block_size,
                m.refine_blocks_above,
                m.refine_window,
                &report,
            )
            .pairs
        })
    });
    g.bench_function("compare", |b| {
        b.iter(|| {
            linked
                .pairs
                .pairs
                .iter()
                .map(|p| compare(&linked.keys[p.a as usize], &linked.keys[p.b as usize], &[]))
                .collect::<Vec<Comparison>>()
        })
    });
    let kinds: Vec<u8> = linked.pairs.pairs.iter().map(|p| p.kind).collect();
    g.bench_function("score", |b| {
        b.iter(|| {
            let model = score::model(&linked.keys, &linked.comparisons, &kinds, &[], m);
            linked
                .pairs
                .pairs
                .iter()
                .zip(&linked.comparisons)
                .map(|(p, c)| {
                    model.weight(
                        p.kind,
                        *c,
                        &linked.keys[p.a as usize],
                        &linked.keys[p.b as usize],
                    )
                })
                .collect::<Vec<f64>>()
        })
    });
    let match_w = score::weight_of(m.match_threshold);
    let cannot_w = score::weight_of(m.cannot_link_below);
    let edges = cluster::edges(&linked.pairs.pairs, &linked.weights, match_w);
    let cannot: Vec<_> =
        cluster::cannot_links(&linked.pairs.pairs, &linked.weights, cannot_w).collect();
    g.bench_function("cluster", |b| {
        b.iter_batched(
            || edges.clone(),
            |e| cluster::clusters(linked.keys.len(), e, &[], &cannot),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("survive", |b| {
        b.iter(|| {
            survive::masters(
                &linked.inputs,
                &linked.contacts,
                &linked.clusters,
                &linked.record_keys,
                &rules.survivorship,
            )
        })
    });
    let out = dir.path().join("write");
    g.bench_function("write", |b| {
        b.iter(|| output::write_all(&mut linked, &rules, &out, &report, Mark::now()).is_ok())
    });
    g.finish();
}

fn whole(c: &mut Criterion) {
    let mut sizes = vec![100_000u64];
    if std::env::var_os("LISTMERGE_BENCH_1M").is_some_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    let rules = Rules::defaults();
    let report = Silent::default();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    for n in sizes {
        let dir = tempdir();
        let path = generated(dir.path(), n);
        let opts = RunOptions {
            decisions: None,
            sources: specs(&path),
            out: dir.path().join("out"),
        };
        g.bench_function(format!("run_{}k", n / 1000), |b| {
            b.iter(|| pipeline::run(&rules, &opts, &report).map(|s| s.masters))
        });
    }
    g.finish();
}

fn micro(c: &mut Criterion) {
    let dir = tempdir();
    let path = generated(dir.path(), 100_000);
    let rules = Rules::defaults();
    let report = Silent::default();
    let opts = RunOptions {
        decisions: None,
        sources: specs(&path),
        out: dir.path().join("out"),
    };
    let linked = match pipeline::link(&rules, &opts, &report) {
        Ok(l) => l,
        Err(e) => panic!("pipeline failed: {e}"),
    };
    let mut g = c.benchmark_group("micro");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    let ten_k = &linked.contacts[..10_000.min(linked.contacts.len())];
    g.bench_function("keys_10k_contacts", |b| {
        b.iter(|| ten_k.iter().map(|c| keys::key(c, &[])).collect::<Vec<_>>())
    });

    let pairs: Vec<_> = linked
        .pairs
        .pairs
        .iter()
        .cycle()
        .take(100_000)
        .copied()
        .collect();
    g.bench_function("compare_100k_pairs", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|p| compare(&linked.keys[p.a as usize], &linked.keys[p.b as usize], &[]))
                .collect::<Vec<Comparison>>()
        })
    });

    // Random edges over 1M nodes from a fixed LCG: the same graph every run.
    let n = 1_000_000u32;
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 33) as u32
    };
    let edges: Vec<Edge> = (0..1_000_000)
        .map(|_| {
            let (a, b) = (next() % n, next() % n);
            Edge {
                a: a.min(b),
                b: a.max(b),
                weight: f64::from(next() % 1000) / 100.0,
            }
        })
        .collect();
    g.bench_function("union_find_1m_edges", |b| {
        b.iter_batched(
            || edges.clone(),
            |e| cluster::clusters(n as usize, e, &[], &[]),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, micro, stages, whole);
criterion_main!(benches);
