//! Test harness: the real `connkit-server` binary in its own process, on loopback, on a data
//! directory of the test's, with everything it writes to stdout and stderr kept for the test to
//! read. A process is killed (SIGKILL) when its handle drops, whatever happened.
//!
//! Knows no endpoint rules; the test modules assert those.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Which database a test's servers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// The SQLite file in the data directory (the default).
    Sqlite,
    /// A new PostgreSQL database on the test cluster.
    Postgres,
}

impl Backend {
    /// The flags that put servers on a new, empty database of this backend.
    pub(crate) async fn new_database(self) -> Vec<String> {
        match self {
            Backend::Sqlite => Vec::new(),
            Backend::Postgres => vec![
                "--database".to_owned(),
                crate::postgres::new_postgres_database().await,
            ],
        }
    }
}

/// A secret key for tests that configure one.
pub(crate) const KEY: &str = "4b1d3e7a-9c2f-4e5d-8a6b-0f1e2d3c4b5a";

/// The binary under test.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_connkit-server")
}

/// A running connkit-server.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// Everything the process printed, stdout and stderr interleaved by line.
    output: Arc<Mutex<String>>,
}

/// How to start a server.
pub(crate) struct Start<'a> {
    pub(crate) data_dir: &'a Path,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    /// Started through `sh` with this umask.
    pub(crate) umask: Option<&'static str>,
    /// A command the server is started through (`prlimit …`).
    pub(crate) wrapper: Option<Vec<String>>,
}

impl<'a> Start<'a> {
    /// A server on `data_dir`, a free loopback port, `RUST_LOG=warn`.
    pub(crate) fn new(data_dir: &'a Path) -> Start<'a> {
        Start {
            data_dir,
            args: Vec::new(),
            env: vec![("RUST_LOG".to_owned(), "warn".to_owned())],
            umask: None,
            wrapper: None,
        }
    }

    /// Starts the server through `sh` with this umask.
    pub(crate) fn umask(mut self, umask: &'static str) -> Start<'a> {
        self.umask = Some(umask);
        self
    }

    /// Adds flags.
    pub(crate) fn args(mut self, args: &[&str]) -> Start<'a> {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Sets an environment variable.
    pub(crate) fn env(mut self, name: &str, value: &str) -> Start<'a> {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The configured [`KEY`], passed in the environment as the documentation says.
    pub(crate) fn with_key(self) -> Start<'a> {
        self.env("CONNKIT_SECRET_KEY", KEY)
    }

    /// Spawns the process and waits (10 s at most) for `listening on http://…`.
    pub(crate) fn spawn(self) -> Result<Server, String> {
        let mut command = match (self.umask, &self.wrapper) {
            (Some(umask), _) => {
                let mut sh = Command::new("sh");
                sh.args([
                    "-c",
                    &format!("umask {umask} && exec \"$0\" \"$@\""),
                    binary(),
                ]);
                sh
            }
            (None, Some(wrapper)) => {
                let mut outer = Command::new(&wrapper[0]);
                outer.args(&wrapper[1..]).arg(binary());
                outer
            }
            (None, None) => Command::new(binary()),
        };
        command
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(self.data_dir)
            .args(&self.args)
            .env_remove("RUST_LOG")
            .envs(self.env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| format!("spawn: {e}"))?;
        let output = Arc::new(Mutex::new(String::new()));
        let (listening, heard) = mpsc::channel();
        collect(child.stdout.take(), &output, Some(listening));
        collect(child.stderr.take(), &output, None);
        let started = Instant::now();
        loop {
            if let Ok(base) = heard.recv_timeout(Duration::from_millis(50)) {
                return Ok(Server {
                    child,
                    base,
                    output,
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                // Let the readers drain what is left.
                std::thread::sleep(Duration::from_millis(100));
                let text = output.lock().unwrap().clone();
                return Err(format!("exited with {status} before listening:\n{text}"));
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                let text = output.lock().unwrap().clone();
                return Err(format!("not listening after 10 s:\n{text}"));
            }
        }
    }
}

/// Copies `stream` line by line into `output`; the first `listening on URL` goes to `listening`.
fn collect(
    stream: Option<impl Read + Send + 'static>,
    output: &Arc<Mutex<String>>,
    listening: Option<mpsc::Sender<String>>,
) {
    let Some(stream) = stream else {
        return;
    };
    let output = output.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else {
                break;
            };
            if let (Some(tx), Some(url)) = (&listening, line.strip_prefix("listening on ")) {
                let _ = tx.send(url.to_owned());
            }
            let mut out = output.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    });
}

impl Server {
    /// What the process printed so far.
    pub(crate) fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// True once the output holds `needle` (waiting at most `limit`: stdout and stderr are
    /// read apart, so a line on one may arrive after a later line on the other).
    pub(crate) fn printed(&self, needle: &str, limit: Duration) -> bool {
        let started = Instant::now();
        while !self.output().contains(needle) {
            if started.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, and waits (at most `limit`) for the process to end; `None` if it did not.
    pub(crate) fn terminate(&mut self, limit: Duration) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// `host:port` of the server.
    pub(crate) fn addr(&self) -> &str {
        self.base.strip_prefix("http://").unwrap_or(&self.base)
    }

    /// SIGKILL, and waits for the process to end.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client for the tests (no proxy, short timeouts).
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A data directory, removed when the test ends.
pub(crate) fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    (dir, path)
}

/// Sends `request` and reads the answer as JSON; a failure to send or decode fails the test.
pub(crate) async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Sends `request`; the answer's status (a failure to send fails the test).
pub(crate) async fn status_of(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

/// Makes a connect session on `base` with the secret `key` from `body`; returns its token.
pub(crate) async fn session_token(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    body: serde_json::Value,
) -> String {
    let sessions = http.post(format!("{base}/connect/sessions"));
    let session = json_of(sessions.bearer_auth(key).json(&body)).await;
    session["data"]["token"].as_str().unwrap().to_owned()
}
