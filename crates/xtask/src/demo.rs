//! `cargo xtask demo [--listen ADDR]`: the browser demo in one command. Installs what is missing
//! (wasm target, the pinned wasm-bindgen CLI, Trunk, npm's wasm-opt and esbuild), builds the
//! widget and demo page with Trunk into `dist/`, shrinks their wasm and JavaScript, then runs
//! connkit-server with the demo backend, serving `dist/`, on embedded SQLite (`.connkit/`), and
//! prints its URL.
//!
//! Knows how the demo is built and started, nothing about what it shows.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::cmd::{cargo, ensure_wasm_target, exec, program, root, step};
use crate::shrink::shrink;
use crate::tools::{ensure_trunk, ensure_wasm_bindgen, path_with_build_tools};

/// Where `cargo xtask demo` listens unless told otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:3003";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut listen = DEFAULT_LISTEN.to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--listen" => listen = rest.next().context("--listen needs an address")?.clone(),
            other => match other.strip_prefix("--listen=") {
                Some(addr) => listen = addr.to_owned(),
                None => {
                    bail!("unknown argument {other:?} (usage: cargo xtask demo [--listen ADDR])")
                }
            },
        }
    }
    let dist = build()?;
    step(&format!("connkit-server with the demo on http://{listen}/"));
    exec(
        cargo()
            .args([
                "run",
                "--release",
                "--locked",
                "-q",
                "-p",
                "connkit-server",
                "--",
            ])
            .args(["--demo", "--listen", &listen, "--static-dir"])
            .arg(dist),
    )
}

/// Builds the demo into `dist/` and the widget alone into `dist/connect/`; returns `dist/`.
pub(crate) fn build() -> Result<PathBuf> {
    step("set-up: wasm target, wasm-bindgen CLI, Trunk, wasm-opt, esbuild");
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    let path = path_with_build_tools()?;

    step("build the demo page and the widget's /connect/ page (Trunk)");
    exec(
        program("trunk")
            .args(["build", "--release", "--locked"])
            .env("PATH", &path),
    )?;
    // The widget alone (no demo code) at /connect/: what `openConnectUI` and `mountConnect`
    // load. Built second: Trunk empties its dist directory first.
    exec(
        program("trunk")
            .args(["build", "www/connect/index.html", "--release", "--locked"])
            .args(["--dist", "dist/connect", "--public-url", "/connect/"])
            .env("PATH", &path),
    )?;
    let dist = root().join("dist");
    step("shrink their wasm and JavaScript");
    shrink(&dist)?;
    shrink(&dist.join("connect"))?;
    Ok(dist)
}
