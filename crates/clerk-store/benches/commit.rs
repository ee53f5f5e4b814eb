//! Durable intake commit vs a bare SQLite insert + fsync on the same disk
//! (goal: ≤ 2×). Both use WAL with synchronous=FULL: one durable commit per
//! iteration. The intake writes the case, audit and outbox rows (its numbers
//! come from those rows; it supersedes the draft) in an encrypted (SQLCipher)
//! file, and covers the receipt-counter mirror (one fdatasync per 16
//! numbers); the baseline writes one 1 KB row in a plain SQLite file.

use clerk_core::date::Date;
use clerk_secrets::MemoryStore;
use clerk_store::testing::sample_case;
use clerk_store::{Actor, Identity, Store};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn dir() -> std::path::PathBuf {
    // Same disk as the build (target/), not a tmpfs.
    let d =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data/commit");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn commits(c: &mut Criterion) {
    let base = dir();
    let mut g = c.benchmark_group("durable_commit");
    g.sample_size(30);
    g.measurement_time(std::time::Duration::from_secs(15));

    let bare = rusqlite::Connection::open(base.join("bare.db")).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .unwrap();
    let body = "x".repeat(1024);
    g.bench_function("bare_insert_fsync", |b| {
        b.iter(|| {
            bare.execute("INSERT INTO t(body) VALUES (?1)", [&body])
                .unwrap();
        })
    });

    let secrets = MemoryStore::new();
    let store = Store::open(&base.join("store"), &secrets, || {
        Ok(Identity {
            office_code: "3205".into(),
            device_code: "0BEN".into(),
            db_instance_id: "bench".into(),
        })
    })
    .unwrap();
    let actor = Actor {
        user_id: "u-bench".into(),
        window_code: "01".into(),
    };
    let day = Date::parse_iso("2026-03-02").unwrap();
    let cases: Vec<_> = (0..1000).map(|i| sample_case(i, day)).collect();
    // As at the window, between two intakes (not timed): the next
    // applicant's ID is looked up, which first brings the derived lookups
    // up to date, and the form's draft is saved while the clerk types. The
    // intake then supersedes that draft.
    let draft = format!("{{\"form\":\"{}\"}}", "x".repeat(600));
    let save = |store: &Store| {
        store.applicant("110101199003070011").unwrap();
        store
            .save_draft("intake", &draft, clerk_store::time::now_millis())
            .unwrap()
    };
    let next = std::cell::Cell::new(0);
    let take_in = || {
        next.set(next.get() + 1);
        store
            .take_in(
                &cases[next.get() % cases.len()],
                &actor,
                clerk_store::time::now_millis(),
                Some("intake"),
            )
            .unwrap();
    };
    g.bench_function("intake_take_in", |b| {
        b.iter_batched(|| save(&store), |()| take_in(), BatchSize::PerIteration)
    });
    // Not the commit, for the whole picture: the intake plus the derived
    // lookups (search terms, applicant memory, list by day) that follow it
    // in their own non-durable transaction before the next read.
    g.bench_function("intake_then_derived", |b| {
        b.iter_batched(
            || save(&store),
            |()| {
                take_in();
                store.index_pending().unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, commits);
criterion_main!(benches);
