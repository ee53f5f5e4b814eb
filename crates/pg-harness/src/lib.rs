//! A private PostgreSQL cluster for tests and demos: `initdb` + `pg_ctl`
//! under `target/pg-harness`, listening on 127.0.0.1 only, trust auth for
//! the `postgres` role (nothing outside this machine can reach it). Started
//! once and shared by every test binary (a file lock guards the start);
//! each test gets a fresh database. As root, the server runs as the
//! `postgres` system user (PostgreSQL refuses to run as root).
//!
//! `WC_TEST_DATABASE_URL` (a server URL without a database name, e.g.
//! `postgres://postgres@127.0.0.1:5432`) uses an existing server instead.

#[cfg(feature = "certs")]
pub mod certs;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const URL_ENV: &str = "WC_TEST_DATABASE_URL";

/// A running cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:<port>`, without a database name.
    pub base_url: String,
    pub dir: Option<PathBuf>,
}

impl Cluster {
    pub fn url(&self, db: &str) -> String {
        format!("{}/{db}", self.base_url)
    }
}

/// Where PostgreSQL's server programs are (Debian keeps them off PATH).
pub fn bin_dir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("initdb").exists() {
            return Some(p);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn pg(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut c: Command, what: &str) -> Result<String, String> {
    let out = c.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// How the cluster writes: the tests' `fsync=off` (the protocol and the
/// code, not the disk), or what a real platform runs (`fsync=on`,
/// `synchronous_commit=on`, full page writes) for the benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Test,
    Durable,
}

impl Durability {
    fn options(self) -> &'static str {
        match self {
            Durability::Test => "-c fsync=off",
            Durability::Durable => {
                "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c wal_sync_method=fdatasync"
            }
        }
    }
}

/// Start (or find running) the tests' cluster in `dir`; blocking.
pub fn start(dir: &Path) -> Result<Cluster, String> {
    start_as(dir, Durability::Test)
}

/// Start (or find running) a cluster in `dir` that writes as `durability`
/// says (a folder holds one kind: it is given at the first start).
pub fn start_as(dir: &Path, durability: Durability) -> Result<Cluster, String> {
    let bin = bin_dir()
        .ok_or("PostgreSQL server programs not found (Debian: apt-get install postgresql)")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let lock = std::fs::File::create(dir.join("lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    let data = dir.join("data");
    let port_file = dir.join("port");
    if is_root() {
        let _ = Command::new("chown")
            .arg("postgres:postgres")
            .arg(dir)
            .status();
    }
    if !data.join("PG_VERSION").exists() {
        let mut c = pg(&bin, "initdb");
        c.arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ]);
        run(c, "initdb")?;
    }
    let mut st = pg(&bin, "pg_ctl");
    st.arg("-D").arg(&data).arg("status");
    let running = st.output().is_ok_and(|o| o.status.success());
    let port: u16 = if running {
        std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .ok_or("cluster running but its port file is missing")?
    } else {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let mut c = pg(&bin, "pg_ctl");
        c.arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {} {} -c max_connections=300",
                data.display(),
                durability.options()
            ))
            .args(["-w", "start"]);
        run(c, "pg_ctl start")?;
        std::fs::write(&port_file, port.to_string()).map_err(|e| e.to_string())?;
        port
    };
    drop(lock);
    Ok(Cluster {
        base_url: format!("postgres://postgres@127.0.0.1:{port}"),
        dir: Some(dir.to_owned()),
    })
}

/// Stop the cluster in `dir` (xtask, at the end of a run).
pub fn stop(dir: &Path) -> Result<(), String> {
    let Some(bin) = bin_dir() else { return Ok(()) };
    let data = dir.join("data");
    if !data.exists() {
        return Ok(());
    }
    let mut c = pg(&bin, "pg_ctl");
    c.arg("-D").arg(&data).args(["-m", "fast", "stop"]);
    let _ = c.output();
    Ok(())
}

/// The shared cluster for this workspace's tests.
pub fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| {
        if let Ok(url) = std::env::var(URL_ENV) {
            return Cluster {
                base_url: url.trim_end_matches('/').to_owned(),
                dir: None,
            };
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pg-harness");
        start(&dir).unwrap_or_else(|e| panic!("private PostgreSQL cluster: {e}"))
    })
}

/// A new, empty database; returns its URL.
#[cfg(feature = "client")]
pub async fn fresh_database(prefix: &str) -> String {
    let c = cluster();
    let (client, conn) = tokio_postgres::connect(&c.url("postgres"), tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {}: {e}", c.base_url));
    tokio::spawn(conn);
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    c.url(&name)
}
