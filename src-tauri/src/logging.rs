//! Tracing to a daily-rotated file in the log folder, plus stderr.
//!
//! Architecture Invariant: citizens' personal data (names, ID numbers,
//! phones, addresses) is never logged. Log case ids and receipt numbers.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Keep the returned guard alive for the life of the app: dropping it
/// flushes and closes the log file.
pub fn init(log_dir: &Path, cfg: &clerk_config::Log) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_new(&cfg.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    let file = std::fs::create_dir_all(log_dir).ok().and_then(|_| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("window-clerk")
            .filename_suffix("log")
            .max_log_files(usize::from(cfg.keep_days))
            .build(log_dir)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_layer = fmt::layer().with_writer(writer).with_ansi(false);
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .try_init();
            tracing::warn!(dir = %log_dir.display(), "cannot write the log folder; logging to stderr only");
            None
        }
    }
}
