//! `platform-server`: run the reference platform, or act on it as an admin.
//!
//! `platform-server --help` lists the commands (clap): `serve`, `openapi`,
//! `admin <action>` (add-office, add-user … [--role clerk,supervisor,admin,auditor],
//! disable-user, enable-user, enrolment-code, publish-catalogue,
//! publish-calendar, online-application, route, decide, find-case, restored)
//! and `completions <shell>`. `--database-url` may come from DATABASE_URL.
//! The admin API (`/v1/admin/*`) publishes catalogue versions, submits
//! online applications and records department decisions; `xtask` and the
//! tests drive it over HTTP.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The reference platform (counter-sync v1) for Window Clerk, or an admin
/// action on its database.
#[derive(Parser)]
#[command(name = "platform-server", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API.
    Serve {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The admin API's own listener (loopback unless said otherwise);
        /// the windows' listener does not route `/v1/admin`.
        #[arg(long, default_value = "127.0.0.1:8081")]
        admin_listen: String,
        /// Where uploaded scans are kept (else PLATFORM_BLOB_DIR, else ./platform-blobs).
        #[arg(long, env = "PLATFORM_BLOB_DIR")]
        blob_dir: Option<std::path::PathBuf>,
        /// A file holding the admin token (else PLATFORM_ADMIN_TOKEN).
        #[arg(long)]
        admin_token_file: Option<std::path::PathBuf>,
        /// Requests served at once; the rest wait their turn.
        #[arg(long, default_value_t = 512)]
        max_in_flight: usize,
        /// Seconds a request may take, its body included (uploads ten times that).
        #[arg(long, default_value_t = 30)]
        request_secs: u64,
        /// Serve HTTPS: the certificate chain (PEM, leaf first)…
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// …and its private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// Serve plain HTTP on an address other than loopback (only behind
        /// a proxy that terminates TLS on the same host or network).
        #[arg(long)]
        plain_http_behind_proxy: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// An admin action on the database directly (the handlers the HTTP
    /// admin API runs; no server needed).
    Admin {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[command(subcommand)]
        action: AdminCmd,
    },
    /// Shell completions on stdout.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand)]
enum AdminCmd {
    AddOffice {
        office_id: String,
        name: String,
    },
    /// A user (password from PLATFORM_USER_PASSWORD; default role clerk).
    AddUser {
        user_id: String,
        name: String,
        office_id: String,
        /// clerk, supervisor, admin, auditor (comma-separated).
        #[arg(long)]
        role: Option<String>,
    },
    /// Refused at login, refresh and every call at once; windows refuse
    /// them offline after their next sync.
    DisableUser {
        user_id: String,
    },
    EnableUser {
        user_id: String,
    },
    /// Lift a user's lock after five failed sign-ins.
    UnlockUser {
        user_id: String,
    },
    /// Print a one-time enrolment code.
    EnrolmentCode {
        office_id: String,
        window_code: String,
        /// The PC may have been enrolled to another hall: move it here
        /// (recorded as a security event).
        #[arg(long)]
        allow_move: bool,
    },
    PublishCatalogue {
        file: String,
        effective_from: String,
    },
    /// One year of the State Council's holiday schedule.
    PublishCalendar {
        file: String,
    },
    /// Print the case id and receipt number.
    OnlineApplication {
        file: String,
    },
    Route {
        case_id: String,
        #[arg(required = true)]
        departments: Vec<String>,
    },
    Decide {
        case_id: String,
        department: String,
        #[arg(value_parser = ["approve", "return", "refuse"])]
        action: String,
    },
    /// Print the case as the change log carries it.
    FindCase {
        receipt_no: String,
    },
    /// Deem accepted the online applications nobody pre-reviewed within
    /// five working days (行政许可法 art. 32); `serve` does it every ten
    /// minutes by itself.
    DeemAccepted {
        /// The day to judge on (YYYY-MM-DD; today in China Standard Time).
        #[arg(long)]
        today: Option<String>,
    },
    /// Run after restoring the database from a backup.
    Restored,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PLATFORM_LOG")
                .unwrap_or_else(|_| "info,tokio_postgres=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Cmd::Openapi => {
            println!(
                "{}",
                platform_server::openapi::document()
                    .to_pretty_json()
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "platform-server",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Cmd::Admin {
            database_url,
            action,
        } => admin(database_url, action),
        Cmd::Serve {
            database_url: url,
            listen,
            admin_listen,
            blob_dir,
            admin_token_file,
            max_in_flight,
            request_secs,
            tls_cert,
            tls_key,
            plain_http_behind_proxy,
        } => {
            let token = match admin_token_file {
                Some(f) => std::fs::read_to_string(&f)
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_default(),
                None => std::env::var("PLATFORM_ADMIN_TOKEN").unwrap_or_default(),
            };
            if token.len() < 16 {
                eprintln!("an admin token of at least 16 characters is needed (PLATFORM_ADMIN_TOKEN or --admin-token-file)");
                return ExitCode::from(2);
            }
            let tls = match (&tls_cert, &tls_key) {
                (Some(c), Some(k)) => match platform_server::tls::config_from_files(c, k) {
                    Ok(cfg) => Some(cfg),
                    Err(e) => {
                        eprintln!("TLS: {e}");
                        return ExitCode::from(2);
                    }
                },
                _ => None,
            };
            if tls.is_none() && !plain_http_behind_proxy {
                for (what, addr) in [("--listen", &listen), ("--admin-listen", &admin_listen)] {
                    if !is_loopback(addr) {
                        eprintln!(
                            "{what} {addr} is not a loopback address: serve HTTPS (--tls-cert, --tls-key), \
                             or say --plain-http-behind-proxy when a proxy terminates TLS"
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            let scheme = if tls.is_some() { "https" } else { "http" };
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
                settings.blob_dir = blob_dir.unwrap_or_else(|| "platform-blobs".into());
                settings.max_in_flight = max_in_flight.max(1);
                settings.request_secs = request_secs.max(1);
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
                let admin = match tokio::net::TcpListener::bind(&admin_listen).await {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("listen on {admin_listen} (admin): {e}");
                        return ExitCode::FAILURE;
                    }
                };
                // The bound addresses, on one line, for scripts that asked
                // for port 0 (which may close the pipe after reading it).
                if let (Ok(a), Ok(b)) = (listener.local_addr(), admin.local_addr()) {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    let _ = writeln!(
                        out,
                        "listening on {scheme}://{a} (admin API on {scheme}://{b})"
                    );
                    let _ = out.flush();
                }
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                // 视为受理 (art. 32): the platform's own clock, every ten minutes.
                let deeming = state.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
                    loop {
                        tick.tick().await;
                        if let Err(e) = platform_server::deem::deem_overdue(
                            &deeming,
                            platform_server::deem::today_cst(),
                        )
                        .await
                        {
                            tracing::warn!(error = %e.body.message, "deemed acceptance pass failed");
                        }
                    }
                });
                match platform_server::serve(state, listener, admin, tls, stop).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("{e}");
                        ExitCode::FAILURE
                    }
                }
            })
        }
    }
}

/// The admin API's actions from the command line, on the database directly
/// (the same handlers the HTTP API runs; no server needed).
fn admin(url: String, action: AdminCmd) -> ExitCode {
    use axum::extract::{Path, State};
    use axum::http::HeaderMap;
    use axum::Json;
    use platform_server::admin as a;
    let disabled = matches!(action, AdminCmd::DisableUser { .. });
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
        match action {
            AdminCmd::AddOffice {
                office_id: id,
                name,
            } => a::add_office(
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
            AdminCmd::AddUser {
                user_id: id,
                name,
                office_id: office,
                role,
            } => {
                let password = std::env::var("PLATFORM_USER_PASSWORD")
                    .map_err(|_| "set PLATFORM_USER_PASSWORD".to_owned())?;
                let roles = role
                    .map(|list| list.split(',').map(|r| r.trim().to_owned()).collect())
                    .unwrap_or_default();
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
            AdminCmd::DisableUser { user_id: id } | AdminCmd::EnableUser { user_id: id } => {
                a::set_user_disabled(
                    st(),
                    h(),
                    Path(id.to_string()),
                    Json(platform_api::SetDisabled { disabled }),
                )
                .await
                .map(|r| r.0)
                .map_err(e)
            }
            AdminCmd::UnlockUser { user_id: id } => a::unlock_user(st(), h(), Path(id.to_string()))
                .await
                .map(|r| r.0)
                .map_err(e),
            AdminCmd::EnrolmentCode {
                office_id: office,
                window_code: window,
                allow_move,
            } => a::enrolment_code(
                st(),
                h(),
                Json(platform_api::NewEnrolmentCode {
                    office_id: office.to_string(),
                    window_code: window.to_string(),
                    allow_move,
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            AdminCmd::PublishCatalogue {
                file,
                effective_from: from,
            } => a::publish_catalogue(
                st(),
                h(),
                Json(platform_api::PublishCatalogue {
                    effective_from: from.to_string(),
                    body: read(&file)?,
                }),
            )
            .await
            .map(|r| serde_json::to_value(r.0).unwrap_or_default())
            .map_err(e),
            AdminCmd::PublishCalendar { file } => {
                a::publish_calendar(st(), h(), Json(read(&file)?))
                    .await
                    .map(|r| serde_json::to_value(r.0).unwrap_or_default())
                    .map_err(e)
            }
            AdminCmd::OnlineApplication { file } => {
                let app: platform_api::OnlineApplication =
                    serde_json::from_value(read(&file)?).map_err(|x| x.to_string())?;
                a::online_application(st(), h(), Json(app))
                    .await
                    .map(|r| serde_json::to_value(r.0).unwrap_or_default())
                    .map_err(e)
            }
            AdminCmd::Route {
                case_id: id,
                departments: depts,
            } => a::route_case(
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
            AdminCmd::Decide {
                case_id: id,
                department: dept,
                action,
            } => {
                let action = match action.as_str() {
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
            AdminCmd::Restored => {
                let c = state.pool.get().await.map_err(|x| x.to_string())?;
                let epoch = platform_server::db::new_log_epoch(&c)
                    .await
                    .map_err(|x| x.to_string())?;
                Ok(serde_json::json!({"log_epoch": epoch}))
            }
            AdminCmd::DeemAccepted { today } => {
                let day = match today {
                    Some(d) => clerk_core::date::Date::parse_iso(&d)
                        .ok_or_else(|| format!("--today {d}: not a date (YYYY-MM-DD)"))?,
                    None => platform_server::deem::today_cst(),
                };
                let deemed = platform_server::deem::deem_overdue(&state, day)
                    .await
                    .map_err(|x| x.body.message)?;
                Ok(serde_json::json!({"deemed_accepted": deemed}))
            }
            AdminCmd::FindCase { receipt_no } => {
                let c = state.pool.get().await.map_err(|x| x.to_string())?;
                let r = c
                    .query_opt(
                        &format!(
                            "SELECT {} FROM cases WHERE receipt_no = $1",
                            platform_server::db::CASE_COLS
                        ),
                        &[&receipt_no],
                    )
                    .await
                    .map_err(|x| x.to_string())?
                    .ok_or_else(|| format!("no case {receipt_no}"))?;
                Ok(platform_server::db::case_payload(&r))
            }
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

/// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`.
fn is_loopback(addr: &str) -> bool {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(a) => a.ip().is_loopback(),
        Err(_) => addr.rsplit_once(':').is_some_and(|(h, _)| h == "localhost"),
    }
}
