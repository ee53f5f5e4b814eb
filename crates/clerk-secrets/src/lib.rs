//! Secrets and cryptography for Window Clerk.
//!
//! Two small interfaces, so that nothing else in the workspace touches a
//! keyring API or a hash function directly:
//!
//! * [`SecretStore`]: where secrets live. [`OsKeyring`] is the operating
//!   system's store (Secret Service on Linux through zbus, the Credential
//!   Manager on Windows); [`MemoryStore`] is for unit tests.
//! * [`Suite`]: which algorithms are used. Everything the suite writes is
//!   tagged with its id (`std1`, `gm1`), so a national-algorithm suite
//!   (SM3 / SM4, as a 密评 assessment expects) can take over without callers
//!   changing, and old data stays readable.

pub mod chain;
mod keyring;
pub mod password;
mod suite;

pub use keyring::{real_keyring_session, MemoryStore, OsKeyring};
pub use suite::{DbKey, Suite, SuiteId, Tagged};

use std::fmt;

/// Service name under which Window Clerk keeps its secrets.
pub const SERVICE: &str = "cn.baoshan.windowclerk";

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// No secret under this name.
    #[error("no secret named {0}")]
    NotFound(String),
    /// The OS keyring cannot be reached (no Secret Service, locked collection…).
    #[error("the system keyring is not available: {0}")]
    Unavailable(String),
    /// The stored value is not what we wrote.
    #[error("the secret {name} is malformed: {why}")]
    Malformed { name: String, why: String },
    /// The operating system's random source failed.
    #[error("the system random source failed: {0}")]
    Random(String),
}

impl SecretError {
    pub fn zh(&self) -> String {
        match self {
            SecretError::NotFound(n) => format!("系统密钥环中没有「{n}」"),
            SecretError::Unavailable(_) => {
                "无法访问系统密钥环。请确认已登录桌面会话且密钥环已解锁".to_owned()
            }
            SecretError::Malformed { name, .. } => format!("系统密钥环中的「{name}」已损坏"),
            SecretError::Random(_) => "系统随机数源不可用".to_owned(),
        }
    }
}

/// A place to keep small secrets by name. Implementations must be safe to
/// share between threads.
pub trait SecretStore: Send + Sync + fmt::Debug {
    fn get(&self, name: &str) -> Result<Vec<u8>, SecretError>;
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    /// What this store is, for logs and the settings page.
    fn describe(&self) -> String;
}
