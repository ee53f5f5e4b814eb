//! Sample data for tests, the crash-test child and benchmarks (not used by
//! the app).

use clerk_core::calendar::{StartDay, WorkCalendar};
use clerk_core::case::MaterialCheck;
use clerk_core::catalogue::Catalogue;
use clerk_core::date::Date;
use clerk_core::ids::citizen_id_check_char;
use clerk_core::intake::{
    prepare, ApplicantForm, DecisionForm, IntakeContext, IntakeForm, PreparedCase,
};

/// 食品经营许可 in the sample catalogue (m4 may be missing: 容缺).
pub const FOOD: &str = "11530500MB1A27618NXK00001000000";

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "段", "杞", "尹", "番",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟",
    "涛", "明", "超", "华", "玉兰",
];

/// A valid citizen ID for person `i` (Longyang district, born 1960–1999).
pub fn citizen_id(i: u64) -> String {
    let y = 1960 + (i % 40);
    let m = 1 + (i / 40) % 12;
    let d = 1 + (i / 480) % 28;
    let s = (i / 13_440) % 1000;
    let body = format!("530502{y:04}{m:02}{d:02}{s:03}");
    format!("{body}{}", citizen_id_check_char(&body).unwrap())
}

pub fn person(i: u64) -> ApplicantForm {
    ApplicantForm {
        name: format!(
            "{}{}",
            SURNAMES[(i % SURNAMES.len() as u64) as usize],
            GIVEN[(i / 7 % GIVEN.len() as u64) as usize]
        ),
        id_no: citizen_id(i),
        phone: format!("138{:08}", i % 100_000_000),
        address: "保山市隆阳区".into(),
        ..Default::default()
    }
}

/// A prepared 食品经营许可 case for person `i`, accepted on `today`.
pub fn sample_case(i: u64, today: Date) -> PreparedCase {
    static WORLD: std::sync::OnceLock<(Catalogue, WorkCalendar)> = std::sync::OnceLock::new();
    let (cat, cal) = WORLD.get_or_init(|| {
        (
            Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap(),
            WorkCalendar::bundled(),
        )
    });
    let m = cat.matter(FOOD).unwrap();
    let form = IntakeForm {
        matter_code: FOOD.into(),
        matter_version: cat.version,
        applicant: person(i),
        materials: m
            .materials
            .iter()
            .map(|x| MaterialCheck {
                material_id: x.id.clone(),
                received: true,
                original_seen: true,
                copies: x.copies,
            })
            .collect(),
        decision: DecisionForm::Accept,
    };
    prepare(
        &form,
        &IntakeContext {
            catalogue: cat,
            calendar: cal,
            today,
            start_day: StartDay::DayZero,
        },
    )
    .expect("sample case is valid")
}

/// Secrets in files under a folder: shared across processes (crash test)
/// and runs (benchmark databases), never the developer's keyring.
#[derive(Debug)]
pub struct FileSecrets(pub std::path::PathBuf);

impl clerk_secrets::SecretStore for FileSecrets {
    fn get(&self, name: &str) -> Result<Vec<u8>, clerk_secrets::SecretError> {
        std::fs::read(self.0.join(name.replace(':', "_")))
            .map_err(|_| clerk_secrets::SecretError::NotFound(name.into()))
    }
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), clerk_secrets::SecretError> {
        std::fs::create_dir_all(&self.0)
            .map_err(|e| clerk_secrets::SecretError::Unavailable(e.to_string()))?;
        std::fs::write(self.0.join(name.replace(':', "_")), secret)
            .map_err(|e| clerk_secrets::SecretError::Unavailable(e.to_string()))
    }
    fn delete(&self, name: &str) -> Result<(), clerk_secrets::SecretError> {
        let _ = std::fs::remove_file(self.0.join(name.replace(':', "_")));
        Ok(())
    }
    fn describe(&self) -> String {
        "files (tests and benchmarks only)".into()
    }
}

/// Make a database at an older schema: open `dir` with only the first
/// `migrations` of [`crate::MIGRATIONS`] applied, let `write` put rows in
/// as that schema's code did, and close it cleanly. Opening it again with
/// [`crate::Store::open`] then runs the later migrations over real data.
pub fn at_schema(
    dir: &std::path::Path,
    secrets: &dyn clerk_secrets::SecretStore,
    identity: crate::Identity,
    migrations: usize,
    write: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<()>,
) -> Result<(), crate::OpenError> {
    let store = crate::Store::open_to(dir, secrets, || Ok(identity), migrations)?;
    let conn = store.conn.lock().unwrap();
    write(&conn)?;
    drop(conn);
    Ok(())
}

/// The audit trail's actions and details, oldest first.
pub fn audit_trail(store: &crate::Store) -> Vec<(String, String)> {
    let conn = store.conn.lock().unwrap();
    let mut st = conn
        .prepare("SELECT action, detail FROM audit ORDER BY id")
        .unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// `SELECT count(*) FROM <what>` on the store's own connection.
pub fn count(store: &crate::Store, what: &str) -> i64 {
    let conn = store.conn.lock().unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {what}"), [], |r| r.get(0))
        .unwrap()
}

/// Run `sql` on the store's own connection, as someone with the key and a
/// SQLite shell could (the audit chain's tamper tests).
pub fn tamper(store: &crate::Store, sql: &str) {
    store.conn.lock().unwrap().execute_batch(sql).unwrap();
}

/// Recompute every audit link from the rows as they are now: what someone
/// with the key who edited a row would do to hide it from `verify_audit`
/// (the platform still sees it: the link it holds no longer matches).
pub fn rechain(store: &crate::Store) {
    let mut conn = store.conn.lock().unwrap();
    conn.execute("UPDATE audit SET link = NULL", []).unwrap();
    crate::audit::backfill(&mut conn).unwrap();
}
