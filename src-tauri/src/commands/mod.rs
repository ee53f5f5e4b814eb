//! Tauri commands: adapters of a few lines over clerk-app's services, one
//! file per area. A command takes the app state and its arguments and
//! awaits the service of the same name; the service's first line is the
//! gate. Every command is `async`, so none runs on the main (UI) thread.

pub mod documents;
pub mod intake;
pub mod lifecycle;
pub mod queue;
pub mod session;
pub mod settings;
pub mod shell;
pub mod sync;
