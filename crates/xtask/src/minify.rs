//! Short import and export names for a wasm module and its wasm-bindgen glue.
//!
//! wasm-bindgen names each import after the function and a hash of its signature
//! (`__wbg_isArray_21b0c4f8557a4924`) and keeps the Rust export names; both names are written
//! twice, in the module and in its glue, and hashes do not compress. binaryen's
//! `--minify-imports-and-exports-and-modules` renames them all (one import module, names `a`,
//! `b`, …) and prints what it renamed; [`rewrite_glue`] then renames the same things in the
//! glue: every `wasm.<export>`, every key of the glue's own imports object, and the returned
//! imports object, which becomes one module. The glue's own imports the module no longer has
//! (binaryen dropped them with the code that called them) leave the glue too. On a page that
//! loads one npm module this is about 0.9 KB of its gzip size, on the widget's about 2.5 KB.
//!
//! Used by the npm package's modules and the widget's Trunk build alike.
//!
//! The glue is that of the pinned wasm-bindgen (`--target web`); every rename must find its
//! place exactly, or the build fails, so a glue of another shape cannot pass unnoticed.
//! Knows nothing about what the module does.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::cmd::{output, program};
use crate::wasm_binary::import_module;

/// The last wasm-opt run over `bg`, an optimised module: strips the producers and target
/// features sections, which no engine reads, and, given its glue and the glue's own import
/// module (`./connkit_form_bg.js`), renames imports and exports in both. Not with
/// `--converge`, which would rename again.
pub(crate) fn finish(wasm_opt: &Path, bg: &Path, glue: Option<(&Path, &str)>) -> Result<()> {
    let mut run = program("node");
    run.arg(wasm_opt);
    if glue.is_some() {
        run.arg("--minify-imports-and-exports-and-modules");
    }
    run.args(["--strip-producers", "--strip-target-features"])
        .arg(bg)
        .arg("-o")
        .arg(bg);
    let printed = output(&mut run)?;
    let Some((glue, own)) = glue else {
        return Ok(());
    };
    let renames = Renames::parse(&printed, import_module(&std::fs::read(bg)?)?)?;
    let text = std::fs::read_to_string(glue)?;
    std::fs::write(glue, rewrite_glue(&text, own, &renames)?)
        .with_context(|| format!("writing {}", glue.display()))
}

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

/// The glue `glue` (of the module whose own imports come from `own`, e.g.
/// `./connkit_form_bg.js`) with `renames` applied.
pub(crate) fn rewrite_glue(glue: &str, own: &str, renames: &Renames) -> Result<String> {
    let kept: Vec<&str> = renames
        .imports
        .iter()
        .filter(|(module, _, _)| module == own)
        .map(|(_, base, _)| base.as_str())
        .collect();
    let mut out = rename_exports(&drop_own_imports(glue, &kept)?, &renames.exports)?;
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

/// The glue without the functions of its own imports object that are not in `kept`. Each one
/// starts with an `        <name>: function(` line and runs to the next one or to the end of
/// the object, `    };`; its body is indented deeper.
fn drop_own_imports(glue: &str, kept: &[&str]) -> Result<String> {
    let head = "    const import0 = {\n        __proto__: null,\n";
    let start = glue
        .find(head)
        .map(|at| at + head.len())
        .context("the glue's own imports object is not where wasm-bindgen writes it")?;
    let end = glue
        .get(start..)
        .and_then(|rest| rest.find("\n    };\n"))
        .map(|at| start + at + 1)
        .context("the glue's own imports object does not end")?;
    let mut out = String::with_capacity(glue.len());
    out.push_str(glue.get(..start).unwrap_or_default());
    let mut keep = true;
    for line in glue
        .get(start..end)
        .unwrap_or_default()
        .split_inclusive('\n')
    {
        let entry = line
            .strip_prefix("        ")
            .filter(|rest| !rest.starts_with(' '))
            .and_then(|rest| rest.split_once(": function("))
            .map(|(name, _)| name);
        if let Some(name) = entry {
            keep = kept.contains(&name);
        } else if !line.starts_with("        ") {
            bail!("unexpected line in the glue's own imports: {line}");
        }
        if keep {
            out.push_str(line);
        }
    }
    out.push_str(glue.get(end..).unwrap_or_default());
    Ok(out)
}

/// Every `wasm.<name>` with the export's new name.
fn rename_exports(glue: &str, exports: &[(String, String)]) -> Result<String> {
    map_exports(glue, |name| {
        match exports.iter().find(|(from, _)| from == name) {
            Some((_, to)) => Ok(to.clone()),
            None => bail!("the glue uses wasm.{name}, which the module does not export"),
        }
    })
}

/// The names of the module's exports the glue uses (`wasm.<name>`): the only ones JavaScript
/// reaches.
pub(crate) fn exports_used(glue: &str) -> Vec<String> {
    let mut used = Vec::new();
    let _ = map_exports(glue, |name| {
        if !used.iter().any(|it| it == name) {
            used.push(name.to_owned());
        }
        Ok(name.to_owned())
    });
    used
}

/// The glue with each `wasm.<name>` replaced by `wasm.<f(name)>`.
fn map_exports(glue: &str, mut f: impl FnMut(&str) -> Result<String>) -> Result<String> {
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
        out.push_str(&f(after.get(..end).unwrap_or_default())?);
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
        __wbg_call_a410eb4b59ed5965: function() { return handleError(function (arg0, arg1) {
            const ret = arg0.call(arg1);
            return ret;
        }, arguments); },
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
        // The module no longer imports `call`: its function leaves the glue, whole.
        assert!(!out.contains("call") && !out.contains("arguments); },"));
        assert!(out.contains(concat!(
            "        b: function() {\n",
            "            return Array.isArray(arguments[0]);\n",
            "        },\n    };\n"
        )));
    }

    #[test]
    fn lists_the_exports_the_glue_uses() {
        assert_eq!(exports_used(GLUE), ["buildForm", "memory"]);
        assert_eq!(exports_used("xwasm.a; wasm.b(wasm.b)"), ["b"]);
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
}
