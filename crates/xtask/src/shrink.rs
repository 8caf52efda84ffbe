//! The widget's wasm and JavaScript made smaller after Trunk wrote them into a dist directory
//! (Trunk runs wasm-bindgen but no wasm-opt: `data-wasm-opt="0"` in the index files), in place:
//!
//! 1. the glue loses the classes of [`UNUSED_CLASSES`], and the module every export the glue
//!    then no longer uses, so wasm-opt removes the code only those exports reached;
//! 2. wasm-opt `-Oz --low-memory-unused`, then short import and export names in module and glue
//!    ([`minify`]), then the same wasm-opt pass again;
//! 3. esbuild minifies the glue (Trunk leaves wasm-bindgen's JavaScript as it is) and the OAuth
//!    module Trunk copied beside it (`oauth.js`, which the widget imports when it needs it);
//!
//! 4. the page loses what Trunk writes for nobody ([`TRUNK_LEFTOVERS`]).
//!
//! The pages carry no `integrity` digests (`data-integrity="none"` in the index files): a page
//! that named one would refuse the rewritten files, so one there fails the build.
//!
//! File names keep Trunk's hashes: they hash what Trunk wrote, so a change to the widget still
//! gets new names (a change to this step alone, such as a new wasm-opt, does not). Every edit
//! must find its place exactly, or the build fails. Knows nothing about what the widget does.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cmd::{exec, output, program};
use crate::minify;
use crate::tools::{esbuild, wasm_opt};
use crate::wasm_binary::retain_exports;

/// Classes wasm-bindgen exports that the widget never constructs: wasm-streams' adapters,
/// reached through Leptos → server_fn's `browser` feature, which the widget does not use (no
/// server functions), and which Leptos turns on unconditionally. Exported, they keep their
/// code and the futures machinery behind it alive.
const UNUSED_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// What Trunk leaves in a page that nothing reads: the event it fires once the module started
/// (nothing listens), and the `data-integrity` attribute that told it to write no digest, which
/// it copies onto the stylesheet's link.
const TRUNK_LEFTOVERS: [&str; 2] = [
    "\ndispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));",
    " data-integrity=none",
];

/// Shrinks the wasm module and its glue in Trunk's `dist`.
pub(crate) fn shrink(dist: &Path) -> Result<()> {
    let (glue, bg) = trunk_output(dist)?;
    let html_path = dist.join("index.html");
    let html = std::fs::read_to_string(&html_path)
        .with_context(|| format!("reading {}", html_path.display()))?;
    if html.contains(" integrity=") {
        bail!(
            "{} names integrity digests, which the shrunk files would not match",
            html_path.display()
        );
    }
    std::fs::write(&html_path, trim_page(&html)?)
        .with_context(|| format!("writing {}", html_path.display()))?;
    let text = drop_classes(&String::from_utf8(std::fs::read(&glue)?)?, &UNUSED_CLASSES)?;
    let used = minify::exports_used(&text);
    std::fs::write(&glue, &text)?;
    std::fs::write(
        &bg,
        retain_exports(&std::fs::read(&bg)?, |name| used.iter().any(|u| u == name))?,
    )?;

    let wasm_opt = wasm_opt()?;
    // The features the module uses, read while it still declares them: `finish` strips that
    // section, and the pass after it must be told them.
    let features = output(
        program("node")
            .arg(&wasm_opt)
            .arg("--print-features")
            .arg(&bg),
    )?;
    // `--low-memory-unused`: the linker puts the stack below the data, at 1 MiB, growing down, so
    // addresses under 1 KiB are reached only by a stack about to overflow; binaryen may then fold
    // constant offsets into loads and stores.
    let optimise = || {
        exec(
            program("node")
                .arg(&wasm_opt)
                .args(features.split_whitespace())
                .args(["-Oz", "--low-memory-unused"])
                .arg(&bg)
                .arg("-o")
                .arg(&bg),
        )
    };
    optimise()?;
    minify::finish(&wasm_opt, &bg, Some((&glue, &own_module(&text)?)))?;
    // -Oz again on the short names finds about 1 KB (gzip) more that a second pass before
    // them does not; the module's exports and imports are left as they are.
    optimise()?;
    // The glue, and the OAuth module the widget imports beside it (`www/connect/oauth.js`).
    let oauth = dist.join("oauth.js");
    for js in [&glue, &oauth] {
        exec(
            program(esbuild()?)
                .arg(js)
                .args(["--minify", "--format=esm", "--tree-shaking=true"])
                .args(["--log-level=warning", "--allow-overwrite"])
                .arg(format!("--outfile={}", js.display())),
        )?;
    }
    Ok(())
}

/// The page without [`TRUNK_LEFTOVERS`]; each must be there.
fn trim_page(html: &str) -> Result<String> {
    let mut out = html.to_owned();
    for leftover in TRUNK_LEFTOVERS {
        if !out.contains(leftover) {
            bail!("the page does not hold {leftover:?}");
        }
        out = out.replace(leftover, "");
    }
    Ok(out)
}

/// The glue (`<name>-<hash>.js`) and module (`<name>-<hash>_bg.wasm`) Trunk wrote into `dist`.
fn trunk_output(dist: &Path) -> Result<(PathBuf, PathBuf)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let Some(stem) = path.to_str().and_then(|p| p.strip_suffix("_bg.wasm")) else {
            continue;
        };
        let glue = PathBuf::from(format!("{stem}.js"));
        if !glue.is_file() {
            bail!("{} has no glue beside it", path.display());
        }
        found.push((glue, path));
    }
    match <[_; 1]>::try_from(found) {
        Ok([one]) => Ok(one),
        Err(found) => bail!(
            "{} holds {} wasm modules, not one",
            dist.display(),
            found.len()
        ),
    }
}

/// The module the glue's own imports come from (`"./connkit-connect_bg.js": import0`).
fn own_module(glue: &str) -> Result<String> {
    let at = glue
        .find("\": import0,\n")
        .context("the glue's imports object does not name its own imports")?;
    let before = glue.get(..at).unwrap_or_default();
    let start = before.rfind('"').context("unquoted import module")?;
    Ok(before.get(start + 1..).unwrap_or_default().to_owned())
}

/// The glue without the classes `classes`: each one's `export class` block with the
/// `Symbol.dispose` line after it, and its finalization registry.
fn drop_classes(glue: &str, classes: &[&str]) -> Result<String> {
    let mut out = glue.to_owned();
    for class in classes {
        let dispose = format!(
            "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
        );
        out = cut(&out, &format!("export class {class} {{\n"), &dispose)?;
        out = cut(&out, &format!("const {class}Finalization = "), "));\n")?;
        if out.contains(class) {
            bail!("the glue still uses {class} after its class was removed");
        }
    }
    Ok(out)
}

/// `text` without the part from `start`, which must occur once, through the first `end` after
/// it.
fn cut(text: &str, start: &str, end: &str) -> Result<String> {
    if text.matches(start).count() != 1 {
        bail!("the glue does not hold {start:?} once");
    }
    let from = text.find(start).unwrap_or_default();
    let to = text
        .get(from..)
        .and_then(|rest| rest.find(end))
        .map(|at| from + at + end.len())
        .with_context(|| format!("{start:?} is not followed by {end:?}"))?;
    Ok(format!(
        "{}{}",
        text.get(..from).unwrap_or_default(),
        text.get(to..).unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "export class Kept {\n    free() {}\n}\n\
        if (Symbol.dispose) Kept.prototype[Symbol.dispose] = Kept.prototype.free;\n\n\
        export class Gone {\n    free() { wasm.__wbg_gone_free(1, 0); }\n}\n\
        if (Symbol.dispose) Gone.prototype[Symbol.dispose] = Gone.prototype.free;\n\n\
        function __wbg_get_imports() {\n    return {\n        __proto__: null,\n\
        \"./x_bg.js\": import0,\n    };\n}\n\
        const GoneFinalization = (typeof FinalizationRegistry === 'undefined')\n\
        \x20   ? { register: () => {}, unregister: () => {} }\n\
        \x20   : new FinalizationRegistry(ptr => wasm.__wbg_gone_free(ptr, 1));\n\
        function f() { return wasm.kept(); }\n";

    #[test]
    fn drops_a_class_and_its_registry() {
        let out = drop_classes(GLUE, &["Gone"]).unwrap();
        assert!(out.starts_with("export class Kept {"));
        assert!(out.contains("\n\nfunction __wbg_get_imports()"));
        assert!(out.contains("    };\n}\nfunction f()"));
        assert_eq!(minify::exports_used(&out), ["kept"]);
        // A class the glue does not hold, or one still used elsewhere, fails the build.
        assert!(drop_classes(GLUE, &["Other"]).is_err());
        let used = GLUE.replace("return wasm.kept()", "return Gone");
        assert!(drop_classes(&used, &["Gone"]).is_err());
    }

    #[test]
    fn trims_trunk_leftovers_from_a_page() {
        let page = format!(
            "<link data-integrity=none href=a.css rel=stylesheet><script>{}</script>",
            TRUNK_LEFTOVERS[0]
        );
        assert_eq!(
            trim_page(&page).unwrap(),
            "<link href=a.css rel=stylesheet><script></script>"
        );
        assert!(trim_page("<link href=a.css rel=stylesheet>").is_err());
    }

    #[test]
    fn names_the_glue_own_import_module() {
        assert_eq!(own_module(GLUE).unwrap(), "./x_bg.js");
        assert!(own_module("return {};").is_err());
    }
}
