//! Who may do what (issue #12): the roles, the one table of command →
//! roles every command of the app passes through, the sign-in rules
//! (lockout after wrong passwords, how long an offline sign-in stays
//! valid) and which roles may send which platform mutation.
//!
//! The app's gate (`src-tauri`) asks [`check`] before a command runs; the
//! platform asks [`mutation_roles`] for every mutation it receives. The
//! same table is printed in ARCHITECTURE.md, and a test of the app calls
//! every command in every [`GateState`] against it.

use serde::{Deserialize, Serialize};

/// A user's role. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 窗口人员: takes in and carries cases.
    Clerk,
    /// 窗口负责人: everything a clerk does, plus supervision.
    Supervisor,
    /// 信息管理员: settings, users, printers, enrolment, calendar and
    /// catalogue import; no case contents beyond counts.
    Admin,
    /// 审计员: reads the audit trail, nothing else; separated from admin.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Clerk, Role::Supervisor, Role::Admin, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Clerk => "窗口人员",
            Role::Supervisor => "窗口负责人",
            Role::Admin => "信息管理员",
            Role::Auditor => "审计员",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Admin => "IT administrator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// `clerk,supervisor` → roles; an unknown name is an error naming it.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let r = Role::parse(part).ok_or_else(|| part.to_owned())?;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out.sort();
        Ok(out)
    }

    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What a command needs before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: the sign-in screen uses it (app info, sign in, logging).
    Open,
    /// A session, even a locked one (sign out from the lock screen).
    Session,
    /// A session that is not locked, any role.
    Active,
    /// A session that is not locked, with one of these roles.
    Roles(&'static [Role]),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub command: &'static str,
    pub need: Need,
    /// A poller (the status bar): calling it is not the user's activity, so
    /// it does not hold the idle lock off. (Open commands never do.)
    pub passive: bool,
}

/// The counter: clerks and their supervisors.
pub const DESK: &[Role] = &[Role::Clerk, Role::Supervisor];
/// Running the PC: the counter and IT (sync, printers, calendar).
pub const OPERATE: &[Role] = &[Role::Clerk, Role::Supervisor, Role::Admin];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const AUDIT: &[Role] = &[Role::Auditor];

const fn r(command: &'static str, need: Need) -> Rule {
    Rule {
        command,
        need,
        passive: false,
    }
}

/// **The** table: every command the webview may call, and what it needs.
/// A command not in it is refused.
pub const COMMANDS: &[Rule] = &[
    // The sign-in screen.
    r("app_info", Need::Open),
    r("ui_ready", Need::Open),
    r("log_ui", Need::Open),
    r("session_state", Need::Open),
    r("sign_in", Need::Open),
    // Checks itself that the lock's own user unlocks.
    r("unlock", Need::Open),
    // Only while this PC has no user at all (单机模式 first start).
    r("create_first_admin", Need::Open),
    r("sign_out", Need::Session),
    r("session_touch", Need::Active),
    Rule {
        command: "sync_status",
        need: Need::Active,
        passive: true,
    },
    // At the counter.
    r("list_matters", Need::Roles(DESK)),
    r("matter_detail", Need::Roles(DESK)),
    r("check_applicant", Need::Roles(DESK)),
    r("known_applicant", Need::Roles(DESK)),
    r("save_draft", Need::Roles(DESK)),
    r("load_draft", Need::Roles(DESK)),
    r("discard_draft", Need::Roles(DESK)),
    r("take_in", Need::Roles(DESK)),
    r("list_cases", Need::Roles(DESK)),
    r("case_documents", Need::Roles(DESK)),
    r("print_document", Need::Roles(DESK)),
    r("document_preview", Need::Roles(DESK)),
    r("withheld_preview", Need::Roles(DESK)),
    r("hall_cases", Need::Roles(DESK)),
    r("accept_online", Need::Roles(DESK)),
    r("case_attachments", Need::Roles(DESK)),
    r("attach_scan", Need::Roles(DESK)),
    r("catalogue_drift", Need::Roles(DESK)),
    r("missing_materials", Need::Roles(DESK)),
    r("case_contact", Need::Roles(DESK)),
    r("edit_case_fields", Need::Roles(DESK)),
    r("case_progress", Need::Roles(DESK)),
    r("progress_case", Need::Roles(DESK)),
    r("queue_cases", Need::Roles(DESK)),
    r("queue_counts", Need::Roles(DESK)),
    r("mark_deadline_moves_seen", Need::Roles(DESK)),
    r("retry_outbox_item", Need::Roles(DESK)),
    // Running the PC.
    r("printers", Need::Roles(OPERATE)),
    r("sync_now", Need::Roles(OPERATE)),
    r("outbox_items", Need::Roles(OPERATE)),
    r("calendar_status", Need::Roles(OPERATE)),
    // IT.
    r("enroll_device", Need::Roles(ADMIN)),
    r("import_calendar", Need::Roles(ADMIN)),
    r("list_users", Need::Roles(ADMIN)),
    r("add_user", Need::Roles(ADMIN)),
    r("set_user_disabled", Need::Roles(ADMIN)),
    // Audit.
    r("audit_trail", Need::Roles(AUDIT)),
];

pub fn rule(command: &str) -> Option<&'static Rule> {
    COMMANDS.iter().find(|r| r.command == command)
}

/// The session as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateState<'a> {
    SignedOut,
    Locked,
    Active(&'a [Role]),
}

/// Why the gate refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not in the table (a defect: the names-agree test keeps them equal).
    UnknownCommand(String),
    SignedOut,
    Locked,
    Role {
        needed: &'static [Role],
    },
}

impl Refusal {
    pub fn zh(&self) -> String {
        match self {
            Refusal::UnknownCommand(c) => format!("未登记的操作「{c}」"),
            Refusal::SignedOut => "请先登录".into(),
            Refusal::Locked => "屏幕已锁定：请输入密码解锁".into(),
            Refusal::Role { needed } => format!(
                "无权进行此操作：需要{}角色",
                needed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或")
            ),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Refusal::UnknownCommand(c) => format!("Unknown command {c}"),
            Refusal::SignedOut => "Please sign in first".into(),
            Refusal::Locked => "The screen is locked: enter the password to unlock".into(),
            Refusal::Role { needed } => format!(
                "Not allowed: needs the role {}",
                needed
                    .iter()
                    .map(|r| r.en())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        }
    }
}

/// The gate: may `command` run in `state`?
pub fn check(command: &str, state: GateState<'_>) -> Result<&'static Rule, Refusal> {
    let rule = rule(command).ok_or_else(|| Refusal::UnknownCommand(command.to_owned()))?;
    match (rule.need, state) {
        (Need::Open, _) => Ok(rule),
        (_, GateState::SignedOut) => Err(Refusal::SignedOut),
        (Need::Session, GateState::Locked) => Ok(rule),
        (_, GateState::Locked) => Err(Refusal::Locked),
        (Need::Session | Need::Active, GateState::Active(_)) => Ok(rule),
        (Need::Roles(needed), GateState::Active(have)) => {
            if needed.iter().any(|n| have.contains(n)) {
                Ok(rule)
            } else {
                Err(Refusal::Role { needed })
            }
        }
    }
}

/// Which roles may send a platform mutation of `kind` (the platform checks
/// every mutation it receives; the window never sends others).
pub fn mutation_roles(kind: &str) -> &'static [Role] {
    crate::mutation::MutationKind::parse(kind).map_or(&[], |k| k.roles())
}

// ---- sign-in rules ---------------------------------------------------------

/// The sign-in settings (clerk.toml `[session]`; the platform says how long
/// an offline sign-in stays valid for its users).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Wrong passwords in a row before the user is locked on this PC.
    pub max_failures: u32,
    /// How long that lockout lasts.
    pub lockout_secs: i64,
    /// How long after the last online sign-in on this PC an offline one is
    /// still allowed.
    pub offline_valid_secs: i64,
    /// Minutes (here seconds) without activity before the screen locks.
    pub idle_lock_secs: i64,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            max_failures: 5,
            lockout_secs: 15 * 60,
            offline_valid_secs: 7 * 24 * 3600,
            idle_lock_secs: 5 * 60,
        }
    }
}

/// One user's standing on this PC, as the store keeps it. Times are Unix
/// milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub failures: u32,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    /// Platform users: the last online sign-in on this PC (None: never).
    pub online_at: Option<i64>,
    /// Platform users: how long the platform lets an offline sign-in last
    /// after it (None: the PC's policy).
    pub offline_valid_secs: Option<i64>,
    pub local: bool,
}

/// Why a sign-in was refused before (or after) the password was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    UnknownUser,
    WrongPassword {
        left: u32,
    },
    /// Locked on this PC until this time (Unix ms).
    LockedOut {
        until: i64,
    },
    Disabled,
    /// A platform user who never signed in online on this PC.
    NeverOnlineHere,
    /// The last online sign-in here is older than the offline period.
    OfflineExpired {
        online_at: i64,
        valid_secs: i64,
    },
    NoRole,
}

impl SignInRefusal {
    pub fn zh(&self, fmt_time: &dyn Fn(i64) -> String) -> String {
        match self {
            SignInRefusal::UnknownUser | SignInRefusal::WrongPassword { .. } => match self {
                SignInRefusal::WrongPassword { left } if *left > 0 => {
                    format!("工号或密码不正确（再错 {left} 次将锁定）")
                }
                _ => "工号或密码不正确".into(),
            },
            SignInRefusal::LockedOut { until } => format!(
                "密码连续输错，该用户在本机已锁定，{} 后可再试",
                fmt_time(*until)
            ),
            SignInRefusal::Disabled => "该用户已停用，请联系信息管理员".into(),
            SignInRefusal::NeverOnlineHere => {
                "网络不通：该用户从未在本机联网登录过，无法离线登录".into()
            }
            SignInRefusal::OfflineExpired {
                online_at,
                valid_secs,
            } => format!(
                "网络不通：该用户在本机最近一次联网登录为 {}，已超过离线登录有效期（{} 天），请联网后登录",
                fmt_time(*online_at),
                valid_secs / 86400
            ),
            SignInRefusal::NoRole => "该用户没有任何角色，请联系信息管理员".into(),
        }
    }

    pub fn en(&self, fmt_time: &dyn Fn(i64) -> String) -> String {
        match self {
            SignInRefusal::WrongPassword { left } if *left > 0 => {
                format!("User ID or password is wrong ({left} more and the user is locked)")
            }
            SignInRefusal::UnknownUser | SignInRefusal::WrongPassword { .. } => {
                "User ID or password is wrong".into()
            }
            SignInRefusal::LockedOut { until } => format!(
                "Too many wrong passwords: the user is locked on this PC until {}",
                fmt_time(*until)
            ),
            SignInRefusal::Disabled => "This user is disabled; contact IT".into(),
            SignInRefusal::NeverOnlineHere => {
                "Offline: this user never signed in online on this PC, so cannot sign in offline"
                    .into()
            }
            SignInRefusal::OfflineExpired {
                online_at,
                valid_secs,
            } => format!(
                "Offline: this user last signed in online here at {}, beyond the offline period ({} days); sign in online",
                fmt_time(*online_at),
                valid_secs / 86400
            ),
            SignInRefusal::NoRole => "This user has no role; contact IT".into(),
        }
    }
}

/// Before the password is checked: is the user locked out or disabled?
pub fn before_password(s: &Standing, now: i64) -> Result<(), SignInRefusal> {
    if let Some(until) = s.locked_until {
        if until > now {
            return Err(SignInRefusal::LockedOut { until });
        }
    }
    if s.disabled {
        return Err(SignInRefusal::Disabled);
    }
    Ok(())
}

/// An offline sign-in of a platform user, after the password fitted.
pub fn offline_allowed(s: &Standing, policy: &SignInPolicy, now: i64) -> Result<(), SignInRefusal> {
    if s.local {
        return Ok(());
    }
    let Some(online_at) = s.online_at else {
        return Err(SignInRefusal::NeverOnlineHere);
    };
    let valid_secs = s.offline_valid_secs.map_or(policy.offline_valid_secs, |p| {
        p.min(policy.offline_valid_secs)
    });
    if now - online_at > valid_secs * 1000 {
        return Err(SignInRefusal::OfflineExpired {
            online_at,
            valid_secs,
        });
    }
    Ok(())
}

/// A wrong password: the new failure count, and the lockout's end when the
/// count reached the limit (the count starts again after it).
pub fn after_failure(failures: u32, policy: &SignInPolicy, now: i64) -> (u32, Option<i64>) {
    let n = failures + 1;
    if n >= policy.max_failures {
        (0, Some(now + policy.lockout_secs * 1000))
    } else {
        (n, None)
    }
}

/// A local user ID: 2–32 letters, digits, `.`, `_` or `-`.
pub fn check_user_id(id: &str) -> Result<(), (String, String)> {
    let ok = (2..=32).contains(&id.chars().count())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err((
            "工号应为 2–32 位字母、数字或 . _ -".into(),
            "User ID: 2–32 letters, digits or . _ -".into(),
        ))
    }
}

/// A new password: at least 8 characters, not the user ID.
pub fn check_new_password(user_id: &str, password: &str) -> Result<(), (String, String)> {
    if password.chars().count() < 8 {
        return Err((
            "密码至少 8 位".into(),
            "Password: at least 8 characters".into(),
        ));
    }
    if password == user_id {
        return Err((
            "密码不能与工号相同".into(),
            "Password must not be the user ID".into(),
        ));
    }
    Ok(())
}

/// A display name: 1–20 characters, printed on notices as 经办人.
pub fn check_display_name(name: &str) -> Result<(), (String, String)> {
    let n = name.trim().chars().count();
    if (1..=20).contains(&n) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err((
            "姓名应为 1–20 个字符".into(),
            "Name: 1–20 characters".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique() {
        let mut names: Vec<_> = COMMANDS.iter().map(|r| r.command).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn the_gate_follows_the_table() {
        let clerk = GateState::Active(&[Role::Clerk]);
        let admin = GateState::Active(&[Role::Admin]);
        let auditor = GateState::Active(&[Role::Auditor]);
        assert!(check("app_info", GateState::SignedOut).is_ok());
        assert_eq!(
            check("take_in", GateState::SignedOut),
            Err(Refusal::SignedOut)
        );
        assert_eq!(check("take_in", GateState::Locked), Err(Refusal::Locked));
        assert!(check("sign_out", GateState::Locked).is_ok());
        assert!(check("take_in", clerk).is_ok());
        assert!(check("take_in", GateState::Active(&[Role::Supervisor])).is_ok());
        assert_eq!(check("take_in", admin), Err(Refusal::Role { needed: DESK }));
        assert!(check("take_in", auditor).is_err());
        assert!(check("audit_trail", auditor).is_ok());
        assert!(check("audit_trail", admin).is_err());
        assert!(check("add_user", admin).is_ok());
        assert!(check("add_user", clerk).is_err());
        assert!(check("sync_status", auditor).is_ok());
        assert_eq!(
            check("drop_tables", clerk),
            Err(Refusal::UnknownCommand("drop_tables".into()))
        );
        // Several roles: any one is enough.
        assert!(check("take_in", GateState::Active(&[Role::Admin, Role::Clerk])).is_ok());
    }

    #[test]
    fn refusals_name_the_role_in_both_languages() {
        let e = check("add_user", GateState::Active(&[Role::Clerk])).unwrap_err();
        assert_eq!(e.zh(), "无权进行此操作：需要信息管理员角色");
        assert_eq!(e.en(), "Not allowed: needs the role IT administrator");
    }

    #[test]
    fn only_the_counter_sends_case_mutations() {
        assert_eq!(mutation_roles("case.create"), DESK);
        assert!(mutation_roles("case.purge").is_empty());
    }

    #[test]
    fn roles_parse_from_a_list() {
        assert_eq!(
            Role::parse_list("supervisor, clerk,clerk"),
            Ok(vec![Role::Clerk, Role::Supervisor])
        );
        assert_eq!(Role::parse_list("clerk,root"), Err("root".into()));
        assert_eq!(Role::join(&[Role::Clerk, Role::Admin]), "clerk,admin");
    }

    fn standing() -> Standing {
        Standing {
            failures: 0,
            locked_until: None,
            disabled: false,
            online_at: Some(0),
            offline_valid_secs: None,
            local: false,
        }
    }

    #[test]
    fn five_wrong_passwords_lock_for_fifteen_minutes() {
        let p = SignInPolicy::default();
        let mut f = 0;
        for i in 1..5 {
            let (n, until) = after_failure(f, &p, 1_000);
            assert_eq!((n, until), (i, None));
            f = n;
        }
        assert_eq!(after_failure(f, &p, 1_000), (0, Some(1_000 + 900_000)));
        let s = Standing {
            locked_until: Some(901_000),
            ..standing()
        };
        assert_eq!(
            before_password(&s, 900_999),
            Err(SignInRefusal::LockedOut { until: 901_000 })
        );
        assert_eq!(before_password(&s, 901_000), Ok(()));
    }

    #[test]
    fn offline_sign_in_needs_a_recent_online_one_here() {
        let p = SignInPolicy::default();
        let day = 86_400_000;
        assert_eq!(offline_allowed(&standing(), &p, 7 * day), Ok(()));
        assert!(matches!(
            offline_allowed(&standing(), &p, 7 * day + 1),
            Err(SignInRefusal::OfflineExpired {
                valid_secs: 604_800,
                ..
            })
        ));
        let never = Standing {
            online_at: None,
            ..standing()
        };
        assert_eq!(
            offline_allowed(&never, &p, 0),
            Err(SignInRefusal::NeverOnlineHere)
        );
        // The platform may shorten the period, never lengthen it.
        let short = Standing {
            offline_valid_secs: Some(86_400),
            ..standing()
        };
        assert!(offline_allowed(&short, &p, day + 1).is_err());
        let long = Standing {
            offline_valid_secs: Some(30 * 86_400),
            ..standing()
        };
        assert!(offline_allowed(&long, &p, 8 * day).is_err());
        // Local users (单机模式) have no online sign-in to be recent.
        let local = Standing {
            local: true,
            online_at: None,
            ..standing()
        };
        assert_eq!(offline_allowed(&local, &p, 99 * day), Ok(()));
        let disabled = Standing {
            disabled: true,
            ..standing()
        };
        assert_eq!(before_password(&disabled, 0), Err(SignInRefusal::Disabled));
    }

    #[test]
    fn refusals_say_when_the_lock_ends() {
        let t = |ms: i64| format!("T{ms}");
        let e = SignInRefusal::LockedOut { until: 5 };
        assert_eq!(e.zh(&t), "密码连续输错，该用户在本机已锁定，T5 后可再试");
        assert!(e.en(&t).contains("until T5"));
        assert_eq!(
            SignInRefusal::WrongPassword { left: 2 }.zh(&t),
            "工号或密码不正确（再错 2 次将锁定）"
        );
    }

    #[test]
    fn new_users_are_checked() {
        assert!(check_user_id("clerk01").is_ok());
        assert!(check_user_id("a").is_err());
        assert!(check_user_id("张三").is_err());
        assert!(check_new_password("clerk01", "clerk01").is_err());
        assert!(check_new_password("clerk01", "short").is_err());
        assert!(check_new_password("clerk01", "long-enough").is_ok());
        assert!(check_display_name("张三").is_ok());
        assert!(check_display_name("  ").is_err());
    }
}
