//! Scenario 8 of sync-protocol §13: the server process is killed (abort,
//! as `kill -9`) at each named failpoint of a push; after a restart the
//! client's retry leaves every mutation applied exactly once (I1, I2).
//!
//! Needs the `platform-server` binary: `cargo xtask test` builds it and
//! sets `PLATFORM_SERVER_BIN`; elsewhere `target/debug/platform-server` is
//! used when it exists.

mod common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use common::*;

fn server_bin() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("PLATFORM_SERVER_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/debug/platform-server")
        });
    p.exists().then_some(p)
}

struct ServerProcess(Child);

impl ServerProcess {
    fn start(bin: &std::path::Path, db: &str, port: u16, failpoint: Option<&str>) -> ServerProcess {
        let mut c = Command::new(bin);
        c.args([
            "serve",
            "--database-url",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .env("PLATFORM_ADMIN_TOKEN", ADMIN)
        .env("PLATFORM_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        if let Some(f) = failpoint {
            c.env("PLATFORM_FAILPOINT", f);
        }
        let mut child = c.spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("listening on"), "{line:?}");
        ServerProcess(child)
    }

    fn wait_dead(&mut self) -> bool {
        for _ in 0..100 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_08_server_killed_at_each_push_failpoint_loses_and_repeats_nothing() {
    let Some(bin) = server_bin() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: `cargo xtask test` builds platform-server and sets PLATFORM_SERVER_BIN"
        );
        eprintln!("skipped: build platform-server first");
        return;
    };
    // The in-process platform prepares the database (schema, office, user);
    // the killed and restarted server is a separate process on it.
    let p = Platform::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut healthy = ServerProcess::start(&bin, &p.db_url, port, None);
    let w = Window::new(&p, &url, "07").await;
    let mut i = 0;
    for fp in [
        "push.before_effects",
        "push.after_effects",
        "push.after_ledger",
        "push.after_commit",
    ] {
        drop(healthy);
        let mut dying = ServerProcess::start(&bin, &p.db_url, port, Some(fp));
        w.take_in(i);
        w.take_in(i + 1);
        i += 2;
        let e = w.client.push_once().await.unwrap_err();
        assert!(
            matches!(e, clerk_sync::SyncError::Network(_)),
            "{fp}: {e:?}"
        );
        assert!(dying.wait_dead(), "{fp}: the server died at the failpoint");
        healthy = ServerProcess::start(&bin, &p.db_url, port, None);
        let r = w.client.push_all().await.unwrap();
        assert_eq!(r.last_applied_seq, i as i64, "{fp}");
        assert_eq!(w.store.queue_state().unwrap().pending, 0, "{fp}");
        assert_eq!(
            server_case_count(&p).await,
            i as i64,
            "{fp}: each case once"
        );
        check_invariants(&p, &[&w]).await;
    }
    drop(healthy);
}
