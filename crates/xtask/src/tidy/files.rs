//! Per-file checks on Rust sources: every file opens with a `//!` doc saying what it is, and no
//! file grows past the size a reviewer can hold in mind.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Problems;

/// The longest a source file may get, in lines (the style guide says "about 600").
const MAX_LINES: usize = 650;

pub(super) fn check(root: &Path, files: &[PathBuf], problems: &mut Problems) -> Result<()> {
    for file in files {
        let text = std::fs::read_to_string(file)?;
        let shown = file.strip_prefix(root).unwrap_or(file).display();
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
    Ok(())
}
