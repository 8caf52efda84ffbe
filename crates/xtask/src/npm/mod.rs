//! `cargo xtask npm`: builds the npm package `connkit` into `target/npm/connkit/` (under the
//! repository root, wherever `CARGO_TARGET_DIR` points), and runs the package's tests against
//! the packed tarball installed into a scratch project, as a user would.
//!
//! Plain cargo + the pinned wasm-bindgen CLI + wasm-opt from npm `binaryen` (never Debian's:
//! see docs/toolchain.md §2). Knows the package's file layout, nothing about the rules.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cmd::{
    cargo, ensure_npm_test_tooling, ensure_wasm_target, exec, output, program, root, step,
    target_dir,
};
use crate::codegen;
use crate::minify;
use crate::tools::{ensure_chromium, ensure_wasm_bindgen, wasm_opt};

mod entries;
mod publish;

pub(crate) use entries::{MODULES, Module, TAGS};

/// The cargo profile and wasm-opt level of a module: `tags` holds the hot path and is built
/// for speed, the others for size.
fn module_profile(module: &str) -> (&'static str, &'static str) {
    if module == TAGS {
        ("wasm-speed", "-O3")
    } else {
        ("wasm-release", "-Oz")
    }
}

/// Files copied as they are from `crates/connkit-wasm/npm/` (with the generated `codegen::FILES`;
/// `entries.rs` writes the other entries, `publish.rs` package.json).
const STATIC_FILES: [&str; 6] = [
    "README.md",
    "index.d.ts",
    "node.cjs",
    "tags.js",
    "fast.js",
    "load.js",
];

/// The test-only module: the `filter` feature's second reader of tags objects
/// (`api/tags_reader.rs`), which `tests/node/fast-path.test.mjs` holds the package's
/// `validateTags` to. Built beside the package (`target/npm/reference/`), never shipped.
const REFERENCE: Module = Module {
    name: "reference",
    features: &["reference"],
};

/// Where the package is assembled.
pub(crate) fn package_dir() -> PathBuf {
    root().join("target/npm/connkit")
}

/// Builds the package; returns its directory.
pub(crate) fn build() -> Result<PathBuf> {
    step("npm package: wasm modules, wasm-bindgen, wasm-opt");
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    let wasm_opt = wasm_opt()?;
    let pkg = package_dir();
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).with_context(|| format!("removing {}", pkg.display()))?;
    }
    for module in MODULES {
        build_module(module, &pkg.join("wasm"), &wasm_opt)?;
    }
    build_module(&REFERENCE, &reference_dir(), &wasm_opt)?;
    let source = root().join("crates/connkit-wasm/npm");
    for file in STATIC_FILES.into_iter().chain(codegen::FILES) {
        std::fs::copy(source.join(file), pkg.join(file))
            .with_context(|| format!("copying {file}"))?;
    }
    entries::write(&pkg)?;
    publish::write_manifest(&pkg)?;
    publish::write_cjs_types(&pkg)?;
    for (name, raw, gz) in sizes(&pkg)? {
        eprintln!("  {name:<40} {raw:>8} B  {gz:>7} B gzip -9");
    }
    Ok(pkg)
}

/// Where the test-only reference module is built (`REFERENCE`).
pub(crate) fn reference_dir() -> PathBuf {
    root().join("target/npm/reference")
}

/// Builds `module` (cargo, wasm-bindgen, wasm-opt) into `out_dir` as `connkit_<name>.js` and
/// `connkit_<name>_bg.wasm`.
fn build_module(module: &Module, out_dir: &Path, wasm_opt: &Path) -> Result<()> {
    let (profile, opt) = module_profile(module.name);
    exec(cargo().args([
        "build",
        "--locked",
        "-q",
        "-p",
        "connkit-wasm",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
        "--no-default-features",
        "--features",
        &module.features.join(","),
    ]))?;
    let built = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("connkit_wasm.wasm");
    exec(
        program("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name"])
            .arg(format!("connkit_{}", module.name))
            .arg("--out-dir")
            .arg(out_dir)
            .arg(&built),
    )?;
    let bg = out_dir.join(format!("connkit_{}_bg.wasm", module.name));
    // No --enable-* flags: wasm-opt reads the features from the module. The second run renames
    // (not with `--converge`, which would rename again), then strips that section and the
    // producers one, which no engine reads. The `tags` module keeps its names: `tags.js` and
    // `fast.js` use its exports as they are. `--low-memory-unused`, as for the widget: the linker
    // puts the stack below the data, at 1 MiB, growing down, so addresses under 1 KiB are reached
    // only by a stack about to overflow; binaryen may then fold constant offsets into loads and
    // stores (about 500 B gzip off the form module).
    exec(
        program("node")
            .arg(wasm_opt)
            .args([opt, "--low-memory-unused", "--converge"])
            .arg(&bg)
            .arg("-o")
            .arg(&bg),
    )?;
    let glue = out_dir.join(format!("connkit_{}.js", module.name));
    let own = format!("./connkit_{}_bg.js", module.name);
    let renamed = (module.name != TAGS).then_some((glue.as_path(), own.as_str()));
    minify::finish(wasm_opt, &bg, renamed)?;
    Ok(())
}

/// `(file, bytes, gzip -9 bytes)` for each wasm module and JavaScript file a bundler would load.
pub(crate) fn sizes(pkg: &Path) -> Result<Vec<(String, u64, u64)>> {
    let mut out = Vec::new();
    let mut files = vec!["browser.js".to_owned(), "load.js".to_owned()];
    for module in MODULES {
        files.push(format!("{}.js", module.name));
        files.push(format!("wasm/connkit_{}.js", module.name));
        files.push(format!("wasm/connkit_{}_bg.wasm", module.name));
    }
    for file in files {
        let path = pkg.join(&file);
        let raw = std::fs::metadata(&path)?.len();
        out.push((file, raw, gzip_size(&path)?));
    }
    for snippet in find_files(&pkg.join("wasm/snippets"))? {
        let raw = std::fs::metadata(&snippet)?.len();
        let name = snippet
            .strip_prefix(pkg)
            .unwrap_or(&snippet)
            .display()
            .to_string();
        out.push((name, raw, gzip_size(&snippet)?));
    }
    Ok(out)
}

/// `gzip -9` size of a file.
pub(crate) fn gzip_size(path: &Path) -> Result<u64> {
    let shell = format!("gzip -9c '{}' | wc -c", path.display());
    let text = output(program("sh").args(["-c", &shell]))?;
    Ok(text.trim().parse()?)
}

fn find_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                out.extend(find_files(&path)?);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Packs the package and installs the tarball into a fresh scratch project
/// (`target/npm/consumer/`), as a user would. Returns the project directory.
pub(crate) fn install_into_scratch_project(pkg: &Path) -> Result<PathBuf> {
    let consumer = root().join("target/npm/consumer");
    if consumer.exists() {
        std::fs::remove_dir_all(&consumer)?;
    }
    std::fs::create_dir_all(&consumer)?;
    let packed = output(
        program("npm")
            .current_dir(pkg)
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&consumer),
    )?;
    let tarball = consumer.join(packed.trim().lines().last().unwrap_or_default());
    if !tarball.exists() {
        bail!("npm pack did not produce {}", tarball.display());
    }
    std::fs::write(
        consumer.join("package.json"),
        "{ \"name\": \"connkit-consumer\", \"private\": true, \"type\": \"module\" }\n",
    )?;
    exec(
        program("npm")
            .current_dir(&consumer)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .arg(&tarball),
    )?;
    Ok(consumer)
}

/// `cargo xtask npm`: build, then every package test on the installed tarball.
pub(crate) fn run() -> Result<()> {
    let pkg = build()?;
    test(&pkg)
}

/// The package tests: Node (vectors, ESM + CommonJS, README, fuzz), types, Vite + Chromium.
pub(crate) fn test(pkg: &Path) -> Result<()> {
    ensure_npm_test_tooling()?;
    let tests = root().join("tests");
    publish::check(pkg, &tests.join("node_modules"))?;
    step("npm package: npm pack, install into a scratch project");
    let consumer = install_into_scratch_project(pkg)?;

    step("npm package: Node tests (vectors, ESM and CommonJS, README, fuzz)");
    let node_tests = consumer.join("test");
    copy_dir(&tests.join("node"), &node_tests)?;
    std::fs::copy(pkg.join("README.md"), node_tests.join("README.md"))?;
    let mut files: Vec<String> = std::fs::read_dir(&node_tests)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs") || name.ends_with(".test.cjs"))
        .map(|name| format!("test/{name}"))
        .collect();
    files.sort();
    exec(
        program("node")
            .current_dir(&consumer)
            .args(["--test", "--test-reporter=spec"])
            .args(&files)
            .env("CONNKIT_VECTORS", root().join("tests/vectors"))
            .env("CONNKIT_REFERENCE", reference_dir())
            .env("CONNKIT_TYPESCRIPT", tests.join("node_modules/typescript")),
    )?;

    step("npm package: TypeScript declarations (tsc --strict)");
    exec(
        program("node")
            .current_dir(&consumer)
            .arg(tests.join("node_modules/typescript/bin/tsc"))
            .args(["-p", "test/tsconfig.json"]),
    )?;

    step("npm package: Vite 7 build, then the page in headless Chromium");
    ensure_chromium()?;
    copy_dir(&tests.join("browser/npm/app"), &consumer.join("app"))?;
    std::fs::copy(
        tests.join("node/vectors.mjs"),
        consumer.join("app/vectors.mjs"),
    )?;
    exec(
        program("node")
            .args(["--test", "--test-reporter=spec", "tests/browser/npm/"])
            .env("CONNKIT_APP", consumer.join("app"))
            .env("CONNKIT_VECTORS", root().join("tests/vectors")),
    )
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}
