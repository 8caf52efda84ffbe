//! `cargo xtask tidy`: checks on the tree itself, in the spirit of rust-analyzer's tidy tests.
//!
//! Every `.rs` file opens with a `//!` doc; no source file grows past the size we can review;
//! ARCHITECTURE.md names every crate; connkit-core depends only on its allow-list (and never on
//! the `regex` crate); `.ci/run` runs exactly README's test command.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cmd::{cargo, output, root};

/// The longest a source file may get, in lines (the style guide says "about 600").
const MAX_LINES: usize = 650;

/// What connkit-core may depend on (normal dependencies).
const CORE_ALLOWED_DEPS: &[&str] = &[
    "serde",
    "serde_json",
    "serde_norway",
    "regress",
    "hmac",
    "sha2",
];

/// The test command README shows and `.ci/run` runs.
const TEST_COMMAND: &str = "cargo xtask test";

pub(crate) fn run() -> Result<()> {
    let root = root();
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect_rs_files(&root.join("crates"), &mut files);
    for file in &files {
        let text = std::fs::read_to_string(file)?;
        let shown = file.strip_prefix(&root).unwrap_or(file).display();
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{shown}: does not start with a `//!` doc comment"));
        }
        let n_lines = text.lines().count();
        if n_lines > MAX_LINES {
            problems.push(format!(
                "{shown}: {n_lines} lines (limit {MAX_LINES}); split it"
            ));
        }
    }

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

    if !problems.is_empty() {
        bail!(
            "tidy found {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    eprintln!("tidy: {} Rust files checked", files.len());
    Ok(())
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}
