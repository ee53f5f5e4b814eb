//! Machine configuration: one TOML file per PC, written by IT, that binds
//! the PC to its hall and window (product.md §25).
//!
//! Where it lives:
//! - Linux: `/etc/window-clerk/clerk.toml`
//! - Windows: `%ProgramData%\WindowClerk\clerk.toml`
//! - macOS (developers only): `/Library/Application Support/WindowClerk/clerk.toml`
//! - `WINDOW_CLERK_CONFIG=<path>` overrides all of these (tests, IT trials).
//!
//! A missing file means "embedded default": standalone (单机模式), an
//! unconfigured sample hall and window. Secrets never go in this file.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Environment variable that points at a config file instead of the OS path.
pub const CONFIG_ENV: &str = "WINDOW_CLERK_CONFIG";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub hall: Hall,
    pub window: Window,
    #[serde(default)]
    pub platform: Platform,
    #[serde(default)]
    pub printer: Printer,
    #[serde(default)]
    pub log: Log,
    #[serde(default)]
    pub notices: Notices,
    #[serde(default)]
    pub deadlines: Deadlines,
    #[serde(default)]
    pub session: Session,
}

/// Sign-in and the screen lock (issue #12). Seconds, so tests can use a
/// few; the defaults are clerk-core's `SignInPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The screen locks after this long without activity (default 300).
    #[serde(default = "default_idle_lock")]
    pub idle_lock_secs: u32,
    /// Wrong passwords in a row before the user is locked on this PC (5).
    #[serde(default = "default_max_failures")]
    pub max_failures: u32,
    /// How long that lockout lasts (900).
    #[serde(default = "default_lockout")]
    pub lockout_secs: u32,
    /// How long after the last online sign-in on this PC an offline one is
    /// allowed (604800 = 7 days); the platform may say less, never more.
    #[serde(default = "default_offline_valid")]
    pub offline_valid_secs: u32,
}

fn default_idle_lock() -> u32 {
    300
}
fn default_max_failures() -> u32 {
    5
}
fn default_lockout() -> u32 {
    900
}
fn default_offline_valid() -> u32 {
    7 * 24 * 3600
}

impl Default for Session {
    fn default() -> Self {
        Self {
            idle_lock_secs: default_idle_lock(),
            max_failures: default_max_failures(),
            lockout_secs: default_lockout(),
            offline_valid_secs: default_offline_valid(),
        }
    }
}

impl Session {
    pub fn policy(&self) -> clerk_core::access::SignInPolicy {
        clerk_core::access::SignInPolicy {
            max_failures: self.max_failures,
            lockout_secs: self.lockout_secs.into(),
            offline_valid_secs: self.offline_valid_secs.into(),
            idle_lock_secs: self.idle_lock_secs.into(),
        }
    }
}

/// How deadlines count and when the queue warns (domain.md §1.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    /// "day_zero" (default: the receipt day is day 0) or "day_one".
    #[serde(default = "default_start_day")]
    pub start_day: String,
    /// Yellow when at most this many working days are left.
    #[serde(default = "default_yellow")]
    pub yellow_days: u32,
    /// Red when at most this many working days are left.
    #[serde(default = "default_red")]
    pub red_days: u32,
}

fn default_start_day() -> String {
    "day_zero".into()
}
fn default_yellow() -> u32 {
    3
}
fn default_red() -> u32 {
    1
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            start_day: default_start_day(),
            yellow_days: default_yellow(),
            red_days: default_red(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hall {
    /// Hall (office) code as the platform knows it.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Window number, e.g. "07".
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Platform server base URL. Absent: standalone mode.
    pub server_url: Option<String>,
    /// PEM bundle of the government CA, when the platform's certificate is
    /// not signed by a public CA.
    pub ca_bundle: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printer {
    /// Printer for A4 notices (CUPS queue name / Windows printer name).
    pub a4: Option<String>,
    /// 80 mm thermal printer for receipts.
    pub receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// A `tracing` filter directive, e.g. "info" or "info,clerk_sync=debug".
    #[serde(default = "default_log_level")]
    pub level: String,
    /// Daily log files kept before the oldest is deleted.
    #[serde(default = "default_log_keep_days")]
    pub keep_days: u16,
}

fn default_log_level() -> String {
    "info".into()
}
fn default_log_keep_days() -> u16 {
    30
}

impl Default for Log {
    fn default() -> Self {
        Self {
            level: default_log_level(),
            keep_days: default_log_keep_days(),
        }
    }
}

/// Names printed on notices; never hard-coded (domain.md §1.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notices {
    /// No longer used (issue #14): the 行政复议机关 belongs to the deciding
    /// department and comes from the catalogue (`review_body`); one hall
    /// setting printed the wrong body for most matters. Kept so older files
    /// still load.
    pub reconsideration_body: Option<String>,
    /// 行政诉讼法院
    pub court: Option<String>,
    /// 监督投诉电话
    pub supervision_phone: Option<String>,
    /// Base URL for the status-query QR code.
    pub query_url: Option<String>,
    /// The hall's own document templates (one `<type>.json` per document
    /// type it overrides). A relative path is relative to this file.
    pub templates: Option<PathBuf>,
    /// A PNG for the seal area of originals: a placement mark or a
    /// platform-issued e-seal rendering, never a scan of a real seal
    /// (domain.md §5.4). A relative path is relative to this file.
    pub seal_image: Option<PathBuf>,
}

impl Config {
    /// The embedded default: a sample hall, standalone.
    pub fn embedded_default() -> Self {
        Self {
            hall: Hall {
                code: "SAMPLE".into(),
                name: "示例政务服务中心（未配置）".into(),
            },
            window: Window {
                code: "00".into(),
                name: "未配置窗口".into(),
            },
            platform: Platform::default(),
            printer: Printer::default(),
            log: Log::default(),
            notices: Notices::default(),
            deadlines: Deadlines::default(),
            session: Session::default(),
        }
    }

    /// Parse and check a config file's text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().to_owned(),
        })?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field: &'static str, rule: Rule| Err(ConfigError::Invalid { field, rule });
        if !is_code(&self.hall.code, 32) {
            return invalid("hall.code", Rule::Code { max: 32 });
        }
        if self.hall.name.trim().is_empty() {
            return invalid("hall.name", Rule::NotEmpty);
        }
        if !is_code(&self.window.code, 8) {
            return invalid("window.code", Rule::Code { max: 8 });
        }
        if self.window.name.trim().is_empty() {
            return invalid("window.name", Rule::NotEmpty);
        }
        if let Some(url) = &self.platform.server_url {
            if !is_allowed_server_url(url) {
                return invalid("platform.server_url", Rule::TlsUrl);
            }
        }
        if self.log.keep_days == 0 {
            return invalid("log.keep_days", Rule::AtLeastOne);
        }
        if !matches!(self.deadlines.start_day.as_str(), "day_zero" | "day_one") {
            return invalid("deadlines.start_day", Rule::OneOf("day_zero, day_one"));
        }
        if self.session.idle_lock_secs == 0 {
            return invalid("session.idle_lock_secs", Rule::AtLeastOne);
        }
        if self.session.max_failures == 0 {
            return invalid("session.max_failures", Rule::AtLeastOne);
        }
        if self.deadlines.red_days > self.deadlines.yellow_days {
            return invalid(
                "deadlines.red_days",
                Rule::NotAbove("deadlines.yellow_days"),
            );
        }
        Ok(())
    }

    pub fn is_standalone(&self) -> bool {
        self.platform.server_url.is_none()
    }
}

fn is_code(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// TLS only (product.md §22); plain HTTP is allowed to loopback, where the
/// reference server runs in tests and demos (clerk-core's rule, the one
/// the sync client applies too).
fn is_allowed_server_url(url: &str) -> bool {
    clerk_core::transport::platform_url(url).is_ok()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The rule a config value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Code { max: usize },
    NotEmpty,
    TlsUrl,
    AtLeastOne,
    OneOf(&'static str),
    NotAbove(&'static str),
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("syntax error{}: {message}", line.map(|l| format!(" on line {l}")).unwrap_or_default())]
    Syntax {
        line: Option<usize>,
        message: String,
    },
    #[error("{field}: {}", rule.en())]
    Invalid { field: &'static str, rule: Rule },
}

impl Rule {
    pub fn en(&self) -> String {
        match self {
            Rule::Code { max } => format!("must be 1–{max} ASCII letters, digits, '-' or '_'"),
            Rule::NotEmpty => "must not be empty".into(),
            Rule::TlsUrl => {
                "must be an https:// URL (http:// only to 127.0.0.1 or localhost)".into()
            }
            Rule::AtLeastOne => "must be at least 1".into(),
            Rule::OneOf(v) => format!("must be one of: {v}"),
            Rule::NotAbove(f) => format!("must not be above {f}"),
        }
    }
    pub fn zh(&self) -> String {
        match self {
            Rule::Code { max } => format!("应为 1–{max} 位英文字母、数字、“-”或“_”"),
            Rule::NotEmpty => "不能为空".into(),
            Rule::TlsUrl => "必须是 https:// 地址（http:// 仅限 127.0.0.1 或 localhost）".into(),
            Rule::OneOf(v) => format!("只能是以下之一：{v}"),
            Rule::NotAbove(f) => format!("不能大于 {f}"),
            Rule::AtLeastOne => "至少为 1".into(),
        }
    }
}

impl ConfigError {
    /// The message in Chinese, for the shell's banner.
    pub fn zh(&self) -> String {
        match self {
            ConfigError::Read { path, message } => {
                format!("无法读取配置文件 {}：{message}", path.display())
            }
            ConfigError::Syntax { line, message } => match line {
                Some(l) => format!("配置文件第 {l} 行格式错误：{message}"),
                None => format!("配置文件格式错误：{message}"),
            },
            ConfigError::Invalid { field, rule } => format!("配置项 {field} {}", rule.zh()),
        }
    }

    /// The config field at fault, when one is known.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ConfigError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Where the machine config file is looked for on this OS.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os(CONFIG_ENV) {
        return PathBuf::from(p);
    }
    os_path()
}

#[cfg(target_os = "windows")]
fn os_path() -> PathBuf {
    let base = std::env::var_os("ProgramData")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
    base.join("WindowClerk").join("clerk.toml")
}

#[cfg(target_os = "macos")]
fn os_path() -> PathBuf {
    PathBuf::from("/Library/Application Support/WindowClerk/clerk.toml")
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn os_path() -> PathBuf {
    PathBuf::from("/etc/window-clerk/clerk.toml")
}

/// What the app runs on.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The file it came from; `None` for the embedded default.
    pub path: Option<PathBuf>,
    /// Set when a file exists but was unusable: the app then runs on the
    /// embedded default and shows this to the user.
    pub problem: Option<ConfigError>,
}

impl Loaded {
    /// A path from the config: a relative one is relative to the config
    /// file's folder (or the working folder for the embedded default).
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_owned(),
        }
    }
}

/// Load the config at `path`, falling back to the embedded default when the
/// file does not exist or cannot be used.
pub fn load(path: &Path) -> Loaded {
    match std::fs::read_to_string(path) {
        Ok(text) => match Config::parse(&text) {
            Ok(config) => Loaded {
                config,
                path: Some(path.to_owned()),
                problem: None,
            },
            Err(e) => Loaded {
                config: Config::embedded_default(),
                path: Some(path.to_owned()),
                problem: Some(e),
            },
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Loaded {
            config: Config::embedded_default(),
            path: None,
            problem: None,
        },
        Err(e) => Loaded {
            config: Config::embedded_default(),
            path: Some(path.to_owned()),
            problem: Some(ConfigError::Read {
                path: path.to_owned(),
                message: e.to_string(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[hall]
code = "530502-ZWZX"
name = "保山市隆阳区政务服务中心"

[window]
code = "07"
name = "综合受理7号窗口"

[platform]
server_url = "https://zwfw.example.gov.cn"

[printer]
a4 = "HP_LaserJet_M404"

[notices]
reconsideration_body = "保山市隆阳区人民政府"
court = "保山市隆阳区人民法院"
supervision_phone = "0875-12345"
"#;

    #[test]
    fn a_full_file_parses() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.window.code, "07");
        assert_eq!(
            c.platform.server_url.as_deref(),
            Some("https://zwfw.example.gov.cn")
        );
        assert_eq!(c.log.level, "info");
        assert!(!c.is_standalone());
    }

    #[test]
    fn minimal_file_is_standalone() {
        let c =
            Config::parse("[hall]\ncode='H1'\nname='大厅'\n[window]\ncode='01'\nname='一号窗口'\n")
                .unwrap();
        assert!(c.is_standalone());
    }

    #[test]
    fn errors_name_the_field_and_rule() {
        let table: &[(&str, &str)] = &[
            ("https://zwfw.example.gov.cn", ""),
            ("http://127.0.0.1:8080", ""),
            ("http://localhost:8080/api", ""),
            (
                "http://zwfw.example.gov.cn",
                "platform.server_url: must be an https:// URL",
            ),
            ("ftp://x", "platform.server_url: must be an https:// URL"),
            (
                "http://localhost:80@evil.example",
                "platform.server_url: must be an https:// URL",
            ),
        ];
        for (url, want) in table {
            let text = GOOD.replace("https://zwfw.example.gov.cn", url);
            match Config::parse(&text) {
                Ok(_) => assert!(want.is_empty(), "{url} should fail"),
                Err(e) => {
                    assert!(
                        e.to_string().starts_with(want) && !want.is_empty(),
                        "{url}: {e}"
                    );
                    assert_eq!(e.field(), Some("platform.server_url"));
                    assert!(e.zh().contains("https://"));
                }
            }
        }
        let e = Config::parse(&GOOD.replace("code = \"07\"", "code = \"七号\"")).unwrap_err();
        assert_eq!(e.field(), Some("window.code"));
        let e = Config::parse(&GOOD.replace("[printer]", "[printer]\ncolour = true")).unwrap_err();
        assert!(
            matches!(e, ConfigError::Syntax { line: Some(_), .. }),
            "{e:?}"
        );
        assert!(e.zh().contains("行"), "{}", e.zh());
    }

    #[test]
    fn load_falls_back_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load(&dir.path().join("none.toml"));
        assert!(missing.path.is_none() && missing.problem.is_none());
        assert!(missing.config.is_standalone());

        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[hall\n").unwrap();
        let l = load(&bad);
        assert!(l.problem.is_some());
        assert_eq!(l.config, Config::embedded_default());

        let good = dir.path().join("good.toml");
        std::fs::write(&good, GOOD).unwrap();
        let l = load(&good);
        assert!(l.problem.is_none());
        assert_eq!(l.config.hall.name, "保山市隆阳区政务服务中心");
        // Paths in the file are relative to the file.
        assert_eq!(
            l.resolve(Path::new("seal.png")),
            dir.path().join("seal.png")
        );
        assert_eq!(
            l.resolve(Path::new("/etc/seal.png")),
            PathBuf::from("/etc/seal.png")
        );
    }
}

#[cfg(test)]
mod example_tests {
    /// The example IT copies must stay valid.
    #[test]
    fn the_shipped_example_parses() {
        let c = super::Config::parse(include_str!("../../../clerk.toml.example")).unwrap();
        assert_eq!(c.window.code, "07");
        assert!(c.is_standalone());
    }
}

/// IT's calendar folder beside the machine config (`/etc/window-clerk/calendar`,
/// `%ProgramData%\WindowClerk\calendar`): one `<year>.json` per year of the
/// State Council's schedule, written by `clerkctl calendar import`, read by
/// the app at start. For PCs that get the schedule without the platform.
pub fn calendar_dir(config_file: &Path) -> PathBuf {
    config_file
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("calendar")
}

/// Add every year file of `dir` to `cal` (a later file for the same year
/// replaces an earlier one, in name order). Returns the years loaded and a
/// line for each file that could not be used (it is skipped, never half
/// applied). A missing folder is no problem.
pub fn load_calendar_dir(
    dir: &Path,
    cal: &mut clerk_core::calendar::WorkCalendar,
) -> (Vec<i32>, Vec<String>) {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (loaded, problems);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for f in files {
        let parsed = std::fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|t| clerk_core::calendar::YearSchedule::parse(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(y) => {
                loaded.push(y.year);
                cal.add_year(y);
            }
            Err(e) => problems.push(format!("{}: {e}", f.display())),
        }
    }
    (loaded, problems)
}
