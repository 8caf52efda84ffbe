//! The pinned command-line tools the wasm builds need, installed when missing or at the wrong
//! version: the wasm-bindgen CLI (must equal the `wasm-bindgen` crate in Cargo.lock), Trunk, and
//! wasm-opt from the npm `binaryen` package (never Debian's, whose wasm-opt 108 breaks modules)
//! and esbuild (the widget's JavaScript), pinned by the build's own npm manifest,
//! `crates/xtask/tools/package.json` and its lockfile (the test tooling of `tests/` is no part of
//! a build).
//!
//! Knows nothing about what is built with them.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::cmd::{cargo, ensure_npm_packages, exec, program, root};

/// The wasm-bindgen CLI version; equals `wasm-bindgen = "=…"` in the root Cargo.toml.
pub(crate) const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// The newest Trunk that builds with our toolchain (0.22 needs a newer rustc).
pub(crate) const TRUNK_VERSION: &str = "0.21.14";

/// `name --version`'s first line, if `name` runs.
fn version_of(name: &str) -> Option<String> {
    let out = program(name).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.lines().next().unwrap_or("").trim().to_owned())
}

/// Installs the pinned wasm-bindgen CLI unless it is on PATH already.
pub(crate) fn ensure_wasm_bindgen() -> Result<()> {
    let wanted = format!("wasm-bindgen {WASM_BINDGEN_VERSION}");
    if version_of("wasm-bindgen").as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    // Not `--locked`: its lockfile pins a yanked webpki-roots the registry refuses.
    exec(cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        WASM_BINDGEN_VERSION,
        "--force",
    ]))
}

/// Installs the pinned Trunk unless it is on PATH already.
pub(crate) fn ensure_trunk() -> Result<()> {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if version_of("trunk").as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    // No default features: no TLS and no update check, neither of which we use.
    exec(cargo().args([
        "install",
        "--locked",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--no-default-features",
        "--force",
    ]))
}

/// Debian's Chromium, for the browser tests (playwright-core drives it; it downloads no browser).
pub(crate) fn ensure_chromium() -> Result<()> {
    if std::path::Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    exec(program("apt-get").args(["update", "-qq"]))?;
    exec(program("apt-get").args(["install", "-y", "-qq", "chromium"]))
}

/// Where Debian installs Chromium.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// The directory of the build's npm manifest (binaryen, esbuild), relative to the repository
/// root.
const BUILD_TOOLS: &str = "crates/xtask/tools";

/// The build's npm tools installed from their lockfile; returns their `node_modules`.
fn build_tools() -> Result<PathBuf> {
    let dir = root().join(BUILD_TOOLS);
    ensure_npm_packages(&dir)?;
    let modules = dir.join("node_modules");
    for tool in ["wasm-opt", "esbuild"] {
        if !modules.join(".bin").join(tool).exists() {
            bail!("{BUILD_TOOLS}/package.json must provide {tool}");
        }
    }
    Ok(modules)
}

/// binaryen's `wasm-opt` (a Node script: run it with `node`), installed.
pub(crate) fn wasm_opt() -> Result<PathBuf> {
    Ok(build_tools()?.join("binaryen/bin/wasm-opt"))
}

/// esbuild, installed.
pub(crate) fn esbuild() -> Result<PathBuf> {
    Ok(build_tools()?.join(".bin/esbuild"))
}

/// PATH with the build tools' `.bin` first, installed (Trunk finds wasm-opt on PATH).
pub(crate) fn path_with_build_tools() -> Result<OsString> {
    let mut paths: Vec<PathBuf> = vec![build_tools()?.join(".bin")];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    Ok(std::env::join_paths(paths)?)
}
