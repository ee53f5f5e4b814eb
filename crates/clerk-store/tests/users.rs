//! Users of this PC (issue #12): rows, standing and the audit of every
//! sign-in event, on a real SQLCipher file.

use clerk_core::access::{after_failure, before_password, Role, SignInPolicy, SignInRefusal};
use clerk_secrets::MemoryStore;
use clerk_store::testing::audit_trail;
use clerk_store::{Actor, Identity, OnlineSignIn, Store, UserOrigin};

const NOW: i64 = 1_772_416_800_000; // 2026-03-02 02:00 UTC

fn open(dir: &std::path::Path) -> Store {
    Store::open(dir, &MemoryStore::new(), || {
        Ok(Identity {
            office_code: "3205".into(),
            device_code: "K7QM".into(),
            db_instance_id: "test".into(),
        })
    })
    .unwrap()
}

fn admin() -> Actor {
    Actor {
        user_id: "admin".into(),
        window_code: "07".into(),
    }
}

#[test]
fn a_local_user_is_kept_once_with_its_verifier_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    assert_eq!(s.user_count().unwrap(), 0);
    s.add_local_user(
        "clerk01",
        " 张三 ",
        &[Role::Clerk],
        "$argon2id$x",
        &admin(),
        NOW,
    )
    .unwrap();
    let err = s
        .add_local_user(
            "clerk01",
            "李四",
            &[Role::Clerk],
            "$argon2id$y",
            &admin(),
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, clerk_store::StoreError::Invalid(ref f) if f.field == "user_id"));
    let u = s.user("clerk01").unwrap().unwrap();
    assert_eq!(u.display_name, "张三");
    assert_eq!(u.roles, vec![Role::Clerk]);
    assert_eq!(u.origin, UserOrigin::Local);
    assert_eq!(u.verifier.as_deref(), Some("$argon2id$x"));
    assert!(u.standing().local);
    assert_eq!(
        audit_trail(&s),
        vec![(
            "user.add".to_owned(),
            r#"{"roles":"clerk","user_id":"clerk01"}"#.to_owned()
        )]
    );
}

#[test]
fn five_failures_lock_the_user_and_a_sign_in_clears_them() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.add_local_user("clerk01", "张三", &[Role::Clerk], "v", &admin(), NOW)
        .unwrap();
    let p = SignInPolicy::default();
    for i in 0..5 {
        let u = s.user("clerk01").unwrap().unwrap();
        before_password(&u.standing(), NOW + i).unwrap();
        let (n, until) = after_failure(u.failures, &p, NOW + i);
        s.record_failure("clerk01", n, until, "07", NOW + i)
            .unwrap();
    }
    let u = s.user("clerk01").unwrap().unwrap();
    assert_eq!(u.locked_until, Some(NOW + 4 + 900_000));
    assert_eq!(
        before_password(&u.standing(), NOW + 10),
        Err(SignInRefusal::LockedOut {
            until: NOW + 4 + 900_000
        })
    );
    let trail = audit_trail(&s);
    assert_eq!(
        trail
            .iter()
            .filter(|t| t.0 == "session.sign_in_failed")
            .count(),
        4
    );
    assert_eq!(trail.last().unwrap().0, "session.locked_out");
    // After the lockout, a good password signs in and clears the count.
    s.record_sign_in("clerk01", None, &admin(), NOW + 900_010)
        .unwrap();
    let u = s.user("clerk01").unwrap().unwrap();
    assert_eq!((u.failures, u.locked_until), (0, None));
}

#[test]
fn a_platform_user_is_remembered_from_an_online_sign_in_and_follows_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let online = OnlineSignIn {
        display_name: "王芳",
        roles: &[Role::Clerk, Role::Supervisor],
        verifier: "$argon2id$v1",
        offline_valid_secs: 604_800,
    };
    s.record_sign_in("wangf", Some(online), &admin(), NOW)
        .unwrap();
    let u = s.user("wangf").unwrap().unwrap();
    assert_eq!(u.origin, UserOrigin::Platform);
    assert_eq!(u.online_at, Some(NOW));
    assert_eq!(u.roles, vec![Role::Clerk, Role::Supervisor]);
    // The platform disables her: refused offline from now on.
    let n = s
        .apply_platform_users(
            &[
                ("wangf".into(), "王芳".into(), vec![Role::Clerk], true),
                ("nobody-here".into(), "x".into(), vec![Role::Clerk], false),
            ],
            "07",
            NOW + 1,
        )
        .unwrap();
    assert_eq!(n, 1, "only users known here are touched");
    let u = s.user("wangf").unwrap().unwrap();
    assert!(u.disabled);
    assert_eq!(u.roles, vec![Role::Clerk]);
    assert_eq!(
        before_password(&u.standing(), NOW + 2),
        Err(SignInRefusal::Disabled)
    );
    // The same answer again changes nothing and audits nothing.
    let before = audit_trail(&s).len();
    s.apply_platform_users(
        &[("wangf".into(), "王芳".into(), vec![Role::Clerk], true)],
        "07",
        NOW + 3,
    )
    .unwrap();
    assert_eq!(audit_trail(&s).len(), before);
    // Newest first for the auditor.
    let entries = s.audit_entries(10).unwrap();
    assert_eq!(entries[0].action, "user.platform_update");
    assert_eq!(entries[0].actor, "platform");
    assert_eq!(entries[1].action, "session.sign_in");
}
