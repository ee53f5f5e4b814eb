//! Fault-injection scenarios of sync-protocol §13, each named after its
//! number there, against the real server on real PostgreSQL and the real
//! client core. Every scenario ends with the invariant checker.

mod common;

use std::sync::atomic::Ordering;

use clerk_sync::SyncError;
use common::*;
use serde_json::json;

/// 1. The connection is cut after the push request was sent, before the
/// response: the outcome is unknown, the retry sends the same seqs, the
/// ledger answers with the identical results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_01_cut_after_request_retry_gets_the_ledgers_results() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    w.take_in(1);
    w.take_in(2);
    proxy.drop_responses.store(1, Ordering::SeqCst);
    let e = w.client.push_once().await.unwrap_err();
    assert!(matches!(e, SyncError::Network(_)), "{e:?}");
    assert_eq!(
        w.store.queue_state().unwrap().pending,
        2,
        "nothing marked on an unknown outcome"
    );
    // The server did apply them.
    assert_eq!(server_case_count(&p).await, 2);
    let first = w.store.pending_batch(10).unwrap();
    let replay = w.client.push_rows(&first).await.unwrap();
    let again = w.client.push_rows(&first).await.unwrap();
    assert_eq!(
        replay.results, again.results,
        "the ledger replays identical results"
    );
    let r = w.client.push_all().await.unwrap();
    assert_eq!(r.applied, 2);
    assert_eq!(w.store.queue_state().unwrap().pending, 0);
    assert_eq!(server_case_count(&p).await, 2);
    check_invariants(&p, &[&w]).await;
    check_pulled(&p, &w).await;
}

/// 2. Only the response of a case.create batch is lost: one case and one
/// receipt on the server, never two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_02_lost_create_response_gives_one_case_one_receipt() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    let c = w.take_in(1);
    for _ in 0..3 {
        proxy.drop_responses.store(1, Ordering::SeqCst);
        assert!(w.client.push_once().await.is_err());
    }
    w.client.push_all().await.unwrap();
    let db = p.sql().await;
    let n: i64 = db
        .query_one(
            "SELECT count(*) FROM cases WHERE receipt_no = $1",
            &[&c.receipt_no],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(server_case_count(&p).await, 1);
    check_invariants(&p, &[&w]).await;
}

/// 3. The same batch twice concurrently and 10× in a row: exactly one
/// effect; the concurrent twin gets push_in_progress or the duplicate's
/// results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_03_duplicate_delivery_has_one_effect() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    for i in 0..5 {
        w.take_in(i);
    }
    let rows = w.store.pending_batch(100).unwrap();
    let (a, b) = tokio::join!(w.client.push_rows(&rows), w.client.push_rows(&rows));
    for r in [&a, &b] {
        match r {
            Ok(r) => assert_eq!(r.last_applied_seq, 5),
            Err(e) => assert_eq!(e.code(), Some("push_in_progress"), "{e:?}"),
        }
    }
    for _ in 0..10 {
        let r = w.client.push_rows(&rows).await.unwrap();
        assert_eq!(r.results.len(), 5);
        assert!(r
            .results
            .iter()
            .all(|x| x.status == platform_api::ResultStatus::Applied));
    }
    w.client.push_all().await.unwrap();
    assert_eq!(server_case_count(&p).await, 5);
    let ledger: i64 = p
        .sql()
        .await
        .query_one("SELECT count(*) FROM mutation_ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(ledger, 5);
    check_invariants(&p, &[&w]).await;
}

/// 4. Seq 2 arrives before seq 1: `gap` with where the server is; the
/// client resends from there and both apply in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_04_reordered_delivery_is_a_gap_then_in_order() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    w.take_in(2);
    let rows = w.store.pending_batch(10).unwrap();
    let e = w.client.push_rows(&rows[1..]).await.unwrap_err();
    assert_eq!(e.code(), Some("gap"));
    assert!(
        matches!(
            e,
            SyncError::Server {
                last_applied_seq: Some(0),
                status: 409,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        server_case_count(&p).await,
        0,
        "nothing applied out of order"
    );
    let r = w.client.push_all().await.unwrap();
    assert_eq!((r.applied, r.last_applied_seq), (2, 2));
    check_invariants(&p, &[&w]).await;
}

/// 6. A poison command at the head is rejected with the server's reason,
/// set aside for the clerk, and the commands after it still apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_06_poison_head_is_set_aside_and_the_rest_flows() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.store
        .enqueue_mutation(
            &clerk_store::NewMutation {
                kind: "case.bogus".into(),
                type_version: 1,
                case_id: None,
                base_version: None,
                payload: serde_json::json!({}),
            },
            &actor("07"),
            clerk_store::time::now_millis(),
        )
        .unwrap();
    w.take_in(1);
    w.take_in(2);
    let r = w.client.push_all().await.unwrap();
    assert_eq!((r.applied, r.rejected), (2, 1));
    let q = w.store.queue_state().unwrap();
    assert_eq!((q.pending, q.rejected), (0, 1));
    let rows = w.store.outbox_rows(10).unwrap();
    let bad = rows.iter().find(|r| r.kind == "case.bogus").unwrap();
    assert_eq!(bad.state, "rejected");
    assert_eq!(server_case_count(&p).await, 2);
    // The clerk requeues it: the same command under a new seq (a seq is
    // answered once for ever), refused again by the platform with the
    // reason; the old row stays in the archive, marked.
    assert!(w
        .store
        .retry_rejected(bad.seq, &actor("07"), clerk_store::time::now_millis())
        .unwrap());
    assert!(
        !w.store
            .retry_rejected(bad.seq, &actor("07"), clerk_store::time::now_millis())
            .unwrap(),
        "once"
    );
    assert_eq!(w.store.queue_state().unwrap().pending, 1);
    let r = w.client.push_all().await.unwrap();
    assert_eq!((r.sent, r.rejected, r.last_applied_seq), (1, 1, 4));
    assert_eq!(w.store.queue_state().unwrap().rejected, 1);
    check_invariants(&p, &[&w]).await;
}

/// 11. The client crashes after the server's 200 and before it marks the
/// rows: the next push re-sends them and the ledger dedups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_11_crash_after_200_before_ack_is_deduplicated() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    w.take_in(2);
    let rows = w.store.pending_batch(10).unwrap();
    // Answered, never recorded (the process died here).
    w.client.push_rows(&rows).await.unwrap();
    assert_eq!(w.store.queue_state().unwrap().pending, 2);
    w.take_in(3);
    let r = w.client.push_all().await.unwrap();
    assert_eq!(r.last_applied_seq, 3);
    assert_eq!(server_case_count(&p).await, 3);
    check_invariants(&p, &[&w]).await;
}

/// 12. A crash mid-pull: the page and its cursor are saved together, so
/// applying the same page again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_12_a_pull_page_applied_twice_is_a_no_op() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    for i in 0..3 {
        a.take_in(i);
    }
    a.client.push_all().await.unwrap();
    let r = b.client.pull_all().await.unwrap();
    assert_eq!(r.changed, 3);
    let cursor = b.store.sync_get("pull_cursor").unwrap().unwrap();
    let cases = b.store.server_cases(10).unwrap();
    // The same page again (as after a crash before the next request).
    assert_eq!(b.store.apply_pull(&cases, &cursor, None).unwrap(), 0);
    assert_eq!(b.client.pull_all().await.unwrap().changed, 0);
    check_pulled(&p, &b).await;
    check_invariants(&p, &[&a, &b]).await;
}

/// 18. A second process on the same data directory cannot open the store,
/// so it can never run a second sync worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_18_a_second_process_cannot_sync_the_same_store() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let again = clerk_store::Store::open(w.dir.path(), w.secrets.as_ref(), || {
        clerk_store::Identity::provisional("530502ZW")
    });
    assert!(
        matches!(again, Err(clerk_store::OpenError::Busy(_))),
        "{again:?}"
    );
    // The one process that holds the store syncs as usual.
    w.take_in(1);
    w.client.push_all().await.unwrap();
    check_invariants(&p, &[&w]).await;
    check_pulled(&p, &w).await;
}

/// 29. The access token expires between batches: 401, one refresh, on. 20
/// concurrent calls cause a single refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_29_expired_access_token_is_refreshed_once_for_20_calls() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    w.client.push_all().await.unwrap();
    p.sql()
        .await
        .execute(
            "UPDATE access_tokens SET expires_at = now() - interval '1 second'",
            &[],
        )
        .await
        .unwrap();
    let before = w.client.refreshes.load(Ordering::SeqCst);
    let calls = (0..20).map(|_| w.client.pull_all());
    let results = futures_join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        w.client.refreshes.load(Ordering::SeqCst) - before,
        1,
        "single flight"
    );
    w.take_in(2);
    assert_eq!(w.client.push_all().await.unwrap().applied, 1);
    check_invariants(&p, &[&w]).await;
}

/// 30. The refresh response is lost: the client retries with the old
/// refresh token inside the grace window and gets the same successor; the
/// session survives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_30_lost_refresh_response_keeps_the_session() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    w.client.drop_access_token().await;
    proxy.drop_responses.store(1, Ordering::SeqCst);
    assert!(matches!(
        w.client.pull_all().await,
        Err(SyncError::Network(_))
    ));
    // Retried with the same (old) refresh token: the same successor.
    w.client.pull_all().await.unwrap();
    w.take_in(1);
    assert_eq!(w.client.push_all().await.unwrap().applied, 1);
    let rotated: i64 = p
        .sql()
        .await
        .query_one(
            "SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rotated, 1, "one rotation, replayed, not two");
    check_invariants(&p, &[&w]).await;
}

/// 31. The refresh token is revoked while the PC is offline: the queue
/// pauses with everything kept, and resumes after the next login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_31_revoked_session_pauses_and_keeps_the_queue() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    for i in 0..3 {
        w.take_in(i);
    }
    let db = p.sql().await;
    db.execute("UPDATE refresh_tokens SET revoked = true", &[])
        .await
        .unwrap();
    db.execute("DELETE FROM access_tokens", &[]).await.unwrap();
    let e = w.client.push_all().await.unwrap_err();
    assert!(matches!(e, SyncError::LoginNeeded(_)), "{e:?}");
    assert!(e.zh().contains("数据均已保留"));
    assert_eq!(w.store.queue_state().unwrap().pending, 3, "nothing dropped");
    w.client.login(USER, PASSWORD).await.unwrap();
    assert_eq!(w.client.push_all().await.unwrap().applied, 3);
    check_invariants(&p, &[&w]).await;
}

/// 33. The cursor falls out of the kept change log: `must_resync` once, a
/// snapshot, the new cursor saved; no loop, the outbox untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_33_invalidated_cursor_resyncs_once() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    a.take_in(1);
    a.client.push_all().await.unwrap();
    b.client.pull_all().await.unwrap();
    b.take_in(50); // pending at b: must survive the resync
    for i in 2..5 {
        a.take_in(i);
    }
    a.client.push_all().await.unwrap();
    // Retention drops the log below the newest entry.
    let db = p.sql().await;
    db.batch_execute(
        "INSERT INTO meta VALUES ('log_floor', (SELECT value FROM counters WHERE name = 'change_seq')::text) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value; DELETE FROM change_log",
    )
    .await
    .unwrap();
    let r = b.client.pull_all().await.unwrap();
    assert!(r.resynced);
    assert_eq!(
        b.store.queue_state().unwrap().pending,
        1,
        "the outbox is untouched"
    );
    let r2 = b.client.pull_all().await.unwrap();
    assert!(!r2.resynced, "no loop");
    b.client.push_all().await.unwrap();
    check_pulled(&p, &b).await;
    check_invariants(&p, &[&a, &b]).await;
}

async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    let handles: Vec<_> = fs.collect();
    // Poll them concurrently on this task.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    for d in done {
        out.extend(d);
    }
    out
}

/// 7. A transient dependency outage (the platform's database read-only):
/// nothing advances, nothing is lost, and the worker's own timer resumes
/// the queue afterwards — no new local write, no click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_07_read_only_database_then_the_timer_resumes() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let db = p.sql().await;
    let dbname: String = db
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    let set_ro = |on: bool| {
        format!(
            "ALTER DATABASE {dbname} SET default_transaction_read_only = {on}; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}' AND pid <> pg_backend_pid()"
        )
    };
    let admin_db = {
        let url = p.db_url.rsplit_once('/').unwrap().0.to_owned() + "/postgres";
        let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c
    };
    for i in 0..3 {
        w.take_in(i);
    }
    admin_db.batch_execute(&set_ro(true)).await.unwrap();
    let e = w.client.push_all().await.unwrap_err();
    assert!(e.transient(), "{e:?}");
    assert_eq!(w.store.queue_state().unwrap().pending, 3);
    let worker = clerk_sync::worker::Worker::spawn(
        w.client.clone(),
        std::time::Duration::from_secs(3600),
        clerk_sync::worker::Backoff {
            min: std::time::Duration::from_millis(50),
            max: std::time::Duration::from_millis(400),
        },
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(
        w.store.queue_state().unwrap().pending,
        3,
        "nothing advances while read-only"
    );
    let st = worker.state();
    assert!(
        st.failures >= 1 && st.last_error.as_deref().is_some_and(|e| e.contains("503")),
        "{st:?}"
    );
    admin_db.batch_execute(&set_ro(false)).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while w.store.queue_state().unwrap().pending > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the timer did not resume the queue"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(worker);
    assert_eq!(server_case_count(&p).await, 3);
    check_invariants(&p, &[&w]).await;
}

/// 13. The platform's database is restored from an older backup: pushes
/// meet a `gap` and are re-sent from the client's archive; pulls meet
/// `must_resync`. Nothing is lost (I1–I5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_13_server_restored_from_backup_is_refilled_from_the_archive() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    a.take_in(1);
    a.client.push_all().await.unwrap();
    let bin = pg_harness::bin_dir().unwrap();
    let backup = a.dir.path().join("platform.dump");
    let url = p.db_url.clone();
    let out = std::process::Command::new(bin.join("pg_dump"))
        .args(["-Fc", "-f"])
        .arg(&backup)
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in 2..5 {
        a.take_in(i);
    }
    a.client.push_all().await.unwrap();
    b.client.pull_all().await.unwrap();
    // Restore: the platform forgets seqs 2–4 and everything after the backup.
    let out = std::process::Command::new(bin.join("pg_restore"))
        .args(["--clean", "--if-exists", "--single-transaction", "-d", &url])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The restore runbook's step (`platform-server admin restored`).
    platform_server::db::new_log_epoch(&p.sql().await)
        .await
        .unwrap();
    assert_eq!(server_case_count(&p).await, 1);
    a.take_in(5);
    let r = a.client.push_all().await.unwrap();
    assert_eq!(r.last_applied_seq, 5, "{r:?}");
    assert_eq!(server_case_count(&p).await, 5, "re-pushed from the archive");
    let r = b.client.pull_all().await.unwrap();
    assert!(r.resynced, "a cursor from the future: must_resync");
    check_invariants(&p, &[&a, &b]).await;
    check_pulled(&p, &b).await;
}

/// 14. A window's database restored from an older copy reuses seqs with
/// other mutations: the platform answers 410 and quarantines the device;
/// no duplicate seq is applied and the window keeps its data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_14_restored_client_database_is_quarantined() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    w.client.push_all().await.unwrap();
    let copy = backup(&w);
    w.take_in(2);
    w.take_in(3);
    w.client.push_all().await.unwrap();
    check_invariants(&p, &[&w]).await;
    let w = restore(&p, w, &copy);
    let (store, client) = (w.store.clone(), w.client.clone());
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    store
        .take_in(
            &clerk_store::testing::sample_case(9, today),
            &actor("07"),
            clerk_store::time::now_millis(),
            None,
        )
        .unwrap();
    let e = client.push_all().await.unwrap_err();
    assert_eq!(e.code(), Some("reenroll_required"), "{e:?}");
    assert!(e.zh().contains("重新登记"));
    assert_eq!(
        store.queue_state().unwrap().pending,
        1,
        "the window keeps its case"
    );
    assert_eq!(
        server_case_count(&p).await,
        3,
        "nothing applied from the old copy"
    );
    let q: bool = p
        .sql()
        .await
        .query_one("SELECT quarantined FROM devices", &[])
        .await
        .unwrap()
        .get(0);
    assert!(q);
    // The platform still has every case once, whatever the copy sent.
    check_receipts_unique(&p).await;
}

/// A consistent copy of a window's database files (the store is idle).
fn backup(w: &Window) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(w.dir.path()).unwrap().flatten() {
        let f = f.path();
        if f.is_file() && !f.ends_with("lock") {
            std::fs::copy(&f, copy.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    copy
}

/// The window with its database put back from `copy` (restored from an
/// older backup), its keyring as it is.
fn restore(p: &Platform, w: Window, copy: &tempfile::TempDir) -> Window {
    let Window {
        store,
        client,
        secrets,
        dir,
        window,
    } = w;
    drop(client);
    drop(store);
    for f in std::fs::read_dir(copy.path()).unwrap().flatten() {
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    let store = std::sync::Arc::new(
        clerk_store::Store::open(dir.path(), secrets.as_ref(), || unreachable!("exists")).unwrap(),
    );
    let client = std::sync::Arc::new(clerk_sync::SyncClient::new(
        &p.url,
        store.clone(),
        secrets.clone(),
        "wc-test",
    ));
    Window {
        store,
        client,
        secrets,
        dir,
        window,
    }
}

/// 14b. The restored database is enrolled again (a new code from an
/// admin): it carries its device history. What it sends that the platform
/// applied under the earlier enrolment is answered from that ledger, never
/// applied twice; what is new is applied; its next receipt numbers are
/// above every one the platform saw; the earlier credential is retired;
/// its audit chain goes on, judged against the links the platform held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_14b_a_re_enrolled_database_carries_its_history() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let old_device = w.device_id();
    w.take_in(1);
    w.client.push_all().await.unwrap();
    let second = w.take_in(2);
    let copy = backup(&w);
    w.client.push_all().await.unwrap();
    w.take_in(3);
    w.client.push_all().await.unwrap();
    assert_eq!(server_case_count(&p).await, 3);
    // The PC's disk fails; IT puts back last night's backup and re-enrols.
    let w = restore(&p, w, &copy);
    assert_eq!(w.store.queue_state().unwrap().pending, 1, "case 2 unsent");
    let code = p.enrolment_code("07").await;
    let r = w.client.enroll(&code, &actor("07")).await.unwrap();
    assert_eq!(r.device_epoch, 2);
    assert_eq!(r.pushed_through, 1, "what both sides agree was pushed");
    assert!(r.audit_head > 0, "the audit chain is carried");
    let seen: i64 = p
        .sql()
        .await
        .query_one(
            "SELECT max_receipt_counter FROM devices WHERE device_id = $1::text::uuid",
            &[&old_device],
        )
        .await
        .unwrap()
        .get(0);
    // Above case 3's receipt (and above the numbers this PC reserved).
    assert!(
        r.receipt_counter_floor > seen,
        "{} ≤ {seen}",
        r.receipt_counter_floor
    );
    w.client.login(USER, PASSWORD).await.unwrap();
    let fresh = w.take_in(10);
    let rep = w.client.push_all().await.unwrap();
    assert_eq!(rep.rejected, 0, "{rep:?}");
    assert_eq!(
        server_case_count(&p).await,
        4,
        "case 2 answered from the earlier ledger, not applied again; case 10 applied"
    );
    let db = p.sql().await;
    let device: uuid::Uuid = w.device_id().parse().unwrap();
    let replayed: String = db
        .query_one(
            "SELECT mutation_id FROM mutation_ledger WHERE device_id = $1 AND seq = 2",
            &[&device],
        )
        .await
        .unwrap()
        .get(0);
    let local = w.store.outbox_rows(100).unwrap();
    assert_eq!(
        Some(replayed.as_str()),
        local
            .iter()
            .find(|x| x.case_id.as_deref() == Some(second.case_id.as_str()))
            .map(|x| x.mutation_id.as_str())
    );
    assert!(local.iter().all(|x| x.state == "acked"), "{local:?}");
    let n: i64 = db
        .query_one(
            "SELECT count(*) FROM cases WHERE case_id = $1",
            &[&second.case_id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let receipt: String = db
        .query_one(
            "SELECT receipt_no FROM cases WHERE case_id = $1",
            &[&fresh.case_id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(receipt, fresh.receipt_no);
    assert!(
        clerk_core::receipt::ReceiptNo::parse(&receipt)
            .unwrap()
            .counter()
            >= r.receipt_counter_floor as u64,
        "{receipt}"
    );
    check_receipts_unique(&p).await;
    // The earlier enrolment is retired: its credential signs nobody in.
    let (superseded, quarantined): (Option<uuid::Uuid>, bool) = {
        let r = db
            .query_one(
                "SELECT superseded_by, quarantined FROM devices WHERE device_id = $1::text::uuid",
                &[&old_device],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(superseded, Some(device));
    assert!(quarantined);
    // And the audit chain went on: the platform holds every row the PC has.
    let held: i64 = db
        .query_one(
            "SELECT count(*) FROM audit_links WHERE device_id = $1",
            &[&device],
        )
        .await
        .unwrap()
        .get(0);
    let acked: i64 = w
        .store
        .sync_get("audit_acked")
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!(acked > r.audit_head, "{acked} after {}", r.audit_head);
    assert_eq!(held, acked, "one link per row, carried and new");
    assert!(matches!(
        w.store.verify_audit().unwrap(),
        clerk_store::AuditCheck::Intact { .. }
    ));
    check_pulled(&p, &w).await;
}

/// 14c. The restored copy is not enrolled again and sends what it has:
/// the platform is ahead of it (its audit chain, or its seqs, end before
/// the platform's), so it stops before it reuses a seq or a receipt number
/// and keeps everything; enrolled again, its unsent row is answered from
/// the earlier ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_14c_a_restored_database_behind_the_platform_stops_itself() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    let copy = backup(&w);
    w.client.push_all().await.unwrap();
    w.take_in(2);
    w.client.push_all().await.unwrap();
    let w = restore(&p, w, &copy);
    let e = w.client.push_all().await.unwrap_err();
    assert_eq!(e.code(), Some("reenroll_required"), "{e:?}");
    assert!(e.zh().contains("重新登记"), "{}", e.zh());
    assert_eq!(server_case_count(&p).await, 2);
    let code = p.enrolment_code("07").await;
    w.client.enroll(&code, &actor("07")).await.unwrap();
    w.client.login(USER, PASSWORD).await.unwrap();
    w.client.push_all().await.unwrap();
    let local = w.store.outbox_rows(100).unwrap();
    assert!(local.iter().all(|x| x.state == "acked"), "{local:?}");
    assert_eq!(server_case_count(&p).await, 2, "nothing applied twice");
    w.take_in(3);
    w.client.push_all().await.unwrap();
    assert_eq!(server_case_count(&p).await, 3);
    check_receipts_unique(&p).await;
}

fn edit(w: &Window, case_id: &str, field: &str, value: &str) -> i64 {
    w.store
        .edit_fields(
            case_id,
            &[(field.to_owned(), value.to_owned())],
            &actor(&w.window),
            clerk_store::time::now_millis(),
        )
        .unwrap()
        .expect("a change")
}

fn field_of(w: &Window, case_id: &str, field: &str) -> Option<String> {
    let c = w.store.server_case(case_id).unwrap().unwrap();
    clerk_core::edit::get(&c.data["data"]["case"], field).map(str::to_owned)
}

/// 15. Two windows edit different fields of one case offline, then sync,
/// in both orders → both edits are there, at both windows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_15_different_fields_edited_offline_both_survive() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    for (i, a_first) in [(1, true), (2, false)] {
        let c = a.take_in(i);
        a.client.sync_now().await.unwrap();
        b.client.pull_all().await.unwrap();
        // Both offline: A changes the phone, B the address.
        edit(&a, &c.case_id, "applicant.phone", "13900000015");
        edit(
            &b,
            &c.case_id,
            "applicant.address",
            "保山市隆阳区正阳南路 15 号",
        );
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        let r1 = first.client.push_all().await.unwrap();
        let r2 = second.client.push_all().await.unwrap();
        assert_eq!(
            (r1.rejected, r2.rejected),
            (0, 0),
            "no conflict: different fields"
        );
        for w in [&a, &b] {
            w.client.pull_all().await.unwrap();
            assert_eq!(
                field_of(w, &c.case_id, "applicant.phone").as_deref(),
                Some("13900000015")
            );
            assert_eq!(
                field_of(w, &c.case_id, "applicant.address").as_deref(),
                Some("保山市隆阳区正阳南路 15 号")
            );
            let sc = w.store.server_case(&c.case_id).unwrap().unwrap();
            assert_eq!(sc.data["conflicts"], serde_json::json!([]));
        }
    }
    // Editing to what the window already sees is no change at all.
    let c = a.take_in(3);
    let phone = a.store.case(&c.case_id).unwrap().unwrap().1.applicant.phone;
    assert_eq!(
        a.store
            .edit_fields(
                &c.case_id,
                &[("applicant.phone".into(), phone)],
                &actor("07"),
                0
            )
            .unwrap(),
        None
    );
    // A second edit before the first is pulled builds on it (no self-conflict).
    edit(&a, &c.case_id, "applicant.phone", "13900000001");
    a.client.push_all().await.unwrap();
    edit(&a, &c.case_id, "applicant.phone", "13900000002");
    let r = a.client.push_all().await.unwrap();
    assert_eq!(r.rejected, 0);
    a.client.pull_all().await.unwrap();
    assert_eq!(
        field_of(&a, &c.case_id, "applicant.phone").as_deref(),
        Some("13900000002")
    );
    check_invariants(&p, &[&a, &b]).await;
    check_pulled(&p, &a).await;
    check_pulled(&p, &b).await;
}

/// 16. Two windows change the same field offline → the first to arrive is
/// applied, the other value is kept in `conflicts`; the later window's
/// command reads `conflict` with the reason, and both windows see the two
/// values after a pull. Nothing disappears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_16_same_field_edited_twice_keeps_both_values() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    let c = a.take_in(1);
    a.client.sync_now().await.unwrap();
    b.client.pull_all().await.unwrap();
    edit(&a, &c.case_id, "applicant.phone", "13911111111");
    let seq_b = edit(&b, &c.case_id, "applicant.phone", "13922222222");
    a.client.push_all().await.unwrap();
    let r = b.client.push_all().await.unwrap();
    assert_eq!(r.rejected, 1, "B's command is not applied as is");
    let row = b
        .store
        .outbox_entries(20)
        .unwrap()
        .into_iter()
        .find(|r| r.seq == seq_b)
        .unwrap();
    assert_eq!(row.state, "conflict", "shown in B's sync panel");
    let res: serde_json::Value = serde_json::from_str(row.result.as_deref().unwrap()).unwrap();
    assert!(
        res["message"].as_str().unwrap().contains("applicant.phone"),
        "{res}"
    );
    for w in [&a, &b] {
        w.client.pull_all().await.unwrap();
        assert_eq!(
            field_of(w, &c.case_id, "applicant.phone").as_deref(),
            Some("13911111111"),
            "the first value stays; no last-writer-wins"
        );
        let sc = w.store.server_case(&c.case_id).unwrap().unwrap();
        let k = &sc.data["conflicts"][0];
        assert_eq!(k["field"], "applicant.phone");
        assert_eq!(k["platform_value"], "13911111111");
        assert_eq!(k["window_value"], "13922222222");
        assert_eq!(k["window"], "08");
    }
    // A field edit after department review started is refused at the window.
    p.admin(
        &format!("/v1/admin/cases/{}/route", c.case_id),
        serde_json::json!({"departments": ["市场监管局"]}),
    )
    .await;
    a.client.pull_all().await.unwrap();
    let e = a
        .store
        .edit_fields(
            &c.case_id,
            &[("applicant.phone".into(), "13933333333".into())],
            &actor("07"),
            0,
        )
        .unwrap_err();
    assert!(e.zh().contains("不能再修改"), "{}", e.zh());
    check_invariants(&p, &[&a, &b]).await;
    check_pulled(&p, &a).await;
}

/// 17. An online application accepted by window A while window B, offline,
/// also accepted it: B's command is rejected with INVALID_STATE, kept and
/// visible, and B's view is rebased to the platform's status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_17_a_command_overtaken_by_the_platform_is_rejected_visibly() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    let app = p
        .admin(
            "/v1/admin/online-applications",
            serde_json::json!({"office_id": OFFICE, "matter_code": "11530500MB1A27618NXK00001000000", "matter_version": 1,
                "matter_name": "食品经营许可", "applicant_name": "赵六", "applicant_id_no": "530502199001011233",
                "applicant_phone": "13808720001", "form": {}}),
        )
        .await;
    let id = app["case_id"].as_str().unwrap().to_owned();
    a.client.pull_all().await.unwrap();
    b.client.pull_all().await.unwrap();
    let accept = |w: &Window| {
        w.store
            .enqueue_mutation(
                &clerk_store::NewMutation {
                    kind: "case.accept_online".into(),
                    type_version: 1,
                    case_id: Some(id.clone()),
                    base_version: Some(1),
                    payload: serde_json::json!({"status": "accepted"}),
                },
                &actor(&w.window),
                clerk_store::time::now_millis(),
            )
            .unwrap()
    };
    accept(&b); // offline at B
    accept(&a);
    a.client.push_all().await.unwrap();
    let r = b.client.push_all().await.unwrap();
    assert_eq!(r.rejected, 1);
    let row = b
        .store
        .outbox_rows(10)
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "case.accept_online")
        .unwrap();
    assert_eq!(row.state, "rejected");
    b.client.pull_all().await.unwrap();
    assert_eq!(
        b.store.server_case(&id).unwrap().unwrap().status,
        "accepted",
        "rebased to the platform"
    );
    check_invariants(&p, &[&a, &b]).await;
}

/// 21. A case taken in on catalogue v1 after v2 is published and v1
/// withdrawn: accepted as needs_review, never rejected (the citizen holds a
/// receipt).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_21_withdrawn_catalogue_version_means_review_not_rejection() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    let mut cat: serde_json::Value =
        serde_json::from_str(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    cat["version"] = serde_json::json!(2);
    p.admin(
        "/v1/admin/catalogue/versions",
        serde_json::json!({"effective_from": "2026-01-01", "body": cat}),
    )
    .await;
    p.admin(
        "/v1/admin/catalogue/versions/1/withdraw",
        serde_json::json!({}),
    )
    .await;
    let r = w.client.push_all().await.unwrap();
    assert_eq!((r.applied, r.rejected), (1, 0));
    let needs_review: bool = p
        .sql()
        .await
        .query_one("SELECT needs_review FROM cases", &[])
        .await
        .unwrap()
        .get(0);
    assert!(needs_review);
    check_invariants(&p, &[&w]).await;
}

/// 22. A catalogue download cut midway or corrupted: the SHA-256 does not
/// match the manifest, the version is not kept (what was there stays), and
/// the next sync fetches it whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_22_corrupt_or_cut_catalogue_download_keeps_the_old_and_retries() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    let r = w.client.fetch_catalogues().await.unwrap();
    assert_eq!((r.downloaded.clone(), r.current), (vec![1], 1));
    let mut cat: serde_json::Value =
        serde_json::from_str(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    cat["version"] = serde_json::json!(2);
    p.admin(
        "/v1/admin/catalogue/versions",
        serde_json::json!({"effective_from": "2026-01-01", "body": cat}),
    )
    .await;
    let held = |w: &Window| -> Vec<u32> {
        w.store
            .catalogue_versions()
            .unwrap()
            .iter()
            .map(|v| v.0)
            .collect()
    };
    // The body arrives altered (one byte): it does not hash to the manifest.
    let db = p.sql().await;
    db.execute(
        "UPDATE catalogue_versions SET body = body || ' '::bytea WHERE version = 2",
        &[],
    )
    .await
    .unwrap();
    let e = w.client.fetch_catalogues().await.unwrap_err();
    assert!(matches!(e, SyncError::Corrupt(_)), "{e:?}");
    assert!(e.transient() && e.zh().contains("保留原版本"));
    assert_eq!(held(&w), vec![1], "v1 kept, the corrupt v2 not kept");
    db.execute("UPDATE catalogue_versions SET body = substring(body from 1 for length(body) - 1) WHERE version = 2", &[])
        .await
        .unwrap();
    // Cut midway.
    proxy.drop_responses.store(1, Ordering::SeqCst);
    assert!(matches!(
        w.client.fetch_catalogues().await,
        Err(SyncError::Network(_))
    ));
    assert_eq!(held(&w), vec![1]);
    let r = w.client.fetch_catalogues().await.unwrap();
    assert_eq!(r.downloaded, vec![2]);
    assert_eq!(held(&w), vec![1, 2], "several versions kept side by side");
    let body: serde_json::Value =
        serde_json::from_str(&w.store.catalogue_body(2).unwrap().unwrap()).unwrap();
    assert_eq!(body["version"], 2);
    check_invariants(&p, &[&w]).await;
}

/// §3 rule 7: a receipt number or case id already used by another device
/// is refused with DUPLICATE_ID, and the refused mutation is kept in the
/// platform's quarantine (no citizen data lost); the same case re-sent
/// under a new seq by its own device is answered as applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_ids_from_another_device_are_refused_and_kept() {
    let p = Platform::start().await;
    let a = Window::new(&p, &p.url, "07").await;
    let b = Window::new(&p, &p.url, "08").await;
    let ca = a.take_in(1);
    a.client.push_all().await.unwrap();
    b.take_in(2);
    b.take_in(3);
    let mut rows = b.store.pending_batch(10).unwrap();
    rows[0].payload["receipt_no"] = serde_json::json!(ca.receipt_no);
    rows[1].case_id = Some(ca.case_id.clone());
    let r = b.client.push_rows(&rows).await.unwrap();
    // Another device's receipt number is not B's to use (issue #13): refused
    // outright, so A's real case is never put in doubt by it.
    assert_eq!(r.results[0].code.as_deref(), Some("forbidden"), "{r:?}");
    assert!(
        r.results[0].message.as_deref().unwrap().contains("series"),
        "{r:?}"
    );
    // A case id clash is an incident: kept in quarantine.
    assert_eq!(r.results[1].code.as_deref(), Some("DUPLICATE_ID"), "{r:?}");
    let kept: i64 = p
        .sql()
        .await
        .query_one("SELECT count(*) FROM quarantine", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 1);
    assert_eq!(server_case_count(&p).await, 1);
    // A's own case again under a new seq: a duplicate create, applied.
    let mut again = a.store.outbox_from(1, 1).unwrap();
    again[0].seq = 2;
    again[0].mutation_id = "re-sent".into();
    let r = a.client.push_rows(&again).await.unwrap();
    assert_eq!(r.results[0].status, platform_api::ResultStatus::Applied);
    assert_eq!(server_case_count(&p).await, 1);
}

/// A long queue (14 days offline) reports its progress while it is sent,
/// for the window's progress bar, and clears it at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_push_reports_progress() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    let cases: Vec<_> = (0..600)
        .map(|i| clerk_store::testing::sample_case(i, today))
        .collect();
    w.store
        .take_in_batch(&cases, &actor("07"), clerk_store::time::now_millis())
        .unwrap();
    assert_eq!(w.client.progress(), None);
    let c = w.client.clone();
    let push = tokio::spawn(async move { c.push_all().await });
    let mut seen = Vec::new();
    while !push.is_finished() {
        if let Some(p) = w.client.progress() {
            seen.push(p);
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(push.await.unwrap().unwrap().applied, 600);
    assert!(!seen.is_empty(), "progress was reported");
    assert!(seen.iter().all(|(d, t)| *t == 600 && d <= t), "{seen:?}");
    assert!(seen.windows(2).all(|x| x[0].0 <= x[1].0), "never goes back");
    assert_eq!(w.client.progress(), None, "cleared at the end");
}

/// issue #11: the holiday schedule arrives like a catalogue version. A year
/// published on the platform is downloaded once, checked (a body that does
/// not hash to the manifest is kept out and fetched again next time), and a
/// correction (a new revision) is downloaded again. Test data, not the
/// official 2027 schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_years_are_downloaded_checked_and_corrected() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    assert_eq!(w.client.fetch_calendars().await.unwrap(), Vec::<i32>::new());
    let year = |extra: &[&str]| {
        let mut h: Vec<serde_json::Value> = clerk_core::calendar::law_holidays(2027)
            .unwrap()
            .iter()
            .map(|(d, n)| serde_json::json!([d.to_string(), d.to_string(), n]))
            .collect();
        h.extend(extra.iter().map(|d| serde_json::json!([d, d, "测试"])));
        serde_json::json!({"format": 1, "year": 2027, "source": "测试用：非官方安排", "holidays": h, "make_up_workdays": []})
    };
    // The platform refuses a file without a day the law fixes.
    let mut bad = year(&[]);
    bad["holidays"].as_array_mut().unwrap().remove(0);
    let c = reqwest::Client::new()
        .post(format!("{}/v1/admin/calendar/years", p.url))
        .bearer_auth(common::ADMIN)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 422);
    let body = c.text().await.unwrap();
    assert!(
        body.contains("2027-01-01 元旦"),
        "names the missing day: {body}"
    );
    assert_eq!(
        p.admin("/v1/admin/calendar/years", year(&[])).await["revision"],
        1
    );
    // Altered on the way (here: on the platform's disk): not kept.
    let db = p.sql().await;
    db.execute("UPDATE calendar_years SET body = body || ' '::bytea", &[])
        .await
        .unwrap();
    let e = w.client.fetch_calendars().await.unwrap_err();
    assert!(matches!(e, SyncError::Corrupt(_)), "{e:?}");
    assert!(w.store.calendar_years().unwrap().is_empty());
    db.execute(
        "UPDATE calendar_years SET body = substring(body from 1 for length(body) - 1)",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(w.client.fetch_calendars().await.unwrap(), vec![2027]);
    assert_eq!(
        w.client.fetch_calendars().await.unwrap(),
        Vec::<i32>::new(),
        "kept: not fetched again"
    );
    // A correction is revision 2 and replaces the first at the window.
    assert_eq!(
        p.admin("/v1/admin/calendar/years", year(&["2027-01-04"]))
            .await["revision"],
        2
    );
    assert_eq!(w.client.fetch_calendars().await.unwrap(), vec![2027]);
    let kept = w.store.calendar_years().unwrap();
    assert_eq!(
        kept.iter().map(|k| k.revision).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let last = clerk_core::calendar::YearSchedule::parse(&kept[1].body).unwrap();
    assert!(last
        .holidays
        .contains(&clerk_core::date::Date::parse_iso("2027-01-04").unwrap()));
    let manifest = reqwest::get(format!("{}/v1/calendar/manifest", p.url))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(manifest["years"][0]["revision"], 2, "{manifest}");
}

/// Issue #12: two clerks share one PC. Each outbox row goes out under its
/// own actor's session (the platform refuses any other), in seq order; a
/// clerk whose session is gone holds the queue at their first row, with
/// everything kept, until they sign in again. The platform's word on its
/// users (disabled, roles) arrives with the sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clerks_on_one_pc_each_push_under_their_own_session() {
    let p = Platform::start().await;
    p.admin(
        "/v1/admin/users",
        json!({"user_id": "clerk-08", "name": "李强", "office_id": OFFICE, "password": "counter-pass-08"}),
    )
    .await;
    let w = Window::new(&p, &p.url, "07").await;
    // 王芳 (clerk-07) signed in when the window was made; 李强 now too.
    let t = w.client.login("clerk-08", "counter-pass-08").await.unwrap();
    assert_eq!(
        (t.display_name.as_str(), t.roles.clone()),
        ("李强", vec!["clerk".to_owned()])
    );
    // She knows 李强 from his sign-in here.
    w.store
        .record_sign_in(
            "clerk-08",
            Some(clerk_store::OnlineSignIn {
                display_name: "李强",
                roles: &[clerk_core::access::Role::Clerk],
                verifier: "$argon2id$x",
                offline_valid_secs: t.offline_valid_secs,
            }),
            &actor("07"),
            clerk_store::time::now_millis(),
        )
        .unwrap();
    let as_user = |user: &str, i: u64| {
        w.store
            .take_in(
                &clerk_store::testing::sample_case(
                    i,
                    clerk_core::date::Date::parse_iso("2026-03-02").unwrap(),
                ),
                &clerk_store::Actor {
                    user_id: user.into(),
                    window_code: "07".into(),
                },
                clerk_store::time::now_millis(),
                None,
            )
            .unwrap()
    };
    as_user(USER, 1);
    as_user("clerk-08", 2);
    as_user("clerk-08", 3);
    as_user(USER, 4);
    let r = w.client.push_all().await.unwrap();
    assert_eq!((r.applied, r.rejected), (4, 0), "{r:?}");
    let actors: Vec<String> = p
        .sql()
        .await
        .query("SELECT data->>'actor' FROM cases ORDER BY receipt_no", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, Option<String>>(0).unwrap_or_default())
        .collect();
    assert_eq!(actors, [USER, "clerk-08", "clerk-08", USER]);

    // 李强's sessions are revoked: his next row holds the queue, kept.
    let db = p.sql().await;
    db.execute(
        "UPDATE refresh_tokens SET revoked = true WHERE user_id = 'clerk-08'",
        &[],
    )
    .await
    .unwrap();
    db.execute("DELETE FROM access_tokens WHERE user_id = 'clerk-08'", &[])
        .await
        .unwrap();
    as_user("clerk-08", 5);
    as_user(USER, 6);
    let e = w.client.push_all().await.unwrap_err();
    assert!(
        matches!(e, SyncError::LoginNeeded(ref m) if m.contains("clerk-08")),
        "{e:?}"
    );
    assert_eq!(w.store.queue_state().unwrap().pending, 2, "nothing dropped");
    w.client.login("clerk-08", "counter-pass-08").await.unwrap();
    assert_eq!(w.client.push_all().await.unwrap().applied, 2);

    // The platform disables 李强: the next sync says so.
    p.admin(
        "/v1/admin/users/clerk-08/disabled",
        json!({"disabled": true}),
    )
    .await;
    w.client.set_user(Some(USER));
    assert_eq!(w.client.fetch_users().await.unwrap(), 1);
    assert!(w.store.user("clerk-08").unwrap().unwrap().disabled);
    check_invariants(&p, &[&w]).await;
}
