use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error as KError};

use crate::{SecretError, SecretStore, SERVICE};

/// The operating system's credential store.
///
/// The store object is created here and passed to each entry explicitly:
/// no process-wide default store is ever installed, so a test that does not
/// build an `OsKeyring` can never touch a developer's real keyring.
pub struct OsKeyring {
    store: Arc<CredentialStore>,
}

impl fmt::Debug for OsKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsKeyring")
            .field("vendor", &self.store.vendor())
            .finish()
    }
}

impl OsKeyring {
    pub fn open() -> Result<Self, SecretError> {
        #[cfg(target_os = "linux")]
        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(map_err)?;
        #[cfg(target_os = "windows")]
        let store: Arc<CredentialStore> =
            windows_native_keyring_store::Store::new().map_err(map_err)?;
        #[cfg(not(any(target_os = "linux", target_os = "windows")))]
        return Err(SecretError::Unavailable(
            "no supported credential store on this platform".into(),
        ));
        #[cfg(any(target_os = "linux", target_os = "windows"))]
        Ok(OsKeyring { store })
    }

    fn entry(&self, name: &str) -> Result<Entry, SecretError> {
        Entry::new_in_store(&self.store, SERVICE, name).map_err(map_err)
    }
}

fn map_err(e: KError) -> SecretError {
    match e {
        KError::NoEntry => SecretError::NotFound(String::new()),
        other => SecretError::Unavailable(other.to_string()),
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> Result<Vec<u8>, SecretError> {
        self.entry(name)?
            .get_secret()
            .map_err(|e| match map_err(e) {
                SecretError::NotFound(_) => SecretError::NotFound(name.to_owned()),
                other => other,
            })
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.entry(name)?.set_secret(secret).map_err(map_err)
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    fn describe(&self) -> String {
        self.store.vendor()
    }
}

/// Secrets in process memory, for unit tests. Gone when the process ends.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    items: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, name: &str) -> Result<Vec<u8>, SecretError> {
        self.items
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::NotFound(name.to_owned()))
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.items
            .lock()
            .unwrap()
            .insert(name.to_owned(), secret.to_vec());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.items.lock().unwrap().remove(name);
        Ok(())
    }

    fn describe(&self) -> String {
        "in-memory (tests only)".to_owned()
    }
}

/// For tests of the real OS keyring: `true` inside `cargo xtask test`'s
/// keyring session (`WINDOW_CLERK_REAL_KEYRING=1`, a Secret Service
/// unlocked in its own dbus-run-session). Elsewhere it says why the test
/// does not run and gives `false`; under CI that is a failure, since CI
/// always has the session.
pub fn real_keyring_session() -> bool {
    if std::env::var_os("WINDOW_CLERK_REAL_KEYRING").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs this inside `cargo xtask test`'s keyring session"
    );
    eprintln!("skipped: set WINDOW_CLERK_REAL_KEYRING=1 inside an unlocked keyring session");
    false
}
