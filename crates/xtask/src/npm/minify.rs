//! Short import and export names for a wasm module and its wasm-bindgen glue.
//!
//! wasm-bindgen names each import after the function and a hash of its signature
//! (`__wbg_isArray_21b0c4f8557a4924`) and keeps the Rust export names; both names are written
//! twice, in the module and in its glue, and hashes do not compress. binaryen's
//! `--minify-imports-and-exports-and-modules` renames them all (one import module, names `a`,
//! `b`, …) and prints what it renamed; [`rewrite_glue`] then renames the same things in the
//! glue: every `wasm.<export>`, every key of the glue's own imports object, and the returned
//! imports object, which becomes one module. On a page that loads one module this is about
//! 0.9 KB of its gzip size.
//!
//! The glue is that of the pinned wasm-bindgen (`--target web`); every rename must find its
//! place exactly, or the build fails, so a glue of another shape cannot pass unnoticed.
//! Knows nothing about what the module does.

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// What binaryen renamed: the new import module, `(module, name, new name)` of each import, and
/// `(name, new name)` of each export.
#[derive(Debug)]
pub(crate) struct Renames {
    pub(crate) module: String,
    pub(crate) imports: Vec<(String, String, String)>,
    pub(crate) exports: Vec<(String, String)>,
}

impl Renames {
    /// Reads binaryen's printed map (`{"imports": [[module, base, new]…], "exports": [[old,
    /// new]…]}`); `module` is the import module the minified wasm names.
    pub(crate) fn parse(printed: &str, module: String) -> Result<Renames> {
        let start = printed
            .find('{')
            .context("wasm-opt printed no rename map")?;
        let map: Value = serde_json::from_str(printed.get(start..).unwrap_or_default())
            .context("reading wasm-opt's rename map")?;
        let strings = |row: &Value| -> Vec<String> {
            row.as_array()
                .map(|it| {
                    it.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let rows = |key: &str| map[key].as_array().cloned().unwrap_or_default();
        let mut imports = Vec::new();
        for row in rows("imports") {
            match strings(&row).as_slice() {
                [from, base, to] => imports.push((from.clone(), base.clone(), to.clone())),
                _ => bail!("unexpected import rename {row}"),
            }
        }
        let mut exports = Vec::new();
        for row in rows("exports") {
            match strings(&row).as_slice() {
                [from, to] => exports.push((from.clone(), to.clone())),
                _ => bail!("unexpected export rename {row}"),
            }
        }
        Ok(Renames {
            module,
            imports,
            exports,
        })
    }
}

/// The import module of a wasm binary's first import (binaryen gives them all the same one).
pub(crate) fn import_module(wasm: &[u8]) -> Result<String> {
    let mut at = 8; // magic and version
    while at < wasm.len() {
        let id = *wasm.get(at).context("truncated wasm")?;
        at += 1;
        let size = leb(wasm, &mut at)?;
        if id == 2 {
            let _count = leb(wasm, &mut at)?;
            let len = leb(wasm, &mut at)?;
            let name = wasm.get(at..at + len).context("truncated import")?;
            return Ok(String::from_utf8(name.to_vec())?);
        }
        at += size;
    }
    bail!("the module imports nothing")
}

/// An unsigned LEB128 number at `*at`, which moves past it.
fn leb(bytes: &[u8], at: &mut usize) -> Result<usize> {
    let mut out = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at).context("truncated wasm")?;
        *at += 1;
        out |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(out);
        }
    }
    bail!("LEB128 number too long")
}

/// The glue `glue` (of the module whose own imports come from `own`, e.g.
/// `./connkit_form_bg.js`) with `renames` applied.
pub(crate) fn rewrite_glue(glue: &str, own: &str, renames: &Renames) -> Result<String> {
    let mut out = rename_exports(glue, &renames.exports)?;
    let mut moved = Vec::new();
    for (module, base, to) in &renames.imports {
        if module == own {
            let key = format!("        {base}: function(");
            if out.matches(&key).count() != 1 {
                bail!("the glue does not define its import {base} once");
            }
            out = out.replace(&key, &format!("        {to}: function("));
        } else {
            moved.push((module.as_str(), base.as_str(), to.as_str()));
        }
    }
    replace_imports_object(&out, own, &renames.module, &moved)
}

/// Every `wasm.<name>` with the export's new name.
fn rename_exports(glue: &str, exports: &[(String, String)]) -> Result<String> {
    let mut out = String::with_capacity(glue.len());
    let mut rest = glue;
    while let Some(at) = rest.find("wasm.") {
        let before = rest.get(..at).unwrap_or_default();
        let after = rest.get(at + "wasm.".len()..).unwrap_or_default();
        out.push_str(before);
        out.push_str("wasm.");
        // `wasm.` inside a longer name (`xwasm.`) is not the exports object.
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            rest = after;
            continue;
        }
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(after.len());
        let name = after.get(..end).unwrap_or_default();
        let Some((_, to)) = exports.iter().find(|(from, _)| from == name) else {
            bail!("the glue uses wasm.{name}, which the module does not export");
        };
        out.push_str(to);
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The returned imports object of `__wbg_get_imports` as one module, `module`: the glue's own
/// imports (renamed in place) and each `moved` import taken from its module's namespace.
fn replace_imports_object(
    glue: &str,
    own: &str,
    module: &str,
    moved: &[(&str, &str, &str)],
) -> Result<String> {
    let head = "    return {\n        __proto__: null,\n";
    let start = glue
        .find(head)
        .context("the glue's imports object is not where wasm-bindgen writes it")?;
    let body_start = start + head.len();
    let body_end = glue
        .get(body_start..)
        .and_then(|rest| rest.find("    };\n"))
        .map(|at| body_start + at)
        .context("the glue's imports object does not end")?;
    // `"<module path>": importN,` lines.
    let mut vars: Vec<(&str, &str)> = Vec::new();
    for line in glue.get(body_start..body_end).unwrap_or_default().lines() {
        let line = line.trim().trim_end_matches(',');
        let Some((path, var)) = line.split_once(": ") else {
            bail!("unexpected line in the imports object: {line}");
        };
        vars.push((path.trim_matches('"'), var));
    }
    let var_of = |path: &str| {
        vars.iter()
            .find(|(p, _)| *p == path)
            .map(|(_, v)| *v)
            .with_context(|| format!("the imports object has no {path}"))
    };
    let mut object = format!("        \"{module}\": {{\n");
    if vars.iter().any(|(p, _)| *p == own) {
        object.push_str(&format!("            ...{},\n", var_of(own)?));
    }
    for (path, base, to) in moved {
        object.push_str(&format!("            {to}: {}.{base},\n", var_of(path)?));
    }
    object.push_str("        },\n");
    let mut out = String::with_capacity(glue.len());
    out.push_str(glue.get(..body_start).unwrap_or_default());
    out.push_str(&object);
    out.push_str(glue.get(body_end..).unwrap_or_default());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"import * as import1 from "./snippets/x/js/helpers.js"
export function buildForm(provider) {
    const ret = wasm.buildForm(provider);
    return ret;
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_isArray_21b0c4f8557a4924: function() {
            return Array.isArray(arguments[0]);
        },
    };
    return {
        __proto__: null,
        "./connkit_form_bg.js": import0,
        "./snippets/x/js/helpers.js": import1,
    };
}
function getMemory() { return wasm.memory.buffer; }
"#;

    fn renames() -> Renames {
        Renames::parse(
            r#"{ "imports": [
                ["./snippets/x/js/helpers.js", "ok", "a"],
                ["./connkit_form_bg.js", "__wbg_isArray_21b0c4f8557a4924", "b"]
              ], "exports": [["memory", "c"], ["buildForm", "d"]] }"#,
            "a".to_owned(),
        )
        .unwrap()
    }

    #[test]
    fn renames_exports_imports_and_the_import_module() {
        let out = rewrite_glue(GLUE, "./connkit_form_bg.js", &renames()).unwrap();
        assert!(out.contains("const ret = wasm.d(provider);"));
        assert!(out.contains("return wasm.c.buffer;"));
        assert!(out.contains("        b: function() {"));
        assert!(out.contains(
            "        \"a\": {\n            ...import0,\n            a: import1.ok,\n        },\n    };"
        ));
        assert!(!out.contains("__wbg_isArray") && !out.contains("\"./connkit_form_bg.js\""));
    }

    #[test]
    fn fails_on_an_export_it_cannot_rename() {
        let glue = GLUE.replace("wasm.memory", "wasm.table");
        assert!(rewrite_glue(&glue, "./connkit_form_bg.js", &renames()).is_err());
        let glue = GLUE.replace(
            "__wbg_isArray_21b0c4f8557a4924: function",
            "other: function",
        );
        assert!(rewrite_glue(&glue, "./connkit_form_bg.js", &renames()).is_err());
    }

    #[test]
    fn reads_the_import_module_of_a_binary() {
        // Magic, version, a type section, then an import section: 1 import "ab" "c" func 0.
        let wasm = [
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 8, 1, 2, b'a', b'b', 1, b'c',
            0, 0,
        ];
        assert_eq!(import_module(&wasm).unwrap(), "ab");
        assert!(import_module(&wasm[..12]).is_err());
    }
}
