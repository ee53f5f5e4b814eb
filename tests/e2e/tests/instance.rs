//! One app per PC session, and its log file.

use e2e::{App, Sandbox};
use std::process::Command;
use std::time::{Duration, Instant};

/// The day these tests run on (no test depends on the real date).
const DAY: &str = "2026-03-02";

#[tokio::test]
async fn a_second_launch_hands_over_to_the_first_and_exits() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("single-instance", &sb).await;

    let mut second = Command::new(Sandbox::app_binary())
        .envs(sb.app_env())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = second.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(20) {
            let _ = second.kill();
            panic!("the second instance is still running after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "second launch exits cleanly: {status}");
    // The first one is still there and still answers.
    assert!(app
        .text("[data-testid=sb-connection]")
        .await
        .contains("单机模式"));

    // Logs go to the data dir's daily file, with the start-up and the
    // hand-over recorded.
    let logs: Vec<_> = std::fs::read_dir(sb.data_dir().join("logs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let name = logs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("window-clerk.") && name.ends_with(".log"),
        "{name}"
    );
    let text = e2e::read(&logs[0]);
    assert!(text.contains("Window Clerk starting"), "{text}");
    assert!(text.contains("shell interactive"), "{text}");
    assert!(text.contains("second launch"), "{text}");
    app.close().await;
}
