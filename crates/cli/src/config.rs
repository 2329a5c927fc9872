//! Layered, strict configuration: built-in defaults, then a TOML file
//! (`--config`, `SAFETYNET_CONFIG`, or `./safetynet.toml` if present), then
//! environment variables, then command-line flags. Unknown keys are an error.
//! `safetynet check-config` prints every setting and where it came from.

use anyhow::{bail, Context};
use safetynet_domain::net::{parse_ranges, IpRange};
use safetynet_domain::role::Role;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings as they can appear in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    public_url: Option<String>,
    tile_url: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    safety: Option<safetynet_web::SafetyConfig>,
    police_daily: Option<safetynet_app::daily::PoliceDailySettings>,
    weekly_trends_day: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    audit_key_file: Option<PathBuf>,
    analysis: Option<FileAnalysis>,
    retention: Option<safetynet_domain::retention::Schedule>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    notifications: Option<safetynet_domain::notification::Schedule>,
    security: Option<FileSecurity>,
    metrics_token: Option<String>,
    log_format: Option<String>,
    public: Option<FilePublic>,
}

/// `[public]` in the TOML file: the partnership as the public sees it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePublic {
    name: Option<String>,
    contact_email: Option<String>,
    logo_file: Option<PathBuf>,
}

/// `[security]` in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSecurity {
    require_mfa: Option<Vec<String>>,
}

/// `[analysis]` in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAnalysis {
    time_budget_secs: Option<i64>,
    concurrency: Option<i64>,
    cache_mib: Option<i64>,
}

/// One setting's value and where it came from.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// "default", "file PATH", "env NAME" or "flag".
    pub source: String,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL (password never printed).
    pub database_url: Setting<Option<String>>,
    /// Listen address.
    pub bind: Setting<String>,
    /// The public URL; `https://` turns on `Secure` cookies.
    pub public_url: Setting<Option<String>>,
    /// Map tile URL template (`{z}/{x}/{y}`); empty for no tiles.
    pub tile_url: Setting<String>,
    /// Idle session timeout (minutes).
    pub session_idle_minutes: Setting<i64>,
    /// Absolute session lifetime (hours).
    pub session_absolute_hours: Setting<i64>,
    /// Safety Net settings (review intervals, Case Review threshold and
    /// timescales, fixed penalty maximums, repeat radius): `[safety]` in the file.
    pub safety: Setting<safetynet_web::SafetyConfig>,
    /// The police daily crime feed (drop folder, repeat window, the sharing
    /// rule): `[police_daily]` in the file.
    pub police_daily: Setting<safetynet_app::daily::PoliceDailySettings>,
    /// Day the weekly trends job runs.
    pub weekly_trends_day: Setting<chrono::Weekday>,
    /// Seconds one analysis may run (and wait for a slot) before it is
    /// stopped: `[analysis] time_budget_secs`.
    pub analysis_time_budget_secs: Setting<i64>,
    /// Heavy analyses at once: `[analysis] concurrency` (default: the cores).
    pub analysis_concurrency: Setting<i64>,
    /// MiB of recent analysis answers kept: `[analysis] cache_mib` (0: none).
    pub analysis_cache_mib: Setting<i64>,
    /// The audit key file (the key itself is never held here or printed).
    /// `None`: the default, beside an SQLite database (see
    /// [`Config::audit_key_file_for`]); PostgreSQL has no default.
    pub audit_key_file: Setting<Option<PathBuf>>,
    /// Reverse proxies whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Setting<Vec<IpRange>>,
    /// Roles whose holders must use two-step sign-in: `[security]
    /// require_mfa`, `SAFETYNET_REQUIRE_MFA` (comma-separated; empty list
    /// in the file for none). Default: partnership administrators and auditors.
    pub require_mfa: Setting<Vec<Role>>,
    /// The SMTP server for notifications (password never printed); none
    /// keeps messages in the outbox.
    pub smtp_url: Setting<Option<safetynet_mail::SmtpUrl>>,
    /// The sender of notifications.
    pub mail_from: Setting<String>,
    /// When reminders are sent: `[notifications]` in the file.
    pub notifications: Setting<safetynet_domain::notification::Schedule>,
    /// The retention schedule: `[retention]` in the file.
    pub retention: Setting<safetynet_domain::retention::Schedule>,
    /// The token that opens `/metrics` (never printed); none: no `/metrics`.
    pub metrics_token: Setting<Option<safetynet_web::metrics::MetricsToken>>,
    /// How log lines are written: `text` (default) or `json`, one object a line.
    pub log_format: Setting<LogFormat>,
    /// The partnership's name, contact and logo on public pages, the
    /// accessibility statement and the privacy notice: `[public]` in the
    /// file (`name`, `contact_email`, `logo_file`, a PNG or SVG; a relative
    /// path is read from the file's folder).
    pub public: Setting<safetynet_web::PublicInfo>,
    /// The file read, if any.
    pub file: Option<PathBuf>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

impl LogFormat {
    fn parse(s: &str) -> anyhow::Result<Self> {
        match s.trim() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => bail!("log_format must be \"text\" or \"json\", not \"{other}\""),
        }
    }

    /// The setting's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// Default map tiles: OpenStreetMap's standard layer. Points and boundaries
/// still show when tiles cannot be reached.
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/// Roles that must use two-step sign-in unless configured otherwise.
pub const DEFAULT_REQUIRE_MFA: [Role; 2] = [Role::PartnershipAdmin, Role::Auditor];

/// Role names (blank entries skipped), sorted and without repeats.
fn parse_roles<'a>(names: impl Iterator<Item = &'a str>) -> anyhow::Result<Vec<Role>> {
    let mut roles = names
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| Role::parse(n).map_err(|e| anyhow::anyhow!("{e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

fn layer<T: Clone>(default: T, file: Option<T>, file_src: &str, env: Option<T>, env_name: &str) -> Setting<T> {
    if let Some(v) = env {
        Setting { value: v, source: format!("env {env_name}") }
    } else if let Some(v) = file {
        Setting { value: v, source: file_src.to_string() }
    } else {
        Setting { value: default, source: "default".into() }
    }
}

fn env_str(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn env_int(name: &str) -> anyhow::Result<Option<i64>> {
    env_str(name)
        .map(|v| v.parse::<i64>().with_context(|| format!("{name} must be a whole number, not '{v}'")))
        .transpose()
}

impl Config {
    /// Loads defaults, the file and the environment.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Self> {
        let path =
            explicit.map(Path::to_path_buf).or_else(|| env_str("SAFETYNET_CONFIG").map(PathBuf::from)).or_else(|| {
                let p = PathBuf::from("safetynet.toml");
                p.is_file().then_some(p)
            });
        let file: FileConfig = match &path {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("cannot read config file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("invalid config file {}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let fsrc = path.as_ref().map_or(String::new(), |p| format!("file {}", p.display()));
        let analysis = file.analysis.unwrap_or_default();
        let default_limits = safetynet_web::AnalysisLimits::default();
        let cfg = Self {
            database_url: layer(
                None,
                file.database_url.map(Some),
                &fsrc,
                env_str("SAFETYNET_DATABASE_URL").map(Some),
                "SAFETYNET_DATABASE_URL",
            ),
            bind: layer("127.0.0.1:8080".into(), file.bind, &fsrc, env_str("SAFETYNET_BIND"), "SAFETYNET_BIND"),
            public_url: layer(
                None,
                file.public_url.map(Some),
                &fsrc,
                env_str("SAFETYNET_PUBLIC_URL").map(Some),
                "SAFETYNET_PUBLIC_URL",
            ),
            tile_url: layer(
                DEFAULT_TILE_URL.into(),
                file.tile_url,
                &fsrc,
                env_str("SAFETYNET_TILE_URL"),
                "SAFETYNET_TILE_URL",
            ),
            session_idle_minutes: layer(
                30,
                file.session_idle_minutes,
                &fsrc,
                env_int("SAFETYNET_SESSION_IDLE_MINUTES")?,
                "SAFETYNET_SESSION_IDLE_MINUTES",
            ),
            session_absolute_hours: layer(
                12,
                file.session_absolute_hours,
                &fsrc,
                env_int("SAFETYNET_SESSION_ABSOLUTE_HOURS")?,
                "SAFETYNET_SESSION_ABSOLUTE_HOURS",
            ),
            safety: match file.safety {
                Some(s) => {
                    s.case_review.validate().map_err(|e| anyhow::anyhow!("[safety] {e}"))?;
                    s.fpn.validate().map_err(|e| anyhow::anyhow!("[safety] {e}"))?;
                    s.documents.validate().map_err(|e| anyhow::anyhow!("[safety] {e}"))?;
                    Setting { value: s, source: fsrc.clone() }
                }
                None => Setting { value: Default::default(), source: "default".into() },
            },
            police_daily: match file.police_daily {
                Some(p) => {
                    p.validate().map_err(|e| anyhow::anyhow!(e))?;
                    Setting { value: p, source: fsrc.clone() }
                }
                None => Setting { value: Default::default(), source: "default".into() },
            },
            weekly_trends_day: match file.weekly_trends_day.as_deref() {
                Some(d) => Setting {
                    value: d
                        .parse::<chrono::Weekday>()
                        .map_err(|_| anyhow::anyhow!("weekly_trends_day must be a day such as \"monday\""))?,
                    source: fsrc.clone(),
                },
                None => Setting { value: chrono::Weekday::Mon, source: "default".into() },
            },
            analysis_time_budget_secs: layer(
                default_limits.time_budget.as_secs() as i64,
                analysis.time_budget_secs,
                &fsrc,
                env_int("SAFETYNET_ANALYSIS_TIME_BUDGET_SECS")?,
                "SAFETYNET_ANALYSIS_TIME_BUDGET_SECS",
            ),
            analysis_concurrency: layer(
                default_limits.concurrency as i64,
                analysis.concurrency,
                &fsrc,
                env_int("SAFETYNET_ANALYSIS_CONCURRENCY")?,
                "SAFETYNET_ANALYSIS_CONCURRENCY",
            ),
            analysis_cache_mib: layer(
                (default_limits.cache_bytes >> 20) as i64,
                analysis.cache_mib,
                &fsrc,
                env_int("SAFETYNET_ANALYSIS_CACHE_MIB")?,
                "SAFETYNET_ANALYSIS_CACHE_MIB",
            ),
            audit_key_file: layer(
                None,
                file.audit_key_file.map(Some),
                &fsrc,
                env_str("SAFETYNET_AUDIT_KEY_FILE").map(|p| Some(PathBuf::from(p))),
                "SAFETYNET_AUDIT_KEY_FILE",
            ),
            trusted_proxies: match (env_str("SAFETYNET_TRUSTED_PROXIES"), file.trusted_proxies) {
                (Some(v), _) => Setting {
                    value: parse_ranges(&v).map_err(|e| anyhow::anyhow!("SAFETYNET_TRUSTED_PROXIES: {e}"))?,
                    source: "env SAFETYNET_TRUSTED_PROXIES".into(),
                },
                (None, Some(list)) => Setting {
                    value: list
                        .iter()
                        .map(|r| IpRange::parse(r))
                        .collect::<Result<_, _>>()
                        .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?,
                    source: fsrc.clone(),
                },
                (None, None) => Setting { value: Vec::new(), source: "default".into() },
            },
            require_mfa: match (env_str("SAFETYNET_REQUIRE_MFA"), file.security.and_then(|s| s.require_mfa)) {
                (Some(v), _) => Setting {
                    value: if v.trim() == "none" {
                        Vec::new()
                    } else {
                        parse_roles(v.split(',')).context("SAFETYNET_REQUIRE_MFA")?
                    },
                    source: "env SAFETYNET_REQUIRE_MFA".into(),
                },
                (None, Some(list)) => Setting {
                    value: parse_roles(list.iter().map(String::as_str)).context("[security] require_mfa")?,
                    source: fsrc.clone(),
                },
                (None, None) => Setting { value: DEFAULT_REQUIRE_MFA.to_vec(), source: "default".into() },
            },
            smtp_url: {
                let raw = layer(
                    None,
                    file.smtp_url.map(Some),
                    &fsrc,
                    env_str("SAFETYNET_SMTP_URL").map(Some),
                    "SAFETYNET_SMTP_URL",
                );
                let value = raw
                    .value
                    .as_deref()
                    .map(safetynet_mail::SmtpUrl::parse)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("{e} ({})", raw.source))?;
                Setting { value, source: raw.source }
            },
            mail_from: layer(
                String::new(),
                file.mail_from,
                &fsrc,
                env_str("SAFETYNET_MAIL_FROM"),
                "SAFETYNET_MAIL_FROM",
            ),
            notifications: match file.notifications {
                Some(n) => Setting { value: n, source: fsrc.clone() },
                None => Setting { value: Default::default(), source: "default".into() },
            },
            retention: match file.retention {
                Some(r) => Setting { value: r, source: fsrc.clone() },
                None => Setting { value: Default::default(), source: "default".into() },
            },
            metrics_token: {
                let raw = layer(
                    None,
                    file.metrics_token.map(Some),
                    &fsrc,
                    env_str("SAFETYNET_METRICS_TOKEN").map(Some),
                    "SAFETYNET_METRICS_TOKEN",
                );
                let value = raw
                    .value
                    .as_deref()
                    .map(safetynet_web::metrics::MetricsToken::new)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("{e} ({})", raw.source))?;
                Setting { value, source: raw.source }
            },
            log_format: {
                let raw = layer(
                    "text".to_string(),
                    file.log_format,
                    &fsrc,
                    env_str("SAFETYNET_LOG_FORMAT"),
                    "SAFETYNET_LOG_FORMAT",
                );
                Setting { value: LogFormat::parse(&raw.value)?, source: raw.source }
            },
            public: match file.public {
                Some(p) => Setting { value: public_info(p, path.as_deref())?, source: fsrc.clone() },
                None => Setting { value: Default::default(), source: "default".into() },
            },
            file: path,
        };
        cfg.notifications.value.check().map_err(|e| anyhow::anyhow!(e))?;
        cfg.mail_sender()?;
        cfg.retention.value.check().map_err(|e| anyhow::anyhow!(e))?;
        if !(1..=24 * 60).contains(&cfg.session_idle_minutes.value) {
            bail!("session_idle_minutes must be between 1 and 1440");
        }
        if !(1..=72).contains(&cfg.session_absolute_hours.value) {
            bail!("session_absolute_hours must be between 1 and 72");
        }
        if !(1..=3_600).contains(&cfg.analysis_time_budget_secs.value) {
            bail!("analysis time_budget_secs must be between 1 and 3600");
        }
        if !(1..=1_024).contains(&cfg.analysis_concurrency.value) {
            bail!("analysis concurrency must be between 1 and 1024");
        }
        if !(0..=4_096).contains(&cfg.analysis_cache_mib.value) {
            bail!("analysis cache_mib must be between 0 and 4096");
        }
        Ok(cfg)
    }

    /// Applies command-line flags over the loaded values.
    pub fn with_flags(mut self, database_url: Option<String>, bind: Option<String>) -> Self {
        if let Some(u) = database_url {
            self.database_url = Setting { value: Some(u), source: "flag --database-url".into() };
        }
        if let Some(b) = bind {
            self.bind = Setting { value: b, source: "flag --bind".into() };
        }
        self
    }

    /// Applies `--audit-key-file` over the loaded value.
    pub fn with_audit_key_file(mut self, path: Option<PathBuf>) -> Self {
        if let Some(p) = path {
            self.audit_key_file = Setting { value: Some(p), source: "flag --audit-key-file".into() };
        }
        self
    }

    /// The audit key file for the database at `url`: the configured one, or
    /// for SQLite the default beside the database file. PostgreSQL has no
    /// default (the key must not live with the database, and the migrating
    /// and serving hosts may differ), so it must be configured.
    pub fn audit_key_file_for(&self, url: &safetynet_store::DatabaseUrl) -> anyhow::Result<Setting<PathBuf>> {
        match (&self.audit_key_file.value, url) {
            (Some(p), _) => Ok(Setting { value: p.clone(), source: self.audit_key_file.source.clone() }),
            (None, safetynet_store::DatabaseUrl::Sqlite(db)) => Ok(Setting {
                value: crate::audit_key::default_for_sqlite(db),
                source: "default: beside the SQLite database".into(),
            }),
            (None, safetynet_store::DatabaseUrl::Postgres(_)) => bail!(
                "no audit key file: with PostgreSQL set audit_key_file in the config file, SAFETYNET_AUDIT_KEY_FILE \
                 or --audit-key-file (outside the database's host and backups; `safetynet migrate` creates it if missing)"
            ),
        }
    }

    /// The sender: `mail_from`, or `safetynet@` the public URL's host
    /// (else `localhost`).
    pub fn mail_sender(&self) -> anyhow::Result<safetynet_mail::Mailbox> {
        let from = if self.mail_from.value.trim().is_empty() {
            let host = self
                .public_url
                .value
                .as_deref()
                .and_then(|u| u.split_once("://"))
                .map(|(_, rest)| rest.split(['/', ':', '?']).next().unwrap_or("").to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "localhost".into());
            format!("SafetyNet <safetynet@{host}>")
        } else {
            self.mail_from.value.clone()
        };
        safetynet_mail::parse_from(&from).map_err(|e| anyhow::anyhow!(e))
    }

    /// The mail settings, when an SMTP server is configured.
    pub fn mail(&self) -> Option<safetynet_mail::MailSettings> {
        let smtp = self.smtp_url.value.clone()?;
        let from = self.mail_sender().ok()?;
        Some(safetynet_mail::MailSettings { smtp, from })
    }

    /// The web layer's settings.
    pub fn web(&self) -> safetynet_web::WebConfig {
        safetynet_web::WebConfig {
            weekly_trends_day: Some(self.weekly_trends_day.value),
            safety: self.safety.value.clone(),
            police_daily: self.police_daily.value.clone(),
            secure_cookies: self.public_url.value.as_deref().is_some_and(|u| u.starts_with("https://")),
            tile_url: self.tile_url.value.clone(),
            session: safetynet_domain::lockout::SessionPolicy {
                idle_ms: self.session_idle_minutes.value * 60_000,
                absolute_ms: self.session_absolute_hours.value * 3_600_000,
            },
            // The ranges were checked when the configuration was loaded.
            analysis: safetynet_web::AnalysisLimits {
                time_budget: std::time::Duration::from_secs(self.analysis_time_budget_secs.value.max(1) as u64),
                concurrency: self.analysis_concurrency.value.max(1) as usize,
                cache_bytes: (self.analysis_cache_mib.value.max(0) as usize) << 20,
            },
            trusted_proxies: self.trusted_proxies.value.clone(),
            require_mfa: self.require_mfa.value.clone(),
            notifications: safetynet_app::notify::NotifyConfig {
                mail: self.mail(),
                public_url: self.public_url.value.clone(),
                schedule: self.notifications.value,
            },
            retention: self.retention.value,
            metrics_token: self.metrics_token.value.clone(),
            public: self.public.value.clone(),
        }
    }
}

/// `[public]` checked, with its logo read.
fn public_info(p: FilePublic, config_file: Option<&Path>) -> anyhow::Result<safetynet_web::PublicInfo> {
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let name = given(p.name);
    if name.as_ref().is_some_and(|n| n.chars().count() > 120) {
        bail!("[public] name must be 120 characters or fewer");
    }
    let contact_email = given(p.contact_email);
    if let Some(e) = &contact_email {
        safetynet_domain::partnership::Email::parse(e).map_err(|e| anyhow::anyhow!("[public] contact_email: {e}"))?;
    }
    let logo = match p.logo_file {
        None => None,
        Some(f) => {
            let f = match config_file.and_then(Path::parent) {
                Some(dir) if f.is_relative() => dir.join(f),
                _ => f,
            };
            let bytes = std::fs::read(&f).with_context(|| format!("cannot read [public] logo_file {}", f.display()))?;
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Some(
                safetynet_web::Logo::from_file(&name, bytes)
                    .map_err(|e| anyhow::anyhow!("[public] logo_file {}: {e}", f.display()))?,
            )
        }
    };
    Ok(safetynet_web::PublicInfo { name, contact_email, logo })
}
