//! Crash test: a child process takes in cases in a loop and is killed with
//! SIGKILL at random moments, 200 times. After every kill the database must
//! open, every case the child saw committed must be there and complete (the
//! case with its audit, outbox and search rows), no half case may exist,
//! receipt numbers never repeat, and a kill skips at most the numbers
//! reserved ahead.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clerk_core::date::Date;
use clerk_secrets::SecretError;
use clerk_store::testing::{sample_case, FileSecrets};
use clerk_store::{Actor, Identity, Store};

fn ident() -> Result<Identity, SecretError> {
    Ok(Identity {
        office_code: "3205".into(),
        device_code: "0CRS".into(),
        db_instance_id: "crash".into(),
    })
}

fn open(root: &Path) -> Store {
    Store::open(&root.join("data"), &FileSecrets(root.to_path_buf()), ident)
        .expect("database opens after a crash")
}

/// The child: take in cases forever, saving a draft between them, and say
/// on stdout which ones committed.
#[test]
fn crash_child() {
    let Some(root) = std::env::var_os("CLERK_CRASH_CHILD") else {
        return;
    };
    let s = open(Path::new(&root));
    let day = Date::parse_iso("2026-03-02").unwrap();
    let actor = Actor {
        user_id: "u-crash".into(),
        window_code: "01".into(),
    };
    let mut i: u64 = std::process::id().into();
    loop {
        i += 1;
        s.save_draft("intake", &format!("{{\"n\":{i}}}"), 0)
            .unwrap();
        let c = s
            .take_in(
                &sample_case(i, day),
                &actor,
                clerk_store::time::now_millis(),
                Some("intake"),
            )
            .unwrap();
        println!("\n@@C {} {}", c.receipt_no, c.case_id);
        // As the app does after each intake: the derived lookups, the
        // numbers reserved ahead and the checkpoint (kills land here too).
        s.index_pending().unwrap();
    }
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
/// Also sync-protocol §13 scenario 9: the case and its outbox row are both
/// there or both absent after a kill during a local action.
fn scenario_09_sigkill_200_times_loses_nothing_and_never_repeats_a_number() {
    let root = tempfile::tempdir().unwrap();
    let kills: u64 = std::env::var("CLERK_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut rng = Lcg(0x5eed_0000 ^ u64::from(std::process::id()));
    let mut seen: HashMap<String, String> = HashMap::new(); // receipt -> case_id, as the child reported
    let mut all_receipts = BTreeSet::new();
    let mut mid_tx_kills = 0;
    let mut unreported = 0;
    let started = Instant::now();
    for round in 0..kills {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("CLERK_CRASH_CHILD", root.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for the first commit (so every round makes progress), then
        // a random moment more.
        let first = loop {
            let l = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("child commits");
            if l.starts_with("@@C ") {
                break l;
            }
        };
        std::thread::sleep(Duration::from_micros(rng.next(40_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        let mut committed = vec![first];
        committed.extend(rx.try_iter());
        for line in committed.iter().filter(|l| l.starts_with("@@C ")) {
            let mut p = line[4..].split(' ');
            let (r, id) = (p.next().unwrap().to_owned(), p.next().unwrap().to_owned());
            assert!(
                seen.insert(r.clone(), id).is_none(),
                "round {round}: receipt {r} reported twice"
            );
        }

        let s = open(root.path());
        assert_eq!(
            s.check_integrity().unwrap(),
            Vec::<String>::new(),
            "round {round}"
        );
        let rows = s.search("食品", 1_000_000).unwrap();
        let in_db: HashMap<String, String> = rows
            .iter()
            .map(|r| (r.receipt_no.clone(), r.case_id.clone()))
            .collect();
        assert_eq!(
            in_db.len(),
            rows.len(),
            "round {round}: a receipt number appears twice"
        );
        for (r, id) in &seen {
            assert_eq!(
                in_db.get(r),
                Some(id),
                "round {round}: committed case {r} lost"
            );
        }
        // Cases the child committed but could not report before the kill
        // are complete too (integrity check); count them.
        if in_db.len() - seen.len() > unreported {
            unreported = in_db.len() - seen.len();
            mid_tx_kills += 1;
        }
        // A kill leaves the numbers reserved ahead unused: the store moves
        // past them at open, never more than the reserve.
        let highest = in_db
            .keys()
            .map(|r| clerk_core::receipt::ReceiptNo::parse(r).unwrap().counter() as i64)
            .max()
            .unwrap();
        let counter = s.receipt_counter().unwrap();
        assert!(
            counter >= highest && counter - highest <= clerk_store::RECEIPT_RESERVE,
            "round {round}: counter {counter}, highest case {highest}"
        );
        all_receipts.extend(in_db.keys().cloned());
        assert_eq!(
            all_receipts.len(),
            in_db.len(),
            "round {round}: a number vanished or was reused"
        );
        drop(s);
    }
    eprintln!(
        "{kills} kills, {} cases, {mid_tx_kills} kills after a commit but before its report, {:.1} s",
        seen.len(),
        started.elapsed().as_secs_f64()
    );
}
