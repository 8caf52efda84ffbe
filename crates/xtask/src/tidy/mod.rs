//! `cargo xtask tidy`: checks on the tree itself, in the spirit of rust-analyzer's tidy tests.
//!
//! Each submodule is one family of checks; each check appends what it finds to one list of
//! problems, so a run reports everything wrong at once. Knows nothing about the rules: it
//! reads files, `cargo tree` and `cargo metadata`.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cmd::root;

mod codegen;
mod docs;
mod edges;
mod files;
mod i18n;
mod manifest;
mod server;

/// Every problem found, as one line each (`path: what is wrong`).
pub(crate) type Problems = Vec<String>;

pub(crate) fn run() -> Result<()> {
    let root = root();
    let mut problems = Problems::new();
    // The product crates, and the test-support crates under `tests/` (drivers, vectors).
    let mut files = rust_files(&root.join("crates"));
    files.extend(rust_files(&root.join("tests")));
    files::check(&root, &files, &mut problems)?;
    edges::check(&root, &mut problems)?;
    manifest::check(&root, &mut problems)?;
    docs::check(&root, &mut problems)?;
    codegen::check(&root, &mut problems)?;
    server::check(&root, &files, &mut problems)?;
    i18n::check(&root, &mut problems)?;

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

/// Every `.rs` file under `dir`, sorted.
pub(crate) fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_rs_files(dir, &mut out);
    out.sort();
    out
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.ends_with("node_modules") {
                continue;
            }
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}
