//! Checks that the catalogues of words hold together. Each set ([`SETS`]) is a directory of
//! `{lang}.json` files, one per language of `connkit_core::lang::LANGUAGES`, each an object of
//! strings, read by the Rust files of the set's code:
//!
//! 1. **Every language, every key.** No language file missing or unknown; every language has
//!    exactly English's keys.
//! 2. **The same placeholders.** A key's `{name}`s are the same in every language.
//! 3. **No unused key.** Every key appears in the code as a string literal (`"form.title"`).
//! 4. **No unknown key.** Every literal key the code looks up (`.text("…")`, `.fill("…"`,
//!    `.tr("…")`, `.tr_with("…"`) is in English.
//!
//! Knows nothing about what the words say.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Result;
use connkit_core::lang::LANGUAGES;
use serde_json::Value;

use super::{Problems, rust_files};

/// `(catalogue directory, code that reads it, code left out)`, relative to the root.
const SETS: [(&str, &str, Option<&str>); 3] = [
    (
        "www/connect/i18n",
        "crates/connkit-widget/src",
        Some("crates/connkit-widget/src/demo"),
    ),
    ("www/i18n", "crates/connkit-widget/src/demo", None),
    (
        "crates/connkit-server/src/oauth/i18n",
        "crates/connkit-server/src/oauth",
        None,
    ),
];

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    for (dir, code_dir, left_out) in SETS {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(root.join(dir))? {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            files.insert(name.into_owned(), std::fs::read_to_string(&path)?);
        }
        let mut code = String::new();
        for file in rust_files(&root.join(code_dir)) {
            if left_out.is_some_and(|l| file.starts_with(root.join(l))) {
                continue;
            }
            code.push_str(&std::fs::read_to_string(file)?);
        }
        for problem in check_set(&files, &code) {
            problems.push(format!("{dir}: {problem}"));
        }
    }
    Ok(())
}

/// What is wrong with one set: its files by name, and the code that reads them.
fn check_set(files: &BTreeMap<String, String>, code: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut catalogues = BTreeMap::new();
    for (name, text) in files {
        let Some(lang) = name.strip_suffix(".json").filter(|l| LANGUAGES.contains(l)) else {
            problems.push(format!(
                "{name}: not a catalogue of a language connkit speaks"
            ));
            continue;
        };
        match words(text) {
            Some(words) => {
                catalogues.insert(lang, words);
            }
            None => problems.push(format!("{name}: not a JSON object of strings")),
        }
    }
    for lang in LANGUAGES {
        if !files.contains_key(&format!("{lang}.json")) {
            problems.push(format!("{lang}.json: missing"));
        }
    }
    let Some(english) = catalogues.get(LANGUAGES[0]) else {
        return problems;
    };
    for (lang, words) in &catalogues {
        for key in english.keys().filter(|k| !words.contains_key(*k)) {
            problems.push(format!("{lang}.json: no `{key}`"));
        }
        for (key, text) in words {
            match english.get(key) {
                None => problems.push(format!("{lang}.json: `{key}` is not in en.json")),
                Some(en) if placeholders(en) != placeholders(text) => problems.push(format!(
                    "{lang}.json: `{key}` has placeholders {:?}, English {:?}",
                    placeholders(text),
                    placeholders(en)
                )),
                Some(_) => {}
            }
        }
    }
    for key in english.keys() {
        if !code.contains(&format!("\"{key}\"")) {
            problems.push(format!("en.json: `{key}` is used by no code"));
        }
    }
    for key in looked_up(code) {
        if !english.contains_key(&key) {
            problems.push(format!("`{key}` is looked up but not in en.json"));
        }
    }
    problems
}

/// A catalogue's `{key: text}`, if it is an object of strings.
fn words(text: &str) -> Option<BTreeMap<String, String>> {
    let Ok(Value::Object(map)) = serde_json::from_str(text) else {
        return None;
    };
    map.into_iter()
        .map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .collect()
}

/// The `{name}`s of a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let name = &rest[..close];
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                found.insert(name);
            }
        }
    }
    found
}

/// The literal keys the code looks up: the first argument of the methods `.text`, `.fill`,
/// `.tr` and `.tr_with`.
fn looked_up(code: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for call in [".text(\"", ".fill(\"", ".tr(\"", ".tr_with(\""] {
        for (at, _) in code.match_indices(call) {
            let rest = &code[at + call.len()..];
            if let Some(end) = rest.find('"') {
                keys.insert(rest[..end].to_owned());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A set whose every language has `en`'s words (fixtures then spoil one thing each).
    fn set(en: &str) -> BTreeMap<String, String> {
        LANGUAGES
            .iter()
            .map(|lang| (format!("{lang}.json"), en.to_owned()))
            .collect()
    }

    const EN: &str = r#"{"a.title": "Hello {name}", "a.close": "Close"}"#;
    const CODE: &str = r#"t.fill("a.title", &[("name", n)]); let k = "a.close"; t.text(k);"#;

    #[test]
    fn a_set_that_holds_together_passes() {
        assert_eq!(check_set(&set(EN), CODE), Vec::<String>::new());
    }

    #[test]
    fn a_missing_language_or_key_is_found() {
        let mut files = set(EN);
        files.remove("pl.json");
        files.insert("de.json".into(), r#"{"a.title": "Hallo {name}"}"#.into());
        files.insert("sv.json".into(), EN.into());
        assert_eq!(
            check_set(&files, CODE),
            [
                "sv.json: not a catalogue of a language connkit speaks",
                "pl.json: missing",
                "de.json: no `a.close`",
            ]
        );
    }

    #[test]
    fn placeholders_must_match() {
        let mut files = set(EN);
        files.insert(
            "fr.json".into(),
            r#"{"a.title": "Bonjour {nom}", "a.close": "Fermer"}"#.into(),
        );
        assert_eq!(
            check_set(&files, CODE),
            [r#"fr.json: `a.title` has placeholders {"nom"}, English {"name"}"#]
        );
    }

    #[test]
    fn unused_and_unknown_keys_are_found() {
        let code = r#"t.fill("a.title", &[]); t.text("a.gone");"#;
        assert_eq!(
            check_set(&set(EN), code),
            [
                "en.json: `a.close` is used by no code",
                "`a.gone` is looked up but not in en.json",
            ]
        );
        let mut files = set(EN);
        files.insert("ja.json".into(), r#"{"a.title": 1}"#.into());
        files.insert(
            "it.json".into(),
            r#"{"a.title": "Ciao {name}", "a.close": "Chiudi", "a.more": "Altro"}"#.into(),
        );
        assert_eq!(
            check_set(&files, CODE),
            [
                "ja.json: not a JSON object of strings",
                "it.json: `a.more` is not in en.json",
            ]
        );
    }
}
