//! Sync benchmarks (release; the real server on the private PostgreSQL on
//! loopback): not criterion — each measures one long run and prints it.
//!
//! 1. One window pushes 10,000 cases taken in offline (goal ≤ 10 s).
//! 2. Server push throughput: 20 windows push 500 cases each at once
//!    (goal ≥ 2,000 mutations/s on 2 cores).
//! 3. 1,000 simulated devices each pull once within a 30 s window (the
//!    30 s poll) while 20 windows push: p50/p99 of pull and push.
//!
//! Issue #13's goals for 3, on 2 cores, with PostgreSQL `fsync=on` and
//! `synchronous_commit=on`: pull p99 ≤ 100 ms, push batch p99 ≤ 500 ms;
//! and 2 ≥ 2,000 mutations/s.
//!
//! `cargo xtask bench sync` (both clusters); `SYNC_BENCH_QUICK=1` for a
//! short smoke run.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

// The fault-injection harness's platform and windows (one set-up for
// tests and benchmarks).
#[path = "../tests/common/mod.rs"]
mod common;
use common::{Platform, Window, OFFICE, PASSWORD, USER};

fn take_in(w: &Window, n: u64, offset: u64) {
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    let actor = common::actor(&w.window);
    let cases: Vec<_> = (0..n)
        .map(|i| clerk_store::testing::sample_case(offset + i, today))
        .collect();
    for c in cases.chunks(500) {
        w.store
            .take_in_batch(c, &actor, clerk_store::time::now_millis())
            .unwrap();
    }
}

/// The head of the hall's change log: a cursor paged to once.
async fn head_cursor(http: &reqwest::Client, url: &str, token: &str) -> String {
    let mut head = String::new();
    loop {
        let page: Value = http
            .get(format!("{url}/v1/sync/pull"))
            .bearer_auth(token)
            .query(&[("cursor", head.as_str()), ("limit", "1000")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        head = page["next_cursor"].as_str().unwrap().to_owned();
        if page["has_more"] == false {
            return head;
        }
    }
}

/// Run `f` on a runtime and a thread of its own, as another PC would: a
/// window's store does its SQLite work on its runtime's threads, and
/// twenty windows (or the pollers) sharing two would measure each other's
/// waits. The OS shares the two cores among all of them.
async fn apart<T: Send + 'static>(f: impl std::future::Future<Output = T> + Send + 'static) -> T {
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    })
    .await
    .unwrap()
}

/// Each device pulls once from `head`, their starts spread evenly over
/// `period` (pages of ≤ 500): the time of each pull. The pollers are other
/// PCs: a runtime and an HTTP client of their own.
async fn poll(url: &str, tokens: &[String], head: &str, period: Duration) -> Vec<Duration> {
    let (url, tokens, head) = (url.to_owned(), tokens.to_vec(), head.to_owned());
    apart(async move {
        let http = reqwest::Client::new();
        let start = Instant::now();
        let n = tokens.len();
        let pollers: Vec<_> = tokens
            .into_iter()
            .enumerate()
            .map(|(i, tok)| {
                let (http, url, head) = (http.clone(), url.clone(), head.clone());
                let at = period.mul_f64(i as f64 / n as f64);
                tokio::spawn(async move {
                    tokio::time::sleep_until(tokio::time::Instant::from_std(start + at)).await;
                    let t = Instant::now();
                    let r = http
                        .get(format!("{url}/v1/sync/pull"))
                        .bearer_auth(tok)
                        .query(&[("cursor", head.as_str()), ("limit", "500")])
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success());
                    let _ = r.bytes().await.unwrap();
                    t.elapsed()
                })
            })
            .collect();
        let mut pulls = Vec::new();
        for p in pollers {
            pulls.push(p.await.unwrap());
        }
        pulls
    })
    .await
}

/// The platform on a runtime of its own (two worker threads), as it runs
/// in its own process (see [`apart`]).
fn platform_apart() -> Platform {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            tx.send(Platform::start().await).unwrap();
            std::future::pending::<()>().await
        })
    });
    rx.recv().unwrap()
}

/// Every pusher's batch times, together.
async fn joined(pushers: Vec<tokio::task::JoinHandle<Vec<Duration>>>) -> Vec<Duration> {
    let mut all = Vec::new();
    for p in pushers {
        all.extend(p.await.unwrap());
    }
    all
}

/// `pull p50 … ms p99 … ms; push batch (100) p50 … ms p99 … ms`.
fn latencies(pulls: Vec<Duration>, pushes: &[Duration]) -> String {
    let ms = |v: Vec<Duration>, p| pct(v, p).as_secs_f64() * 1e3;
    format!(
        "pull p50 {:.1} ms p99 {:.1} ms; push batch (100) p50 {:.1} ms p99 {:.1} ms",
        ms(pulls.clone(), 0.5),
        ms(pulls, 0.99),
        ms(pushes.to_vec(), 0.5),
        ms(pushes.to_vec(), 0.99),
    )
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let quick = std::env::var_os("SYNC_BENCH_QUICK").is_some();
    // Which cluster: `cargo xtask bench sync` runs this on the tests' one
    // (fsync=off) and on a durable one (fsync=on, synchronous_commit=on).
    let label = std::env::var("SYNC_BENCH_LABEL").unwrap_or_else(|_| "fsync=off".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let p = platform_apart();
        let (url, http) = (p.url.clone(), p.http.clone());

        // 1. One window, 10,000 offline cases.
        let n = if quick { 500 } else { 10_000 };
        let w = Window::new(&p, &url, "07").await;
        take_in(&w, n, 0);
        let t = Instant::now();
        let r = w.client.push_all().await.unwrap();
        let el = t.elapsed();
        assert_eq!(r.applied as u64, n);
        println!("[{label}] push_offline_cases: {n} cases in {:.2} s ({:.0} mutations/s, batches of 100)", el.as_secs_f64(), n as f64 / el.as_secs_f64());

        // 2. 20 windows at once.
        let per = if quick { 50 } else { 500 };
        let mut ws = Vec::new();
        for i in 0..20 {
            let w = Window::new(&p, &url, &format!("{:02}", 10 + i)).await;
            take_in(&w, per, 100_000 * (i as u64 + 1));
            ws.push(w);
        }
        let t = Instant::now();
        let hs: Vec<_> = ws
            .iter()
            .map(|w| {
                let c = w.client.clone();
                tokio::spawn(apart(async move { c.push_all().await.unwrap().applied }))
            })
            .collect();
        let mut total = 0;
        for h in hs {
            total += h.await.unwrap();
        }
        let el = t.elapsed();
        println!("[{label}] server_push_throughput: 20 windows × {per} = {total} mutations in {:.2} s ({:.0} mutations/s)", el.as_secs_f64(), total as f64 / el.as_secs_f64());

        // 3. 1,000 pollers (raw HTTP with their own device sessions) over a
        //    30 s poll period while the 20 windows push.
        let devices = if quick { 50 } else { 1000 };
        let period = Duration::from_secs(if quick { 5 } else { 30 });
        let mut tokens = Vec::new();
        for i in 0..devices {
            let code = p.admin("/v1/admin/enrolment-codes", json!({"office_id": OFFICE, "window_code": "P"})).await;
            let e: Value = http
                .post(format!("{url}/v1/devices/enroll"))
                .json(&json!({"code": code["code"], "db_instance_id": format!("poller-{i}"), "max_receipt_counter": 0, "app_version": "bench"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let t: Value = http
                .post(format!("{url}/v1/auth/login"))
                .json(&json!({"device_id": e["device_id"], "device_secret": e["device_secret"], "user_id": USER, "password": PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            tokens.push(t["access_token"].as_str().unwrap().to_owned());
        }
        // The pollers are up to date (as after their previous poll): the
        // cursor at the head of the hall's change log, paged to once.
        let head = head_cursor(&http, &url, &tokens[0]).await;
        for (i, w) in ws.iter().enumerate() {
            take_in(w, per, 10_000_000 * (i as u64 + 1));
        }
        let pushers: Vec<_> = ws
            .iter()
            .map(|w| {
                let c = w.client.clone();
                tokio::spawn(apart(async move {
                    let mut lat = Vec::new();
                    loop {
                        let t = Instant::now();
                        let r = c.push_once().await.unwrap();
                        if r.sent == 0 {
                            return lat;
                        }
                        lat.push(t.elapsed());
                    }
                }))
            })
            .collect();
        let pulls = poll(&url, &tokens, &head, period).await;
        let pushes = joined(pushers).await;
        println!(
            "[{label}] polling_under_push: {devices} devices polled once each over {} s from the head cursor (the changes pushed meanwhile, pages of ≤ 500) while 20 windows pushed {} batches: {}",
            period.as_secs(),
            pushes.len(),
            latencies(pulls, &pushes),
        );

        // 3b. The same pollers while the 20 windows push at a steady pace
        //     instead of a backlog at once: each one batch of 100 every
        //     3 s for the 30 s (667 mutations/s for the hall, far above any
        //     real hall's), the windows' starts spread over the 3 s.
        let rounds = if quick { 2 } else { 10 };
        let pace = period / rounds;
        for (i, w) in ws.iter().enumerate() {
            take_in(w, 100 * rounds as u64, 20_000_000 * (i as u64 + 1));
        }
        let head = head_cursor(&http, &url, &tokens[0]).await;
        let start = Instant::now();
        let pushers: Vec<_> = ws
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let c = w.client.clone();
                let first = pace.mul_f64(i as f64 / 20.0);
                tokio::spawn(apart(async move {
                    let mut lat = Vec::new();
                    for k in 0..rounds {
                        tokio::time::sleep_until(tokio::time::Instant::from_std(start + first + pace * k)).await;
                        let t = Instant::now();
                        let r = c.push_once().await.unwrap();
                        assert_eq!(r.sent, 100);
                        lat.push(t.elapsed());
                    }
                    lat
                }))
            })
            .collect();
        let pulls = poll(&url, &tokens, &head, period).await;
        let pushes = joined(pushers).await;
        println!(
            "[{label}] polling_under_paced_push: {devices} devices polled once each over {} s from the head cursor while 20 windows each pushed a batch of 100 every {:.1} s ({} batches): {}",
            period.as_secs(),
            pace.as_secs_f64(),
            pushes.len(),
            latencies(pulls, &pushes),
        );

        // 4. The attachment lane: one 50 MB scan imported and uploaded on
        //    loopback (4 MiB chunks, each checksummed; hashed in full at
        //    both ends).
        let size = if quick { 5 } else { 50 } * 1024 * 1024;
        let w = Window::new(&p, &url, "90").await;
        let c = w.take_in(1);
        let src = common::scan(w.dir.path(), "scan.pdf", size, 4);
        let t = Instant::now();
        w.store
            .attach_file(&c.case_id, &src, "M01", &common::actor("90"), clerk_store::time::now_millis())
            .unwrap();
        let import = t.elapsed();
        let t = Instant::now();
        let r = w.client.upload_pending().await.unwrap();
        let upload = t.elapsed();
        assert_eq!(r.stored, 1);
        println!(
            "[{label}] attachment_lane: {} MB scan imported (hashed, encrypted into the store) in {:.2} s, uploaded in {:.2} s ({:.0} MB/s)",
            size / 1024 / 1024,
            import.as_secs_f64(),
            upload.as_secs_f64(),
            size as f64 / 1024.0 / 1024.0 / upload.as_secs_f64()
        );
    });
}
