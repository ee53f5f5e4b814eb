//! Window Clerk's domain core.
//!
//! Architecture Invariant: this crate does no I/O. Time, randomness and
//! storage come in as arguments; data files come in as `&str`. Everything
//! here can be tested with tiny, data-driven tables.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod clock;
pub mod date;
pub mod drift;
pub mod edit;
pub mod ids;
pub mod intake;
pub mod lifecycle;
pub mod mutation;
pub mod printing;
pub mod receipt;
pub mod transport;

/// The sample catalogue that ships with the app (示例数据), used when no
/// platform server has delivered a real one.
pub const SAMPLE_CATALOGUE_JSON: &str = include_str!("../../../data/catalogue/sample-v1.json");
