//! Running commands: a thin wrapper over `std::process::Command` that echoes what it runs,
//! fails loudly, and knows the repository root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The repository root (two levels above this crate's manifest). `cargo run` sets
/// `CARGO_MANIFEST_DIR` at run time too; that one wins, because a shared target directory can
/// hold an xtask binary compiled in another checkout.
pub(crate) fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest_dir)
        .join("../..")
        .canonicalize()
        .expect("repository root exists")
}

/// The cargo that runs us (`$CARGO`), so the pinned toolchain is used throughout.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// A command run from the repository root.
pub(crate) fn program(name: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(name);
    cmd.current_dir(root());
    cmd
}

/// Prints a step heading.
pub(crate) fn step(name: &str) {
    eprintln!("\n=== {name}");
}

/// Runs `cmd`, failing if it does not exit 0.
pub(crate) fn exec(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let started = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    eprintln!("  ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs `cmd` like [`exec`], echoing its standard output as it comes and returning it too.
pub(crate) fn exec_captured(cmd: &mut Command) -> Result<String> {
    use std::io::{BufRead, BufReader, Write};

    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let started = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {shown}"))?;
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            std::io::stdout().flush()?;
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    eprintln!("  ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(captured)
}

/// Runs `cmd` and returns its standard output, failing if it does not exit 0.
pub(crate) fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start {shown}"))?;
    if !out.status.success() {
        bail!(
            "{shown} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Adds the wasm32 target when it is missing (automatic installs are off on our machines).
pub(crate) fn ensure_wasm_target() -> Result<()> {
    let installed = output(program("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        exec(program("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Installs the JavaScript test tooling of `tests/` (exact versions from its lockfile).
pub(crate) fn npm_ci() -> Result<()> {
    npm_ci_in(&root().join("tests"))
}

/// Installs the JavaScript test tooling of `tests/` unless its current lockfile is installed.
pub(crate) fn ensure_npm_test_tooling() -> Result<()> {
    ensure_npm_packages(&root().join("tests"))
}

/// The copy of `package-lock.json` that `npm_ci_in` leaves in `node_modules/`: what was
/// installed there last.
const INSTALLED_LOCK: &str = "node_modules/.connkit-installed-lock.json";

/// `npm ci` in `dir`: exact versions from its lockfile.
fn npm_ci_in(dir: &Path) -> Result<()> {
    exec(program("npm").current_dir(dir).args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))?;
    std::fs::copy(dir.join("package-lock.json"), dir.join(INSTALLED_LOCK))?;
    Ok(())
}

/// `npm_ci_in(dir)` unless `dir`'s current lockfile is the one installed there last.
pub(crate) fn ensure_npm_packages(dir: &Path) -> Result<()> {
    let wanted = std::fs::read(dir.join("package-lock.json"))
        .with_context(|| format!("reading {}/package-lock.json", dir.display()))?;
    if std::fs::read(dir.join(INSTALLED_LOCK)).ok() == Some(wanted) {
        return Ok(());
    }
    npm_ci_in(dir)
}

/// Where cargo puts build output (`CARGO_TARGET_DIR`, else `target/` at the root).
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}
