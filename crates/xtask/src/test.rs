//! `cargo xtask test`: every check CI runs, cheapest first, each failing the run.
//!
//! Set-up steps (the wasm target, the npm test tooling, wasm-bindgen, Chromium) are part of the
//! run, so a fresh machine needs nothing installed by hand. Ends with the npm package (`npm.rs`).

use anyhow::Result;

use crate::cmd::{cargo, ensure_wasm_target, exec, npm_ci, program, root, step};
use crate::{npm, tidy};

/// How many random inputs the differential test feeds zod and connkit inside `cargo xtask test`
/// (`cargo xtask diff` runs the full-size version).
const CI_DIFF_CASES: u64 = 300_000;

pub(crate) fn run() -> Result<()> {
    step("set-up: wasm target, npm test tooling");
    ensure_wasm_target()?;
    npm_ci()?;

    step("format");
    exec(cargo().args(["fmt", "--all", "--check"]))?;

    step("tidy");
    tidy::run()?;

    step("clippy (native, all targets)");
    exec(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("clippy (connkit-core for wasm32, without native features)");
    exec(cargo().args([
        "clippy",
        "-p",
        "connkit-core",
        "--no-default-features",
        "--target",
        "wasm32-unknown-unknown",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("tests (unit, doc, conformance vectors, no-panic fuzz)");
    exec(cargo().args(["test", "--workspace", "--locked"]))?;

    step("Nango's real providers.yaml through the catalogue, form model and field validation");
    let providers = root().join("tests/node_modules/@nangohq/providers/providers.yaml");
    exec(
        cargo()
            .args([
                "run",
                "--release",
                "--locked",
                "-q",
                "-p",
                "connkit-core",
                "--example",
                "catalogue_check",
                "--",
            ])
            .arg(providers),
    )?;

    step("zod 4.0.5 differential test");
    zod_differential(CI_DIFF_CASES)?;

    step("webhooks signed by connkit, verified by @nangohq/node 0.71.4");
    nango_node_webhooks()?;

    step("clippy (connkit-wasm for wasm32)");
    exec(cargo().args([
        "clippy",
        "-p",
        "connkit-wasm",
        "--target",
        "wasm32-unknown-unknown",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    let pkg = npm::build()?;
    npm::test(&pkg)?;
    eprintln!("\nall checks passed");
    Ok(())
}

/// Feeds `n` random inputs to zod 4.0.5 (as Nango configures it) and to connkit, comparing
/// verdicts, normalised output and Nango's error lists.
pub(crate) fn zod_differential(n: u64) -> Result<()> {
    if !root().join("tests/node_modules/zod").exists() {
        npm_ci()?;
    }
    let bin = jsonl_driver()?;
    exec(
        program("node")
            .arg("tests/compat/zod/diff.mjs")
            .arg(n.to_string())
            .env("CONNKIT_JSONL_BIN", bin),
    )
}

/// Webhooks signed by connkit-core, verified by the real `@nangohq/node` client.
fn nango_node_webhooks() -> Result<()> {
    let bin = jsonl_driver()?;
    exec(
        program("node")
            .args(["--test", "tests/compat/nango-node/"])
            .env("CONNKIT_JSONL_BIN", bin),
    )
}

/// Builds connkit-core's `jsonl` example (the driver the JavaScript-side tests talk to).
fn jsonl_driver() -> Result<std::path::PathBuf> {
    exec(cargo().args([
        "build",
        "--release",
        "--locked",
        "-q",
        "-p",
        "connkit-core",
        "--example",
        "jsonl",
    ]))?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    Ok(target_dir.join("release/examples/jsonl"))
}
