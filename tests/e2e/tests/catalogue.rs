//! A newer catalogue version while a draft is open (sync-protocol §5): the
//! platform publishes v2 of the catalogue (食品经营许可 needs one more
//! material); the window downloads it; the draft filled on v1 comes back
//! on v1 with a banner naming the difference, and re-checking it on v2
//! keeps the applicant and shows v2's materials.

use e2e::platform::{admin, login, sync_now, Hall};
use e2e::{citizen_id, k, pick_food_licence, App, Key};

/// The day these tests run on (no test depends on the real date).
const DAY: &str = "2026-03-02";

const FOOD: &str = "11530500MB1A27618NXK00001000000";

#[tokio::test]
async fn a_draft_keeps_its_catalogue_version_and_shows_what_changed() {
    let hall = Hall::start().await;
    let sb = hall.sandbox("07").on_day(DAY);
    let app = App::start("catalogue", &sb).await;
    login(&app).await;

    // A draft on v1 (the version in effect now).
    app.keys(&format!("{}1", k(Key::Alt))).await;
    pick_food_licence(&app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id("53050219850505002")).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("王五").await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;

    // The platform publishes v2; the window downloads it.
    let mut cat: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample_catalogue()).unwrap()).unwrap();
    cat["version"] = serde_json::json!(2);
    let food = cat["matters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["code"] == FOOD)
        .unwrap();
    let mut extra = food["materials"][0].clone();
    extra["id"] = serde_json::json!("m7");
    extra["name"] = serde_json::json!("食品安全管理制度文本");
    extra["required"] = serde_json::json!(true);
    food["materials"].as_array_mut().unwrap().push(extra);
    let file = hall.blobs.path().join("catalogue-v2.json");
    std::fs::write(&file, serde_json::to_string(&cat).unwrap()).unwrap();
    admin(
        &hall.db,
        &["publish-catalogue", file.to_str().unwrap(), "2026-01-01"],
    );
    sync_now(&app).await;
    app.close().await;

    // Back at the window: the draft is on v1, with the banner.
    let app = App::start("catalogue-drift", &sb).await;
    app.wait_css("[data-testid=draft-restored]").await;
    let banner = app
        .wait_text("[data-testid=catalogue-drift]", "第 2 版")
        .await;
    assert!(
        banner.contains("第 1 版") && banner.contains("新增必交材料：食品安全管理制度文本"),
        "{banner}"
    );
    assert!(
        !app.exists("[data-testid=recv-m7]").await,
        "still v1's list"
    );
    app.screenshot("").await;
    app.click("[data-testid=rebase]").await;
    app.wait_css("[data-testid=recv-m7]").await;
    assert!(!app.exists("[data-testid=catalogue-drift]").await);
    let name = app
        .js("return document.querySelector('[data-testid=f-name]').value")
        .await;
    assert_eq!(name, "王五", "the applicant stays");
    app.screenshot("rebased").await;
    app.close().await;
}

fn sample_catalogue() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/catalogue/sample-v1.json")
}
