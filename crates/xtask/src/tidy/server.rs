//! Checks that connkit-server stays glue (ARCHITECTURE.md: the server writes no rule). On every
//! `.rs` file under `crates/connkit-server/src/`, ignoring `//` comments and a file's trailing
//! `#[cfg(test)]` module:
//!
//! 1. **No Nango issue is built.** No `NangoIssue::` path (its constructors and associated
//!    functions), no `NangoIssue { … }` (a literal, or a pattern: the server needs neither), no
//!    `NangoIssue as` rename, and nothing but the type
//!    `NangoIssue` named from `connkit_core::nango` (its free functions build issues too).
//!    Carrying the type (`Vec<NangoIssue>`) is fine: the lists come from core.
//! 2. **No number of a rule.** A `const` or `static` whose type is an integer or float
//!    primitive, or whose value is a numeric literal, must be one of [`OPERATIONAL`]: the
//!    server's own numbers, each with why no rule owns it. A new one is either added there with
//!    its reason or belongs in `connkit_core::limits`.
//!
//! Knows nothing about what the rules are.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Problems;

/// The server's own numeric constants, `(file under src/, name, what it sizes)`.
const OPERATIONAL: [(&str, &str, &str); 17] = [
    (
        "demo.rs",
        "INBOX_SIZE",
        "how many received webhooks the demo inbox keeps",
    ),
    (
        "crypto.rs",
        "SEALED_V1",
        "the version byte of the sealed-credentials format",
    ),
    (
        "crypto.rs",
        "NONCE_LEN",
        "XChaCha20-Poly1305's nonce length",
    ),
    (
        "static_files.rs",
        "LARGEST_PAGE",
        "the largest static page whose inline scripts are hashed for its policy",
    ),
    (
        "serve.rs",
        "RESERVED_FILES",
        "file descriptors kept free under the open-file limit beside connections",
    ),
    (
        "routes/outbox.rs",
        "LISTED",
        "how many failed webhooks the operator's list shows",
    ),
    (
        "webhook.rs",
        "CONCURRENCY",
        "how many webhook deliveries run at once",
    ),
    (
        "store/postgres.rs",
        "POOL_SIZE",
        "how many PostgreSQL connections one server opens at most",
    ),
    (
        "store/group.rs",
        "BATCH_ROWS",
        "how many connect sessions one group commit writes (under SQLite's parameter limit)",
    ),
    (
        "store/group.rs",
        "SQLITE_IDLE",
        "how long the session writer keeps SQLite's write connection without rows",
    ),
    (
        "store/group.rs",
        "SQLITE_TURN",
        "how long the session writer holds SQLite's write connection at most",
    ),
    (
        "store/group.rs",
        "PG_IDLE",
        "how long the session writer keeps its PostgreSQL connection without rows",
    ),
    (
        "crypto.rs",
        "SESSION_ORDER_DIGITS",
        "the hex digits of connkit's session tokens that carry their creation time",
    ),
    (
        "store/copy.rs",
        "MAX_BATCH",
        "how many rows `connkit-server copy` writes per transaction at most",
    ),
    (
        "store/sqlite/copy.rs",
        "TAG_ROWS",
        "how many connection_tags rows one statement of a copy writes",
    ),
    (
        "store/oauth.rs",
        "RESULT_LIFETIME",
        "how long a redirect-mode OAuth result waits for its page (connkit's own mode)",
    ),
    (
        "local_provider/mod.rs",
        "DEFAULT_EXPIRES_IN",
        "the lifetime of the local provider's access tokens (a test provider, not a rule)",
    ),
];

const NUMERIC_TYPES: [&str; 14] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64",
];

pub(super) fn check(root: &Path, files: &[PathBuf], problems: &mut Problems) -> Result<()> {
    let src = root.join("crates/connkit-server/src");
    for file in files.iter().filter(|f| f.starts_with(&src)) {
        let code = code_of(&std::fs::read_to_string(file)?);
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let local = file
            .strip_prefix(&src)
            .unwrap_or(file)
            .display()
            .to_string();
        for (line, what) in nango_issues_built(&code) {
            problems.push(format!(
                "{shown}:{line}: {what}; Nango issues come from core"
            ));
        }
        for (line, name) in numeric_consts(&code) {
            if !OPERATIONAL
                .iter()
                .any(|(f, n, _)| *f == local && *n == name)
            {
                problems.push(format!(
                    "{shown}:{line}: numeric constant `{name}`: a rule's number belongs in \
                     connkit_core::limits (the server's own go in tidy/server.rs OPERATIONAL)"
                ));
            }
        }
    }
    Ok(())
}

/// The text of a source file that is code: `//` comments blanked (lines kept, so line numbers
/// hold), everything from `#[cfg(test)]` on dropped.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        out.push_str(line.split("//").next().unwrap_or(""));
        out.push('\n');
    }
    out
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

/// Where `code` builds (or could build) a Nango issue, with what was found.
fn nango_issues_built(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("NangoIssue") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = code[at + "NangoIssue".len()..].trim_start();
        let what = if rest.starts_with("::") {
            "`NangoIssue::…`"
        } else if rest.starts_with('{') && !is_return_type(&code[..at]) {
            "a `NangoIssue { … }` literal"
        } else if rest.starts_with("as ") {
            "a renamed `NangoIssue`"
        } else {
            continue;
        };
        found.push((line_of(code, at), what.to_owned()));
    }
    for (at, _) in code.match_indices("nango::") {
        let rest = &code[at + "nango::".len()..];
        let named: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect(),
            None => vec![
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
                    .next()
                    .unwrap_or(""),
            ],
        };
        for name in named.into_iter().filter(|n| *n != "NangoIssue") {
            found.push((line_of(code, at), format!("`nango::{name}`")));
        }
    }
    found
}

/// True when the `NangoIssue` that follows `before` is a function's return type (`-> path::`),
/// whose `{` opens the function's body.
fn is_return_type(before: &str) -> bool {
    let path_start = before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
    path_start.trim_end().ends_with("->")
}

/// Every `const` / `static` with a numeric primitive type or a numeric literal value, as
/// `(line, name)`.
fn numeric_consts(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(keyword) = words.iter().position(|w| *w == "const" || *w == "static") else {
            continue;
        };
        let is_fn = words.get(keyword + 1) == Some(&"fn");
        if is_fn || !words[..keyword].iter().all(|w| w.starts_with("pub")) {
            continue;
        }
        // The declaration up to its `;`, which may run over several lines.
        let decl = code[start..].split(';').next().unwrap_or("");
        let Some((head, value)) = decl.split_once('=') else {
            continue;
        };
        let Some((name, ty)) = head.split_once(':') else {
            continue;
        };
        let name = name.split_whitespace().last().unwrap_or("").to_owned();
        let numeric_type = NUMERIC_TYPES.contains(&ty.trim());
        let literal = value.trim().trim_start_matches('-');
        let numeric_value = literal.starts_with(|c: char| c.is_ascii_digit());
        if numeric_type || numeric_value {
            found.push((line_of(code, start), name));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nango_issues_built_are_found_and_carried_ones_are_not() {
        let code = code_of(
            "use connkit_core::nango::NangoIssue;\n\
             use connkit_core::nango::{NangoIssue, length_quirk_issues};\n\
             fn f(list: Vec<NangoIssue>) -> Vec<NangoIssue> { list }\n\
             let a = NangoIssue::custom(\"x\", vec![]);\n\
             let b = NangoIssue { code: \"c\", message: m, path: p };\n\
             use connkit_core::nango::NangoIssue as Issue;\n\
             fn g() -> connkit_core::nango::NangoIssue {\n\
             // NangoIssue::new in a comment is fine\n\
             #[cfg(test)]\n\
             let c = NangoIssue::custom(\"test\", vec![]);\n",
        );
        let lines: Vec<usize> = nango_issues_built(&code).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [4, 5, 6, 2]);
    }

    #[test]
    fn numeric_constants_are_found_by_type_or_value() {
        let code = code_of(
            "const A: usize = 1;\n\
             pub(crate) const B: f64 =\n    2000.0;\n\
             const C: Micros = -5;\n\
             const D: &str = \"9\";\n\
             static E: [u8; 2] = [1, 2];\n\
             const F: Duration = Duration::from_secs(3);\n\
             let g = 1; // const G: usize = 1;\n\
             pub(crate) const fn h(x: u8) -> u8 { match x { 0 => 1, _ => 2 } }\n",
        );
        let names: Vec<String> = numeric_consts(&code).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["A", "B", "C"]);
    }
}
