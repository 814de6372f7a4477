//! Normalisation: raw [`Record`]s into typed [`Contact`]s.

pub mod address;
pub mod company;
pub mod email;
pub mod fold;
pub mod name;
pub mod phone;
