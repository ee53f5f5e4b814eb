//! The real OS keyring. Runs only where a Secret Service is reachable and
//! unlocked (`cargo xtask test` starts gnome-keyring inside its own
//! dbus-run-session and sets WINDOW_CLERK_REAL_KEYRING=1); elsewhere it says
//! why it did not run.

use clerk_secrets::{OsKeyring, SecretError, SecretStore};

#[test]
fn secret_service_round_trip() {
    if !clerk_secrets::real_keyring_session() {
        return;
    }
    let ring = OsKeyring::open().expect("Secret Service reachable");
    let name = format!("test-{}", std::process::id());
    let secret = "wcdb1:std1:保山窗口".as_bytes();
    ring.set(&name, secret).expect("store");
    assert_eq!(ring.get(&name).expect("read back"), secret);
    ring.delete(&name).expect("delete");
    assert_eq!(ring.get(&name), Err(SecretError::NotFound(name.clone())));
    ring.delete(&name).expect("deleting twice is fine");
}
