//! The state every command reads: built once at start.

use std::time::Instant;

use clerk_config::Loaded;
use clerk_core::catalogue::Catalogue;

use crate::paths::Paths;

pub struct AppCore {
    pub config: Loaded,
    pub catalogue: Catalogue,
    pub started: Instant,
    pub startup_marker: Option<std::path::PathBuf>,
    pub ready_reported: std::sync::atomic::AtomicBool,
}

impl AppCore {
    pub fn load(paths: &Paths, started: Instant) -> Self {
        let config = clerk_config::load(&paths.config_file);
        Self::new(config, started)
    }

    pub fn new(config: Loaded, started: Instant) -> Self {
        // The bundled sample is checked by clerk-core's tests; failing here
        // would be a build defect, not a user error.
        let catalogue = Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON)
            .expect("the bundled sample catalogue is valid");
        Self {
            config,
            catalogue,
            started,
            startup_marker: std::env::var_os(crate::paths::STARTUP_MARKER_ENV).map(Into::into),
            ready_reported: Default::default(),
        }
    }

    pub fn log_start(&self, paths: &Paths) {
        let c = &self.config;
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            hall = %c.config.hall.code,
            window = %c.config.window.code,
            standalone = c.config.is_standalone(),
            config = %c.path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "embedded default".into()),
            data_dir = %paths.data_dir.display(),
            "Window Clerk starting"
        );
        if let Some(p) = &c.problem {
            tracing::error!(problem = %p, "machine config unusable; running on the embedded default");
        }
    }
}
