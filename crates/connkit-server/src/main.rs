//! The connkit-server binary: flags, logging, database, serve. Everything else is in the library.
//!
//! Run with `cargo run -p connkit-server` (see `--help` and the README). It prints the secret key
//! when it was not configured, then one line `listening on http://ADDR` once it accepts requests.

// Printing the secret key and the bound address on stdout is this binary's interface.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use clap::Parser;
use connkit_server::config::{Config, KeyOrigin};
use connkit_server::store::Store;
use connkit_server::{AppState, app};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(config).await {
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
    let store = Store::open(&loaded.database, loaded.keys).await?;
    let (secret_key, origin) = config.secret_key(&store).await?;
    let settings = config.settings(secret_key.clone(), bound)?;
    let state = AppState::new(settings, store, loaded.catalogue, loaded.integrations)?;
    match origin {
        KeyOrigin::Configured => {}
        KeyOrigin::Generated => {
            println!("secret key: {secret_key} (generated; kept in the database)")
        }
        KeyOrigin::Stored => println!("secret key: {secret_key} (kept in the database)"),
    }
    if config.demo {
        demo_warning(bound);
    }
    println!("listening on http://{bound}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown())
        .await?;
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
