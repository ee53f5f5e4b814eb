//! Printing from the window through CUPS to the cups-pdf test printer
//! (`cargo xtask test` sets up the WC-PDF queue): Ctrl+P after a decision
//! sends the documents without a dialog; the printed PDF is turned into a
//! PNG next to the screenshots, for people to look at.

use e2e::{App, Key, Sandbox};

fn k(key: Key) -> String {
    char::from(key).to_string()
}

fn citizen_id(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{body}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

const CONFIG: &str = r#"
[hall]
code = "3205"
name = "保山市隆阳区政务服务中心"

[window]
code = "07"
name = "综合受理7号窗口"

[printer]
a4 = "WC-PDF"

[notices]
reconsideration_body = "保山市隆阳区人民政府"
court = "保山市隆阳区人民法院"
supervision_phone = "0875-2121234"
query_url = "https://zwfw.example.gov.cn/q"
"#;

#[tokio::test]
async fn ctrl_p_prints_the_documents_of_the_case() {
    let have = std::process::Command::new("lpstat")
        .arg("-e")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "WC-PDF")
        });
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: `cargo xtask test` sets up the WC-PDF queue"
        );
        return;
    }
    let sb = Sandbox::new().with_config(CONFIG).on_day("2026-03-02");
    let app = App::start("printing", &sb).await;
    app.wait_focus("matter-search").await;
    app.keys("gtgsh").await;
    app.wait_text("[data-testid=matter-list]", "个体工商户设立登记")
        .await;
    app.keys(&k(Key::Down)).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id("53050219880808301")).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("段玉兰").await;
    app.keys(&k(Key::Enter)).await;
    app.keys("13987500001").await;
    for m in ["m1", "m2", "m3"] {
        let el = app.wait_css(&format!("[data-testid=recv-{m}]")).await;
        app.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'}); return 1",
                vec![serde_json::to_value(&el).unwrap()],
            )
            .await
            .unwrap();
        el.click().await.unwrap();
    }
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    let receipt = app.text("[data-testid=receipt-no]").await;
    assert!(receipt.starts_with("3205-0"), "{receipt}");
    app.wait_text("[data-testid=documents]", "收件凭证").await;
    // The status bar counts the new case at once.
    app.wait_text("[data-testid=sb-unsent]", "未发送：1").await;

    app.keys(&format!("{}p", k(Key::Control))).await;
    let msg = app
        .wait_text("[data-testid=print-message]", "已发送到打印机 WC-PDF")
        .await;
    let job = msg.split("任务号").nth(1).unwrap().trim().to_owned();
    app.wait_text("[data-testid=documents]", "已打印 1 次")
        .await;
    app.screenshot("").await;
    app.close().await;

    // The printed file, from cups-pdf's output folder.
    let n = job.rsplit('-').next().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let printed = loop {
        let dirs = [
            std::path::PathBuf::from("/root/PDF"),
            std::env::var_os("HOME")
                .map(|h| std::path::PathBuf::from(h).join("PDF"))
                .unwrap_or_default(),
        ];
        let found = dirs
            .iter()
            .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|f| f.to_string_lossy().ends_with(&format!("job_{n}.pdf")))
            });
        if let Some(p) = found {
            std::thread::sleep(std::time::Duration::from_millis(500));
            break p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no printed PDF for {job}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    let text = std::process::Command::new("pdftotext")
        .arg(&printed)
        .arg("-")
        .output()
        .unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("收件凭证") && text.contains("段玉兰") && text.contains(&receipt),
        "{text}"
    );
    let shots = std::path::PathBuf::from(std::env::var_os("E2E_SCREENSHOTS").unwrap());
    let _ = std::process::Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-singlefile"])
        .arg(&printed)
        .arg(shots.join("printing-printed-receipt"))
        .status();
}
