//! Sign-in and the screen lock (issue #12).
//!
//! Online, a user signs in against the platform (which says their name,
//! roles and offline period) and an Argon2id verifier of the password is
//! kept; offline, that verifier lets them in for the offline period. Local
//! users (单机模式, and the local administrator who enrols a PC) are
//! checked here only. The rules are clerk-core's `access`.

use crate::errors::*;
use crate::gate::{Seen, User};
use crate::state::AppCore;
use clerk_core::access::{self, Role, SignInRefusal};
use clerk_ipc::{CmdError, ErrorKind};
use clerk_ipc::{RoleName, SessionPhase, SessionState, SessionUser};
use zeroize::Zeroizing;

pub(crate) fn role_name(r: Role) -> RoleName {
    match r {
        Role::Clerk => RoleName::Clerk,
        Role::Supervisor => RoleName::Supervisor,
        Role::Admin => RoleName::Admin,
        Role::Auditor => RoleName::Auditor,
    }
}

pub(crate) fn role_of(r: RoleName) -> Role {
    match r {
        RoleName::Clerk => Role::Clerk,
        RoleName::Supervisor => Role::Supervisor,
        RoleName::Admin => Role::Admin,
        RoleName::Auditor => Role::Auditor,
    }
}

fn session_user(u: &User) -> SessionUser {
    SessionUser {
        user_id: u.user_id.clone(),
        display_name: u.display_name.clone(),
        roles: u.roles.iter().copied().map(role_name).collect(),
        online: u.online,
    }
}

/// Local time of a Unix-ms instant, `2026-03-02 10:15`.
pub(crate) fn local_time(ms: i64) -> String {
    clerk_store::time::local_datetime(&clerk_store::time::iso_utc(ms))
        .unwrap_or_else(|| clerk_store::time::iso_utc(ms))
}

fn refused(r: &SignInRefusal) -> CmdError {
    let kind = match r {
        SignInRefusal::NeverOnlineHere | SignInRefusal::OfflineExpired { .. } => ErrorKind::Network,
        _ => ErrorKind::Unauthenticated,
    };
    CmdError::new(kind, r.zh(&local_time), r.en(&local_time))
}

pub(crate) fn bad(field: &str, (zh, en): (String, String)) -> CmdError {
    CmdError::new(ErrorKind::Validation, zh, en).on_field(field)
}

async fn state_of(core: &AppCore) -> CmdResult<SessionState> {
    let (seen, _) = core.sessions.seen();
    let (phase, user, roles) = match &seen {
        Seen::SignedOut => (SessionPhase::SignedOut, None, None),
        Seen::Active(u) => (
            SessionPhase::Active,
            Some(session_user(u)),
            Some(u.roles.clone()),
        ),
        Seen::Locked(u) => (SessionPhase::Locked, Some(session_user(u)), None),
    };
    let gate = match (&seen, roles.as_deref()) {
        (Seen::Active(_), Some(r)) => access::GateState::Active(r),
        (Seen::Locked(_), _) => access::GateState::Locked,
        _ => access::GateState::SignedOut,
    };
    let allowed = access::COMMANDS
        .iter()
        .filter(|r| access::check(r.command, gate).is_ok())
        .map(|r| r.command.to_owned())
        .collect();
    let store = core.store().await?;
    let users = blocking(move || store.user_count().map_err(storage)).await?;
    let needs_enrolment = match core.sync().await {
        Some(h) => !h.client.enrolled(),
        None => false,
    };
    Ok(SessionState {
        phase,
        user,
        allowed,
        first_start: users == 0 && (core.config.config.is_standalone() || needs_enrolment),
        needs_enrolment,
        idle_lock_secs: core.config.config.session.idle_lock_secs,
    })
}

/// Who is signed in, and what they may do (the UI asks instead of
/// working it out).
pub async fn session_state(core: &AppCore) -> CmdResult<SessionState> {
    core.gate("session_state")?;
    state_of(core).await
}

/// A new Argon2id verifier (run inside `blocking`: it takes a while).
pub(crate) fn new_verifier(password: &str) -> CmdResult<String> {
    clerk_secrets::password::make_verifier(password).map_err(|e| {
        tracing::error!(error = %e, "password verifier not made");
        CmdError::internal()
    })
}

/// A password check off the async workers (Argon2id takes a while).
async fn verify(password: &Zeroizing<String>, verifier: Option<String>) -> CmdResult<bool> {
    let Some(v) = verifier else {
        return Ok(false);
    };
    let pw = password.clone();
    blocking(move || Ok(clerk_secrets::password::verify(&pw, &v))).await
}

/// A wrong password: counted, and the user locked on this PC at the limit.
async fn wrong_password(core: &AppCore, row: &clerk_store::UserRow) -> CmdError {
    wrong_password_locks(core, row).await.0
}

/// The same, saying whether this one locked the user out.
async fn wrong_password_locks(core: &AppCore, row: &clerk_store::UserRow) -> (CmdError, bool) {
    let now = clerk_store::time::now_millis();
    let (n, until) = access::after_failure(row.failures, &core.policy, now);
    if let Ok(store) = core.store().await {
        let id = row.user_id.clone();
        let window = core.config.config.window.code.clone();
        let _ = blocking(move || {
            store
                .record_failure(&id, n, until, &window, now)
                .map_err(storage)
        })
        .await;
    }
    match until {
        Some(until) => {
            tracing::warn!(user = %row.user_id, "too many wrong passwords: user locked on this PC");
            (refused(&SignInRefusal::LockedOut { until }), true)
        }
        None => (
            refused(&SignInRefusal::WrongPassword {
                left: core.policy.max_failures.saturating_sub(n),
            }),
            false,
        ),
    }
}

/// How an online sign-in went.
enum Online {
    In(platform_api::TokenResponse),
    /// The platform said no (wrong password, disabled, not of this office).
    Refused(CmdError, bool),
    /// No answer: sign in offline.
    Unreachable,
}

async fn sign_in_online(core: &AppCore, user_id: &str, password: &str) -> Online {
    let Some(h) = core.sync().await else {
        return Online::Unreachable;
    };
    if !h.client.enrolled() {
        return Online::Unreachable;
    }
    match h.client.login(user_id, password).await {
        Ok(t) => Online::In(t),
        Err(clerk_sync::SyncError::Server { status: 401, .. }) => {
            Online::Refused(refused(&SignInRefusal::WrongPassword { left: 0 }), true)
        }
        Err(clerk_sync::SyncError::Server {
            status: 403, code, ..
        }) if code == platform_api::codes::USER_DISABLED => {
            Online::Refused(refused(&SignInRefusal::Disabled), false)
        }
        Err(clerk_sync::SyncError::Server { status: 403, .. }) => Online::Refused(
            CmdError::new(
                ErrorKind::Permission,
                "该用户不属于本大厅，不能在本机登录",
                "This user does not belong to this hall's office",
            ),
            false,
        ),
        Err(e) if e.transient() || matches!(e, clerk_sync::SyncError::Network(_)) => {
            tracing::info!(error = %e, "platform unreachable: offline sign-in");
            Online::Unreachable
        }
        Err(e) => {
            tracing::warn!(error = %e, "online sign-in failed: offline sign-in");
            Online::Unreachable
        }
    }
}

/// Sign in (or switch user: whoever was signed in is signed out first).
pub async fn sign_in(core: &AppCore, user_id: String, password: String) -> CmdResult<SessionState> {
    core.gate("sign_in")?;
    let password = Zeroizing::new(password);
    let user_id = user_id.trim().to_owned();
    if user_id.is_empty() {
        return Err(
            CmdError::new(ErrorKind::Validation, "请填写工号", "Enter the user ID")
                .on_field("user_id"),
        );
    }
    if password.is_empty() {
        return Err(
            CmdError::new(ErrorKind::Validation, "请填写密码", "Enter the password")
                .on_field("password"),
        );
    }
    let store = core.store().await?;
    let reader = store.clone();
    let id = user_id.clone();
    let row = blocking(move || reader.user(&id).map_err(storage)).await?;
    let now = clerk_store::time::now_millis();
    if let Some(r) = &row {
        access::before_password(&r.standing(), now).map_err(|e| refused(&e))?;
    }
    let local = row
        .as_ref()
        .is_some_and(|r| r.origin == clerk_store::UserOrigin::Local);
    let online = if local {
        Online::Unreachable
    } else {
        sign_in_online(core, &user_id, &password).await
    };
    let user = match online {
        Online::In(t) => {
            let roles: Vec<Role> = t.roles.iter().filter_map(|r| Role::parse(r)).collect();
            if roles.is_empty() {
                return Err(refused(&SignInRefusal::NoRole));
            }
            let pw = password.clone();
            let verifier = blocking(move || new_verifier(&pw)).await?;
            let u = User {
                user_id: user_id.clone(),
                display_name: if t.display_name.is_empty() {
                    user_id.clone()
                } else {
                    t.display_name.clone()
                },
                roles: roles.clone(),
                online: true,
            };
            let actor = core.actor_of(&u);
            let (name, valid) = (u.display_name.clone(), t.offline_valid_secs);
            let id = user_id.clone();
            blocking(move || {
                store
                    .record_sign_in(
                        &id,
                        Some(clerk_store::OnlineSignIn {
                            display_name: &name,
                            roles: &roles,
                            verifier: &verifier,
                            offline_valid_secs: valid,
                        }),
                        &actor,
                        now,
                    )
                    .map_err(storage)
            })
            .await?;
            if let Some(h) = core.sync().await {
                h.worker.poke_all();
            }
            u
        }
        Online::Refused(e, counts) => {
            if let (true, Some(r)) = (counts, &row) {
                return Err(wrong_password(core, r).await);
            }
            return Err(e);
        }
        Online::Unreachable => {
            let Some(r) = row else {
                return Err(refused(
                    if core.config.config.is_standalone()
                        || core.sync().await.is_some_and(|h| !h.client.enrolled())
                    {
                        &SignInRefusal::UnknownUser
                    } else {
                        &SignInRefusal::NeverOnlineHere
                    },
                ));
            };
            if !verify(&password, r.verifier.clone()).await? {
                return Err(wrong_password(core, &r).await);
            }
            access::offline_allowed(&r.standing(), &core.policy, now).map_err(|e| refused(&e))?;
            if r.roles.is_empty() {
                return Err(refused(&SignInRefusal::NoRole));
            }
            let u = User {
                user_id: r.user_id.clone(),
                display_name: r.display_name.clone(),
                roles: r.roles.clone(),
                online: false,
            };
            let actor = core.actor_of(&u);
            let id = r.user_id.clone();
            blocking(move || {
                store
                    .record_sign_in(&id, None, &actor, now)
                    .map_err(storage)
            })
            .await?;
            u
        }
    };
    if let Some(h) = core.sync().await {
        if !local {
            h.client.set_user(Some(&user.user_id));
        }
    }
    tracing::info!(user = %user.user_id, online = user.online, "signed in");
    core.sessions.sign_in(user);
    state_of(core).await
}

/// A supervisor approves one act at this window without taking over the
/// session (a step-up, issue #14: an extension requested by the clerk).
/// Checked like an offline sign-in here — the verifier kept on this PC,
/// not locked or disabled, a platform user within the offline period — and
/// the user must hold `role`. A wrong password counts toward the lockout.
/// The approval is audited as the approver's. Errors name `event.approver`.
pub(crate) async fn approve_as(
    core: &AppCore,
    user_id: &str,
    password: Zeroizing<String>,
    role: Role,
    what: &'static str,
) -> CmdResult<User> {
    let field = "event.approver";
    // Said on the approver's field, never as a sign-in refusal: the
    // clerk's own session is not touched.
    let no =
        |e: CmdError| CmdError::new(ErrorKind::Validation, e.message, e.message_en).on_field(field);
    let store = core.store().await?;
    let id = user_id.trim().to_owned();
    if id.is_empty() {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "请负责人输入用户名和密码批准",
            "The supervisor enters their user name and password to approve",
        )
        .on_field(field));
    }
    let Some(row) = blocking(move || store.user(&id).map_err(storage)).await? else {
        return Err(no(refused(&SignInRefusal::UnknownUser)));
    };
    let now = clerk_store::time::now_millis();
    access::before_password(&row.standing(), now).map_err(|e| no(refused(&e)))?;
    if !verify(&password, row.verifier.clone()).await? {
        return Err(no(wrong_password(core, &row).await));
    }
    access::offline_allowed(&row.standing(), &core.policy, now).map_err(|e| no(refused(&e)))?;
    if !row.roles.contains(&role) {
        return Err(CmdError::new(
            ErrorKind::Permission,
            format!("{} 不是{}，不能批准此项", row.display_name, role.zh()),
            format!(
                "{} is not a {}: they cannot approve this",
                row.display_name,
                role.as_str()
            ),
        )
        .on_field(field));
    }
    let approver = User {
        user_id: row.user_id.clone(),
        display_name: row.display_name.clone(),
        roles: row.roles.clone(),
        online: false,
    };
    core.audit_session(
        "session.approve",
        &approver,
        serde_json::json!({ "for": what }),
    );
    Ok(approver)
}

/// Unlock the screen: the locked user's own password.
pub async fn unlock(core: &AppCore, password: String) -> CmdResult<SessionState> {
    core.gate("unlock")?;
    let password = Zeroizing::new(password);
    let Some(u) = core.sessions.locked_user() else {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "屏幕未锁定",
            "The screen is not locked",
        ));
    };
    let store = core.store().await?;
    let id = u.user_id.clone();
    let Some(row) = blocking(move || store.user(&id).map_err(storage)).await? else {
        core.sessions.sign_out();
        return Err(refused(&SignInRefusal::UnknownUser));
    };
    let now = clerk_store::time::now_millis();
    if let Err(e) = access::before_password(&row.standing(), now) {
        core.sessions.sign_out();
        return Err(refused(&e));
    }
    if !verify(&password, row.verifier.clone()).await? {
        let (e, locked_out) = wrong_password_locks(core, &row).await;
        if locked_out {
            // Locked out: the lock screen becomes the sign-in screen.
            core.sessions.sign_out();
        }
        return Err(e.on_field("password"));
    }
    core.sessions.unlock();
    core.audit_session("session.unlock", &u, serde_json::json!({}));
    state_of(core).await
}

/// Sign out (from the shell or the lock screen). The UI drops its state
/// by reloading the webview.
pub async fn sign_out(core: &AppCore) -> CmdResult<SessionState> {
    core.gate("sign_out")?;
    if let Some(u) = core.sessions.sign_out() {
        core.audit_session("session.sign_out", &u, serde_json::json!({}));
        tracing::info!(user = %u.user_id, "signed out");
    }
    state_of(core).await
}

/// The user is active (keys, mouse): holds the idle lock off.
pub async fn session_touch(core: &AppCore) -> CmdResult<()> {
    core.gate("session_touch")?;
    Ok(())
}

/// First start of a PC without users (单机模式, or a platform PC not yet
/// enrolled): the local administrator, signed in at once.
pub async fn create_first_admin(
    core: &AppCore,
    user_id: String,
    display_name: String,
    password: String,
) -> CmdResult<SessionState> {
    core.gate("create_first_admin")?;
    let password = Zeroizing::new(password);
    let user_id = user_id.trim().to_owned();
    access::check_user_id(&user_id).map_err(|e| bad("user_id", e))?;
    access::check_display_name(&display_name).map_err(|e| bad("display_name", e))?;
    access::check_new_password(&user_id, &password).map_err(|e| bad("password", e))?;
    if !state_of(core).await?.first_start {
        return Err(CmdError::new(
            ErrorKind::Conflict,
            "本机已有用户：请由信息管理员在设置中添加用户",
            "This PC has users already: the administrator adds users in Settings",
        ));
    }
    let store = core.store().await?;
    let u = User {
        user_id: user_id.clone(),
        display_name: display_name.trim().to_owned(),
        roles: vec![Role::Admin],
        online: false,
    };
    let actor = clerk_store::Actor {
        user_id: "first-start".into(),
        window_code: core.config.config.window.code.clone(),
    };
    let (id, name) = (u.user_id.clone(), u.display_name.clone());
    blocking(move || {
        let v = new_verifier(&password)?;
        // Checked again inside: two first starts at once make one admin.
        if store.user_count().map_err(storage)? > 0 {
            return Err(CmdError::new(
                ErrorKind::Conflict,
                "本机已有用户",
                "This PC has users already",
            ));
        }
        store
            .add_local_user(
                &id,
                &name,
                &[Role::Admin],
                &v,
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)?;
        let me = clerk_store::Actor {
            user_id: id.clone(),
            window_code: actor.window_code.clone(),
        };
        store
            .record_sign_in(&id, None, &me, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    tracing::info!(user = %u.user_id, "local administrator created at first start");
    core.sessions.sign_in(u);
    state_of(core).await
}
