//! `platform-server`: run the reference platform, or act on it as an admin.
//!
//! ```text
//! platform-server serve --database-url URL [--listen 127.0.0.1:8080]
//!     (admin token: PLATFORM_ADMIN_TOKEN or --admin-token-file FILE)
//! platform-server openapi                      print the OpenAPI document
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
                .unwrap_or_else(|_| "info".into()),
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
                let state =
                    match platform_server::prepare(platform_server::Settings::new(&url, &token))
                        .await
                    {
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
            eprintln!("usage: platform-server serve --database-url URL [--listen ADDR] [--admin-token-file F] | platform-server openapi");
            ExitCode::from(2)
        }
    }
}
