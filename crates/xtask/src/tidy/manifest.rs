//! Checks on the workspace's shape: ARCHITECTURE.md names every crate, connkit-core depends
//! only on its allow-list (and never on the `regex` crate), and `.ci/run` runs exactly README's
//! test command.

use std::path::Path;

use anyhow::Result;

use super::Problems;
use crate::cmd::{cargo, output};

/// What connkit-core may depend on (normal dependencies).
const CORE_ALLOWED_DEPS: &[&str] = &[
    "serde",
    "serde_json",
    "serde_norway",
    "regress",
    "hmac",
    "sha2",
    // SIGNATURE's WSSE digest (feature `modes`, server only): RustCrypto, like sha2.
    "sha1",
    // JWT signatures with RSA (RS256/PS256) and P-256 (ES256) keys, and the salt source of
    // PS256 (feature `modes`, server only): RustCrypto, no_std + alloc, never in the wasm.
    "rsa",
    "p256",
    "rand_core",
];

/// The test command README shows and `.ci/run` runs.
const TEST_COMMAND: &str = "cargo xtask test";

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap_or_default();
    for entry in std::fs::read_dir(root.join("crates"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !architecture.contains(&format!("crates/{name}")) {
            problems.push(format!(
                "ARCHITECTURE.md: the code map does not mention `{name}`"
            ));
        }
    }

    let tree = output(cargo().args([
        "tree",
        "-p",
        "connkit-core",
        "-e",
        "normal",
        "--depth",
        "1",
        "--prefix",
        "none",
        "--all-features",
    ]))?;
    for line in tree.lines().skip(1) {
        let name = line.split_whitespace().next().unwrap_or("");
        if !name.is_empty() && !CORE_ALLOWED_DEPS.contains(&name) {
            problems.push(format!(
                "connkit-core depends on `{name}`, which is not on its allow-list"
            ));
        }
    }
    let full_tree = output(cargo().args([
        "tree",
        "-p",
        "connkit-core",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--all-features",
    ]))?;
    if full_tree
        .lines()
        .any(|line| line.split_whitespace().next() == Some("regex"))
    {
        problems.push("connkit-core pulls in the `regex` crate; JavaScript patterns need an ECMAScript engine".to_owned());
    }

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap_or_default();
    if !readme.contains(TEST_COMMAND) {
        problems.push(format!(
            "README.md does not show the test command `{TEST_COMMAND}`"
        ));
    }
    if !ci
        .lines()
        .any(|line| line.trim() == TEST_COMMAND || line.trim() == format!("exec {TEST_COMMAND}"))
    {
        problems.push(format!(
            ".ci/run does not run `{TEST_COMMAND}` on a line of its own"
        ));
    }
    Ok(())
}
