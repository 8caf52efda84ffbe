//! The generated JavaScript contracts are current: every output of `cargo xtask codegen` is
//! regenerated in memory and compared with the committed file, and the npm package's `files`
//! list ships each one.

use std::path::Path;

use anyhow::Result;

use super::Problems;
use crate::codegen::{DIR, outputs};

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    let package = std::fs::read_to_string(root.join(DIR).join("package.json"))?;
    for (name, text) in outputs() {
        match std::fs::read_to_string(root.join(DIR).join(name)) {
            Ok(committed) if committed == text => {}
            Ok(_) => problems.push(format!(
                "{DIR}/{name}: stale (not what its Rust definitions generate); run `cargo xtask codegen`"
            )),
            Err(_) => problems.push(format!("{DIR}/{name}: missing; run `cargo xtask codegen`")),
        }
        if !package.contains(&format!("\"{name}\"")) {
            problems.push(format!(
                "{DIR}/package.json: `files` does not list the generated `{name}`"
            ));
        }
    }
    Ok(())
}
