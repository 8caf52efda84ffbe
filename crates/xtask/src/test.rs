//! `cargo xtask test`: every check CI runs, cheapest first, each failing the run.
//!
//! Set-up steps (the wasm target, the npm test tooling, wasm-bindgen, Chromium, PostgreSQL) are
//! part of the run, so a fresh machine needs nothing installed by hand. One throwaway PostgreSQL
//! cluster serves every test that needs one, and is gone when the run ends, however it ends.
//! Ends with the npm package (`npm.rs`).

use anyhow::Result;
use connkit_pgcluster::Durability;

use crate::cmd::{
    cargo, ensure_npm_test_tooling, ensure_wasm_target, exec, npm_ci, program, root, step,
    target_dir,
};
use crate::tools::{CHROMIUM, ensure_chromium};
use crate::{npm, postgres, tidy};

/// How many random inputs the differential test feeds zod and connkit inside `cargo xtask test`
/// (`cargo xtask diff` runs the full-size version).
const CI_DIFF_CASES: u64 = 300_000;

/// The package of the command-line drivers the tests run connkit-core through (`tests/drivers/`).
const DRIVERS: &str = "connkit-test-drivers";

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

    step("clippy (connkit-widget for wasm32)");
    exec(cargo().args([
        "clippy",
        "-p",
        "connkit-widget",
        "--all-features",
        "--target",
        "wasm32-unknown-unknown",
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

    step("PostgreSQL: a throwaway cluster for the server's tests");
    let cluster = postgres::cluster(Durability::Throwaway)?;
    let admin = cluster.url("postgres");

    step("tests (unit, doc, conformance vectors, no-panic fuzz, the server's fault suite)");
    exec(
        cargo()
            .args(["test", "--workspace", "--locked"])
            .env(postgres::ENV, &admin),
    )?;

    step("the server's API suite on PostgreSQL");
    exec(
        cargo()
            .args(["test", "--locked", "-p", "connkit-server", "--test", "api"])
            .env(postgres::ENV, &admin)
            .env("CONNKIT_TEST_BACKEND", "postgres"),
    )?;

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
                DRIVERS,
                "--bin",
                "catalogue_check",
                "--",
            ])
            .arg(providers),
    )?;

    step("zod 4.0.5 differential test");
    zod_differential(CI_DIFF_CASES)?;

    step("XML and SAML vectors against fast-xml-parser 5.10.1 and xml-crypto 6.1.2");
    exec(program("node").args(["--test", "tests/compat/xml/"]))?;

    step(
        "@nangohq/node and @nangohq/frontend 0.71.4: webhooks, and the seed flow against connkit-server",
    );
    nango_node_compat(None)?;
    step("the @nangohq/node seed flow against connkit-server on PostgreSQL");
    let database = cluster
        .create_database("compat")
        .map_err(anyhow::Error::msg)?;
    nango_node_compat(Some(&database))?;
    drop(cluster);

    step("the browser demo and widget in Chromium (playwright-core, axe-core)");
    browser_tests()?;

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
    ensure_npm_test_tooling()?;
    let bin = jsonl_driver()?;
    exec(
        program("node")
            .arg("tests/compat/zod/diff.mjs")
            .arg(n.to_string())
            .env("CONNKIT_JSONL_BIN", bin),
    )
}

/// A bound on each Node test that drives a browser or a Nango client: those can wait forever
/// on an answer that never comes (the SDK's `auth()` does), and a hang must fail, not stall CI.
const TEST_TIMEOUT: &str = "--test-timeout=300000";

/// The real Nango clients: webhooks signed by connkit-core verified by `@nangohq/node`, and the
/// whole seed flow run by `@nangohq/node` + `@nangohq/frontend` against a connkit-server process
/// on SQLite; with `database`, the seed flow alone against a server on that database.
fn nango_node_compat(database: Option<&str>) -> Result<()> {
    let jsonl = jsonl_driver()?;
    exec(cargo().args(["build", "--locked", "-q", "-p", "connkit-server"]))?;
    let mut node = program("node");
    node.env("CONNKIT_JSONL_BIN", jsonl).env(
        "CONNKIT_SERVER_BIN",
        target_dir().join("debug/connkit-server"),
    );
    match database {
        None => node.args(["--test", TEST_TIMEOUT, "tests/compat/nango-node/"]),
        Some(url) => node
            .args([
                "--test",
                TEST_TIMEOUT,
                "tests/compat/nango-node/server-flow.test.mjs",
            ])
            .env("CONNKIT_TEST_DATABASE", url),
    };
    exec(&mut node)
}

/// Builds the demo (`dist/`) and runs `tests/browser/` against a connkit-server process.
fn browser_tests() -> Result<()> {
    let dist = crate::demo::build()?;
    ensure_chromium()?;
    exec(cargo().args(["build", "--locked", "-q", "-p", "connkit-server"]))?;
    // The files of tests/browser/ itself (tests/browser/npm/ is the npm package's, run by
    // `npm::test` in its scratch project).
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/browser"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("tests/browser/{name}"))
        .collect();
    files.sort();
    exec(
        program("node")
            .args(["--test", TEST_TIMEOUT, "--test-concurrency=1"])
            .args(&files)
            .env(
                "CONNKIT_SERVER_BIN",
                target_dir().join("debug/connkit-server"),
            )
            .env("CONNKIT_DIST", dist)
            .env("CHROMIUM", CHROMIUM),
    )
}

/// Builds the `jsonl` driver (`tests/drivers/`), the one the JavaScript-side tests talk to.
fn jsonl_driver() -> Result<std::path::PathBuf> {
    exec(cargo().args([
        "build",
        "--release",
        "--locked",
        "-q",
        "-p",
        DRIVERS,
        "--bin",
        "jsonl",
    ]))?;
    Ok(target_dir().join("release/jsonl"))
}
