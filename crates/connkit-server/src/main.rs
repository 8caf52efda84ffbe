//! The connkit-server binary: flags, logging, database, serve. Everything else is in the library.
//!
//! Run with `cargo run -p connkit-server` (see `--help` and `docs/server.md`). It prints the
//! secret key once, when it generates it, then one line `listening on http://ADDR` once it
//! accepts requests.

// Printing the secret key and the bound address on stdout is this binary's interface.
#![allow(clippy::print_stdout)]

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use connkit_server::config::{Command, Config, KeyOrigin};
use connkit_server::serve::serve;
use connkit_server::store::Store;
use connkit_server::{AppState, app};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let matches = Config::command().get_matches();
    let config = match Config::from_arg_matches(&matches) {
        Ok(config) => config,
        Err(err) => err.exit(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // A command line is readable by every local user (`ps`); variables and files are not.
    for (id, flag) in [
        ("secret_key", "--secret-key"),
        ("encryption_key", "--encryption-key"),
        ("webhook_secret", "--webhook-secret"),
    ] {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            tracing::warn!(
                "{flag} on the command line is visible to every local user; use its \
                 CONNKIT_* variable or {flag}-file instead"
            );
        }
    }
    let outcome = match &config.command {
        Some(Command::Copy { from, to, batch }) => copy(&config, from, to, *batch).await,
        None if config.print_secret_key => print_secret_key(config).await,
        None => run(config).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("connkit-server: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    // Bound first: the built-in catalogue names the server's own port.
    let listener = TcpListener::bind(&config.listen).await?;
    let bound = listener.local_addr()?;
    let loaded = config.load(bound.port())?;
    let store = Store::open_capped(&loaded.database, loaded.keys, config.max_database_size).await?;
    let (secret_key, origin) = config.secret_key(&store).await?;
    let settings = config.settings(secret_key.clone(), bound)?;
    let state = AppState::new(settings, store, loaded.catalogue, loaded.integrations)?;
    match origin {
        KeyOrigin::Configured => {}
        KeyOrigin::Generated => println!(
            "secret key: {secret_key} (generated now and kept sealed in the database; printed \
             only this once: `connkit-server --print-secret-key` prints it again)"
        ),
        KeyOrigin::Stored => println!(
            "secret key: kept sealed in the database (`connkit-server --print-secret-key` prints it)"
        ),
    }
    if config.demo {
        demo_warning(bound);
    }
    let limits = config.limits();
    println!("listening on http://{bound}");
    serve(
        listener,
        app(state.clone()),
        limits,
        shutdown(),
        config.shutdown_timeout(),
    )
    .await;
    state.drain_webhooks(config.shutdown_timeout()).await;
    Ok(())
}

/// `--print-secret-key`: the key a server started with these flags uses, without serving.
async fn print_secret_key(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(key) = config.configured_secret_key()? {
        println!("{key}");
        return Ok(());
    }
    // No port is bound: the catalogue, which would name it, is not used.
    let loaded = config.load(0)?;
    let store = Store::open(&loaded.database, loaded.keys).await?;
    match store.secret_key_if_kept().await? {
        Some(key) => println!("{key}"),
        None => return Err("no secret key is kept yet: the first start generates one".into()),
    }
    Ok(())
}

/// `copy --from … --to …`: every row, then each table's count and checksum on both sides.
async fn copy(
    config: &Config,
    from: &str,
    to: &str,
    batch: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let keys = config.existing_encryption_key()?;
    let source = Store::open(from, keys.clone()).await?;
    let destination = Store::open(to, keys).await?;
    let mut shown = ("", 0);
    let copied = source
        .copy_to(&destination, batch, &mut |at| {
            if at.table != shown.0 || at.rows >= shown.1 + 100_000 {
                shown = (at.table, at.rows);
                eprintln!("{}: {} rows", at.table, at.rows);
            }
            std::ops::ControlFlow::Continue(())
        })
        .await?;
    for table in copied {
        println!(
            "{}: {} rows, checksum {}",
            table.table, table.rows, table.checksum
        );
    }
    println!("copied and checked: the counts and checksums match");
    Ok(())
}

/// Demo mode hands the secret key's powers to anyone who can reach the server: say so.
fn demo_warning(bound: std::net::SocketAddr) {
    eprintln!(
        "WARNING: demo mode (--demo): /demo/api/* creates sessions and reads, edits and deletes \
         connections with the secret key for ANY caller that can reach http://{bound}."
    );
    if !bound.ip().is_loopback() {
        eprintln!(
            "WARNING: {} is not a loopback address: anyone on the network has the secret key's \
             powers. Use --listen 127.0.0.1:PORT unless that is what you want.",
            bound.ip()
        );
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
