//! Checks on documentation references: every `§` that a source, test, vector or doc file cites
//! exists in the document it cites, and every backticked repository path and relative link in
//! README.md, ARCHITECTURE.md and `docs/*.md` names something in the repository.
//!
//! A citation is `§N`, `§N.N` or a range `§N.N–N.M` (en dash or hyphen). It cites
//! `docs/toolchain.md` when the nearest document named before it on its line is the toolchain
//! notes (`docs/toolchain.md`, `TOOLCHAIN`), else the specification, `docs/nango-wire.md`; an
//! unqualified `§` inside `docs/toolchain.md` is that file's own. A section exists when the
//! document has its heading (`## N.`, `### N.N`) or, in a section without `###` subsections
//! (§11 of the specification is a numbered list), when `N.K` is item K of that section's list.
//!
//! Knows nothing about the rules or what the documents say: it reads text files.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};

use super::Problems;

/// The specification: `spec §N.N` and every unqualified `§` cite it.
const SPEC: &str = "docs/nango-wire.md";
/// The toolchain notes, cited as `docs/toolchain.md §N`.
const TOOLCHAIN: &str = "docs/toolchain.md";
/// Directories of outputs and installed packages: never walked, and paths into them are not
/// checked (they exist only after a build).
const OUTPUT_DIRS: [&str; 5] = [".git", "target", "dist", "node_modules", ".connkit"];
/// Extensions of the files searched for citations, and of the words that count as file paths.
const TEXT_EXTENSIONS: [&str; 16] = [
    "rs", "md", "toml", "json", "mjs", "js", "cjs", "ts", "html", "css", "yaml", "yml", "sh",
    "sql", "txt", "lock",
];
/// Markdown files at the root whose paths and links are checked (besides `docs/*.md`).
const ROOT_DOCS: [&str; 2] = ["README.md", "ARCHITECTURE.md"];
/// The specification quotes Nango's repository (`packages/…`, `docs/spec.yaml`): only its paths
/// under these connkit directories are connkit's own.
const SPEC_OWN_PREFIXES: [&str; 2] = ["crates/", "tests/"];

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    let tree = Tree::walk(root)?;
    let spec = Sections::of(root, SPEC, problems);
    let toolchain = Sections::of(root, TOOLCHAIN, problems);
    for file in tree
        .files
        .iter()
        .filter(|f| has_extension(f, &TEXT_EXTENSIONS))
    {
        let bytes = std::fs::read(root.join(file)).with_context(|| format!("reading {file}"))?;
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let own = if file == TOOLCHAIN {
            Doc::Toolchain
        } else {
            Doc::Spec
        };
        for (idx, line) in text.lines().enumerate() {
            for cite in citations(line, own) {
                let (sections, name) = match cite.doc {
                    Doc::Spec => (&spec, SPEC),
                    Doc::Toolchain => (&toolchain, TOOLCHAIN),
                };
                if let Some(why) = sections.check(&cite) {
                    problems.push(format!("{file}:{}: §{} {why} {name}", idx + 1, cite.text));
                }
            }
        }
    }
    let docs = ROOT_DOCS.iter().map(|d| (*d).to_owned()).chain(
        tree.files
            .iter()
            .filter(|f| f.starts_with("docs/") && f.ends_with(".md") && !f[5..].contains('/'))
            .cloned(),
    );
    for file in docs {
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        check_markdown(root, &file, &text, &tree, problems);
    }
    Ok(())
}

/// Which document a citation points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doc {
    Spec,
    Toolchain,
}

/// One `§` citation: `first`, or the range `first`–`last`, as written (`text`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Citation {
    doc: Doc,
    first: String,
    last: Option<String>,
    text: String,
}

/// Every `§` citation on `line`; `own` is the document an unqualified one cites.
fn citations(line: &str, own: Doc) -> Vec<Citation> {
    let mut out = Vec::new();
    for (at, sign) in line.match_indices('§') {
        let rest = &line[at + sign.len()..];
        let Some(first) = section_number(rest) else {
            continue;
        };
        let after = &rest[first.len()..];
        let range = ['–', '-'].iter().find_map(|dash| {
            let last = section_number(after.strip_prefix(*dash)?)?;
            Some((last, dash.len_utf8() + last.len()))
        });
        let len = first.len() + range.map_or(0, |(_, n)| n);
        out.push(Citation {
            doc: doc_before(&line[..at], own),
            first: first.to_owned(),
            last: range.map(|(last, _)| last.to_owned()),
            text: rest[..len].to_owned(),
        });
    }
    out
}

/// `N` or `N.N` at the start of `text` (a trailing period is not part of it).
fn section_number(text: &str) -> Option<&str> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let major = digits(text);
    if major == 0 {
        return None;
    }
    let minor = text[major..].strip_prefix('.').map_or(0, digits);
    let len = if minor > 0 { major + 1 + minor } else { major };
    Some(&text[..len])
}

/// The document named last in `prefix` (the text before a `§` on its line), else `own`.
fn doc_before(prefix: &str, own: Doc) -> Doc {
    let lower = prefix.to_ascii_lowercase();
    let toolchain = lower.rfind("toolchain");
    let spec = [lower.rfind("spec"), lower.rfind("nango-wire")]
        .into_iter()
        .flatten()
        .max();
    match (toolchain, spec) {
        (Some(t), Some(s)) if t > s => Doc::Toolchain,
        (Some(_), None) => Doc::Toolchain,
        (_, Some(_)) => Doc::Spec,
        (None, None) => own,
    }
}

/// The section numbers a document defines.
#[derive(Debug, Default)]
struct Sections {
    ids: BTreeSet<String>,
}

impl Sections {
    /// The sections of the document at `path`; a missing document is a problem, and then has none.
    fn of(root: &Path, path: &str, problems: &mut Problems) -> Sections {
        match std::fs::read_to_string(root.join(path)) {
            Ok(text) => Sections::parse(&text),
            Err(err) => {
                problems.push(format!("{path}: cannot be read ({err})"));
                Sections::default()
            }
        }
    }

    /// Headings `## N. …` and `### N.N …`, and the items `K. …` of each `##` section that has no
    /// `###` subsection, as `N.K`. Fenced code is skipped.
    fn parse(text: &str) -> Sections {
        let mut ids = BTreeSet::new();
        let mut subdivided = BTreeSet::new();
        let mut items: Vec<(String, String)> = Vec::new();
        let mut current: Option<String> = None;
        for line in unfenced_lines(text) {
            if let Some(title) = line.strip_prefix("## ") {
                current = section_number(title)
                    .filter(|n| !n.contains('.'))
                    .map(str::to_owned);
                ids.extend(current.clone());
            } else if let Some(title) = line.strip_prefix("### ") {
                if let Some(id) = section_number(title).filter(|n| n.contains('.')) {
                    subdivided.extend(id.split('.').next().map(str::to_owned));
                    ids.insert(id.to_owned());
                }
            } else if let (Some(section), Some(item)) = (&current, list_item(line)) {
                items.push((section.clone(), item.to_owned()));
            }
        }
        for (section, item) in items {
            if !subdivided.contains(&section) {
                ids.insert(format!("{section}.{item}"));
            }
        }
        Sections { ids }
    }

    /// Why `cite` does not resolve here (`None` when it does).
    fn check(&self, cite: &Citation) -> Option<&'static str> {
        let known = |id: &str| self.ids.contains(id);
        if !known(&cite.first) || !cite.last.as_deref().is_none_or(known) {
            return Some("is not a section of");
        }
        match &cite.last {
            Some(last) if order_key(last) <= order_key(&cite.first) => {
                Some("is a backwards range in")
            }
            _ => None,
        }
    }
}

/// `1.10` after `1.9`: section numbers compared as numbers.
fn order_key(id: &str) -> Vec<u32> {
    id.split('.').filter_map(|n| n.parse().ok()).collect()
}

/// `K` of a numbered list item `K. …` starting at the first column.
fn list_item(line: &str) -> Option<&str> {
    let number = section_number(line).filter(|n| !n.contains('.'))?;
    line[number.len()..].starts_with(". ").then_some(number)
}

/// The lines of `text` outside fenced code blocks, each as `""` inside one (so line numbers hold).
fn unfenced_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().map(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return "";
        }
        if fenced { "" } else { line }
    })
}

/// Every file and directory of the repository, as `/`-separated relative paths, outside
/// [`OUTPUT_DIRS`].
#[derive(Debug, Default)]
struct Tree {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

impl Tree {
    fn walk(root: &Path) -> Result<Tree> {
        let mut tree = Tree::default();
        let mut pending = vec![String::new()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(root.join(&dir))
                .with_context(|| format!("listing {}", root.join(&dir).display()))?;
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if OUTPUT_DIRS.contains(&name.as_str()) {
                    continue;
                }
                let path = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                if entry.file_type()?.is_dir() {
                    tree.dirs.insert(path.clone());
                    pending.push(path);
                } else {
                    tree.files.insert(path);
                }
            }
        }
        Ok(tree)
    }

    /// True if `name` is the name of an entry at the root (`crates`, `Trunk.toml`).
    fn is_top_level(&self, name: &str) -> bool {
        self.dirs.contains(name) || self.files.contains(name)
    }

    /// True if `path` names an entry, from the root or as the tail of a longer path (documents
    /// name files relative to their crate: `tags/facts.rs`). `dir`: only directories count.
    fn resolves(&self, path: &str, dir: bool) -> bool {
        let tail = format!("/{path}");
        let matches = |entry: &String| *entry == path || entry.ends_with(&tail);
        self.dirs.iter().any(matches) || (!dir && self.files.iter().any(matches))
    }
}

/// The backticked paths and relative links of one Markdown file that name nothing.
fn check_markdown(root: &Path, file: &str, text: &str, tree: &Tree, problems: &mut Problems) {
    let plain: Vec<&str> = unfenced_lines(text).collect();
    let joined = plain.join("\n");
    for (line, span) in code_spans(&joined) {
        let Some(path) = repository_path(span, tree) else {
            continue;
        };
        if file == SPEC && !SPEC_OWN_PREFIXES.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        if path.split('/').any(|segment| segment == "..") {
            problems.push(format!(
                "{file}:{line}: `{span}` points outside the repository"
            ));
        } else if !tree.resolves(path.trim_end_matches('/'), path.ends_with('/')) {
            problems.push(format!(
                "{file}:{line}: `{span}` names nothing in the repository"
            ));
        }
    }
    let base = Path::new(file).parent().unwrap_or(Path::new(""));
    for (idx, line) in plain.iter().enumerate() {
        for target in link_targets(line) {
            let inside = root
                .join(base)
                .join(target)
                .canonicalize()
                .is_ok_and(|p| p.starts_with(root));
            if !inside {
                problems.push(format!(
                    "{file}:{}: link ({target}) names nothing in the repository",
                    idx + 1
                ));
            }
        }
    }
}

/// Inline code spans of `text` with the line each starts on.
fn code_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pieces = text.split('`');
    let mut line = 1;
    while let Some(outside) = pieces.next() {
        line += outside.matches('\n').count();
        let Some(inside) = pieces.next() else {
            break;
        };
        out.push((line, inside));
        line += inside.matches('\n').count();
    }
    out
}

/// The repository path a code span names, if it is one: no spaces, placeholders or globs; a
/// known file extension, or a `/` with a top-level directory first or a `/` at the end. A
/// `:line` suffix is dropped. Paths into outputs ([`OUTPUT_DIRS`]) are not checked.
fn repository_path<'a>(span: &'a str, tree: &Tree) -> Option<&'a str> {
    let path = strip_line_suffix(span);
    let path = path.strip_prefix("./").unwrap_or(path);
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.-/+".contains(c);
    if path.is_empty() || path.starts_with(['/', '-']) || !path.chars().all(allowed) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| OUTPUT_DIRS.contains(s)) {
        return None;
    }
    let directory_like =
        path.contains('/') && (path.ends_with('/') || tree.is_top_level(segments[0]));
    (has_extension(path, &TEXT_EXTENSIONS) || directory_like).then_some(path)
}

/// `path` without a `:12` or `:12-20` line suffix.
fn strip_line_suffix(path: &str) -> &str {
    match path.rsplit_once(':') {
        Some((file, lines))
            if !lines.is_empty() && lines.chars().all(|c| c.is_ascii_digit() || c == '-') =>
        {
            file
        }
        _ => path,
    }
}

/// True if the last segment of `path` ends in `.ext` for one of `extensions`.
fn has_extension(path: &str, extensions: &[&str]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) => !stem.is_empty() && extensions.contains(&ext),
        None => false,
    }
}

/// Targets of Markdown links `[text](target)` on `line` that name a local file (no scheme, not
/// an anchor), without their `#anchor`.
fn link_targets(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, _) in line.match_indices("](") {
        let rest = &line[at + 2..];
        let Some(end) = rest.find(')') else {
            continue;
        };
        let target = rest[..end].split('#').next().unwrap_or("");
        if !target.is_empty() && !target.contains(':') && !target.contains(' ') {
            out.push(target);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! The fixtures write `§` as `\u{a7}`, so that tidy does not read them as citations.

    use super::*;

    const DOC: &str = "\
# Title
## 1. Tags
### 1.2 Rules
1. not an item of \u{a7}1: it has subsections
## 11. Surprises
1. first
2. second
   3. indented, not an item
```
### 9.9 in a fence
```
## 12. Differences
";

    #[test]
    fn sections_are_headings_and_items_of_undivided_sections() {
        let ids: Vec<String> = Sections::parse(DOC).ids.into_iter().collect();
        assert_eq!(ids, ["1", "1.2", "11", "11.1", "11.2", "12"]);
    }

    #[test]
    fn citations_pick_their_document_and_ranges() {
        let line = "spec \u{a7}5.5 freshdesk; \u{a7}4.3, `docs/toolchain.md` \u{a7}2 and spec \u{a7}6.2–6.6, \u{a7}N.N.";
        let found: Vec<(Doc, String, Option<String>, String)> = citations(line, Doc::Spec)
            .into_iter()
            .map(|c| (c.doc, c.first, c.last, c.text))
            .collect();
        let s = |x: &str| x.to_owned();
        assert_eq!(
            found,
            [
                (Doc::Spec, s("5.5"), None, s("5.5")),
                (Doc::Spec, s("4.3"), None, s("4.3")),
                (Doc::Toolchain, s("2"), None, s("2")),
                (Doc::Spec, s("6.2"), Some(s("6.6")), s("6.2–6.6")),
            ]
        );
        assert_eq!(
            citations("see (\u{a7}3) and \u{a7}11's list", Doc::Toolchain)[0].doc,
            Doc::Toolchain
        );
        assert_eq!(
            citations("TOOLCHAIN \u{a7}7", Doc::Spec)[0].doc,
            Doc::Toolchain
        );
    }

    #[test]
    fn sections_reject_unknown_and_backwards_citations() {
        let sections = Sections::parse(DOC);
        let cite = |text: &str| citations(text, Doc::Spec).remove(0);
        assert_eq!(sections.check(&cite("\u{a7}11.2")), None);
        assert_eq!(sections.check(&cite("\u{a7}1.2-11.1")), None);
        assert_eq!(
            sections.check(&cite("\u{a7}1.3")),
            Some("is not a section of")
        );
        assert_eq!(
            sections.check(&cite("\u{a7}11.3")),
            Some("is not a section of")
        );
        assert_eq!(
            sections.check(&cite("\u{a7}1.1")),
            Some("is not a section of")
        );
        assert_eq!(
            sections.check(&cite("\u{a7}11.2–11.1")),
            Some("is a backwards range in")
        );
    }

    fn tree() -> Tree {
        let mut tree = Tree::default();
        for dir in [
            "crates",
            "crates/core",
            "crates/core/src",
            "crates/core/src/tags",
            "www",
        ] {
            tree.dirs.insert(dir.to_owned());
        }
        for file in ["crates/core/src/tags/facts.rs", "Trunk.toml", "www/app.css"] {
            tree.files.insert(file.to_owned());
        }
        tree
    }

    #[test]
    fn paths_are_words_that_look_like_files() {
        let tree = tree();
        let path = |span: &'static str| repository_path(span, &tree);
        assert_eq!(
            path("crates/core/src/tags/facts.rs:12"),
            Some("crates/core/src/tags/facts.rs")
        );
        assert_eq!(path("Trunk.toml"), Some("Trunk.toml"));
        assert_eq!(path("crates/core"), Some("crates/core"));
        assert_eq!(path("tags/"), Some("tags/"));
        assert_eq!(path("application/json"), None);
        assert_eq!(path("/connect/"), None);
        assert_eq!(path("target/npm/connkit/"), None);
        assert_eq!(path("tests/vectors/*.json"), None);
        assert_eq!(path("<data-dir>/connkit.db"), None);
        assert_eq!(path("GET /health"), None);
        assert_eq!(path("Object.keys"), None);
        assert_eq!(path("https://example.com/a.js"), None);
    }

    #[test]
    fn paths_resolve_from_the_root_or_as_a_tail() {
        let tree = tree();
        assert!(tree.resolves("crates/core/src/tags/facts.rs", false));
        assert!(tree.resolves("tags/facts.rs", false));
        assert!(tree.resolves("tags", true));
        assert!(!tree.resolves("facts.rs/x", false));
        assert!(!tree.resolves("ags/facts.rs", false));
        assert!(!tree.resolves("Trunk.toml", true));
        assert!(!tree.resolves("url_host.rs", false));
    }

    #[test]
    fn code_spans_know_their_lines() {
        let text = "a `x.rs` b\n`y\nz` c `w.md`";
        assert_eq!(code_spans(text), [(1, "x.rs"), (2, "y\nz"), (3, "w.md")]);
        assert_eq!(
            link_targets("[a](b.md#top), [c](https://x.io), [d](#e)"),
            ["b.md"]
        );
    }
}
