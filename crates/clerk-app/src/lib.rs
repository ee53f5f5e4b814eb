//! Window Clerk's app services, without Tauri.
//!
//! Architecture Invariant: every service here starts with the gate
//! ([`state::AppCore::gate`] / [`state::AppCore::user`]): signed in, not
//! locked, with a role clerk-core's `access::COMMANDS` allows (issue #12).
//! Services take `&AppCore` and the command's arguments, and return
//! `Result<T, CmdError>`; `src-tauri/src/commands/` maps each to a Tauri
//! command of a few lines. Rules stay in their crates (clerk-core decides,
//! clerk-store keeps, clerk-print prints, clerk-sync talks to the
//! platform): a service reads, calls and maps.
//!
//! Everything that touches SQLite, the network or a printer runs in
//! [`errors::blocking`] or is async, never on the caller's thread.

pub mod documents;
pub mod errors;
pub mod gate;
pub mod intake;
pub mod lifecycle;
pub mod paths;
pub mod queue;
pub mod session;
pub mod settings;
pub mod shell;
pub mod state;
pub mod sync;
pub mod words;

pub use errors::CmdResult;
pub use state::AppCore;
