//! The npm package as a registry sees it: its `package.json` (the version, license and repository
//! taken from the connkit-wasm crate, so they are written once), the files every published
//! package carries (licences, changelog), and the checks that it is ready to publish: `npm
//! publish --dry-run` with no warning, `publint --strict`, and `@arethetypeswrong/cli` for Node
//! ESM, Node CJS (`require(esm)`) and bundlers.
//!
//! Knows the package's metadata and the publish tools, nothing about the rules.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use crate::cmd::{cargo, exec, output, program, root, step};

/// The crate the package is built from.
const CRATE: &str = "connkit-wasm";

/// The files copied from the repository root into the package.
const LICENSES: [&str; 2] = ["LICENSE-MIT", "LICENSE-APACHE"];

/// Where the package's changelog lives (one `## <version>` section per published version).
const CHANGELOG: &str = "crates/connkit-wasm/npm/CHANGELOG.md";

/// The crate's metadata the package takes over.
#[derive(Debug)]
pub(crate) struct CrateInfo {
    pub(crate) version: String,
    license: String,
    repository: String,
}

/// connkit-wasm's version, license and repository, from `cargo metadata`.
pub(crate) fn crate_info() -> Result<CrateInfo> {
    let text = output(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
    let metadata: Value = serde_json::from_str(&text).context("reading cargo metadata")?;
    let package = metadata["packages"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == CRATE))
        .with_context(|| format!("cargo metadata has no {CRATE}"))?;
    let field = |name: &str| {
        package[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("{CRATE} has no {name} in Cargo.toml"))
    };
    Ok(CrateInfo {
        version: field("version")?,
        license: field("license")?,
        repository: field("repository")?,
    })
}

/// Writes `pkg/package.json` from `crates/connkit-wasm/npm/package.json` with the crate's
/// version, license and repository, and copies the licences and the changelog into `pkg`.
pub(crate) fn write_manifest(pkg: &Path) -> Result<()> {
    let info = crate_info()?;
    let source = root().join("crates/connkit-wasm/npm/package.json");
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("reading {}", source.display()))?;
    let Value::Object(written) = serde_json::from_str(&text)? else {
        bail!("{} is not a JSON object", source.display());
    };
    if let Some(key) = ["version", "license", "repository"]
        .iter()
        .find(|key| written.contains_key(**key))
    {
        bail!(
            "{}: `{key}` comes from {CRATE}'s Cargo.toml",
            source.display()
        );
    }
    let mut manifest = Map::new();
    for (key, value) in written {
        manifest.insert(key.clone(), value);
        if key == "name" {
            manifest.insert("version".into(), info.version.clone().into());
        }
        if key == "keywords" {
            manifest.insert("license".into(), info.license.clone().into());
            manifest.insert("repository".into(), repository(&info.repository));
        }
    }
    let text = serde_json::to_string_pretty(&Value::Object(manifest))? + "\n";
    std::fs::write(pkg.join("package.json"), text)?;
    for file in LICENSES {
        std::fs::copy(root().join(file), pkg.join(file))
            .with_context(|| format!("copying {file}"))?;
    }
    std::fs::copy(root().join(CHANGELOG), pkg.join("CHANGELOG.md"))
        .with_context(|| format!("copying {CHANGELOG}"))?;
    Ok(())
}

/// The type declarations again as `.d.cts` files (`index.d.cts`, `error-codes.d.cts`), for
/// `require`: TypeScript reads a `.d.ts` of this `"type": "module"` package as ESM, which a
/// CommonJS importer could only reach through `import()`.
pub(crate) fn write_cjs_types(pkg: &Path) -> Result<()> {
    for (from, to) in [
        ("index.d.ts", "index.d.cts"),
        ("error-codes.d.ts", "error-codes.d.cts"),
    ] {
        let text =
            std::fs::read_to_string(pkg.join(from)).with_context(|| format!("reading {from}"))?;
        let text = text.replace("from './error-codes.js'", "from './error-codes.cjs'");
        std::fs::write(pkg.join(to), text)?;
    }
    let index = std::fs::read_to_string(pkg.join("index.d.cts"))?;
    if !index.contains("from './error-codes.cjs'") {
        bail!("index.d.ts no longer imports './error-codes.js': update write_cjs_types");
    }
    Ok(())
}

/// npm's `repository` for a Git URL: the package lives in `crates/connkit-wasm`.
fn repository(url: &str) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), "git".into());
    out.insert("url".into(), format!("git+{url}.git").into());
    out.insert("directory".into(), "crates/connkit-wasm".into());
    Value::Object(out)
}

/// The checks a registry and its users would make, on the built package `pkg`: the changelog
/// names this version, `npm publish --dry-run` warns about nothing, `publint --strict` and
/// `attw` find no problem. `tools` is the `node_modules` of `tests/`.
pub(crate) fn check(pkg: &Path, tools: &Path) -> Result<()> {
    step("npm package: ready to publish (changelog, npm publish --dry-run, publint, attw)");
    let info = crate_info()?;
    let changelog = std::fs::read_to_string(root().join(CHANGELOG))?;
    if !changelog_has(&changelog, &info.version) {
        bail!(
            "{CHANGELOG} has no `## {}` section for the package's version",
            info.version
        );
    }
    let dry_run = program("npm")
        .current_dir(pkg)
        .args(["publish", "--dry-run", "--ignore-scripts"])
        .output()
        .context("running npm publish --dry-run")?;
    let said = String::from_utf8_lossy(&dry_run.stderr);
    // The one warning that is about this machine, not the package: nobody is logged in.
    let warned = said
        .lines()
        .any(|line| line.contains("npm warn") && !line.contains("requires you to be logged in"));
    if !dry_run.status.success() || warned {
        bail!("npm publish --dry-run is not clean:\n{said}");
    }
    // Its listing of the tarball: `npm notice <size> <file>` lines.
    for file in LICENSES.iter().chain(&["CHANGELOG.md"]) {
        if !said.lines().any(|line| line.ends_with(&format!(" {file}"))) {
            bail!("the packed package does not hold {file}");
        }
    }
    exec(
        program("node")
            .arg(tools.join("publint/src/cli.js"))
            .arg(pkg)
            .arg("--strict"),
    )?;
    // attw packs the directory itself; every resolution it knows (node10, node16 from CJS and
    // from ESM, bundler) must find the types and the JavaScript they describe.
    exec(
        program("node")
            .arg(tools.join("@arethetypeswrong/cli/dist/index.js"))
            .args(["--pack"])
            .arg(pkg),
    )
}

/// Whether `changelog` has a `## <version>` heading (anything may follow the version).
fn changelog_has(changelog: &str, version: &str) -> bool {
    changelog.lines().any(|line| {
        line.strip_prefix("## ")
            .and_then(|rest| rest.strip_prefix(version))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_version_heading() {
        let log = "# Changelog\n\n## 0.1.10 (2027-01-02)\n\n- x\n\n## 0.1.0\n";
        assert!(changelog_has(log, "0.1.0"));
        assert!(changelog_has(log, "0.1.10"));
        assert!(!changelog_has(log, "0.1.1"));
        assert!(!changelog_has("# 0.1.0\n", "0.1.0"));
    }

    #[test]
    fn points_the_repository_at_the_crate() {
        let it = repository("https://example.org/x/y");
        assert_eq!(it["url"], "git+https://example.org/x/y.git");
        assert_eq!(it["directory"], "crates/connkit-wasm");
    }
}
