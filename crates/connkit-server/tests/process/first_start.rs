//! Starting up: two processes on one empty data directory and database (SQLite or PostgreSQL)
//! agree on the keys; the files are the
//! owner's alone whatever the umask; the generated secret key is printed once, kept sealed, and
//! read back with `--print-secret-key`; the documented ways to give keys keep them out of `ps`.

use std::path::Path;
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Backend, KEY, Server, Start, binary, client, data_dir, json_of, session_token,
};

/// The secret keys (UUIDs) printed on `secret key: …` lines.
fn printed_keys(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("secret key: "))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|word| connkit_core::auth::is_valid_secret_key(word))
        .map(str::to_owned)
        .collect()
}

/// Creates a BASIC connection on `server` with `key`; returns its id.
async fn basic_connection(server: &Server, key: &str, password: &str) -> String {
    let http = client();
    let token = &session_token(&http, &server.base, key, json!({"tags": {}})).await;
    let made = http
        .post(format!(
            "{}/api-auth/basic/demo-basic?connect_session_token={token}",
            server.base
        ))
        .json(&json!({"username": "u", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    let made: Value = made.json().await.unwrap();
    made["connectionId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn two_processes_on_an_empty_data_dir_agree_on_both_keys() {
    two_processes_agree(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_processes_on_an_empty_postgres_database_agree_on_both_keys() {
    two_processes_agree(Backend::Postgres).await;
}

/// Ten rounds of two processes started together on an empty data directory and an empty
/// database of `backend`.
async fn two_processes_agree(backend: Backend) {
    for round in 0..10 {
        let (_tmp, dir) = data_dir();
        let database = backend.new_database().await;
        let spawn = |dir: std::path::PathBuf| {
            let database = database.clone();
            thread::spawn(move || {
                let args: Vec<&str> = database.iter().map(String::as_str).collect();
                Start::new(&dir).args(&args).spawn()
            })
        };
        let (a, b) = (spawn(dir.clone()), spawn(dir.clone()));
        let a = a
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("round {round}, A: {e}"));
        let b = b
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("round {round}, B: {e}"));
        let mut keys = printed_keys(&a.output());
        keys.extend(printed_keys(&b.output()));
        keys.dedup();
        assert_eq!(
            keys.len(),
            1,
            "round {round}: one secret key, printed once: {keys:?}"
        );
        let key = &keys[0];
        // Both accept the key, and read credentials the other sealed (one encryption key).
        let id = basic_connection(&a, key, "pw-a").await;
        let seen = json_of(
            client()
                .get(format!(
                    "{}/connections/{id}?provider_config_key=demo-basic",
                    b.base
                ))
                .bearer_auth(key),
        )
        .await;
        assert_eq!(
            seen["credentials"]["password"], "pw-a",
            "round {round}: {seen}"
        );
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn files_are_the_owners_alone_whatever_the_umask() {
    let (_tmp, dir) = data_dir();
    // The server started through a shell whose umask lets everyone read everything.
    let start = Start::new(&dir).with_key().umask("000");
    let server = start.spawn().unwrap();
    basic_connection(&server, KEY, "pw").await;
    assert_eq!(mode(&dir), 0o700, "the data directory");
    for name in [
        "connkit.db",
        "connkit.db-wal",
        "connkit.db-shm",
        "encryption.key",
    ] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    drop(server);

    // Files an older version left readable are tightened at the next start.
    for name in ["connkit.db", "connkit.db-wal", "connkit.db-shm"] {
        let path = dir.join(name);
        if path.exists() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let server = Start::new(&dir).with_key().umask("000").spawn().unwrap();
    basic_connection(&server, KEY, "pw").await;
    for name in ["connkit.db", "connkit.db-wal", "connkit.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name} after a restart");
    }
}

#[tokio::test]
async fn a_generated_key_is_printed_once_kept_sealed_and_printable() {
    let (_tmp, dir) = data_dir();
    let mut first = Start::new(&dir).spawn().unwrap();
    let keys = printed_keys(&first.output());
    assert_eq!(keys.len(), 1, "{}", first.output());
    let key = keys[0].clone();
    basic_connection(&first, &key, "pw").await;
    first.kill();

    let second = Start::new(&dir).spawn().unwrap();
    assert!(
        printed_keys(&second.output()).is_empty(),
        "{}",
        second.output()
    );
    basic_connection(&second, &key, "pw").await;
    drop(second);

    let database = std::fs::read(dir.join("connkit.db")).unwrap();
    let wal = std::fs::read(dir.join("connkit.db-wal")).unwrap_or_default();
    for bytes in [&database, &wal] {
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "the key is not in the database files in clear"
        );
    }

    let printed = std::process::Command::new(binary())
        .arg("--print-secret-key")
        .arg("--data-dir")
        .arg(&dir)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8_lossy(&printed.stdout).trim(), key);
}

#[tokio::test]
async fn keys_come_from_files_or_variables_and_a_command_line_key_is_warned_about() {
    let (tmp, dir) = data_dir();
    let key_file = tmp.path().join("secret-key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let key_file = key_file.to_str().unwrap();

    let by_flag = Start::new(&dir)
        .args(&["--secret-key-file", key_file])
        .spawn()
        .unwrap();
    basic_connection(&by_flag, KEY, "pw").await;
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", by_flag.pid())).unwrap_or_default();
    assert!(!cmdline.windows(KEY.len()).any(|w| w == KEY.as_bytes()));
    assert!(printed_keys(&by_flag.output()).is_empty());
    drop(by_flag);

    let by_variable = Start::new(&dir)
        .env("CONNKIT_SECRET_KEY_FILE", key_file)
        .spawn()
        .unwrap();
    basic_connection(&by_variable, KEY, "pw").await;
    assert!(!by_variable.output().contains("visible to every local user"));
    drop(by_variable);

    let on_the_command_line = Start::new(&dir)
        .args(&["--secret-key", KEY])
        .spawn()
        .unwrap();
    basic_connection(&on_the_command_line, KEY, "pw").await;
    assert!(
        on_the_command_line.printed(
            "--secret-key on the command line is visible to every local user",
            Duration::from_secs(2)
        ),
        "{}",
        on_the_command_line.output()
    );
}
