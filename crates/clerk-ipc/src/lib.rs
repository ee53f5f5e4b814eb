//! The IPC contract between the webview and the Rust core.
//!
//! API Boundary: every type here is a *wire* type for the UI. Domain types in
//! `clerk-core` are not serialised to the UI directly; the app crate maps them
//! to these DTOs. TypeScript declarations are generated from this file into
//! `ui/src/bindings.ts` (see [`typescript_bindings`]) and a test fails when the
//! committed file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod error;
pub use error::{CmdError, ErrorKind};

/// How the app runs: alone on this PC, or enrolled to a platform server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// 单机模式: no platform server configured; everything stays on this PC.
    Standalone,
    /// A platform server is configured.
    Platform,
}

/// Where the machine configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// No machine config file: the embedded default is in use.
    EmbeddedDefault,
    /// Read from the machine config file.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogueInfo {
    pub version: u32,
    pub published_at: String,
    pub matter_count: u32,
    pub department_count: u32,
    /// True for the bundled sample catalogue (示例数据).
    pub sample: bool,
}

/// What the shell needs once at start: identity of this PC and the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub hall: CodeName,
    pub window: CodeName,
    pub mode: RunMode,
    pub server_url: Option<String>,
    pub config_source: ConfigSource,
    /// Set when the machine config file exists but could not be used; the
    /// app then runs on the embedded default and the shell shows this.
    pub config_problem: Option<CmdError>,
    pub catalogue: CatalogueInfo,
}

/// The status bar's live part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub online: bool,
    pub mode: RunMode,
    /// Outbox items not yet acknowledged by the platform.
    pub unsent: u32,
    /// Age in seconds of the oldest unsent item, if any.
    pub oldest_unsent_secs: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 即办件: decided and completed at the counter.
    Instant,
    /// 承诺件: goes to the back office with a promised completion date.
    Promised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Working,
    Calendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: DayUnit,
}

/// One line of the matter list at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MatterSummary {
    pub code: String,
    pub name: String,
    pub department: String,
    pub case_kind: CaseKind,
    pub statutory_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    pub fee_charged: bool,
    pub material_count: u32,
}

/// Level of a message the webview asks the core to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UiLogLevel {
    Error,
    Warn,
    Info,
}

/// All TypeScript declarations of the IPC contract, as one module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        ErrorKind::decl(&cfg),
        CmdError::decl(&cfg),
        RunMode::decl(&cfg),
        ConfigSource::decl(&cfg),
        CodeName::decl(&cfg),
        CatalogueInfo::decl(&cfg),
        AppInfo::decl(&cfg),
        SyncStatus::decl(&cfg),
        CaseKind::decl(&cfg),
        DayUnit::decl(&cfg),
        TimeLimit::decl(&cfg),
        MatterSummary::decl(&cfg),
        UiLogLevel::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/clerk-ipc by `cargo xtask bindings`. Do not edit.\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed `ui/src/bindings.ts` must match the Rust types.
    /// `UPDATE_BINDINGS=1 cargo test -p clerk-ipc` (or `cargo xtask bindings`)
    /// rewrites it.
    #[test]
    fn typescript_bindings_are_fresh() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let want = super::typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/bindings.ts is stale: run `cargo xtask bindings` and commit the result"
        );
    }
}
