//! `cargo xtask demo [--listen ADDR]`: the browser demo in one command. Installs what is missing
//! (wasm target, the pinned wasm-bindgen CLI, Trunk, npm's wasm-opt and esbuild), builds the
//! widget and demo page with Trunk into `dist/`, shrinks their wasm and JavaScript, writes the
//! `<connkit-connect>` element beside the /connect/ bundle, then runs connkit-server with the
//! demo backend, serving `dist/`, on embedded SQLite (`.connkit/`), and prints its URL.
//!
//! Knows how the demo is built and started, nothing about what it shows.

use std::fs;
use std::path::{Path, PathBuf};

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
    write_element(&dist.join("connect"))?;
    Ok(dist)
}

/// Writes `element.js`, the `<connkit-connect>` custom element, into the /connect/ bundle's
/// directory: `www/connect/element.js` with the bundle's hashed file names put in.
fn write_element(dir: &Path) -> Result<()> {
    let mut names = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect::<Vec<_>>();
    names.sort();
    let find = |prefix: &str, suffix: &str| {
        names
            .iter()
            .find(|n| n.starts_with(prefix) && n.ends_with(suffix))
            .with_context(|| format!("no {prefix}…{suffix} in {}", dir.display()))
    };
    let template = fs::read_to_string(root().join("www/connect/element.js"))?;
    let element = template
        .replace("__CONNKIT_JS__", find("connkit-connect-", ".js")?)
        .replace("__CONNKIT_WASM__", find("connkit-connect-", "_bg.wasm")?)
        .replace("__CONNKIT_CSS__", find("connkit-", ".css")?);
    fs::write(dir.join("element.js"), element)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_element_names_the_bundles_files() {
        let dir = std::env::temp_dir().join(format!("connkit-element-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("a scratch directory");
        for name in [
            "index.html",
            "connkit-0123abcd.css",
            "connkit-connect-89ef.js",
            "connkit-connect-89ef_bg.wasm",
        ] {
            fs::write(dir.join(name), "").expect("a file");
        }
        write_element(&dir).expect("written");
        let element = fs::read_to_string(dir.join("element.js")).expect("read");
        fs::remove_dir_all(&dir).expect("removed");
        assert!(!element.contains("__CONNKIT_"));
        for name in [
            "'./connkit-connect-89ef.js'",
            "'./connkit-connect-89ef_bg.wasm'",
            "'./connkit-0123abcd.css'",
        ] {
            assert!(element.contains(name), "{name}");
        }
    }
}
