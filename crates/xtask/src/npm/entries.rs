//! The package's wasm modules and the JavaScript entries written for them.
//!
//! [`MODULES`] is the one table of which connkit-wasm features each wasm module is built with.
//! A module's exports are what its wasm-bindgen glue exports (the crate's `js_name`s), so the
//! entries are written from the built glue and never list an export by hand: each module's
//! browser entry (`<module>.js`, instantiated at import, for bundlers), `browser.js` (all of
//! them) and `node.js` (every module instantiated synchronously on first use). The `tags` module
//! is the exception: its glue is a buffer protocol, and its hand-written entries are `tags.js`
//! and `fast.js`.
//!
//! Knows the package's file layout and the glue's shape, nothing about the rules.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// One wasm module of the package: connkit-wasm built with `features`.
#[derive(Debug)]
pub(crate) struct Module {
    /// The module's name: its glue is `wasm/connkit_<name>.js`, its browser entry `<name>.js`.
    pub(crate) name: &'static str,
    /// The connkit-wasm features it is built with (one per file of `src/api/`).
    pub(crate) features: &'static [&'static str],
}

/// The module whose entries are hand-written (`tags.js`, `fast.js`); it is built for speed.
pub(crate) const TAGS: &str = "tags";

/// Every wasm module of the package. Exports that no page uses together live in different
/// modules, so that a page loads only the modules of what it imports (the budgets per page are
/// `tests/bench/sizes.mjs`'s).
pub(crate) const MODULES: &[Module] = &[
    Module {
        name: TAGS,
        features: &["tags"],
    },
    Module {
        name: "filter",
        features: &["filter"],
    },
    Module {
        name: "form",
        features: &["form"],
    },
    Module {
        name: "catalogue",
        features: &["catalogue"],
    },
    Module {
        name: "interpolate",
        features: &["interpolate"],
    },
    Module {
        name: "query",
        features: &["query"],
    },
    Module {
        name: "metadata",
        features: &["metadata"],
    },
    Module {
        name: "session",
        features: &["session"],
    },
    Module {
        name: "webhook",
        features: &["webhook"],
    },
];

/// The exports of the `tags` module's entries (`tags.js`), in the order `node.js` gives them.
const TAGS_EXPORTS: [&str; 4] = ["validateTags", "isEmail", "errorCodes", "ERROR_CODES"];

/// The first line of every entry written here.
const GENERATED: &str = "// Written by `cargo xtask npm` (crates/xtask/src/npm/entries.rs) from the wasm modules' glue.";

/// The functions a wasm-bindgen `--target web` glue file exports, in file order (not `initSync`
/// and the default export, which instantiate the module).
pub(crate) fn glue_exports(glue: &str) -> Vec<String> {
    glue.lines()
        .filter_map(|line| line.strip_prefix("export function "))
        .filter_map(|rest| rest.split('(').next())
        .filter(|name| *name != "initSync")
        .map(str::to_owned)
        .collect()
}

/// Writes every module's browser entry (but `tags.js`), `browser.js` and `node.js` into `pkg`,
/// from the glue in `pkg/wasm/`. Fails when two modules export the same name.
pub(crate) fn write(pkg: &Path) -> Result<()> {
    let mut exports: Vec<(&Module, Vec<String>)> = Vec::new();
    let mut seen: Vec<String> = TAGS_EXPORTS.iter().map(|it| (*it).to_owned()).collect();
    for module in MODULES.iter().filter(|m| m.name != TAGS) {
        let glue = pkg.join(format!("wasm/connkit_{}.js", module.name));
        let text = std::fs::read_to_string(&glue)
            .with_context(|| format!("reading {}", glue.display()))?;
        let names = glue_exports(&text);
        if names.is_empty() {
            bail!("the {} module exports nothing", module.name);
        }
        if let Some(twice) = names.iter().find(|name| seen.contains(name)) {
            bail!(
                "{twice} is exported by the {} module and another",
                module.name
            );
        }
        seen.extend(names.iter().cloned());
        std::fs::write(
            pkg.join(format!("{}.js", module.name)),
            module_entry(module, &names),
        )?;
        exports.push((module, names));
    }
    std::fs::write(pkg.join("browser.js"), browser_entry())?;
    std::fs::write(pkg.join("node.js"), node_entry(&exports))?;
    Ok(())
}

/// `<module>.js`: compiles the module at import (top-level await, `load.js`), instantiates it
/// with its glue's `initSync` and re-exports its functions, each depending on `ready` (see
/// `tags.js`: the package declares no side effects, so a bundler keeps the instantiation exactly
/// when one of these exports is used).
fn module_entry(module: &Module, names: &[String]) -> String {
    let mut out = format!(
        "{GENERATED}\n// Browser and bundler entry of the `{name}` wasm module ({list}), loaded only when one\n\
         // of its exports is used. Every export depends on `ready`, the instantiated module (see tags.js).\n\
         import * as glue from './wasm/connkit_{name}.js';\nimport {{ compile }} from './load.js';\n\n\
         const ready = glue.initSync({{ module: await compile(new URL('./wasm/connkit_{name}_bg.wasm', import.meta.url)) }});\n\n",
        name = module.name,
        list = names.join(", "),
    );
    for name in names {
        let _ = writeln!(out, "export const {name} = ready && glue.{name};");
    }
    out
}

/// `browser.js`: every module's entry; each is loaded only when one of its exports is used.
fn browser_entry() -> String {
    let mut out = format!(
        "{GENERATED}\n// Browser and bundler entry: every module is ready when the import resolves (top-level await),\n\
         // so `init()` has nothing left to do. A bundler keeps only the modules whose exports are used.\n"
    );
    for module in MODULES {
        let _ = writeln!(out, "export * from './{}.js';", module.name);
    }
    out.push_str("\nexport function init() {\n  return Promise.resolve();\n}\n");
    out
}

/// `node.js`: the `tags` module instantiated at import (its exports are the hot path), every
/// other module synchronously on the first call of one of its exports, so importing the package
/// compiles only what is used.
fn node_entry(modules: &[(&Module, Vec<String>)]) -> String {
    let mut out = format!(
        "{GENERATED}\n// Node entry (ESM): no init step. The `tags` module is instantiated at import; every other module\n\
         // synchronously on the first call of one of its exports. `init()` exists for code shared with\n\
         // browsers; it does nothing.\n\
         import {{ readFileSync }} from 'node:fs';\nimport {{ fastTags }} from './fast.js';\n\
         import * as tags from './wasm/connkit_tags.js';\n"
    );
    for (module, _) in modules {
        let _ = writeln!(
            out,
            "import * as {name}Glue from './wasm/connkit_{name}.js';",
            name = module.name
        );
    }
    out.push_str(
        "\nconst load = (name) => ({ module: readFileSync(new URL(`./wasm/connkit_${name}_bg.wasm`, import.meta.url)) });\n\
         // The module's glue, instantiated the first time it is asked for.\n\
         const lazy = (glue, name) => {\n  let ready = false;\n  return () => {\n    if (!ready) {\n      glue.initSync(load(name));\n      ready = true;\n    }\n    return glue;\n  };\n};\n\n\
         const t = fastTags(tags, tags.initSync(load('tags')).memory);\n\
         export const validateTags = t.validateTags;\nexport const isEmail = t.isEmail;\nexport const errorCodes = t.errorCodes;\n\
         export const ERROR_CODES = Object.freeze(t.errorCodes());\n",
    );
    for (module, names) in modules {
        let _ = writeln!(
            out,
            "\nconst {name} = lazy({name}Glue, '{name}');",
            name = module.name
        );
        for export in names {
            let _ = writeln!(
                out,
                "export const {export} = (...args) => {name}().{export}(...args);",
                name = module.name
            );
        }
    }
    out.push_str("\nexport function init() {\n  return Promise.resolve();\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_glue_exports() {
        let glue = "\
export function buildForm(provider, options) {
    const ret = wasm.buildForm(provider, options);
}
function passStringToWasm0(arg) {}
export function initSync(module) {}
export function validateConnectionConfig(provider, values, options) {}
export { initSync };
export default __wbg_init;
";
        assert_eq!(
            glue_exports(glue),
            ["buildForm", "validateConnectionConfig"]
        );
    }

    #[test]
    fn every_module_is_built_with_features_and_tags_comes_first() {
        assert_eq!(MODULES[0].name, TAGS);
        for module in MODULES {
            assert!(!module.features.is_empty(), "{}", module.name);
        }
        let mut names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MODULES.len());
    }
}
