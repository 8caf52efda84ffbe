//! Start-up configuration: every flag, each also read from a `CONNKIT_*` environment variable,
//! and the files they point to (provider catalogue, integrations, encryption key).
//!
//! Defaults make a bare `cargo run -p connkit-server` useful: a SQLite file and an encryption
//! key in `.connkit/`, a secret key generated once and kept in the database, the built-in
//! catalogue (`providers.yaml`) and integrations (`integrations.toml`) of this crate.
//!
//! Knows nothing about routes, except where the demo inbox listens (demo mode's default
//! webhook URL).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use connkit_core::auth::is_valid_secret_key;
use connkit_core::catalogue::Catalogue;
use connkit_core::js::url_can_parse;
use connkit_core::request::{return_origin, url_origin};

use crate::crypto::{Keyring, new_secret_key};
use crate::integrations::Integrations;
use crate::state::Settings;
use crate::store::Store;
use crate::webhook::RetryPolicy;

/// The built-in provider catalogue (Nango's providers.yaml format, written for connkit), as
/// written: its OAuth 2 provider points at the local provider of a server on port 3003.
pub const BUILTIN_PROVIDERS: &str = include_str!("../providers.yaml");

/// The address the built-in catalogue's local-provider URLs are written with.
const BUILTIN_LOCAL_PROVIDER: &str = ".localhost:3003/";

/// The built-in catalogue for a server listening on `port`: its local-provider URLs
/// (`http://<subdomain>.localhost:3003/demo/provider/…`) name that port instead, so that the
/// demo's OAuth provider is this server's own `/demo/provider/` wherever it listens.
pub fn builtin_providers(port: u16) -> String {
    BUILTIN_PROVIDERS.replace(BUILTIN_LOCAL_PROVIDER, &format!(".localhost:{port}/"))
}
/// The built-in integrations, one per built-in provider.
pub const BUILTIN_INTEGRATIONS: &str = include_str!("../integrations.toml");

/// connkit-server: Nango's connect-session, auth and connections API on SQLite.
#[derive(Debug, Clone, Parser)]
#[command(name = "connkit-server", version)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "CONNKIT_LISTEN", default_value = "127.0.0.1:3003")]
    pub listen: String,
    /// Directory for the default database and the generated encryption key.
    #[arg(long, env = "CONNKIT_DATA_DIR", default_value = ".connkit")]
    pub data_dir: PathBuf,
    /// Database URL [default: sqlite://<data-dir>/connkit.db].
    #[arg(long, env = "CONNKIT_DATABASE")]
    pub database: Option<String>,
    /// Secret key (UUID v4) that API clients send as `Authorization: Bearer <key>`
    /// [default: generated once, kept in the database, printed at start].
    #[arg(long, env = "CONNKIT_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Key sealing stored credentials: 32 bytes, standard base64
    /// [default: generated once into <data-dir>/encryption.key].
    #[arg(long, env = "CONNKIT_ENCRYPTION_KEY", hide_env_values = true)]
    pub encryption_key: Option<String>,
    /// Provider catalogue: Nango's providers.yaml (or the same document as .json)
    /// [default: the built-in catalogue].
    #[arg(long, env = "CONNKIT_PROVIDERS")]
    pub providers: Option<PathBuf>,
    /// Integrations file (TOML, `[[integration]]` tables)
    /// [default: the built-in integrations, when the catalogue is the built-in one].
    #[arg(long, env = "CONNKIT_INTEGRATIONS")]
    pub integrations: Option<PathBuf>,
    /// Where auth webhooks are POSTed (a connection's webhook_url_override wins).
    #[arg(long, env = "CONNKIT_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Webhook signing key [default: the secret key, as on older Nango environments].
    #[arg(long, env = "CONNKIT_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Tries per webhook delivery (exponential backoff from 1 s).
    #[arg(long, env = "CONNKIT_WEBHOOK_ATTEMPTS", default_value_t = 5)]
    pub webhook_attempts: u32,
    /// This server's public base URL [default: http://<listen address>].
    #[arg(long, env = "CONNKIT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Connect UI URL used in `connect_link` [default: <public url>/connect/ with --static-dir
    /// (the widget's page), else http://localhost:3009/ (Nango's local Connect UI)].
    #[arg(long, env = "CONNKIT_CONNECT_URL")]
    pub connect_url: Option<String>,
    /// The environment name sent in webhooks.
    #[arg(long, env = "CONNKIT_ENVIRONMENT", default_value = "dev")]
    pub environment: String,
    /// Test API_KEY/BASIC credentials against the provider (proxy.verification) before storing.
    #[arg(long, env = "CONNKIT_VERIFY_CREDENTIALS")]
    pub verify_credentials: bool,
    /// Answer a merged-tags overflow on session creation with Nango's 500 `server_error`
    /// instead of a 400 `invalid_body`.
    #[arg(long, env = "CONNKIT_NANGO_MERGED_TAGS_500")]
    pub nango_merged_tags_500: bool,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, env = "CONNKIT_BODY_LIMIT", default_value_t = 2 * 1024 * 1024)]
    pub body_limit: usize,
    /// Demo mode: adds the browser demo's backend under /demo/api/ (sessions, connection calls,
    /// a webhook inbox), which acts with the secret key for ANY caller; keep the server on
    /// loopback. Without --webhook-url, webhooks go to the inbox (<public url>/demo/api/webhooks).
    #[arg(long, env = "CONNKIT_DEMO")]
    pub demo: bool,
    /// An origin a redirect-mode OAuth flow may send the browser back to (e.g.
    /// https://app.example.com): repeat the flag, or separate origins with commas in the
    /// variable. With --demo the server's own origin is allowed too.
    #[arg(
        long = "oauth-return-origin",
        env = "CONNKIT_OAUTH_RETURN_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub oauth_return_origins: Vec<String>,
    /// Serve this directory (the built browser demo) for GET/HEAD requests that no API route
    /// matches; `index.html` answers for a directory.
    #[arg(long, env = "CONNKIT_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
}

/// A start-up failure, with a message for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// What the files named by the flags hold.
#[derive(Debug)]
pub struct Loaded {
    /// The database URL to open.
    pub database: String,
    /// The credentials encryption key.
    pub keys: Keyring,
    /// The provider catalogue.
    pub catalogue: Catalogue,
    /// The integrations.
    pub integrations: Integrations,
}

/// Where the secret key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `--secret-key` / `CONNKIT_SECRET_KEY`.
    Configured,
    /// Generated by an earlier run and kept in the database.
    Stored,
    /// Generated now.
    Generated,
}

fn fail(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

impl Config {
    /// Reads the catalogue, integrations and encryption key, for a server listening on `port`
    /// (see [`builtin_providers`]).
    pub fn load(&self, port: u16) -> Result<Loaded, ConfigError> {
        let catalogue = match &self.providers {
            None => Catalogue::from_yaml_str(&builtin_providers(port)),
            Some(path) => {
                let text = read(path)?;
                if path.extension().is_some_and(|e| e == "json") {
                    let value = serde_json::from_str(&text)
                        .map_err(|e| fail(format!("{}: {e}", path.display())))?;
                    Catalogue::from_json(&value)
                } else {
                    Catalogue::from_yaml_str(&text)
                }
            }
        }
        .map_err(|e| fail(format!("provider catalogue: {e}")))?;
        if !catalogue.issues().is_empty() {
            tracing::warn!(
                count = catalogue.issues().len(),
                "provider catalogue: entries or attributes skipped"
            );
        }
        let integrations = match (&self.integrations, &self.providers) {
            (Some(path), _) => Integrations::from_toml(&read(path)?, &catalogue)
                .map_err(|e| fail(format!("{}: {e}", path.display())))?,
            (None, None) => Integrations::from_toml(BUILTIN_INTEGRATIONS, &catalogue)
                .map_err(|e| fail(format!("built-in integrations: {e}")))?,
            (None, Some(_)) => {
                tracing::warn!("no --integrations file: the server offers no integration");
                Integrations::default()
            }
        };
        let keys = match &self.encryption_key {
            Some(text) => Keyring::from_base64(text).map_err(|e| fail(e.to_string()))?,
            None => self.stored_encryption_key()?,
        };
        let database = match &self.database {
            Some(url) => url.clone(),
            None => {
                create_dir(&self.data_dir)?;
                format!("sqlite://{}", self.data_dir.join("connkit.db").display())
            }
        };
        Ok(Loaded {
            database,
            keys,
            catalogue,
            integrations,
        })
    }

    fn stored_encryption_key(&self) -> Result<Keyring, ConfigError> {
        let path = self.data_dir.join("encryption.key");
        if path.exists() {
            let text = read(&path)?;
            return Keyring::from_base64(&text)
                .map_err(|e| fail(format!("{}: {e}", path.display())));
        }
        create_dir(&self.data_dir)?;
        let text = Keyring::generate_base64();
        write_private(&path, &text)?;
        tracing::info!(path = %path.display(), "generated a credentials encryption key");
        Keyring::from_base64(&text).map_err(|e| fail(e.to_string()))
    }

    /// The secret key: the configured one, else the one kept in the database, else a new one.
    pub async fn secret_key(&self, store: &Store) -> Result<(String, KeyOrigin), ConfigError> {
        if let Some(key) = &self.secret_key {
            if !is_valid_secret_key(key) {
                return Err(fail("--secret-key must be a UUID v4"));
            }
            return Ok((key.clone(), KeyOrigin::Configured));
        }
        let stored = store
            .setting("secret_key")
            .await
            .map_err(|e| fail(e.to_string()))?;
        if let Some(key) = stored {
            return Ok((key, KeyOrigin::Stored));
        }
        let key = new_secret_key();
        store
            .put_setting("secret_key", &key)
            .await
            .map_err(|e| fail(e.to_string()))?;
        Ok((key, KeyOrigin::Generated))
    }

    /// The settings for a server bound to `bound`.
    pub fn settings(&self, secret_key: String, bound: SocketAddr) -> Result<Settings, ConfigError> {
        if let Some(url) = &self.webhook_url
            && !(url_can_parse(url) && (url.starts_with("http://") || url.starts_with("https://")))
        {
            return Err(fail("--webhook-url must be an http(s) URL"));
        }
        let mut settings = Settings::new(secret_key);
        if let Some(secret) = &self.webhook_secret {
            settings.webhook_secret = secret.clone();
        }
        settings.public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"));
        settings.connect_url = match (&self.connect_url, &self.static_dir) {
            (Some(url), _) => url.clone(),
            (None, Some(_)) => format!("{}/connect/", settings.public_url.trim_end_matches('/')),
            (None, None) => "http://localhost:3009/".to_owned(),
        };
        settings.webhook_url = self.webhook_url.clone();
        settings.webhook_retry = RetryPolicy {
            attempts: self.webhook_attempts.max(1),
            first_backoff: Duration::from_secs(1),
        };
        settings.environment = self.environment.clone();
        settings.verify_credentials = self.verify_credentials;
        settings.nango_merged_tags_500 = self.nango_merged_tags_500;
        settings.body_limit = self.body_limit;
        if let Some(dir) = &self.static_dir
            && !dir.is_dir()
        {
            return Err(fail(format!(
                "--static-dir {}: not a directory",
                dir.display()
            )));
        }
        settings.static_dir = self.static_dir.clone();
        settings.oauth_return_origins = self.return_origins(&settings.public_url)?;
        settings.demo = self.demo;
        if self.demo && settings.webhook_url.is_none() {
            let base = settings.public_url.trim_end_matches('/');
            settings.webhook_url = Some(format!("{base}{}", crate::demo::WEBHOOKS_PATH));
        }
        Ok(settings)
    }
}

impl Config {
    /// `--oauth-return-origin`, normalised, and in demo mode the origin of `public_url`.
    fn return_origins(&self, public_url: &str) -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        let given = self.oauth_return_origins.iter().map(|t| t.trim());
        for text in given.filter(|t| !t.is_empty()) {
            let origin = return_origin(text).ok_or_else(|| {
                fail(format!(
                    "--oauth-return-origin {text}: not an http(s) origin (scheme://host[:port])"
                ))
            })?;
            out.push(origin);
        }
        if self.demo {
            let own = url_origin(public_url)
                .ok_or_else(|| fail(format!("--public-url {public_url}: not an http(s) URL")))?;
            out.push(own);
        }
        let mut seen = Vec::new();
        out.retain(|origin| {
            let first = !seen.contains(origin);
            seen.push(origin.clone());
            first
        });
        Ok(out)
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn create_dir(path: &Path) -> Result<(), ConfigError> {
    std::fs::create_dir_all(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> Result<(), ConfigError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| fail(format!("{}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(|e| fail(format!("{}: {e}", path.display())))
}
