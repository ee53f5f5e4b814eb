//! `clerkctl audit verify` on a real encrypted store whose key is in the
//! real OS keyring (issue #13). Runs inside `cargo xtask test`'s keyring
//! session (WINDOW_CLERK_REAL_KEYRING=1); CI must run it.

use std::process::Command;

use clerk_secrets::{OsKeyring, SecretStore};

fn verify(dir: &std::path::Path) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_clerkctl"))
        .args(["--json", "audit", "verify", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(text.trim()).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn audit_verify_names_the_first_row_that_does_not_fit() {
    if !clerk_secrets::real_keyring_session() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ring = OsKeyring::open().unwrap();
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    let actor = clerk_store::Actor {
        user_id: "clerk01".into(),
        window_code: "07".into(),
    };
    {
        let s = clerk_store::Store::open(dir.path(), &ring, || {
            clerk_store::Identity::provisional("530502ZW")
        })
        .unwrap();
        for i in 0..3 {
            s.take_in(
                &clerk_store::testing::sample_case(i, today),
                &actor,
                1_772_416_800_000 + i as i64,
                None,
            )
            .unwrap();
        }
        s.release_numbers();
    }
    let (code, v) = verify(dir.path());
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["intact"], true);
    assert_eq!(v["rows"], 3);

    {
        let s = clerk_store::Store::open(dir.path(), &ring, || unreachable!()).unwrap();
        clerk_store::testing::tamper(&s, "UPDATE audit SET detail = '{}' WHERE id = 2");
        s.release_numbers();
    }
    let (code, v) = verify(dir.path());
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["first_bad_row"], 2);

    // No database there: nothing is made, exit 2.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(verify(empty.path()).0, 2);
    assert!(!empty.path().join(clerk_store::DB_FILE).exists());
    let _ = ring.delete(&clerk_store::key_name(dir.path()));
}
