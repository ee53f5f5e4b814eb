//! Search over 1,000,000 cached cases: p50 / p95 / p99 per kind of query
//! (goal: p99 ≤ 20 ms). The database is built once under
//! target/bench-data/search-1m (a few minutes) and reused.
//!
//! `cargo xtask bench store` runs it; `SEARCH_CASES=N` changes the size.

use std::time::Instant;

use clerk_core::date::Date;
use clerk_store::testing::{citizen_id, person, sample_case, FileSecrets};
use clerk_store::{Actor, Identity, Store};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("search_1m: bench");
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches` builds it; only `cargo bench` runs it.
    }
    let n: u64 = std::env::var("SEARCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/bench-data/search-{n}"));
    let secrets = FileSecrets(root.join("keys"));
    let store = Store::open(&root.join("data"), &secrets, || {
        Ok(Identity {
            office_code: "3205".into(),
            device_code: "0SRC".into(),
            db_instance_id: "bench".into(),
        })
    })
    .unwrap();
    let have = store.search("食品", 1).map(|r| r.len()).unwrap_or(0);
    let day = Date::parse_iso("2026-03-02").unwrap();
    if have == 0 {
        let actor = Actor {
            user_id: "u-bench".into(),
            window_code: "01".into(),
        };
        let t = Instant::now();
        let batch = 10_000;
        for start in (0..n).step_by(batch as usize) {
            let cases: Vec<_> = (start..(start + batch).min(n))
                .map(|i| sample_case(i, day))
                .collect();
            store
                .take_in_batch(&cases, &actor, clerk_store::time::now_millis())
                .unwrap();
            if start % 100_000 == 0 {
                eprintln!("built {start} cases, {:.0} s", t.elapsed().as_secs_f64());
            }
        }
        eprintln!("built {n} cases in {:.0} s", t.elapsed().as_secs_f64());
    }
    // The derived lookups (search terms) follow the commits in their own
    // pass; bring them up to date before anything is timed.
    let t = Instant::now();
    let derived = store.index_pending().unwrap();
    if derived > 0 {
        eprintln!(
            "derived lookups for {derived} cases in {:.0} s",
            t.elapsed().as_secs_f64()
        );
    }
    let size: u64 = std::fs::read_dir(root.join("data"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "search over {n} cases (database {:.0} MB, encrypted)",
        size as f64 / 1e6
    );

    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    type Q = (&'static str, Box<dyn Fn(u64) -> String>);
    let kinds: Vec<Q> = vec![
        (
            "receipt number",
            Box::new(|i| {
                clerk_core::receipt::ReceiptNo::new("3205", "0SRC", i + 1)
                    .unwrap()
                    .to_string()
            }),
        ),
        ("counter digits", Box::new(|i| format!("{:06}", i + 1))),
        ("full ID number", Box::new(citizen_id)),
        ("ID last four", Box::new(|i| citizen_id(i)[14..].to_owned())),
        ("phone", Box::new(|i| person(i).phone)),
        ("full name", Box::new(|i| person(i).name)),
        (
            "surname only",
            Box::new(|i| person(i).name.chars().take(1).collect()),
        ),
        (
            "name + matter",
            Box::new(|i| format!("{} 食品", person(i).name)),
        ),
    ];
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "query", "p50 ms", "p95 ms", "p99 ms", "max ms", "rows"
    );
    for (label, make) in &kinds {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..300 {
            let q = make(next(n));
            let t = Instant::now();
            rows = store.search(&q, 200).unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{label:<16} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8}",
            p(0.5),
            p(0.95),
            p(0.99),
            times[times.len() - 1],
            rows
        );
    }
}
