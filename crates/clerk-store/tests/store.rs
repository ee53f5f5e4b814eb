use std::fs;

use clerk_core::date::Date;
use clerk_core::printing::PrintOutcome;
use clerk_core::receipt::ReceiptNo;
use clerk_secrets::{MemoryStore, SecretStore};
use clerk_store::testing::{person, sample_case};
use clerk_store::{key_name, Actor, Identity, OpenError, Store, MIGRATIONS};

fn today() -> Date {
    Date::parse_iso("2026-03-02").unwrap()
}

fn actor() -> Actor {
    Actor {
        user_id: "u-07".into(),
        window_code: "07".into(),
    }
}

fn ident() -> Result<Identity, clerk_secrets::SecretError> {
    Ok(Identity {
        office_code: "3205".into(),
        device_code: "K7QM".into(),
        db_instance_id: "test".into(),
    })
}

const NOW: i64 = 1_772_416_800_000; // 2026-03-02 02:00 UTC

#[test]
fn first_run_creates_key_and_file_and_the_file_is_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    #[cfg(unix)]
    {
        // As a folder made by hand or an installer would be.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    {
        let s = Store::open(dir.path(), &secrets, ident).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the data folder is the user's alone");
        }
        assert_eq!(
            s.settings().unwrap(),
            ("wal".into(), 2, 1),
            "WAL, synchronous=FULL, foreign keys"
        );
        let c = s
            .take_in(&sample_case(1, today()), &actor(), NOW, None)
            .unwrap();
        assert_eq!(
            c.receipt_no,
            ReceiptNo::new("3205", "K7QM", 1).unwrap().to_string()
        );
    }
    let stored = secrets.get(&key_name(dir.path())).unwrap();
    assert!(String::from_utf8(stored)
        .unwrap()
        .starts_with("wcdb1:std1:"));
    let raw = fs::read(dir.path().join("clerk.db")).unwrap();
    assert!(
        !raw.starts_with(b"SQLite format 3"),
        "no plain SQLite header"
    );
    let name = person(1).name;
    let all = [
        raw,
        fs::read(dir.path().join("clerk.db-wal")).unwrap_or_default(),
    ]
    .concat();
    assert!(
        !all.windows(name.len()).any(|w| w == name.as_bytes()),
        "the applicant's name is not readable in the files"
    );
    assert!(
        !all.windows(18).any(|w| w == person(1).id_no.as_bytes()),
        "nor the ID number"
    );

    let s = Store::open(dir.path(), &secrets, || panic!("identity is kept")).unwrap();
    assert_eq!(s.identity().device_code, "K7QM");
    assert_eq!(s.cases_on("2026-03-02", 10).unwrap().len(), 1);
}

#[test]
fn without_its_key_the_file_is_neither_opened_nor_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    drop(
        Store::open(dir.path(), &secrets, ident)
            .unwrap()
            .take_in(&sample_case(1, today()), &actor(), NOW, None)
            .unwrap(),
    );
    let before = fs::read(dir.path().join("clerk.db")).unwrap();

    let empty = MemoryStore::new();
    let err = Store::open(dir.path(), &empty, ident).unwrap_err();
    assert!(matches!(err, OpenError::KeyMissing { .. }), "{err}");
    assert!(err.zh().contains("未打开也未新建"), "{}", err.zh());
    assert_eq!(
        fs::read(dir.path().join("clerk.db")).unwrap(),
        before,
        "file untouched"
    );
    assert!(
        empty.get(&key_name(dir.path())).is_err(),
        "no key was invented"
    );

    let wrong = MemoryStore::new();
    let other = tempfile::tempdir().unwrap();
    drop(Store::open(other.path(), &wrong, ident).unwrap());
    wrong
        .set(
            &key_name(dir.path()),
            &wrong.get(&key_name(other.path())).unwrap(),
        )
        .unwrap();
    let err = Store::open(dir.path(), &wrong, ident).unwrap_err();
    assert!(matches!(err, OpenError::WrongKey { .. }), "{err}");
    assert_eq!(
        fs::read(dir.path().join("clerk.db")).unwrap(),
        before,
        "file untouched"
    );

    // The right key still opens it and the case is there.
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    assert_eq!(s.cases_on("2026-03-02", 10).unwrap().len(), 1);
}

#[test]
fn one_process_per_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let _a = Store::open(dir.path(), &secrets, ident).unwrap();
    assert!(matches!(
        Store::open(dir.path(), &secrets, ident),
        Err(OpenError::Busy(_))
    ));
}

#[test]
fn each_intake_is_case_audit_and_outbox_with_numbers_that_never_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let mut receipts = Vec::new();
    for i in 0..20 {
        let c = s
            .take_in(&sample_case(i, today()), &actor(), NOW + i as i64, None)
            .unwrap();
        assert_eq!(c.seq, i as i64 + 1);
        let r = ReceiptNo::parse(&c.receipt_no).unwrap();
        assert_eq!(r.counter(), i + 1);
        receipts.push(c.receipt_no);
    }
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
    assert_eq!(s.unsent_count().unwrap(), 20);
    let ob = s.outbox(100).unwrap();
    assert!(ob
        .iter()
        .all(|o| o.kind == "case.create" && o.state == "pending"));
    assert_eq!(
        ob.iter().map(|o| o.seq).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );

    // A restored older copy of the database does not hand out numbers again.
    drop(s);
    let snapshot = dir.path().join("older");
    fs::create_dir(&snapshot).unwrap();
    let copy = tempfile::tempdir().unwrap();
    let secrets2 = MemoryStore::new();
    {
        let s2 = Store::open(copy.path(), &secrets2, ident).unwrap();
        s2.take_in(&sample_case(99, today()), &actor(), NOW, None)
            .unwrap();
    }
    // Put the one-case database in place of the twenty-case one, key and all.
    for f in ["clerk.db", "clerk.db-wal", "clerk.db-shm"] {
        let _ = fs::remove_file(dir.path().join(f));
        if copy.path().join(f).exists() {
            fs::copy(copy.path().join(f), dir.path().join(f)).unwrap();
        }
    }
    secrets
        .set(
            &key_name(dir.path()),
            &secrets2.get(&key_name(copy.path())).unwrap(),
        )
        .unwrap();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let c = s
        .take_in(&sample_case(100, today()), &actor(), NOW, None)
        .unwrap();
    assert_eq!(
        ReceiptNo::parse(&c.receipt_no).unwrap().counter(),
        21,
        "continues after the mirror's 20, not 2"
    );
    assert!(!receipts.contains(&c.receipt_no));
}

#[test]
fn search_by_number_name_id_phone_and_matter() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let mut committed = Vec::new();
    for i in 0..30 {
        committed.push(
            s.take_in(&sample_case(i, today()), &actor(), NOW, None)
                .unwrap(),
        );
    }
    let ids = |q: &str| {
        s.search(q, 50)
            .unwrap()
            .into_iter()
            .map(|r| r.case_id)
            .collect::<Vec<_>>()
    };
    let c7 = &committed[7];
    assert_eq!(ids(&c7.receipt_no), vec![c7.case_id.clone()]);
    assert_eq!(ids(&c7.receipt_no.to_lowercase()), vec![c7.case_id.clone()]);
    assert_eq!(ids(&c7.case.applicant.id_no), vec![c7.case_id.clone()]);
    assert_eq!(ids(&c7.case.applicant.phone), vec![c7.case_id.clone()]);
    assert!(
        ids(&c7.case.applicant.id_no[14..]).contains(&c7.case_id),
        "last four of the ID"
    );
    assert!(ids(&c7.case.applicant.name).contains(&c7.case_id));
    let surname: String = c7.case.applicant.name.chars().take(1).collect();
    let by_surname = s.search(&surname, 50).unwrap();
    assert!(
        by_surname
            .iter()
            .all(|r| r.applicant_name.starts_with(&surname))
            && !by_surname.is_empty()
    );
    assert_eq!(ids("食品经营").len(), 30);
    assert_eq!(ids("食品 张").len(), s.search("张", 50).unwrap().len());
    assert!(ids("不存在的人").is_empty());
    assert!(ids("\"").is_empty() && ids("").is_empty());
    let newest_first = s.search("食品", 3).unwrap();
    assert_eq!(newest_first[0].case_id, committed[29].case_id);
}

#[test]
fn drafts_survive_reopen_and_go_with_the_intake() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    {
        let s = Store::open(dir.path(), &secrets, ident).unwrap();
        s.save_draft("intake", r#"{"applicant":{"name":"李"}}"#, NOW)
            .unwrap();
        s.save_draft("intake", r#"{"applicant":{"name":"李四"}}"#, NOW + 1)
            .unwrap();
    }
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let (body, _) = s.load_draft("intake").unwrap().unwrap();
    assert!(body.contains("李四"));
    s.take_in(&sample_case(3, today()), &actor(), NOW, Some("intake"))
        .unwrap();
    assert_eq!(s.load_draft("intake").unwrap(), None);
    // The superseded draft's row (an applicant's details) is deleted by
    // the pass after the commit.
    assert_eq!(clerk_store::testing::count(&s, "drafts"), 1);
    s.index_pending().unwrap();
    assert_eq!(clerk_store::testing::count(&s, "drafts"), 0);
    // The next form's draft belongs to the new generation.
    s.save_draft("intake", r#"{"applicant":{"name":"王五"}}"#, NOW + 2)
        .unwrap();
    drop(s);
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let (body, _) = s.load_draft("intake").unwrap().unwrap();
    assert!(body.contains("王五"));
}

#[test]
fn a_known_applicant_fills_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    assert_eq!(s.applicant(&person(5).id_no).unwrap(), None);
    s.take_in(&sample_case(5, today()), &actor(), NOW, None)
        .unwrap();
    let a = s
        .applicant(&person(5).id_no.to_lowercase())
        .unwrap()
        .unwrap();
    assert_eq!(a.name, person(5).name);
    assert_eq!(a.phone, person(5).phone);
}

#[test]
fn migrations_are_append_only() {
    // Changing a shipped migration breaks every installed database: add a
    // new one instead. Update this list only by appending.
    let pinned: Vec<String> = MIGRATIONS
        .iter()
        .map(|(n, sql)| format!("{n} {}", clerk_secrets::Suite::CURRENT.hash(sql.as_bytes())))
        .collect();
    expect_test::expect![[r#"
        [
            "0001_intake std1:96a3e077c29f0b997cfab26922490214e06372f0347cab4bd0eb8fc15bd4563e",
            "0002_documents std1:a75cf92b9b1ffbdfa84492f807c6756a34972a172c50d4e488e6922e2be53c36",
            "0003_sync std1:14e4edac1261ed82be617913714ef75fd3c40ffe2e3b089a443d37d1733ce0a1",
            "0004_catalogue std1:5f1b91fc207f1df9f3bfc6612266cf216870c0cc116b348be36f54d83e390a1e",
            "0005_attachments std1:43854913e9c7a3dd7fba54b9c94a09608cdff1fbc95f3bb8feffab39e9f9fbbc",
            "0006_lean_intake std1:e858d77e274392ca966addb021a1f21e0f210e89a71b9a5edbeec130a21ef05e",
            "0007_calendar std1:87ff954f4f7d870d14ab69a8d683e0b0a8f484267eca95c8716f39f0c9ce0435",
            "0008_users std1:3a44801bf05e5ca6a3d991b1e634e04b060d1c3078483f2e6934b7566ce6a2dd",
            "0009_outbox_requeued std1:bdc484bdd8373fc80969778f378a39687de7f6d7f8554fe5dd95fc6d407d0104",
            "0010_print_outcome std1:84755858bceb2c248bcbf43ea472e86dc6526a8295e167ce57ba3a499974590e",
            "0011_cases_by_clerk std1:e4b6e4a0e7a5e94e5b751eda3d786f7a466cc42d8a60240e7fa324e7dba19ad6",
            "0012_audit_chain std1:fbbf5ebb41fa62a6eae80c3179536e7ab8ccdd77437553460022d5b1e2753f82",
        ]
    "#]]
    .assert_debug_eq(&pinned);
}

#[test]
fn a_batch_is_many_complete_intakes_in_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    s.take_in(&sample_case(0, today()), &actor(), NOW, None)
        .unwrap();
    let cases: Vec<_> = (1..=50).map(|i| sample_case(i, today())).collect();
    let done = s.take_in_batch(&cases, &actor(), NOW).unwrap();
    assert_eq!(done.len(), 50);
    assert_eq!(
        ReceiptNo::parse(&done[49].receipt_no).unwrap().counter(),
        51
    );
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
    assert_eq!(s.unsent_count().unwrap(), 51);
}

#[test]
fn documents_are_kept_encrypted_with_their_copy_and_journalled() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let c = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    let doc = |kind: &str| clerk_store::NewDocument {
        case_id: c.case_id.clone(),
        kind: kind.into(),
        doc_no: "受〔2026〕000001号".into(),
        pdf: b"%PDF-original".to_vec(),
        copy_pdf: b"%PDF-copy".to_vec(),
        values_json: "{}".into(),
    };
    let d = s.issue_document(doc("receipt"), &actor(), NOW).unwrap();
    assert!(d.sha256.starts_with("std1:"));
    assert_eq!(
        s.issue_document(doc("receipt"), &actor(), NOW).unwrap().id,
        d.id,
        "issued once"
    );
    assert_eq!(
        s.document_pdf(&d.id, true).unwrap().unwrap().0,
        b"%PDF-copy"
    );
    assert!(!s.original_printed(&d.id).unwrap());
    let rec = clerk_store::PrintRecord {
        copy: false,
        printer: Some("A4".into()),
        job_id: Some("A4-12".into()),
        outcome: PrintOutcome::Sent,
        reason: None,
    };
    s.journal_print(&d.id, &rec, &actor(), NOW).unwrap();
    assert!(s.original_printed(&d.id).unwrap());
    assert_eq!(s.documents(&c.case_id).unwrap()[0].prints, 1);
    // A failure is journalled but is not a print; a held job is (it is in
    // the queue and comes out when the printer is fixed).
    let failed = clerk_store::PrintRecord {
        copy: true,
        printer: None,
        job_id: None,
        outcome: PrintOutcome::Failed,
        reason: Some(("本机未配置打印机".into(), "no printer is configured".into())),
    };
    s.journal_print(&d.id, &failed, &actor(), NOW + 1).unwrap();
    let held = clerk_store::PrintRecord {
        copy: true,
        printer: Some("A4".into()),
        job_id: Some("A4-13".into()),
        outcome: PrintOutcome::Held,
        reason: Some(("打印机缺纸".into(), "the printer is out of paper".into())),
    };
    s.journal_print(&d.id, &held, &actor(), NOW + 2).unwrap();
    assert_eq!(s.documents(&c.case_id).unwrap()[0].prints, 2);
    assert_eq!(
        s.documents(&c.case_id).unwrap()[0].last_outcome,
        Some(PrintOutcome::Held)
    );
    let journal = s.print_journal(&c.case_id).unwrap();
    assert_eq!(
        journal.iter().map(|j| j.record.clone()).collect::<Vec<_>>(),
        vec![rec.clone(), failed, held]
    );
    assert!(journal
        .iter()
        .all(|j| j.document_id == d.id && j.actor == actor().user_id));
    assert_eq!(s.verify_code(&c.receipt_no).len(), 6);
    assert_eq!(s.verify_code(&c.receipt_no), s.verify_code(&c.receipt_no));
}

#[test]
fn a_scan_is_kept_encrypted_once_per_content_and_queued_with_its_case() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let c = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    // 2.5 chunks of recognisable bytes behind a PDF header.
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..(5 * clerk_store::CHUNK / 2)).map(|i| (i % 251) as u8));
    let src = dir.path().join("营业执照.pdf");
    fs::write(&src, &bytes).unwrap();
    let a = s
        .attach_file(&c.case_id, &src, "M01", &actor(), NOW)
        .unwrap();
    assert_eq!(
        (a.size as usize, a.mime.as_str()),
        (bytes.len(), "application/pdf")
    );
    assert_eq!(a.seq, c.seq + 1, "the reference is the next command");
    let q = s.pending_batch(10).unwrap();
    assert_eq!(q[1].kind, "case.attach");
    assert_eq!(q[1].payload["sha256"], a.sha256.as_str());
    // Read back across chunk borders, byte for byte.
    let off = clerk_store::CHUNK as i64 - 5;
    assert_eq!(
        s.blob_read(&a.sha256, off, 10).unwrap(),
        bytes[off as usize..off as usize + 10]
    );
    assert_eq!(
        s.blob_read(&a.sha256, 0, bytes.len() + 100).unwrap(),
        bytes,
        "the whole file, and no more"
    );
    assert!(s.blob_verify(&a.sha256).unwrap());
    // The original may go: the store has its own copy, and the path is not kept.
    fs::remove_file(&src).unwrap();
    let rows = s.attachments_of(&c.case_id).unwrap();
    assert_eq!(
        (rows[0].name.as_str(), rows[0].state.as_str()),
        ("营业执照.pdf", "pending")
    );
    // Encrypted at rest: the scan's bytes are not in the database file.
    drop(s);
    let raw = fs::read(dir.path().join("clerk.db")).unwrap_or_default();
    let wal = fs::read(dir.path().join("clerk.db-wal")).unwrap_or_default();
    let needle = &bytes[1000..1064];
    for f in [&raw, &wal] {
        assert!(
            !f.windows(needle.len()).any(|w| w == needle),
            "plain scan bytes on disk"
        );
    }
}

/// issue #13: a picked scan goes straight into the encrypted store; a file
/// too large is refused from its size, before it is read.
#[test]
fn picked_bytes_go_straight_into_the_store_and_size_is_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let c = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    let before: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..3000).map(|i| (i % 241) as u8));
    let a = s
        .attach_bytes(&c.case_id, "身份证.png", &bytes, "M01", &actor(), NOW)
        .unwrap();
    assert_eq!(s.blob_read(&a.sha256, 0, bytes.len()).unwrap(), bytes);
    let after: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "no file left beside the database");
    // A sparse file of 100 MB + 1 byte: refused by its size, at once.
    let big = dir.path().join("big.pdf");
    fs::File::create(&big)
        .unwrap()
        .set_len(clerk_core::attachment::MAX_BYTES + 1)
        .unwrap();
    let e = s
        .attach_file(&c.case_id, &big, "M01", &actor(), NOW)
        .unwrap_err();
    assert!(e.zh().contains("过大"), "{}", e.zh());
}

#[test]
fn only_pdf_jpeg_png_scans_are_taken_and_nothing_is_half_saved() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let c = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    let doc = dir.path().join("form.pdf");
    fs::write(&doc, b"PK\x03\x04 a word file renamed to .pdf").unwrap();
    let e = s
        .attach_file(&c.case_id, &doc, "M01", &actor(), NOW)
        .unwrap_err();
    assert!(e.zh().contains("PDF、JPEG 或 PNG"), "{}", e.zh());
    let empty = dir.path().join("empty.png");
    fs::write(&empty, b"").unwrap();
    assert!(s
        .attach_file(&c.case_id, &empty, "M01", &actor(), NOW)
        .unwrap_err()
        .zh()
        .contains("空文件"));
    let missing = s.attach_file(
        &c.case_id,
        &dir.path().join("gone.pdf"),
        "M01",
        &actor(),
        NOW,
    );
    assert!(missing.is_err());
    assert!(s.pending_blobs(10).unwrap().is_empty());
    assert_eq!(
        s.pending_batch(10).unwrap().len(),
        1,
        "only the case itself is queued"
    );
}

/// A database written by the schema before 0006 (cases keyed by case_id,
/// search terms and applicant memory written inside the intake) opens with
/// every case, its outbox and its draft, the lookups derived again from the
/// cases, and the numbers carrying on.
#[test]
fn an_older_database_is_upgraded_with_its_cases_found_and_numbers_continuing() {
    use rusqlite::params;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    // The third case's body is one this version cannot read.
    let old: Vec<_> = (0..3).map(|i| sample_case(i, today())).collect();
    let receipts: Vec<String> = (1..=3)
        .map(|n| ReceiptNo::new("3205", "K7QM", n).unwrap().to_string())
        .collect();
    clerk_store::testing::at_schema(dir.path(), &secrets, ident().unwrap(), 5, |c| {
        for (i, case) in old.iter().enumerate() {
            let n = i as i64 + 1;
            let case_id = format!("0190a000-0000-7000-8000-00000000000{n}");
            let at = clerk_store::time::iso_utc(NOW + n);
            c.execute(
                "UPDATE counters SET value = value + 1 WHERE name IN ('receipt', 'seq')",
                [],
            )?;
            c.execute(
                "INSERT INTO cases(case_id, receipt_no, receipt_counter, matter_code, matter_version, matter_name, status, \
                 applicant_name, applicant_id_no, applicant_phone, received_on, promised_due, created_at, clerk_id, window_code, version, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'u-07', '07', 1, ?14)",
                params![
                    case_id,
                    receipts[i],
                    n,
                    case.matter_code,
                    case.matter_version,
                    case.matter_name,
                    case.status.as_str(),
                    case.applicant.name,
                    case.applicant.id_no,
                    case.applicant.phone,
                    case.received_on.to_string(),
                    case.promised_due.map(|d| d.to_string()),
                    at,
                    if i == 2 {
                        "{\"from\":\"a later version\"}".to_owned()
                    } else {
                        serde_json::to_string(case).unwrap()
                    },
                ],
            )?;
            c.execute(
                "INSERT INTO cases_fts(rowid, terms) VALUES (last_insert_rowid(), 'old terms')",
                [],
            )?;
            c.execute(
                "INSERT INTO applicants(id_no, body, last_case_id, updated_at) VALUES (?1, '{}', ?2, ?3)",
                params![format!("std1:old-{n}"), case_id, at],
            )?;
            c.execute(
                "INSERT INTO audit(at, actor, action, case_id, detail) VALUES (?1, 'u-07', 'case.take_in', ?2, '{}')",
                params![at, case_id],
            )?;
            c.execute(
                "INSERT INTO outbox(seq, mutation_id, type, type_version, case_id, payload, actor_user_id, hlc, wall_time) \
                 VALUES (?1, ?2, 'case.create', 1, ?3, '{}', 'u-07', ?4, ?5)",
                params![
                    n,
                    format!("0190b000-0000-7000-8000-00000000000{n}"),
                    case_id,
                    clerk_store::time::hlc_text((NOW + n) * 10_000),
                    at
                ],
            )?;
        }
        c.execute(
            "INSERT INTO drafts(slot, body, updated_at) VALUES ('intake', '{\"kept\":true}', ?1)",
            [clerk_store::time::iso_utc(NOW)],
        )?;
        Ok(())
    })
    .unwrap();

    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
    assert_eq!(
        s.load_draft("intake").unwrap().map(|d| d.0).as_deref(),
        Some("{\"kept\":true}"),
        "a draft saved before the upgrade is still the current one"
    );
    let found = |q: &str| {
        s.search(q, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.receipt_no)
            .collect::<Vec<_>>()
    };
    assert_eq!(found(&person(0).name), vec![receipts[0].clone()]);
    assert_eq!(found(&receipts[1]), vec![receipts[1].clone()]);
    assert_eq!(
        found(&person(2).name),
        vec![receipts[2].clone()],
        "an unreadable body is still found by its columns"
    );
    assert_eq!(found(&person(2).phone), vec![receipts[2].clone()]);
    assert_eq!(s.applicant(&person(2).id_no).unwrap(), None);
    assert_eq!(
        s.applicant(&person(1).id_no).unwrap().map(|a| a.name),
        Some(person(1).name),
        "the applicant memory is derived again from the cases"
    );
    assert_eq!(
        s.cases_on("2026-03-02", 10)
            .unwrap()
            .into_iter()
            .map(|r| r.receipt_no)
            .collect::<Vec<_>>(),
        vec![
            receipts[2].clone(),
            receipts[1].clone(),
            receipts[0].clone()
        ]
    );
    assert_eq!(
        s.outbox(10)
            .unwrap()
            .iter()
            .map(|o| o.seq)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(
        s.outbox_rows(10)
            .unwrap()
            .iter()
            .all(|o| o.payload == serde_json::json!({})),
        "commands queued before the upgrade keep their stored payload"
    );

    let c = s
        .take_in(&sample_case(3, today()), &actor(), NOW + 10, Some("intake"))
        .unwrap();
    assert_eq!(ReceiptNo::parse(&c.receipt_no).unwrap().counter(), 4);
    assert_eq!(c.seq, 4);
    assert_eq!(
        s.load_draft("intake").unwrap(),
        None,
        "gone with the intake"
    );
    assert_eq!(s.search("食品", 10).unwrap().len(), 4);
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
    let actions: Vec<String> = clerk_store::testing::audit_trail(&s)
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(
        actions, ["case.take_in"; 4],
        "the audit rows kept, and no number skipped"
    );
}

/// Receipt numbers are reserved ahead in the counter's mirror (one fsync
/// per several intakes, outside them). A clean close gives the reserve
/// back; a crash leaves it, and the next start moves past it, at most
/// `RECEIPT_RESERVE` numbers, audited.
#[test]
fn a_clean_close_skips_no_number_and_a_crash_at_most_the_reserve() {
    let reserve = clerk_store::RECEIPT_RESERVE;
    let hwm = |d: &std::path::Path| -> i64 {
        fs::read_to_string(d.join("receipt.hwm"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    for i in 0..3 {
        s.take_in(&sample_case(i, today()), &actor(), NOW, None)
            .unwrap();
    }
    s.index_pending().unwrap();
    assert!(
        (4..=3 + reserve).contains(&hwm(dir.path())),
        "numbers reserved ahead: {}",
        hwm(dir.path())
    );
    drop(s);
    assert_eq!(hwm(dir.path()), 3, "a clean close gives the reserve back");

    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let c = s
        .take_in(&sample_case(3, today()), &actor(), NOW, None)
        .unwrap();
    assert_eq!(ReceiptNo::parse(&c.receipt_no).unwrap().counter(), 4);

    // A power cut now: the files as they are while the store is open.
    let crashed = tempfile::tempdir().unwrap();
    for f in ["clerk.db", "clerk.db-wal", "receipt.hwm"] {
        fs::copy(dir.path().join(f), crashed.path().join(f)).unwrap();
    }
    secrets
        .set(
            &key_name(crashed.path()),
            &secrets.get(&key_name(dir.path())).unwrap(),
        )
        .unwrap();
    drop(s);
    let reserved = hwm(crashed.path());
    assert!(reserved > 4 && reserved - 4 <= reserve, "{reserved}");

    let s = Store::open(crashed.path(), &secrets, ident).unwrap();
    assert_eq!(s.receipt_counter().unwrap(), reserved);
    let skips: Vec<String> = clerk_store::testing::audit_trail(&s)
        .into_iter()
        .filter(|a| a.0 == "receipt.skip")
        .map(|a| a.1)
        .collect();
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert!(skips[0].contains("\"from\":5") && skips[0].contains(&format!("\"to\":{reserved}")));
    let c = s
        .take_in(&sample_case(4, today()), &actor(), NOW, None)
        .unwrap();
    assert_eq!(
        ReceiptNo::parse(&c.receipt_no).unwrap().counter() as i64,
        reserved + 1
    );
    assert_eq!(s.search("食品", 10).unwrap().len(), 5);
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
}

/// The receipt counter, the outbox seq and the HLC come from the newest
/// rows (an intake writes no counters page). Whatever the mix of intakes,
/// queued commands and retries, and with the PC clock going back: seqs stay
/// gapless, receipts follow on, and every HLC issued is later than all
/// before it (a retry re-sends an old command's HLC, which must not pull
/// the clock back).
#[test]
fn numbers_follow_on_across_intakes_commands_and_retries_with_the_clock_going_back() {
    use clerk_store::{NewMutation, PushOutcome};
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let a = s
        .take_in(&sample_case(0, today()), &actor(), NOW, Some("intake"))
        .unwrap();
    let b = s
        .take_in(&sample_case(1, today()), &actor(), NOW + 5, Some("intake"))
        .unwrap();
    // The platform refuses the first; the clerk sends it again: a new seq
    // carrying the old command's HLC.
    s.record_push(
        2,
        &[PushOutcome {
            seq: a.seq,
            state: "rejected",
            result: "{}".into(),
        }],
        NOW + 10,
    )
    .unwrap();
    assert!(s.retry_rejected(a.seq, &actor(), NOW + 20).unwrap());
    // The refused row says what it was sent again as (its own column), and
    // is not refused "again" in the counts or retried twice.
    let old = s
        .outbox_entries(10)
        .unwrap()
        .into_iter()
        .find(|e| e.seq == a.seq)
        .unwrap();
    assert!(old.requeued_as.is_some_and(|n| n > a.seq), "{old:?}");
    assert_eq!(old.last_error, None);
    assert_eq!(s.queue_state().unwrap().rejected, 0);
    assert!(!s.retry_rejected(a.seq, &actor(), NOW + 21).unwrap());
    // The PC clock is set back two minutes.
    let c = s
        .take_in(
            &sample_case(2, today()),
            &actor(),
            NOW - 120_000,
            Some("intake"),
        )
        .unwrap();
    let d = s
        .enqueue_mutation(
            &NewMutation {
                kind: "case.update_fields".into(),
                type_version: 1,
                case_id: Some(c.case_id.clone()),
                base_version: Some(1),
                payload: serde_json::json!({"fields": {}}),
            },
            &actor(),
            NOW - 180_000,
        )
        .unwrap();
    assert_eq!((a.seq, b.seq, c.seq, d), (1, 2, 4, 5));
    assert_eq!(
        [&a, &b, &c].map(|x| ReceiptNo::parse(&x.receipt_no).unwrap().counter()),
        [1, 2, 3]
    );
    drop(s);
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let e = s
        .take_in(&sample_case(3, today()), &actor(), NOW - 240_000, None)
        .unwrap();
    assert_eq!(e.seq, 6);
    assert_eq!(ReceiptNo::parse(&e.receipt_no).unwrap().counter(), 4);
    assert_eq!(s.last_seq().unwrap(), 6);

    let mut rows = s.outbox_rows(100).unwrap();
    rows.reverse();
    assert_eq!(
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        rows[2].hlc, rows[0].hlc,
        "the retry keeps its command's HLC"
    );
    // A case.create's payload is built from its case row: the command as
    // taken in, the same for the retry.
    let created = serde_json::json!({
        "receipt_no": a.receipt_no,
        "catalogue_ref": {"matter": a.case.matter_code, "version": a.case.matter_version},
        "case": a.case,
    });
    assert_eq!(rows[0].payload, created);
    assert_eq!(rows[2].payload, created);
    assert_eq!(rows[0].case_id.as_deref(), Some(a.case_id.as_str()));
    assert_eq!(
        s.pending_batch(10).unwrap()[0].payload,
        created,
        "as pushed"
    );
    assert_eq!(rows[4].payload, serde_json::json!({"fields": {}}));
    let issued: Vec<&str> = [0, 1, 3, 4, 5]
        .iter()
        .map(|&i| rows[i].hlc.as_str())
        .collect();
    assert!(
        issued.windows(2).all(|w| w[0] < w[1]),
        "each HLC issued is later than the last: {issued:?}"
    );
    assert_eq!(s.check_integrity().unwrap(), Vec::<String>::new());
}

/// Migration 0009: a row an older version marked "requeued as N" in
/// last_error gets N in `requeued_as`, and the text is gone.
#[test]
fn requeued_rows_of_an_older_version_keep_their_new_number() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let before = MIGRATIONS
        .iter()
        .position(|(n, _)| *n == "0009_outbox_requeued")
        .unwrap();
    clerk_store::testing::at_schema(dir.path(), &secrets, ident().unwrap(), before, |c| {
        c.execute_batch(
            "INSERT INTO outbox(seq, mutation_id, type, type_version, payload, actor_user_id, hlc, wall_time, state, last_error) \
             VALUES (3, 'm3', 'case.create', 1, '{}', 'u-07', '0000000000001-0000', '2026-03-02T01:00:00Z', 'rejected', 'requeued as 7'), \
                    (4, 'm4', 'case.create', 1, '{}', 'u-07', '0000000000002-0000', '2026-03-02T01:00:00Z', 'pending', 'network: down')",
        )
    })
    .unwrap();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let rows = s.outbox_entries(10).unwrap();
    let r3 = rows.iter().find(|e| e.seq == 3).unwrap();
    assert_eq!((r3.requeued_as, r3.last_error.as_deref()), (Some(7), None));
    let r4 = rows.iter().find(|e| e.seq == 4).unwrap();
    assert_eq!(
        (r4.requeued_as, r4.last_error.as_deref()),
        (None, Some("network: down"))
    );
}

/// Migration 0010: the journal's texts of older versions become codes,
/// with the reason in its own column; a journal that said printed still
/// does, and nothing reads as printed that did not.
#[test]
fn print_journal_texts_of_an_older_version_become_outcome_codes() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let before = MIGRATIONS
        .iter()
        .position(|(n, _)| *n == "0010_print_outcome")
        .unwrap();
    clerk_store::testing::at_schema(dir.path(), &secrets, ident().unwrap(), before, |c| {
        c.execute_batch(
            "INSERT INTO cases(case_id, receipt_no, receipt_counter, matter_code, matter_version, matter_name, status, \
               applicant_name, applicant_id_no, applicant_phone, received_on, created_at, clerk_id, window_code, version, body) \
             VALUES ('c1', 'R1', 1, 'M', 1, 'M', 'accepted', 'A', 'X', 'P', '2026-03-02', '2026-03-02T01:00:00Z', 'u-07', '07', 1, '{}'); \
             INSERT INTO documents(id, case_id, kind, doc_no, pdf, copy_pdf, sha256, values_json, issued_at, issued_by) \
             VALUES ('d1', 'c1', 'receipt', 'N1', x'00', x'00', 'h', '{}', '2026-03-02T01:00:00Z', 'u-07'); \
             INSERT INTO print_journal(document_id, at, actor, copy, printer, job_id, outcome) VALUES \
               ('d1', '2026-03-02T01:00:01Z', 'u-07', 0, NULL, NULL, 'no printer is configured for this document'), \
               ('d1', '2026-03-02T01:00:02Z', 'u-07', 0, 'A4', 'A4-1', 'held: the printer is out of paper'), \
               ('d1', '2026-03-02T01:00:03Z', 'u-07', 1, 'A4', 'A4-2', 'sent'), \
               ('d1', '2026-03-02T01:00:04Z', 'u-07', 1, NULL, NULL, 'opened in the default viewer')",
        )
    })
    .unwrap();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let j: Vec<_> = s
        .print_journal("c1")
        .unwrap()
        .into_iter()
        .map(|j| (j.record.outcome, j.record.reason.map(|r| r.1)))
        .collect();
    assert_eq!(
        j,
        vec![
            (
                PrintOutcome::Failed,
                Some("no printer is configured for this document".into())
            ),
            (
                PrintOutcome::Held,
                Some("the printer is out of paper".into())
            ),
            (PrintOutcome::Sent, None),
            (PrintOutcome::InViewer, None),
        ]
    );
    assert!(s.original_printed("d1").unwrap());
    let d = &s.documents("c1").unwrap()[0];
    assert_eq!(
        (d.prints, d.last_outcome),
        (2, Some(PrintOutcome::InViewer))
    );
}

/// The words a store that cannot open shows never carry the error's own
/// text (paths, SQLite's message): that goes to the log.
#[test]
fn open_errors_say_what_to_do_without_their_details() {
    let detail = "/home/clerk/.local/share/x/clerk.db: disk I/O error";
    for e in [
        clerk_store::OpenError::Io(detail.into()),
        clerk_store::OpenError::Sqlite(detail.into()),
        clerk_store::OpenError::Keyring(clerk_secrets::SecretError::Unavailable(detail.into())),
    ] {
        for words in [e.zh(), e.en()] {
            assert!(
                !words.contains("/home") && !words.contains("disk I/O"),
                "{words}"
            );
            assert!(!words.is_empty());
        }
        assert!(e.to_string().contains("disk I/O"), "the log keeps it");
    }
}

/// "My cases": the store filters by clerk before the limit, so a clerk
/// sees their own newest cases even when the PC's other clerk took in
/// more since.
#[test]
fn my_cases_are_filtered_before_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), &MemoryStore::new(), ident).unwrap();
    let other = Actor {
        user_id: "u-08".into(),
        window_code: "07".into(),
    };
    let mine = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    for i in 2..=4 {
        s.take_in(&sample_case(i, today()), &other, NOW + i as i64, None)
            .unwrap();
    }
    let day = today().to_string();
    let receipts = |rows: Vec<clerk_store::CaseRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.receipt_no).collect()
    };
    assert_eq!(s.cases_on(&day, 2).unwrap().len(), 2);
    assert_eq!(
        receipts(s.cases_on_by(&day, Some("u-07"), 2).unwrap()),
        vec![mine.receipt_no.clone()]
    );
    assert_eq!(s.cases_on_by(&day, Some("u-08"), 10).unwrap().len(), 3);
    assert_eq!(s.cases_on_by(&day, None, 10).unwrap().len(), 4);
    // The matters each clerk used last, each once, newest first.
    assert_eq!(s.recent_matters("u-07", 5).unwrap().len(), 1);
    assert!(s.recent_matters("u-09", 5).unwrap().is_empty());
    let all = s.search("食品", 2).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.clerk_id == "u-08"));
    assert_eq!(
        receipts(s.search_by("食品", Some("u-07"), 2).unwrap()),
        vec![mine.receipt_no]
    );
}

#[test]
fn the_audit_trail_is_a_chain_that_names_the_first_edited_or_deleted_row() {
    use clerk_store::testing::tamper;
    use clerk_store::AuditCheck;
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    for i in 0..4 {
        s.take_in(&sample_case(i, today()), &actor(), NOW + i as i64, None)
            .unwrap();
    }
    let AuditCheck::Intact { rows, head } = s.verify_audit().unwrap() else {
        panic!("a fresh chain is intact");
    };
    assert!(rows >= 4, "{rows}");
    let (head_id, head_link) = head.unwrap();
    assert_eq!(head_id, rows as i64);
    // What a push carries: the rows after the platform's head, with the
    // link before them; the digests chain to this PC's own head.
    let seg = s.audit_segment(2, 100).unwrap();
    assert_eq!(seg.rows.first().map(|r| r.0), Some(3));
    let mut link = clerk_secrets::chain::from_hex(&seg.prev_link).unwrap();
    for (_, d) in &seg.rows {
        link = clerk_secrets::chain::next(&link, &clerk_secrets::chain::from_hex(d).unwrap());
    }
    assert_eq!(clerk_secrets::chain::to_hex(&link), head_link);

    // An edited row, even with a plausible text, is named.
    tamper(&s, "UPDATE audit SET actor = 'u-08' WHERE id = 2");
    assert!(matches!(
        s.verify_audit().unwrap(),
        AuditCheck::Broken { id: 2, why } if why.contains("edited")
    ));
    tamper(&s, "UPDATE audit SET actor = 'u-07' WHERE id = 2");
    assert!(matches!(
        s.verify_audit().unwrap(),
        AuditCheck::Intact { .. }
    ));
    // A deleted one too, and the row after a deleted last one.
    tamper(&s, "DELETE FROM audit WHERE id = 3");
    assert!(matches!(
        s.verify_audit().unwrap(),
        AuditCheck::Broken { id: 3, why } if why.contains("deleted")
    ));
    drop(s);

    // Rows from before the chain (an older database) are chained at the
    // upgrade, once; the chain then goes on from them.
    let dir = tempfile::tempdir().unwrap();
    clerk_store::testing::at_schema(dir.path(), &secrets, ident().unwrap(), 11, |c| {
        for n in 1..=3 {
            c.execute(
                "INSERT INTO audit(at, actor, action, case_id, detail) VALUES ('2026-03-01T00:00:00Z', 'u-07', 'session.sign_in', NULL, ?1)",
                [format!("{{\"n\":{n}}}")],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    s.take_in(&sample_case(9, today()), &actor(), NOW, None)
        .unwrap();
    let AuditCheck::Intact { rows, .. } = s.verify_audit().unwrap() else {
        panic!("the upgraded chain is intact");
    };
    assert!(rows >= 4, "{rows}");
}

/// issue #14: a case's status follows the platform's copy once the
/// platform has seen everything this window said about it (a department's
/// result shows in "my cases" and the queues), never before.
#[test]
fn the_status_follows_the_platform_once_it_has_the_windows_word() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let s = Store::open(dir.path(), &secrets, ident).unwrap();
    let c = s
        .take_in(&sample_case(1, today()), &actor(), NOW, None)
        .unwrap();
    let pulled = |version: i64, status: &str| clerk_store::PulledCase {
        case_id: c.case_id.clone(),
        version,
        status: status.into(),
        receipt_no: c.receipt_no.clone(),
        data: serde_json::json!({"data": {"case": {}}}),
        change_seq: version,
    };
    let in_queue = |statuses: &[&str]| {
        s.cases_with_status(statuses, None, 100)
            .unwrap()
            .into_iter()
            .map(|r| r.receipt_no)
            .collect::<Vec<_>>()
    };
    assert_eq!(in_queue(&["accepted"]), vec![c.receipt_no.clone()]);
    // The create is still queued: a copy the platform had before cannot
    // speak for the case.
    s.apply_pull(&[pulled(2, "approved")], "c1", None).unwrap();
    assert_eq!(in_queue(&["accepted"]), vec![c.receipt_no.clone()]);
    assert_eq!(
        s.case_state(&c.case_id).unwrap().unwrap().status,
        "accepted"
    );
    // Pushed and acknowledged at version 1: the platform's newer word wins.
    s.record_push(
        c.seq,
        &[clerk_store::PushOutcome {
            seq: c.seq,
            state: "acked",
            result: r#"{"seq":1,"status":"applied","case_version":1}"#.into(),
        }],
        NOW + 1,
    )
    .unwrap();
    s.apply_pull(&[pulled(3, "approved")], "c2", None).unwrap();
    assert!(in_queue(&["accepted"]).is_empty());
    assert_eq!(
        in_queue(&["approved", "refused"]),
        vec![c.receipt_no.clone()]
    );
    assert_eq!(
        s.case_state(&c.case_id).unwrap().unwrap().status,
        "approved"
    );
    assert_eq!(
        s.status_counts(Some("u-07")).unwrap(),
        [("approved".to_owned(), 1)]
    );
    assert!(s.status_counts(Some("someone-else")).unwrap().is_empty());
}
