//! The generated JavaScript contracts are current: every output of `cargo xtask codegen` is
//! regenerated in memory and compared with the committed file, and the npm package's `files`
//! list ships each one (by name or by a `*.ext` pattern).

use std::path::Path;

use anyhow::Result;

use super::Problems;
use crate::codegen::{DIR, outputs};

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    let text = std::fs::read_to_string(root.join(DIR).join("package.json"))?;
    let package: serde_json::Value = serde_json::from_str(&text)?;
    let files: Vec<&str> = package["files"]
        .as_array()
        .map(|all| all.iter().filter_map(|it| it.as_str()).collect())
        .unwrap_or_default();
    for (name, text) in outputs() {
        match std::fs::read_to_string(root.join(DIR).join(name)) {
            Ok(committed) if committed == text => {}
            Ok(_) => problems.push(format!(
                "{DIR}/{name}: stale (not what its Rust definitions generate); run `cargo xtask codegen`"
            )),
            Err(_) => problems.push(format!("{DIR}/{name}: missing; run `cargo xtask codegen`")),
        }
        if !files.iter().any(|entry| ships(entry, name)) {
            problems.push(format!(
                "{DIR}/package.json: `files` does not list the generated `{name}`"
            ));
        }
    }
    Ok(())
}

/// Whether the `files` entry `entry` ships the top-level file `name`: the same name, or a
/// `*.ext` pattern it matches.
fn ships(entry: &str, name: &str) -> bool {
    match entry.strip_prefix('*') {
        Some(suffix) => !suffix.contains(['*', '/']) && name.ends_with(suffix),
        None => entry == name,
    }
}

#[cfg(test)]
mod tests {
    use super::ships;

    #[test]
    fn a_files_entry_ships_its_name_or_its_pattern() {
        assert!(ships("protocol.js", "protocol.js"));
        assert!(ships("*.js", "protocol.js"));
        assert!(ships("*.d.ts", "error-codes.d.ts"));
        assert!(!ships("*.d.ts", "protocol.js"));
        assert!(!ships("wasm/*.js", "protocol.js"));
        assert!(!ships("fast.js", "protocol.js"));
    }
}
