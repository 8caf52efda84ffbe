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
use crate::serve::{Limits, open_file_limit};
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

/// The built-in integrations for a server listening on `port`: the local-provider URLs of
/// their settings (the demo AWS integration's STS endpoint) name that port, as in
/// [`builtin_providers`].
pub fn builtin_integrations(port: u16) -> String {
    BUILTIN_INTEGRATIONS.replace(BUILTIN_LOCAL_PROVIDER, &format!(".localhost:{port}/"))
}

/// connkit-server: Nango's connect-session, auth and connections API on SQLite or PostgreSQL.
#[derive(Debug, Clone, Parser)]
#[command(name = "connkit-server", version)]
pub struct Config {
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "CONNKIT_LISTEN", default_value = "127.0.0.1:3003")]
    pub listen: String,
    /// Directory for the default database and the generated encryption key.
    #[arg(
        long,
        env = "CONNKIT_DATA_DIR",
        default_value = ".connkit",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database URL [default: sqlite://<data-dir>/connkit.db].
    #[arg(long, env = "CONNKIT_DATABASE")]
    pub database: Option<String>,
    /// Keep the database under this many bytes: a write that would grow it further fails as on
    /// a full disk (503), while reads, deletes and writes within the size go on [default: no
    /// limit but the disk's].
    #[arg(long, env = "CONNKIT_MAX_DATABASE_SIZE")]
    pub max_database_size: Option<u64>,
    /// Secret key (UUID v4) that API clients send as `Authorization: Bearer <key>`; prefer
    /// CONNKIT_SECRET_KEY or --secret-key-file, as every local user can read a command line
    /// [default: generated once, kept sealed in the database, printed when generated].
    #[arg(long, env = "CONNKIT_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// A file holding the secret key (surrounding whitespace ignored).
    #[arg(long, env = "CONNKIT_SECRET_KEY_FILE", conflicts_with = "secret_key")]
    pub secret_key_file: Option<PathBuf>,
    /// Print the secret key the server uses (configured, or kept in the database) and exit.
    #[arg(long)]
    pub print_secret_key: bool,
    /// Key sealing stored credentials: 32 bytes, standard base64
    /// [default: generated once into <data-dir>/encryption.key].
    #[arg(
        long,
        env = "CONNKIT_ENCRYPTION_KEY",
        hide_env_values = true,
        global = true
    )]
    pub encryption_key: Option<String>,
    /// A file holding the encryption key.
    #[arg(
        long,
        env = "CONNKIT_ENCRYPTION_KEY_FILE",
        conflicts_with = "encryption_key",
        global = true
    )]
    pub encryption_key_file: Option<PathBuf>,
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
    /// A file holding the webhook signing key.
    #[arg(
        long,
        env = "CONNKIT_WEBHOOK_SECRET_FILE",
        conflicts_with = "webhook_secret"
    )]
    pub webhook_secret_file: Option<PathBuf>,
    /// Tries per webhook delivery; a webhook out of tries stays in the outbox, listed by
    /// GET /connkit/webhooks.
    #[arg(long, env = "CONNKIT_WEBHOOK_ATTEMPTS", default_value_t = 10)]
    pub webhook_attempts: u32,
    /// The pause after a webhook's first failed try, in milliseconds; each later pause doubles
    /// (at most 5 minutes), each drawn between its half and its whole.
    #[arg(long, env = "CONNKIT_WEBHOOK_BACKOFF_MS", default_value_t = 1000)]
    pub webhook_backoff_ms: u64,
    /// Seconds a stop (SIGTERM, Ctrl-C) waits for requests in progress and then for due
    /// webhooks to be delivered; what is left is sent after the next start.
    #[arg(long, env = "CONNKIT_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout: u64,
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
    /// Seconds a request body may take to arrive whole (slower: 408).
    #[arg(long, env = "CONNKIT_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout: u64,
    /// Seconds a request head may take from its first byte (a new connection's from the
    /// accept) to its end; slower connections are closed.
    #[arg(long, env = "CONNKIT_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a connection may stay with no request in progress and no byte moving (an idle
    /// keep-alive connection, a client not reading its answer) before it is closed.
    #[arg(long, env = "CONNKIT_IDLE_TIMEOUT", default_value_t = 60)]
    pub idle_timeout: u64,
    /// Connections served at once; more wait until one closes. Lowered at start to stay 128
    /// under the open-file limit.
    #[arg(long, env = "CONNKIT_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
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

/// A command other than serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Copy every row of one database into another (SQLite or PostgreSQL, either way) under
    /// the same encryption key, then compare each table's row count and checksum. Stop the
    /// servers first; a copy that stopped half way is finished by running it again.
    Copy {
        /// The database to copy (sqlite://PATH or postgres://…).
        #[arg(long)]
        from: String,
        /// The database to copy into: empty, or written only by an earlier copy of this one.
        #[arg(long)]
        to: String,
        /// Rows per transaction (at most 2000).
        #[arg(long, default_value_t = crate::store::MAX_BATCH)]
        batch: usize,
    },
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
            (None, None) => Integrations::from_toml(&builtin_integrations(port), &catalogue)
                .map_err(|e| fail(format!("built-in integrations: {e}")))?,
            (None, Some(_)) => {
                tracing::warn!("no --integrations file: the server offers no integration");
                Integrations::default()
            }
        };
        let keys = match self.configured_encryption_key()? {
            Some(keys) => keys,
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

    /// The encryption key a copy seals nothing new with: configured, or the one in
    /// `<data-dir>/encryption.key` (never generated: a new key opens no stored credential).
    pub fn existing_encryption_key(&self) -> Result<Keyring, ConfigError> {
        if let Some(keys) = self.configured_encryption_key()? {
            return Ok(keys);
        }
        let path = self.data_dir.join("encryption.key");
        let text = read(&path)?;
        Keyring::from_base64(&text).map_err(|e| fail(format!("{}: {e}", path.display())))
    }

    fn configured_encryption_key(&self) -> Result<Option<Keyring>, ConfigError> {
        secret(&self.encryption_key, &self.encryption_key_file)?
            .map(|text| Keyring::from_base64(&text).map_err(|e| fail(e.to_string())))
            .transpose()
    }

    /// The key in `<data-dir>/encryption.key`, generated there first if there is none. Two
    /// processes starting together on an empty directory end up with the same key: a new key
    /// is written whole under a temporary name and linked into place, which fails for the
    /// second process, which then reads the first one's key.
    fn stored_encryption_key(&self) -> Result<Keyring, ConfigError> {
        let path = self.data_dir.join("encryption.key");
        if !path.exists() {
            create_dir(&self.data_dir)?;
            let text = Keyring::generate_base64();
            if write_exclusive(&path, &text)
                .map_err(|e| fail(format!("{}: {e}", path.display())))?
            {
                tracing::info!(path = %path.display(), "generated a credentials encryption key");
            }
        }
        let text = read(&path)?;
        Keyring::from_base64(&text).map_err(|e| fail(format!("{}: {e}", path.display())))
    }

    /// The configured secret key (`--secret-key`, its variable or `--secret-key-file`), checked.
    pub fn configured_secret_key(&self) -> Result<Option<String>, ConfigError> {
        let Some(key) = secret(&self.secret_key, &self.secret_key_file)? else {
            return Ok(None);
        };
        if !is_valid_secret_key(&key) {
            return Err(fail("the secret key must be a UUID v4"));
        }
        Ok(Some(key))
    }

    /// The secret key: the configured one, else the one kept in the database, else a new one
    /// (kept sealed with the encryption key; two processes starting together keep one).
    pub async fn secret_key(&self, store: &Store) -> Result<(String, KeyOrigin), ConfigError> {
        if let Some(key) = self.configured_secret_key()? {
            return Ok((key, KeyOrigin::Configured));
        }
        let (key, generated) = store
            .kept_secret_key(&new_secret_key())
            .await
            .map_err(|e| fail(e.to_string()))?;
        let origin = if generated {
            KeyOrigin::Generated
        } else {
            KeyOrigin::Stored
        };
        Ok((key, origin))
    }

    /// The limits of `serve`, under the process's open-file limit.
    pub fn limits(&self) -> Limits {
        Limits {
            max_connections: self.max_connections.max(1),
            header_timeout: Duration::from_secs(self.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(self.idle_timeout.max(1)),
        }
        .within_open_files(open_file_limit())
    }

    /// How long a stop waits, for requests and then for webhooks.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
    }

    /// The settings for a server bound to `bound`.
    pub fn settings(&self, secret_key: String, bound: SocketAddr) -> Result<Settings, ConfigError> {
        if let Some(url) = &self.webhook_url
            && !(url_can_parse(url) && (url.starts_with("http://") || url.starts_with("https://")))
        {
            return Err(fail("--webhook-url must be an http(s) URL"));
        }
        let mut settings = Settings::new(secret_key);
        if let Some(secret) = secret(&self.webhook_secret, &self.webhook_secret_file)? {
            settings.webhook_secret = secret;
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
            first_backoff: Duration::from_millis(self.webhook_backoff_ms),
        };
        settings.environment = self.environment.clone();
        settings.verify_credentials = self.verify_credentials;
        settings.nango_merged_tags_500 = self.nango_merged_tags_500;
        settings.body_limit = self.body_limit;
        settings.body_timeout = Duration::from_secs(self.body_timeout.max(1));
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

/// A secret given as a value or as a file holding it (whitespace around it ignored).
fn secret(value: &Option<String>, file: &Option<PathBuf>) -> Result<Option<String>, ConfigError> {
    match (value, file) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(path)) => Ok(Some(read(path)?.trim().to_owned())),
        (None, None) => Ok(None),
    }
}

/// Creates the data directory owner-only (0700, whatever the umask); an existing directory
/// others can enter is left as it is, with a warning.
fn create_dir(path: &Path) -> Result<(), ConfigError> {
    let failed = |e: std::io::Error| fail(format!("{}: {e}", path.display()));
    if path.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(failed)?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the data directory is open to other users; `chmod 700` it"
                );
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    Ok(())
}

/// Writes `text` to `path` only its owner can read, unless `path` exists: the text is written
/// whole under a unique temporary name, then linked to `path` (which fails if it exists), so
/// `path` never holds a partial key. True if this call created `path`.
fn write_exclusive(path: &Path, text: &str) -> std::io::Result<bool> {
    use std::io::Write;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(
        ".{name}.{}.{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(err),
    }
}
