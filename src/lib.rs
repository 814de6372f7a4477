//! listmerge: consolidate and de-duplicate contact lists into one master list in which
//! every value says which file, sheet and row it came from.
//!
//! ```text
//!  sources ──► import ──► normalize ──► block ──► compare ──► score ──► cluster ──► survive ──► output
//!  (csv, …)    records     contacts      candidate   comparison   match     clusters    masters    master.csv,
//!              + rejects   + match keys  pairs       vectors      weights   (must/      + prove-   xref, review,
//!                                                                           cannot)     nance      rejects, summary
//! ```
//!
//! Each stage is one module with one entry point; [`pipeline::link`] is the only
//! function that names them all. `rules.toml` is read by [`rules`] into typed settings
//! each stage takes its part of. Stages never print: they talk to a [`report::Report`].

// The developer docs are built with --document-private-items, where links to private
// items resolve; module docs name the private helpers they are built from.
#![allow(rustdoc::private_intra_doc_links)]

pub mod cli;
pub mod error;
pub mod model;
pub mod report;
pub mod rules;

pub mod import;
pub mod normalize;

pub mod block;
pub mod compare;
pub mod score;

pub mod cluster;
pub mod decisions;
pub mod memory;
pub mod spill;
pub mod survive;

pub mod output;
pub mod pipeline;

pub mod eval;
pub mod explain;
pub mod generate;
pub mod inspect;

/// A hint to load the cache line at `p`, without waiting for it. The steps that
/// visit records in an order unrelated to where they lie in memory (the pair loop, the
/// outputs) ask for the records a few steps ahead, so that those loads overlap the
/// work on the current one. Elsewhere than x86-64 it does nothing.
#[inline(always)]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint. It never faults and never reads memory into
    // the program, whatever the address (null, dangling or unmapped), and SSE is part
    // of every x86-64 processor.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// [`prefetch`] for every cache line of `value` itself (not what it points to).
#[inline(always)]
pub(crate) fn prefetch_value<T>(value: &T) {
    let p: *const u8 = (value as *const T).cast();
    for line in (0..std::mem::size_of::<T>()).step_by(64) {
        prefetch(p.wrapping_add(line));
    }
}
