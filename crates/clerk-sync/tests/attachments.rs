//! The attachment lane (sync-protocol §11) under the faults of §13
//! scenarios 23 to 25, 27 and 28: the real platform server on real
//! PostgreSQL, real client stores, the TCP fault proxy between them.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;

async fn count(p: &Platform, sql: &str) -> i64 {
    p.sql().await.query_one(sql, &[]).await.unwrap().get(0)
}

fn attach(w: &Window, case_id: &str, path: &std::path::Path) -> clerk_store::Attached {
    w.store
        .attach_file(
            case_id,
            path,
            "M01",
            &actor(&w.window),
            clerk_store::time::now_millis(),
        )
        .unwrap()
}

/// 23. A 50 MB scan; the connection is cut at 100 random offsets of the
/// upload → the platform ends with exactly one blob whose bytes hash to
/// the source's sha256.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_23_fifty_megabytes_cut_a_hundred_times_arrive_whole() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    let c = w.take_in(1);
    let src = scan(w.dir.path(), "scan-50mb.pdf", 50 * 1024 * 1024, 23);
    let a = attach(&w, &c.case_id, &src);
    w.client.push_all().await.unwrap();
    let chunk = w.client.upload_chunk as u64;
    let mut x: u64 = 0x2323_2323;
    let mut cuts = 0;
    let mut failures = 0;
    while cuts < 100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Mostly inside a chunk, sometimes just past one: progress is slow
        // and every cut lands at a different offset of the stream.
        let at = 1 + x % (chunk + chunk / 8);
        *proxy.cut_after.lock().unwrap() = Some(at);
        match w.client.upload_pending().await {
            Ok(r) if r.stored == 1 => break,
            Ok(_) | Err(_) => failures += 1,
        }
        let left = proxy.cut_after.lock().unwrap().take();
        if left.is_none() {
            cuts += 1;
        }
    }
    *proxy.cut_after.lock().unwrap() = None;
    assert!(cuts >= 50, "the faults really happened: {cuts} cuts");
    assert!(failures > 0);
    let blob = &w.store.pending_blobs(10).unwrap();
    if !blob.is_empty() {
        let r = w.client.upload_pending().await.unwrap();
        assert_eq!(r.stored, 1, "{r:?}");
    }
    assert!(w.store.pending_blobs(10).unwrap().is_empty());
    assert_eq!(count(&p, "SELECT count(*) FROM blobs").await, 1);
    assert_eq!(count(&p, "SELECT count(*) FROM case_attachments").await, 1);
    let stored = std::fs::read(p.blobs.path().join(&a.sha256[..2]).join(&a.sha256)).unwrap();
    assert_eq!(stored, std::fs::read(&src).unwrap(), "byte for byte");
    check_blobs(&p).await;
    // The case shows its scan stored, at both ends.
    w.client.pull_all().await.unwrap();
    let sc = w.store.server_case(&c.case_id).unwrap().unwrap();
    let data = &sc.data;
    assert_eq!(data["attachments"][0]["state"], "stored", "{data}");
    assert_eq!(
        w.store.attachments_of(&c.case_id).unwrap()[0].state,
        "stored"
    );
    check_invariants(&p, &[&w]).await;
    check_pulled(&p, &w).await;
}

/// 24. A bit flipped in one chunk on the way → 460 → that chunk is sent
/// again; the assembled file damaged on the platform's disk → 422 → the
/// window checks its own copy and uploads again from the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_24_a_flipped_bit_is_resent_and_a_bad_file_restarts() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    let c = w.take_in(1);
    let chunk = w.client.upload_chunk as u64;
    let src = scan(w.dir.path(), "permit.pdf", (chunk + chunk / 2) as usize, 24);
    let a = attach(&w, &c.case_id, &src);
    w.client.push_all().await.unwrap();
    // Well inside the first PATCH body (the requests before it are small).
    *proxy.flip_after.lock().unwrap() = Some(200_000);
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1);
    assert_eq!(
        r.bytes_sent,
        a.size as u64 + chunk,
        "the damaged chunk went twice"
    );
    check_blobs(&p).await;

    // A second scan: its first chunk lands, then the platform's partial
    // file is damaged on disk before the rest arrives.
    let src2 = scan(w.dir.path(), "plan.pdf", (chunk + chunk / 2) as usize, 2424);
    let b = attach(&w, &c.case_id, &src2);
    *proxy.drop_response_to.lock().unwrap() = Some("PATCH ".into());
    assert!(w.client.upload_pending().await.is_err());
    let id: uuid::Uuid = p
        .sql()
        .await
        .query_one("SELECT upload_id FROM uploads", &[])
        .await
        .unwrap()
        .get(0);
    let part = p.blobs.path().join("uploads").join(id.simple().to_string());
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[10] ^= 0xFF;
    std::fs::write(&part, bytes).unwrap();
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1);
    assert!(
        r.bytes_sent >= b.size as u64,
        "uploaded again from the start after the 422 ({} bytes)",
        r.bytes_sent
    );
    check_blobs(&p).await;
    w.client.push_all().await.unwrap();
    check_invariants(&p, &[&w]).await;
}

/// 25. The 201 of the upload creation is lost → the retry gets the same
/// upload URL; no orphan is left, and one that is left expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_25_lost_creation_answer_gives_the_same_upload() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    let c = w.take_in(1);
    let src = scan(w.dir.path(), "licence.pdf", 5 * 1024 * 1024 + 17, 25);
    let a = attach(&w, &c.case_id, &src);
    *proxy.drop_response_to.lock().unwrap() = Some("POST /v1/uploads".into());
    assert!(w.client.upload_pending().await.is_err());
    let pending = w.store.pending_blobs(10).unwrap();
    assert_eq!(
        pending[0].upload_url, None,
        "the lost answer left no URL here"
    );
    assert_eq!(count(&p, "SELECT count(*) FROM uploads").await, 1);
    let first: uuid::Uuid = p
        .sql()
        .await
        .query_one("SELECT upload_id FROM uploads", &[])
        .await
        .unwrap()
        .get(0);
    // The retry creates again, then its first chunk's answer is lost too.
    *proxy.drop_response_to.lock().unwrap() = Some("PATCH ".into());
    assert!(w.client.upload_pending().await.is_err());
    let url = w.store.pending_blobs(10).unwrap()[0].upload_url.clone();
    assert_eq!(
        url.as_deref(),
        Some(format!("/v1/uploads/{}", first.simple()).as_str()),
        "the same upload came back"
    );
    assert_eq!(
        count(&p, "SELECT count(*) FROM uploads").await,
        1,
        "no orphan"
    );
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1);
    assert!(
        r.bytes_sent < a.size as u64,
        "the chunk that landed was not sent again ({} of {})",
        r.bytes_sent,
        a.size
    );
    w.client.push_all().await.unwrap();
    check_blobs(&p).await;

    // An upload abandoned for good is collected once it expires.
    let other = scan(w.dir.path(), "other.pdf", 1000, 99);
    let b = attach(&w, &c.case_id, &other);
    *proxy.drop_response_to.lock().unwrap() = Some("PATCH ".into());
    assert!(w.client.upload_pending().await.is_err());
    let db = p.sql().await;
    db.execute(
        "UPDATE uploads SET expires_at = now() - interval '1 day'",
        &[],
    )
    .await
    .unwrap();
    platform_server::blobs::collect_expired(&platform_state(&p).await)
        .await
        .unwrap();
    assert_eq!(count(&p, "SELECT count(*) FROM uploads").await, 0);
    // The window finds its upload gone (404/410) and starts again.
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1);
    assert!(w.store.pending_blobs(10).unwrap().is_empty());
    assert_eq!(b.size, 1000);
    w.client.push_all().await.unwrap();
    check_blobs(&p).await;
    check_invariants(&p, &[&w]).await;
}

async fn platform_state(p: &Platform) -> platform_server::AppState {
    let mut s = platform_server::Settings::new(&p.db_url, ADMIN);
    s.blob_dir = p.blobs.path().to_path_buf();
    platform_server::prepare(s).await.unwrap()
}

/// 27. The same scan attached to two cases → one blob, sent once, two
/// references; attaching it again to the same case changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_27_one_scan_two_cases_one_blob() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let (c1, c2) = (w.take_in(1), w.take_in(2));
    let src = scan(w.dir.path(), "id-card.pdf", 2 * 1024 * 1024, 27);
    let a1 = attach(&w, &c1.case_id, &src);
    let a2 = attach(&w, &c2.case_id, &src);
    assert!(!a1.deduplicated && a2.deduplicated);
    assert_eq!(a1.sha256, a2.sha256);
    let again = attach(&w, &c1.case_id, &src);
    assert_eq!(
        again.seq, a1.seq,
        "no second command for the same reference"
    );
    assert_eq!(w.store.pending_blobs(10).unwrap().len(), 1);
    w.client.push_all().await.unwrap();
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!((r.stored, r.bytes_sent), (1, a1.size as u64), "sent once");
    assert_eq!(count(&p, "SELECT count(*) FROM blobs").await, 1);
    assert_eq!(count(&p, "SELECT count(*) FROM case_attachments").await, 2);
    // A second window attaching the same bytes sends nothing: HEAD says stored.
    let w2 = Window::new(&p, &p.url, "08").await;
    let c3 = w2.take_in(3);
    attach(&w2, &c3.case_id, &src);
    w2.client.push_all().await.unwrap();
    let r = w2.client.upload_pending().await.unwrap();
    assert_eq!((r.stored, r.already_there, r.bytes_sent), (1, 1, 0));
    w.client.pull_all().await.unwrap();
    for c in [&c1, &c2, &c3] {
        let sc = w.store.server_case(&c.case_id).unwrap().unwrap();
        let d = &sc.data;
        assert_eq!(d["attachments"][0]["state"], "stored");
        assert_eq!(d["attachments"][0]["sha256"], a1.sha256.as_str());
    }
    check_blobs(&p).await;
    check_invariants(&p, &[&w, &w2]).await;
    check_pulled(&p, &w).await;
}

/// 28. An upload stalls for hours → the case queue keeps flowing; the
/// metadata arrives and reads `pending_blob`; the case cannot go to
/// department review until the bytes arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_28_a_stalled_upload_never_holds_up_the_queue() {
    let p = Platform::start().await;
    let proxy = Proxy::start(&p.url).await;
    let w = Window::new(&p, &proxy.url, "07").await;
    *proxy.stall.lock().unwrap() = Some("PATCH ".into());
    let c = w.take_in(1);
    let src = scan(w.dir.path(), "floor-plan.pdf", 1024 * 1024, 28);
    attach(&w, &c.case_id, &src);
    let worker = clerk_sync::worker::Worker::spawn(
        w.client.clone(),
        Duration::from_millis(100),
        clerk_sync::worker::Backoff::default(),
    );
    worker.poke_all();
    // While the upload hangs, new cases go through.
    for i in 2..=6 {
        w.take_in(i);
        worker.poke.notify_one();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while w.store.pending_depth().unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue was held up by the stalled upload"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server_case_count(&p).await, 6);
    assert_eq!(
        w.store.pending_blobs(10).unwrap().len(),
        1,
        "still uploading"
    );
    let case: serde_json::Value = p.admin_get(&format!("/v1/admin/cases/{}", c.case_id)).await;
    assert_eq!(case["attachments"][0]["state"], "pending_blob", "{case}");
    let r = p
        .http
        .post(format!("{}/v1/admin/cases/{}/route", p.url, c.case_id))
        .bearer_auth(ADMIN)
        .json(&serde_json::json!({"departments": ["市场监管局"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        409,
        "no department review while a scan is pending"
    );
    // The stall ends: the lane delivers on its own.
    drop(worker);
    *proxy.stall.lock().unwrap() = None;
    let client: Arc<clerk_sync::SyncClient> = w.client.clone();
    let r = client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1);
    check_blobs(&p).await;
    check_invariants(&p, &[&w]).await;
}
