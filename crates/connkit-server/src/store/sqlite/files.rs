//! The database's files on disk: owner-only, and still the files the server opened.
//!
//! Before SQLite opens it, the database file is created (or tightened) to mode 0600 whatever
//! the umask, and so are its `-wal` and `-shm` companions if they exist; SQLite gives the
//! companions it creates the database file's mode. Once open, the file's identity (device and
//! inode) is remembered: a database file deleted or replaced while the server runs still takes
//! SQLite's writes through the descriptors it holds, into a file nobody will open again. Every
//! write checks the path's identity first (one `stat`); a watcher also looks, every second, for
//! a descriptor of this process that points at a deleted database, WAL or shared-memory file
//! (Linux's `/proc/self/fd`). Either finding is final: writes are refused until a restart.
//!
//! Knows nothing about SQL or what the files hold.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use crate::store::{Result, StoreError};

/// How often the watcher looks for deleted database files.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The companions SQLite keeps next to a database in WAL mode.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

/// A file's identity: device and inode.
type Identity = (u64, u64);

/// The files of one database (none for an in-memory database).
#[derive(Debug)]
pub(super) struct DbFiles {
    /// The database file, canonical; `None` in memory.
    path: Option<PathBuf>,
    /// The identity of `path` once SQLite has it open.
    identity: OnceLock<Identity>,
    /// Set for good once the files are found deleted or replaced.
    vanished: AtomicBool,
}

impl DbFiles {
    /// Creates the database file at `path` owner-only (or tightens an existing one and its
    /// companions); `in_memory` databases have no files.
    pub(super) fn prepare(path: &Path, in_memory: bool) -> Result<DbFiles> {
        if in_memory {
            return Ok(DbFiles {
                path: None,
                identity: OnceLock::new(),
                vanished: AtomicBool::new(false),
            });
        }
        let failed = |err: std::io::Error| StoreError::new(format!("{}: {err}", path.display()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        drop(options.open(path).map_err(failed)?);
        owner_only(path).map_err(failed)?;
        for suffix in COMPANIONS {
            let companion = with_suffix(path, suffix);
            if companion.exists() {
                owner_only(&companion).map_err(failed)?;
            }
        }
        let path = std::fs::canonicalize(path).map_err(failed)?;
        Ok(DbFiles {
            path: Some(path),
            identity: OnceLock::new(),
            vanished: AtomicBool::new(false),
        })
    }

    /// Remembers the identity of the file SQLite opened, and starts the watcher.
    pub(super) fn opened(self: &Arc<Self>) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(identity) = identity(path) {
            let _ = self.identity.set(identity);
        }
        let watched = Arc::downgrade(self);
        tokio::spawn(watch(watched));
        Ok(())
    }

    /// Ok while the database file at its path is the one opened (a `stat`, before each write).
    pub(super) fn check(&self) -> Result<()> {
        if self.vanished.load(Ordering::Acquire) {
            return Err(vanished());
        }
        let (Some(path), Some(opened)) = (&self.path, self.identity.get()) else {
            return Ok(());
        };
        if identity(path) != Some(*opened) {
            self.mark_vanished("the database file was deleted or replaced");
            return Err(vanished());
        }
        Ok(())
    }

    /// [`DbFiles::check`], and no descriptor of this process points at a deleted database,
    /// WAL or shared-memory file.
    pub(super) fn check_thoroughly(&self) -> Result<()> {
        self.check()?;
        if let Some(path) = &self.path
            && holds_deleted(path)
        {
            self.mark_vanished("a database, WAL or shared-memory file was deleted");
            return Err(vanished());
        }
        Ok(())
    }

    fn mark_vanished(&self, what: &str) {
        if !self.vanished.swap(true, Ordering::AcqRel) {
            let path = self.path.as_deref().unwrap_or(Path::new("")).display();
            tracing::error!(
                database = %path,
                "DATABASE FILES GONE: {what} while the server runs; every write is refused \
                 (503) and /health answers 503 until the server is restarted on its database"
            );
        }
    }
}

fn vanished() -> StoreError {
    StoreError::unavailable("the database files were deleted or replaced")
}

/// Looks every [`WATCH_EVERY`] until the store is gone or the files have vanished.
async fn watch(files: Weak<DbFiles>) {
    let mut every = tokio::time::interval(WATCH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(files) = files.upgrade() else {
            return;
        };
        if files.check_thoroughly().is_err() {
            return;
        }
    }
}

/// `path` followed by `suffix` (`db` → `db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn owner_only(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<Identity> {
    std::fs::metadata(path).ok().map(|_| (0, 0))
}

/// True if a descriptor of this process points at `path` or one of its companions after they
/// were deleted (Linux marks such links ` (deleted)`); false where `/proc` cannot tell.
fn holds_deleted(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return false;
    };
    let main = path.as_os_str().to_string_lossy().into_owned();
    let deleted: Vec<String> = std::iter::once(String::new())
        .chain(COMPANIONS.iter().map(|s| (*s).to_owned()))
        .map(|suffix| format!("{main}{suffix} (deleted)"))
        .collect();
    entries.filter_map(|entry| entry.ok()).any(|entry| {
        std::fs::read_link(entry.path())
            .is_ok_and(|target| deleted.iter().any(|d| target.as_os_str() == d.as_str()))
    })
}
