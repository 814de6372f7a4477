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
pub mod spill;
pub mod survive;

pub mod output;
pub mod pipeline;

pub mod eval;
pub mod explain;
pub mod generate;
pub mod inspect;
