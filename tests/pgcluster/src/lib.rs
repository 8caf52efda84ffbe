//! A throwaway PostgreSQL cluster: `initdb` into a temporary directory, `pg_ctl start` on a unix
//! socket in that directory (no TCP port), stopped with `pg_ctl stop -m immediate` and removed
//! when its [`Cluster`] drops. `cargo xtask test` and `cargo xtask bench` start one and pass it
//! on in `CONNKIT_TEST_POSTGRES`; a test binary run without it starts its own ([`shared`]).
//!
//! A cluster outlives nothing that started it: a watchdog process stops and removes it once its
//! owner process is gone, however that ended (a failed test, SIGKILL), and [`Cluster::start`]
//! first removes the clusters of owners that are gone.
//!
//! As root (CI, this project's machines), PostgreSQL's commands run as the `postgres` user
//! (`runuser`), since `initdb` refuses root. The binaries are PostgreSQL's newest
//! `/usr/lib/postgresql/*/bin`, or `CONNKIT_PG_BIN`. Knows nothing about connkit's schema.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The variable holding the URL of a running cluster's `postgres` database, for test binaries.
pub const ENV: &str = "CONNKIT_TEST_POSTGRES";

/// The prefix of a cluster's directory under the temporary directory.
const PREFIX: &str = "connkit-pg-";

/// How a cluster keeps what it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// PostgreSQL's defaults: a commit is on disk when acknowledged (benchmarks).
    Durable,
    /// No fsync: a commit survives a crash of the client, not of the machine (tests, which
    /// kill servers, never PostgreSQL).
    Throwaway,
}

/// A running cluster, stopped and removed on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// Starts a new cluster (2–4 s), after removing the clusters of owners that are gone.
    pub fn start(durability: Durability) -> Result<Cluster, String> {
        let bin = bin_dir().ok_or(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; \
             `apt-get install -y postgresql`, or set CONNKIT_PG_BIN)",
        )?;
        let as_postgres = is_root();
        remove_stale(&bin, as_postgres);
        let dir = new_dir()?;
        let cluster = Cluster {
            dir,
            bin,
            as_postgres,
        };
        cluster.watch(std::process::id())?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&cluster.dir))?;
        }
        run(cluster
            .command("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
            .args(["--no-sync", "--no-instructions"]))?;
        let mut settings = format!(
            "-k {} -c listen_addresses='' -c max_connections=400",
            cluster.dir.display()
        );
        if durability == Durability::Throwaway {
            settings.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        run(cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(cluster.data())
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .args(["-o", &settings, "-w", "start"]))?;
        Ok(cluster)
    }

    /// The URL of database `name` (`postgres` is always there).
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://postgres@localhost/{name}?host={}",
            self.dir.display()
        )
    }

    /// Creates database `name`; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        run(self
            .command("createdb")
            .args(["-h"])
            .arg(&self.dir)
            .args(["-U", "postgres", name]))?;
        Ok(self.url(name))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// PostgreSQL's `program`, as the `postgres` user when this process is root.
    fn command(&self, program: &str) -> Command {
        command(&self.bin, program, self.as_postgres)
    }

    /// Starts the watchdog: once process `owner` is gone, it stops and removes the cluster.
    fn watch(&self, owner: u32) -> Result<(), String> {
        let script = format!(
            "while kill -0 {owner} 2>/dev/null; do sleep 1; done; {}",
            stop_script(&self.bin, &self.dir, self.as_postgres)
        );
        // A session of its own: a Ctrl-C to the owner's process group does not end it.
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let script = stop_script(&self.bin, &self.dir, self.as_postgres);
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The URL of a running cluster's `postgres` database: [`ENV`]'s, else that of a cluster this
/// process starts on first use and keeps until it exits (its watchdog removes it).
pub fn shared() -> Result<String, String> {
    if let Ok(url) = std::env::var(ENV) {
        return Ok(url);
    }
    static OWN: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match OWN.get_or_init(|| Cluster::start(Durability::Throwaway)) {
        Ok(cluster) => Ok(cluster.url("postgres")),
        Err(err) => Err(err.clone()),
    }
}

/// `url` (a `postgres://…/DB?…` URL) with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// PostgreSQL's binaries: `CONNKIT_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`
/// holding `initdb`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CONNKIT_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    let path = bin.join(program);
    if as_postgres {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(path);
        cmd
    } else {
        Command::new(path)
    }
}

/// A shell line that stops the cluster in `dir` at once and removes `dir`.
fn stop_script(bin: &Path, dir: &Path, as_postgres: bool) -> String {
    let pg_ctl = bin.join("pg_ctl");
    let run_as = if as_postgres {
        "runuser -u postgres -- "
    } else {
        ""
    };
    format!(
        "{run_as}'{}' -D '{}' stop -m immediate >/dev/null 2>&1; rm -rf '{}'",
        pg_ctl.display(),
        dir.join("data").display(),
        dir.display()
    )
}

/// Stops and removes the clusters whose owner process is gone (a run killed before its
/// watchdog could act, or a machine restarted).
fn remove_stale(bin: &Path, as_postgres: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(owner) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        let _ = Command::new("sh")
            .args(["-c", &stop_script(bin, &entry.path(), as_postgres)])
            .status();
    }
}

/// A new directory `connkit-pg-<pid>-<n>` that the `postgres` user can enter.
fn new_dir() -> Result<PathBuf, String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("{PREFIX}{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{shown} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_the_path_only() {
        assert_eq!(
            with_database("postgres://postgres@localhost/postgres?host=/tmp/x", "t1"),
            "postgres://postgres@localhost/t1?host=/tmp/x"
        );
        assert_eq!(
            with_database("postgres://u:p@db.example:5433", "t2"),
            "postgres://u:p@db.example:5433/t2"
        );
    }
}
