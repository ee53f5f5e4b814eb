//! `platform-server`: run the reference platform, or act on it as an admin.
//!
//! ```text
//! platform-server serve --database-url URL [--listen 127.0.0.1:8080] [--blob-dir DIR]
//!     (admin token: PLATFORM_ADMIN_TOKEN or --admin-token-file FILE)
//! platform-server openapi                      print the OpenAPI document
//! platform-server admin --database-url URL <action> …
//!     add-office <office_id> <name>
//!     add-user <user_id> <name> <office_id> [--role clerk,supervisor,admin,auditor]
//!                                                (password: PLATFORM_USER_PASSWORD; default role clerk)
//!     disable-user <user_id> | enable-user <user_id>
//!     enrolment-code <office_id> <window_code>   prints a one-time code
//!     publish-catalogue <file.json> <effective_from YYYY-MM-DD>
//!     publish-calendar <year.json>               one year of the State Council's holiday schedule
//!     online-application <file.json>             prints the case id and receipt number
//!     route <case_id> <department>…
//!     decide <case_id> <department> approve|return|refuse
//!     find-case <receipt_no>                     prints the case as the change log carries it
//!     restored                                   run after restoring the database from a backup
//! ```
//! The admin API (`/v1/admin/*`) publishes catalogue versions, submits
//! online applications and records department decisions; `xtask` and the
//! tests drive it over HTTP.

use std::process::ExitCode;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PLATFORM_LOG")
                .unwrap_or_else(|_| "info,tokio_postgres=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match args.first().map(String::as_str) {
        Some("openapi") => {
            println!(
                "{}",
                platform_server::openapi::document()
                    .to_pretty_json()
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Some("admin") => admin(&args[1..]),
        Some("serve") => {
            let Some(url) =
                arg(&args, "--database-url").or_else(|| std::env::var("DATABASE_URL").ok())
            else {
                eprintln!("serve needs --database-url (or DATABASE_URL)");
                return ExitCode::from(2);
            };
            let token = match arg(&args, "--admin-token-file") {
                Some(f) => std::fs::read_to_string(&f)
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_default(),
                None => std::env::var("PLATFORM_ADMIN_TOKEN").unwrap_or_default(),
            };
            if token.len() < 16 {
                eprintln!("an admin token of at least 16 characters is needed (PLATFORM_ADMIN_TOKEN or --admin-token-file)");
                return ExitCode::from(2);
            }
            let listen = arg(&args, "--listen").unwrap_or_else(|| "127.0.0.1:8080".into());
            let rt = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            rt.block_on(async move {
                let mut settings = platform_server::Settings::new(&url, &token);
                // Blob bytes are data: a served platform keeps them in a named
                // folder, never in a temporary one.
                settings.blob_dir = arg(&args, "--blob-dir")
                    .or_else(|| std::env::var("PLATFORM_BLOB_DIR").ok())
                    .unwrap_or_else(|| "platform-blobs".into())
                    .into();
                let state = match platform_server::prepare(settings).await {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("database: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                let listener = match tokio::net::TcpListener::bind(&listen).await {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("listen on {listen}: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                // The bound address, for scripts that asked for port 0.
                if let Ok(a) = listener.local_addr() {
                    println!("listening on http://{a}");
                }
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                match platform_server::serve(state, listener, stop).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("{e}");
                        ExitCode::FAILURE
                    }
                }
            })
        }
        _ => {
            eprintln!("usage: platform-server serve --database-url URL [--listen ADDR] [--admin-token-file F] [--blob-dir DIR] | platform-server openapi");
            ExitCode::from(2)
        }
    }
}

/// The admin API's actions from the command line, on the database directly
/// (the same handlers the HTTP API runs; no server needed).
fn admin(args: &[String]) -> ExitCode {
    use axum::extract::{Path, State};
    use axum::http::HeaderMap;
    use axum::Json;
    use platform_server::admin as a;
    let Some(url) = arg(args, "--database-url").or_else(|| std::env::var("DATABASE_URL").ok())
    else {
        eprintln!("admin needs --database-url (or DATABASE_URL)");
        return ExitCode::from(2);
    };
    let rest: Vec<&str> = {
        let mut v = Vec::new();
        let mut skip = false;
        for x in args {
            if skip {
                skip = false;
            } else if x == "--database-url" {
                skip = true;
            } else {
                v.push(x.as_str());
            }
        }
        v
    };
    let token = platform_server::auth::random_token();
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let out: Result<serde_json::Value, String> = rt.block_on(async move {
        let state = platform_server::prepare(platform_server::Settings::new(&url, &token)).await?;
        let st = || State(state.clone());
        let h = || headers.clone();
        let e = |e: platform_server::ApiError| format!("{}: {}", e.body.error, e.body.message);
        let read = |f: &str| -> Result<serde_json::Value, String> {
            let t = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
            serde_json::from_str(&t).map_err(|e| format!("{f}: {e}"))
        };
        match rest.as_slice() {
            ["add-office", id, name] => a::add_office(
                st(),
                h(),
                Json(a::NewOffice {
                    office_id: id.to_string(),
                    name: name.to_string(),
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            ["add-user", id, name, office, opts @ ..] => {
                let password = std::env::var("PLATFORM_USER_PASSWORD")
                    .map_err(|_| "set PLATFORM_USER_PASSWORD".to_owned())?;
                let roles = match opts {
                    [] => Vec::new(),
                    ["--role", list] => list.split(',').map(|r| r.trim().to_owned()).collect(),
                    _ => return Err("add-user <user_id> <name> <office_id> [--role clerk,supervisor,admin,auditor]".into()),
                };
                a::add_user(
                    st(),
                    h(),
                    Json(platform_api::NewUser {
                        user_id: id.to_string(),
                        name: name.to_string(),
                        office_id: office.to_string(),
                        password,
                        roles,
                    }),
                )
                .await
                .map(|r| r.0)
                .map_err(e)
            }
            [verb @ ("disable-user" | "enable-user"), id] => a::set_user_disabled(
                st(),
                h(),
                Path(id.to_string()),
                Json(platform_api::SetDisabled {
                    disabled: *verb == "disable-user",
                }),
            )
            .await
            .map(|r| r.0)
            .map_err(e),
            ["enrolment-code", office, window] => a::enrolment_code(
                st(),
                h(),
                Json(platform_api::NewEnrolmentCode {
                    office_id: office.to_string(),
                    window_code: window.to_string(),
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            ["publish-catalogue", file, from] => a::publish_catalogue(
                st(),
                h(),
                Json(platform_api::PublishCatalogue {
                    effective_from: from.to_string(),
                    body: read(file)?,
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            ["publish-calendar", file] => a::publish_calendar(st(), h(), Json(read(file)?))
                .await
                .map(|r| serde_json::to_value(r.0).unwrap_or_default())
                .map_err(e),
            ["online-application", file] => {
                let app: platform_api::OnlineApplication =
                    serde_json::from_value(read(file)?).map_err(|x| x.to_string())?;
                a::online_application(st(), h(), Json(app))
                    .await
                    .map(|r| serde_json::to_value(r.0).unwrap_or_default())
                    .map_err(e)
            }
            ["route", id, depts @ ..] => a::route_case(
                st(),
                h(),
                Path(id.to_string()),
                Json(platform_api::Route {
                    departments: depts.iter().map(|d| d.to_string()).collect(),
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            ["decide", id, dept, action] => {
                let action = match *action {
                    "approve" => platform_api::NodeAction::Approve,
                    "return" => platform_api::NodeAction::Return,
                    "refuse" => platform_api::NodeAction::Refuse,
                    _ => return Err("action: approve, return or refuse".into()),
                };
                a::node_decision(
                    st(),
                    h(),
                    Path(id.to_string()),
                    Json(platform_api::NodeDecision {
                        department: dept.to_string(),
                        action,
                        note: String::new(),
                    }),
                )
                .await
                .map(|r| serde_json::to_value(r.0).unwrap_or_default())
                .map_err(e)
            }
            // After restoring the database from a backup: a new change-log
            // epoch, so every window's cursor is refused (must_resync) and
            // no change number is ever read twice with two meanings.
            ["restored"] => {
                let c = state.pool.get().await.map_err(|x| x.to_string())?;
                let epoch = platform_server::db::new_log_epoch(&c)
                    .await
                    .map_err(|x| x.to_string())?;
                Ok(serde_json::json!({"log_epoch": epoch}))
            }
            ["find-case", receipt_no] => {
                let c = state.pool.get().await.map_err(|x| x.to_string())?;
                let r = c
                    .query_opt(
                        &format!(
                            "SELECT {} FROM cases WHERE receipt_no = $1",
                            platform_server::db::CASE_COLS
                        ),
                        &[receipt_no],
                    )
                    .await
                    .map_err(|x| x.to_string())?
                    .ok_or_else(|| format!("no case {receipt_no}"))?;
                Ok(platform_server::db::case_payload(&r))
            }
            _ => Err("unknown admin action (see `platform-server --help`)".into()),
        }
    });
    match out {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
