//! listmerge: consolidate and de-duplicate contact lists.

pub mod error;
pub mod import;
pub mod model;
pub mod normalize;
pub mod report;
