//! The state every command reads: built once at start.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clerk_config::Loaded;
use clerk_core::calendar::{StartDay, WorkCalendar};
use clerk_core::catalogue::Catalogue;
use clerk_core::date::Date;
use clerk_ipc::{CmdError, ErrorKind};
use clerk_secrets::SecretStore;
use clerk_store::{Identity, Store};
use tokio::sync::OnceCell;

use crate::paths::Paths;

/// A one-time enrolment code for silent provisioning: the app enrols the
/// PC with it at start when it is not enrolled yet.
pub const ENROL_CODE_ENV: &str = "WINDOW_CLERK_ENROL_CODE";

/// Testing only: allow a second instance (each with its own data dir).
pub const MULTI_INSTANCE_ENV: &str = "WINDOW_CLERK_MULTI_INSTANCE";

/// Testing only: pretend today is this date (YYYY-MM-DD). Logged loudly.
pub const TODAY_ENV: &str = "WINDOW_CLERK_TODAY";

/// Demo only (`cargo xtask run`, e2e): a PC without users gets the demo
/// users of [`DEMO_USERS`] when its store opens. Logged loudly.
pub const DEMO_USERS_ENV: &str = "WINDOW_CLERK_DEMO_USERS";

/// Whether the testing and demo switches (`WINDOW_CLERK_TODAY`,
/// `_MULTI_INSTANCE`, `_DEMO_USERS`) do anything in this build: in debug
/// builds (tests, e2e, `cargo xtask run`) and with the `test-switches`
/// feature (`cargo xtask run --release`); never in a release package, where
/// a PC's environment must not move its dates or make users.
pub const TEST_SWITCHES: bool = cfg!(any(debug_assertions, feature = "test-switches"));

/// A testing or demo switch from the environment, when this build honours
/// them; otherwise `None`, and a warning if it is set.
pub fn test_switch(name: &str) -> Option<std::ffi::OsString> {
    switch(TEST_SWITCHES, name)
}

fn switch(honoured: bool, name: &str) -> Option<std::ffi::OsString> {
    let v = std::env::var_os(name)?;
    if honoured {
        Some(v)
    } else {
        tracing::warn!("{name} is set but ignored: this is a release build");
        None
    }
}

/// The demo users: (user ID, name, roles, password). Printed by
/// `cargo xtask run`; README names them.
pub const DEMO_USERS: &[(&str, &str, &[clerk_core::access::Role], &str)] = {
    use clerk_core::access::Role::*;
    &[
        ("admin", "信息管理员", &[Admin], "demo-admin-1"),
        ("clerk01", "张三", &[Clerk], "demo-clerk-1"),
        ("clerk02", "李四", &[Clerk], "demo-clerk-2"),
        ("lead01", "王主任", &[Supervisor], "demo-lead-1"),
        ("audit01", "赵审计", &[Auditor], "demo-audit-1"),
    ]
};

/// How the app reaches its secrets: the OS keyring, or one given by a test.
pub enum Secrets {
    Os,
    Given(Arc<dyn SecretStore>),
}

/// Sync with the platform: the client and the worker that runs it.
pub struct SyncHandle {
    pub client: Arc<clerk_sync::SyncClient>,
    pub worker: clerk_sync::worker::Worker,
}

pub struct AppCore {
    pub config: Loaded,
    /// The catalogue bundled with the app (示例数据): used until the
    /// platform has delivered a version in effect.
    pub bundled: Arc<Catalogue>,
    /// Parsed catalogue versions, by number (versions are immutable).
    catalogues: std::sync::Mutex<std::collections::HashMap<u32, Arc<Catalogue>>>,
    /// The catalogue in effect, for (day, the store's catalogue generation):
    /// matter search asks on every keystroke.
    in_effect: std::sync::Mutex<Option<(Date, u64, Arc<Catalogue>)>>,
    /// The bundled calendar plus IT's calendar folder, read at start.
    machine_calendar: Arc<WorkCalendar>,
    /// Files of the calendar folder that could not be used (shown in 设置).
    pub calendar_problems: Vec<String>,
    /// The calendar in use, for the store's calendar generation: the
    /// machine's plus the years kept in the store (platform, import).
    calendar: std::sync::Mutex<Option<(u64, Arc<WorkCalendar>)>>,
    /// One rebuild (and recompute) at a time.
    calendar_rebuild: tokio::sync::Mutex<()>,
    pub started: Instant,
    pub startup_marker: Option<std::path::PathBuf>,
    pub ready_reported: std::sync::atomic::AtomicBool,
    pub data_dir: PathBuf,
    secrets: std::sync::Mutex<Option<Secrets>>,
    store: OnceCell<Result<Arc<Store>, CmdError>>,
    /// The secret store the store was opened with (sync keeps its
    /// credentials there too).
    secret_store: std::sync::OnceLock<Arc<dyn SecretStore>>,
    /// The sync client and its worker; None in standalone mode.
    sync: OnceCell<Option<Arc<SyncHandle>>>,
    issuer: OnceCell<Result<clerk_print::Issuer, CmdError>>,
    today_override: std::sync::Mutex<Option<Date>>,
    /// Who is signed in; every command passes its gate.
    pub sessions: crate::gate::Sessions,
    /// The sign-in rules from the config.
    pub policy: clerk_core::access::SignInPolicy,
}

fn config_idle(config: &Loaded) -> u32 {
    config.config.session.idle_lock_secs
}

impl AppCore {
    pub fn load(paths: &Paths, started: Instant) -> Self {
        let config = clerk_config::load(&paths.config_file);
        Self::new(config, started, paths.data_dir.clone(), Secrets::Os)
    }

    pub fn new(config: Loaded, started: Instant, data_dir: PathBuf, secrets: Secrets) -> Self {
        // The bundled sample is checked by clerk-core's tests; failing here
        // would be a build defect, not a user error.
        let catalogue = Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON)
            .expect("the bundled sample catalogue is valid");
        let today_override = test_switch(TODAY_ENV)
            .and_then(|v| v.into_string().ok())
            .and_then(|v| Date::parse_iso(&v));
        if let Some(d) = today_override {
            tracing::warn!(today = %d, "{TODAY_ENV} is set: dates are pretended (testing only)");
        }
        let mut machine_calendar = WorkCalendar::bundled();
        let calendar_dir = clerk_config::calendar_dir(
            config
                .path
                .as_deref()
                .unwrap_or(&clerk_config::default_path()),
        );
        let (years, calendar_problems) =
            clerk_config::load_calendar_dir(&calendar_dir, &mut machine_calendar);
        if !years.is_empty() {
            tracing::info!(?years, dir = %calendar_dir.display(), "holiday schedules from the calendar folder");
        }
        for p in &calendar_problems {
            tracing::error!(problem = %p, "calendar file not used");
        }
        Self {
            bundled: Arc::new(catalogue),
            machine_calendar: Arc::new(machine_calendar),
            calendar_problems,
            calendar: Default::default(),
            calendar_rebuild: Default::default(),
            catalogues: Default::default(),
            in_effect: Default::default(),
            started,
            startup_marker: std::env::var_os(crate::paths::STARTUP_MARKER_ENV).map(Into::into),
            ready_reported: Default::default(),
            data_dir,
            secrets: std::sync::Mutex::new(Some(secrets)),
            store: OnceCell::new(),
            secret_store: std::sync::OnceLock::new(),
            sync: OnceCell::new(),
            issuer: OnceCell::new(),
            today_override: std::sync::Mutex::new(today_override),
            sessions: crate::gate::Sessions::new(config_idle(&config)),
            policy: config.config.session.policy(),
            config,
        }
    }

    /// **The gate** (issue #12): every command calls this (or [`Self::user`])
    /// before anything else. The table is clerk-core's `access::COMMANDS`.
    pub fn gate(&self, command: &str) -> Result<Option<crate::gate::User>, CmdError> {
        let (r, just_locked) = self.sessions.gate(command);
        if let Some(u) = just_locked {
            self.audit_session("session.idle_lock", &u, serde_json::json!({}));
        }
        if let Err(e) = &r {
            tracing::info!(command, refused = ?e.kind, "command refused by the gate");
        }
        r
    }

    /// The gate for a command that needs a signed-in user.
    pub fn user(&self, command: &str) -> Result<crate::gate::User, CmdError> {
        self.gate(command)?.ok_or_else(|| {
            tracing::error!(command, "the gate let a command through without a user");
            CmdError::internal()
        })
    }

    /// The actor of the rows a user's action writes.
    pub fn actor_of(&self, user: &crate::gate::User) -> clerk_store::Actor {
        clerk_store::Actor {
            user_id: user.user_id.clone(),
            window_code: self.config.config.window.code.clone(),
        }
    }

    /// A session event's audit row, written off the caller's thread (the
    /// gate runs inside commands; a failed write is logged).
    pub fn audit_session(
        &self,
        action: &'static str,
        user: &crate::gate::User,
        detail: serde_json::Value,
    ) {
        let Some(Ok(store)) = self.store.get().cloned() else {
            return;
        };
        let actor = self.actor_of(user);
        tokio::task::spawn_blocking(move || {
            if let Err(e) =
                store.audit_session(action, &actor, detail, clerk_store::time::now_millis())
            {
                tracing::warn!(error = %e, action, "session audit row not written");
            }
        });
    }

    /// Pretend today is `day` (tests: every app test pins its day, so no
    /// deadline depends on the date the suite runs on).
    pub fn on_day(self, day: Date) -> Self {
        self.pretend_day(day);
        self
    }

    /// Move the pretended day on (tests: an applicant comes back two days
    /// later to the same running app). Never called by the app itself.
    pub fn pretend_day(&self, day: Date) {
        *self.today_override.lock().unwrap() = Some(day);
    }

    /// The local date in the hall (China Standard Time).
    pub fn today(&self) -> Date {
        let pretended = *self.today_override.lock().unwrap();
        pretended.unwrap_or_else(|| {
            clerk_store::time::local_date(
                clerk_store::time::now_millis(),
                clerk_store::time::CST_OFFSET_MINUTES,
            )
        })
    }

    /// The catalogue in effect today: the newest downloaded version whose
    /// date has come and that is not withdrawn (sync-protocol §5), else
    /// the bundled one.
    pub async fn catalogue(&self) -> Arc<Catalogue> {
        let Ok(store) = self.store().await else {
            return self.bundled.clone();
        };
        let today = self.today();
        let generation = store.catalogue_generation();
        if let Some((d, g, c)) = self.in_effect.lock().unwrap().as_ref() {
            if (*d, *g) == (today, generation) {
                return c.clone();
            }
        }
        let held = tokio::task::spawn_blocking(move || store.catalogue_versions())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let list: Vec<clerk_core::drift::Held<'_>> =
            held.iter().map(|h| (h.0, h.2.as_str(), h.3)).collect();
        let chosen = match clerk_core::drift::in_effect(&list, today) {
            Some(v) if v >= self.bundled.version => self
                .catalogue_version(v)
                .await
                .unwrap_or_else(|| self.bundled.clone()),
            _ => self.bundled.clone(),
        };
        *self.in_effect.lock().unwrap() = Some((today, generation, chosen.clone()));
        chosen
    }

    /// The version a draft or a case pinned, or the one in effect when
    /// this PC does not have it.
    pub async fn catalogue_pinned(&self, v: u32) -> Arc<Catalogue> {
        match self.catalogue_version(v).await {
            Some(c) => c,
            None => self.catalogue().await,
        }
    }

    /// One catalogue version (a draft or a case pins its own), from the
    /// versions downloaded, or the bundled one.
    pub async fn catalogue_version(&self, v: u32) -> Option<Arc<Catalogue>> {
        if let Some(c) = self.catalogues.lock().unwrap().get(&v) {
            return Some(c.clone());
        }
        let body = match self.store().await {
            Ok(store) => tokio::task::spawn_blocking(move || store.catalogue_body(v))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten(),
            Err(_) => None,
        };
        let parsed = match body {
            // Hash-checked and parsed before it was kept; a failure here is
            // a damaged file: logged, and the version is treated as absent.
            Some(b) => match Catalogue::parse(&b) {
                Ok(c) => Arc::new(c),
                Err(e) => {
                    tracing::error!(version = v, error = %e, "kept catalogue version unreadable");
                    return None;
                }
            },
            None if v == self.bundled.version => self.bundled.clone(),
            None => return None,
        };
        self.catalogues.lock().unwrap().insert(v, parsed.clone());
        Some(parsed)
    }

    /// The working-day calendar in use: bundled, IT's folder, then the
    /// years kept in the store (downloaded from the platform or imported in
    /// 设置), rebuilt only when the store keeps a new year.
    pub async fn calendar(&self) -> Arc<WorkCalendar> {
        let Ok(store) = self.store().await else {
            return self.machine_calendar.clone();
        };
        if let Some((g, c)) = self.calendar.lock().unwrap().as_ref() {
            if *g == store.calendar_generation() {
                return c.clone();
            }
        }
        let _one = self.calendar_rebuild.lock().await;
        let generation = store.calendar_generation();
        let before = {
            let held = self.calendar.lock().unwrap();
            match held.as_ref() {
                Some((g, c)) if *g == generation => return c.clone(),
                Some((_, c)) => c.clone(),
                // First use: the machine's calendar is what any case on
                // this PC was worked out on before the store's years.
                None => self.machine_calendar.clone(),
            }
        };
        let reader = store.clone();
        let kept = tokio::task::spawn_blocking(move || reader.calendar_years())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let mut cal = (*self.machine_calendar).clone();
        for k in kept {
            // Checked before it was kept; a failure here is a damaged row.
            match clerk_core::calendar::YearSchedule::parse(&k.body) {
                Ok(y) => cal.add_year(y),
                Err(e) => {
                    tracing::error!(year = k.year, error = %e, "kept calendar year unreadable")
                }
            }
        }
        let cal = Arc::new(cal);
        *self.calendar.lock().unwrap() = Some((generation, cal.clone()));
        // A year that became official (or changed): the cases whose dates
        // were provisional for it are worked out again. Any year may be
        // asked for; only cases that name it are touched.
        let arrived: Vec<i32> = cal
            .official_years()
            .filter(|y| before.source(*y) != cal.source(*y) || !before.has_year(*y))
            .collect();
        for year in arrived {
            self.recompute_provisional(&store, &cal, year).await;
        }
        cal
    }

    /// Work out again the dates of this PC's cases that were provisional
    /// for `year` (clerk-core's rules), each written with its audit row and
    /// the moves the clerk is shown (clerk-store). Returns (cases, moves).
    pub async fn recompute_provisional(
        &self,
        store: &Arc<Store>,
        cal: &Arc<WorkCalendar>,
        year: i32,
    ) -> (u32, u32) {
        let reader = store.clone();
        let cases = match tokio::task::spawn_blocking(move || reader.provisional_cases(year)).await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                tracing::error!(year, error = %e, "provisional cases not read: dates stay provisional");
                return (0, 0);
            }
            Err(_) => return (0, 0),
        };
        let (mut n_cases, mut n_moves) = (0, 0);
        let actor = clerk_store::Actor {
            user_id: "system:calendar".into(),
            window_code: self.config.config.window.code.clone(),
        };
        for (case_id, mut case) in cases {
            let Some(catalogue) = self.catalogue_version(case.matter_version).await else {
                tracing::error!(case = %case_id, version = case.matter_version, "catalogue version gone: dates stay provisional");
                continue;
            };
            let Some(matter) = catalogue.matter(&case.matter_code) else {
                continue;
            };
            let moved = match case.recompute_dates(matter, cal, self.start_day()) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(case = %case_id, error = %e, "dates not recomputed");
                    continue;
                }
            };
            let writer = store.clone();
            let actor = actor.clone();
            let n = moved.len() as u32;
            let written = tokio::task::spawn_blocking(move || {
                writer.apply_recomputed(
                    &case_id,
                    &case,
                    &moved,
                    year,
                    &actor,
                    clerk_store::time::now_millis(),
                )
            })
            .await;
            match written {
                Ok(Ok(())) => {
                    n_cases += 1;
                    n_moves += n;
                }
                Ok(Err(e)) => tracing::error!(error = %e, "recomputed dates not saved"),
                Err(_) => {}
            }
        }
        tracing::info!(
            year,
            cases = n_cases,
            moved = n_moves,
            "provisional dates worked out on the official schedule"
        );
        (n_cases, n_moves)
    }

    pub fn start_day(&self) -> StartDay {
        match self.config.config.deadlines.start_day.as_str() {
            "day_one" => StartDay::DayOne,
            _ => StartDay::DayZero,
        }
    }

    /// What documents are made with (font, the hall's templates and seal
    /// image, the receipt form), set up once on first use, off the main
    /// thread: parsing a CJK font is the slow part.
    pub async fn issuer(&self) -> Result<clerk_print::Issuer, CmdError> {
        self.issuer
            .get_or_init(|| async {
                let loaded = self.config.clone();
                let made = tokio::task::spawn_blocking(move || {
                    let font = clerk_print::Font::default_font().map_err(|e| {
                        crate::errors::with_ref(ErrorKind::Config, &e.zh(), &e.en(), &e)
                    })?;
                    let notices = &loaded.config.notices;
                    let mut issuer = clerk_print::Issuer::new(font);
                    issuer.templates = notices.templates.as_deref().map(|p| loaded.resolve(p));
                    issuer.receipt_80mm = loaded.config.printer.receipt.is_some();
                    // A seal image that cannot be used must not stop the
                    // counter: the notice keeps the empty box, which is
                    // always lawful, and the log says why.
                    issuer.seal = notices.seal_image.as_deref().and_then(|p| {
                        clerk_print::SealImage::load(&loaded.resolve(p))
                            .map_err(|e| tracing::error!(error = %e, "seal image not used"))
                            .ok()
                    });
                    Ok(issuer)
                })
                .await;
                made.unwrap_or_else(|_| Err(CmdError::internal()))
            })
            .await
            .clone()
    }

    /// A clean exit: the store gives back the receipt numbers it reserved
    /// ahead and did not use, so the next start continues without a gap
    /// (without this, the next start skips them, audited). Called from the
    /// event loop's exit; does nothing if the store never opened.
    pub fn close(&self) {
        if let Some(Ok(store)) = self.store.get() {
            store.release_numbers();
            tracing::info!("store closed cleanly");
        }
    }

    /// The store, opened on first use (off the main thread). A failure is
    /// remembered and shown; it is never papered over with a new database.
    pub async fn store(&self) -> Result<Arc<Store>, CmdError> {
        self.store
            .get_or_init(|| async {
                let secrets = self.secrets.lock().unwrap().take();
                let dir = self.data_dir.clone();
                let office = clerk_core::receipt::office_code(&self.config.config.hall.code);
                let opened = tokio::task::spawn_blocking(move || -> Result<(Store, Arc<dyn SecretStore>), (String, String)> {
                    let secrets: Arc<dyn SecretStore> = match secrets {
                        Some(Secrets::Given(s)) => s,
                        _ => match clerk_secrets::OsKeyring::open() {
                            Ok(k) => Arc::new(k),
                            Err(e) => {
                                // The keyring's own text (D-Bus) goes to the log.
                                tracing::error!(error = %e, "system keyring unavailable");
                                return Err((
                                    e.zh(),
                                    "The system keyring cannot be reached: make sure you are signed in to the desktop and the keyring is unlocked".into(),
                                ));
                            }
                        },
                    };
                    let store = Store::open(&dir, secrets.as_ref(), || Identity::provisional(&office)).map_err(|e| {
                        // The words are the clerk's; the error's own text (paths, SQLite) is logged.
                        let r = crate::errors::error_ref();
                        tracing::error!(error_ref = %r, error = %e, "cannot open the local store");
                        (format!("{}（编号 {r}）", e.zh()), format!("{} (ref {r})", e.en()))
                    })?;
                    Ok((store, secrets))
                })
                .await;
                match opened {
                    Ok(Ok((s, secrets))) => {
                        let _ = self.secret_store.set(secrets);
                        if test_switch(DEMO_USERS_ENV).is_some() {
                            seed_demo_users(&s);
                        }
                        tracing::info!(device = %s.identity().device_code, office = %s.identity().office_code, "local store open");
                        Ok(Arc::new(s))
                    }
                    Ok(Err((zh, en))) => {
                        tracing::error!(error = %en, "local store unavailable");
                        Err(CmdError::new(ErrorKind::Storage, zh, en))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "opening the store panicked");
                        Err(CmdError::internal())
                    }
                }
            })
            .await
            .clone()
    }

    /// Sync with the platform, set up on first use when a server is
    /// configured: the client and a worker that runs by itself (every 30 s,
    /// backing off after failures) and on a poke.
    pub async fn sync(&self) -> Option<Arc<SyncHandle>> {
        self.sync
            .get_or_init(|| async {
                let url = self.config.config.platform.server_url.clone()?;
                let store = self.store().await.ok()?;
                let secrets = self.secret_store.get()?.clone();
                // The CA bundle is read here, when sync starts: a missing or
                // broken file stops sync (logged, shown by the doctor),
                // never the window; cases keep being taken in offline.
                let ca = match &self.config.config.platform.ca_bundle {
                    Some(p) => match std::fs::read(p) {
                        Ok(b) => Some(b),
                        Err(e) => {
                            tracing::error!(path = %p.display(), error = %e, "[platform] ca_bundle cannot be read: sync is off");
                            return None;
                        }
                    },
                    None => None,
                };
                let client = match clerk_sync::SyncClient::with_tls(
                    &url,
                    store,
                    secrets,
                    &clerk_store::key_name(&self.data_dir),
                    ca.as_deref(),
                ) {
                    Ok(c) => Arc::new(c),
                    Err(e) => {
                        tracing::error!(error = %e, "sync is off");
                        return None;
                    }
                };
                let worker = clerk_sync::worker::Worker::spawn(
                    client.clone(),
                    std::time::Duration::from_secs(30),
                    clerk_sync::worker::Backoff::default(),
                );
                tracing::info!(server = %url, "sync worker started");
                Some(Arc::new(SyncHandle { client, worker }))
            })
            .await
            .clone()
    }

    pub fn log_start(&self, paths: &Paths) {
        let c = &self.config;
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            hall = %c.config.hall.code,
            window = %c.config.window.code,
            standalone = c.config.is_standalone(),
            config = %c.path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "embedded default".into()),
            data_dir = %paths.data_dir.display(),
            "Window Clerk starting"
        );
        if let Some(p) = &c.problem {
            tracing::error!(problem = %p, "machine config unusable; running on the embedded default");
        }
    }
}

/// The demo users, on a PC that has none yet (demo and tests only).
fn seed_demo_users(store: &Store) {
    if store.user_count().unwrap_or(1) > 0 {
        return;
    }
    tracing::warn!("{DEMO_USERS_ENV} is set: demo users created (demo only)");
    let actor = clerk_store::Actor {
        user_id: "demo-seed".into(),
        window_code: String::new(),
    };
    for (id, name, roles, password) in DEMO_USERS {
        let made = clerk_secrets::password::make_verifier(password)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                store
                    .add_local_user(id, name, roles, &v, &actor, clerk_store::time::now_millis())
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = made {
            tracing::error!(user = id, error = %e, "demo user not created");
        }
    }
}

#[cfg(test)]
mod switch_tests {
    use super::*;

    #[test]
    fn a_release_build_ignores_the_test_switches() {
        // Set for this process only; the name is this test's own.
        let name = "WINDOW_CLERK_SWITCH_PROBE";
        std::env::set_var(name, "2026-03-02");
        assert_eq!(switch(false, name), None, "a release build");
        assert_eq!(switch(true, name).as_deref(), Some("2026-03-02".as_ref()));
        std::env::remove_var(name);
        assert_eq!(switch(true, name), None);
        // Tests are debug builds: the switches work here.
        const { assert!(TEST_SWITCHES) };
    }
}
