//! Import edges between modules. In every crate under `crates/`, no top-level module imports
//! itself back through others (no circle); in connkit-core, a module imports another only where
//! [`CORE_EDGES`] allows it, so the layers stay what ARCHITECTURE.md says they are.
//!
//! A crate's nodes are the top-level modules of its `src/` (a submodule such as `form/render.rs`
//! counts as `form`) and each `src/bin/` file; `lib.rs` and `main.rs` are the root and no node.
//! An edge is a `crate::x` path in code (in a `use`, a `use crate::{a, B}` group or an
//! expression) or a `super::` path that climbs to the root; a name the root re-exports (`Issue`)
//! counts as the module that defines it (`error`). A `bin/` file reaches the library through
//! its crate name. Knows nothing about what the modules do.

mod lex;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Problems, rust_files};
use lex::{Tok, Token, tokens};

/// The imports allowed between connkit-core's top-level modules: `(module, what it may import)`,
/// one row per module, sorted. The JavaScript layer (`js`) and `ascii`, `error`, `limits` import
/// no rule module; rule modules stand on them and on each other only downwards. A new edge
/// needs a reason, written in the commit that adds it; tidy also fails on a row or an edge the
/// code no longer has, so the table stays true.
#[rustfmt::skip]
const CORE_EDGES: &[(&str, &[&str])] = &[
    ("ascii", &[]),
    ("auth", &[]),
    ("catalogue", &["error", "js", "nango"]),
    ("colour", &[]),
    ("credentials", &["error", "js", "limits", "nango"]),
    ("email", &[]),
    ("error", &[]),
    ("field", &["catalogue", "email", "error", "form", "interpolate", "js", "pattern"]),
    ("form", &["catalogue", "js"]),
    ("ids", &["error", "js", "limits", "nango"]),
    ("interpolate", &["error", "js"]),
    ("js", &[]),
    ("label", &["tags"]),
    ("lang", &[]),
    ("limits", &[]),
    ("metadata", &["error", "ids", "limits", "nango"]),
    ("modes", &["catalogue", "error", "field", "interpolate", "js", "limits", "oauth2", "pattern"]),
    ("nango", &["error", "js"]),
    ("oauth2", &["catalogue", "error", "field", "interpolate", "js", "limits", "pattern"]),
    ("pattern", &["js"]),
    ("request", &["catalogue", "credentials", "error", "ids", "js", "limits", "metadata", "nango", "oauth2", "session", "tag_filter", "tags"]),
    ("session", &["email", "error", "ids", "js", "limits", "nango", "tags"]),
    ("submit", &["catalogue", "field", "form", "pattern", "request"]),
    ("tag_filter", &["error", "js", "limits", "nango", "tags"]),
    ("tags", &["ascii", "email", "error", "js", "limits", "nango"]),
    ("webhook", &["error", "js", "tags"]),
];

/// The crate whose edges [`CORE_EDGES`] lists.
const CORE: &str = "connkit-core";

/// Where an edge was first seen: a file and a line.
type Site = (PathBuf, usize);

/// A crate's module graph: each edge `(from, to)` with the first place it appears.
#[derive(Debug, Default)]
struct Graph {
    nodes: BTreeSet<String>,
    edges: BTreeMap<(String, String), Site>,
}

pub(super) fn check(root: &Path, problems: &mut Problems) -> Result<()> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root.join("crates"))? {
        dirs.push(entry?.path());
    }
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.join("src").is_dir()) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let graph = module_graph(&dir, &name)?;
        for cycle in cycles(&graph) {
            problems.push(format!(
                "crates/{name}: import circle {} (lower modules must not import higher ones)",
                cycle.join(" → ")
            ));
        }
        if name == CORE {
            for finding in table_findings(&graph, CORE_EDGES) {
                problems.push(describe(root, &finding));
            }
        }
    }
    Ok(())
}

/// A disagreement between connkit-core's code and its table of edges.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TableFinding {
    /// The rows, or the modules of a row, are out of order.
    Unsorted,
    /// A module the table has no row for.
    NoRow(String),
    /// A row for a module that does not exist.
    UnknownRow(String),
    /// An allowed edge the code no longer has.
    Unused(String, String),
    /// An edge the table does not allow, where it first appears.
    NotAllowed(String, String, Site),
}

/// Compares connkit-core's edges with `table`, both ways.
fn table_findings(graph: &Graph, table: &[(&str, &[&str])]) -> Vec<TableFinding> {
    let mut out = Vec::new();
    let rows: Vec<&str> = table.iter().map(|(from, _)| *from).collect();
    if !rows.is_sorted() || table.iter().any(|(_, to)| !to.is_sorted()) {
        out.push(TableFinding::Unsorted);
    }
    for node in graph.nodes.iter().filter(|n| !rows.contains(&n.as_str())) {
        out.push(TableFinding::NoRow(node.clone()));
    }
    for (from, allowed) in table {
        if !graph.nodes.contains(*from) {
            out.push(TableFinding::UnknownRow((*from).to_owned()));
            continue;
        }
        for to in *allowed {
            let edge = ((*from).to_owned(), (*to).to_owned());
            if !graph.edges.contains_key(&edge) {
                out.push(TableFinding::Unused(edge.0, edge.1));
            }
        }
    }
    for ((from, to), site) in &graph.edges {
        if !table
            .iter()
            .any(|(f, tos)| f == from && tos.contains(&to.as_str()))
        {
            out.push(TableFinding::NotAllowed(
                from.clone(),
                to.clone(),
                site.clone(),
            ));
        }
    }
    out
}

/// One line for `finding`.
fn describe(root: &Path, finding: &TableFinding) -> String {
    let here = "crates/xtask/src/tidy/edges.rs";
    match finding {
        TableFinding::Unsorted => format!("{here}: CORE_EDGES is not sorted"),
        TableFinding::NoRow(module) => {
            format!("{here}: connkit-core module `{module}` has no row in CORE_EDGES")
        }
        TableFinding::UnknownRow(module) => format!(
            "{here}: CORE_EDGES has a row for `{module}`, which is not a connkit-core module"
        ),
        TableFinding::Unused(from, to) => format!(
            "{here}: CORE_EDGES allows `{from}` → `{to}`, which the code no longer has; remove it"
        ),
        TableFinding::NotAllowed(from, to, (file, line)) => format!(
            "{}:{line}: `{from}` imports `{to}`, an edge CORE_EDGES ({here}) does not allow; \
             add it with a reason, or import from a lower layer",
            file.strip_prefix(root).unwrap_or(file).display()
        ),
    }
}

/// The module graph of the crate in `dir` (`name` as in `crates/`).
fn module_graph(dir: &Path, name: &str) -> Result<Graph> {
    let src = dir.join("src");
    let root_file = ["lib.rs", "main.rs"]
        .into_iter()
        .map(|f| src.join(f))
        .find(|p| p.is_file());
    let root_text = match &root_file {
        Some(path) => std::fs::read_to_string(path)?,
        None => String::new(),
    };
    let mut files = Vec::new();
    for path in rust_files(&src) {
        let rel: Vec<String> = path
            .strip_prefix(&src)
            .unwrap_or(&path)
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if let Some((node, depth)) = node_of(&rel) {
            files.push((path, node, depth));
        }
    }
    let mut graph = Graph {
        nodes: files
            .iter()
            .map(|(_, node, _)| node.clone())
            .filter(|node| !node.starts_with("bin/"))
            .collect(),
        edges: BTreeMap::new(),
    };
    let reexports = root_reexports(&tokens(&root_text), &graph.nodes);
    let lib_ident = name.replace('-', "_");
    for (path, node, depth) in &files {
        let toks = tokens(&std::fs::read_to_string(path)?);
        let entry = if node.starts_with("bin/") {
            Entry::Library(&lib_ident)
        } else {
            Entry::Crate(*depth)
        };
        for (first, line) in path_heads(&toks, entry) {
            let target = if graph.nodes.contains(&first) {
                Some(first)
            } else {
                reexports.get(&first).cloned()
            };
            if let Some(target) = target.filter(|t| t != node) {
                graph
                    .edges
                    .entry((node.clone(), target))
                    .or_insert_with(|| (path.clone(), line));
            }
        }
    }
    Ok(graph)
}

/// The node a file under `src/` belongs to, and its module depth below the root
/// (`a.rs` and `a/mod.rs` 1, `a/b.rs` 2); `None` for the root files.
fn node_of(rel: &[String]) -> Option<(String, usize)> {
    let stem = |file: &str| file.strip_suffix(".rs").unwrap_or(file).to_owned();
    match rel {
        [file] if file == "lib.rs" || file == "main.rs" => None,
        [file] => Some((stem(file), 1)),
        [bin, rest @ ..] if bin == "bin" => Some((format!("bin/{}", stem(rest.first()?)), 0)),
        [top, rest @ ..] => {
            let below = rest.len() - usize::from(rest.last().is_some_and(|f| f == "mod.rs"));
            Some((top.clone(), 1 + below))
        }
        [] => None,
    }
}

/// How a file reaches the modules of the graph.
#[derive(Debug, Clone, Copy)]
enum Entry<'a> {
    /// Through `crate::` (and `super::` climbing past this many module levels).
    Crate(usize),
    /// Through the library's name (a `bin/` file).
    Library(&'a str),
}

/// The first segment after the root of every path that starts at the crate root, with its line:
/// `crate::a::b` → `a`, `use crate::{a, B}` → `a`, `B`.
fn path_heads(toks: &[Token], entry: Entry<'_>) -> Vec<(String, usize)> {
    let ident = |i: usize| match toks.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(name)) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, tok: Tok| toks.get(i).map(|t| &t.tok) == Some(&tok);
    let mut out = Vec::new();
    // Inline `mod x { … }` blocks open at these brace depths; each adds a level for `super`.
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut braces = 0_usize;
    let mut i = 0;
    while i < toks.len() {
        let path_start = i == 0 || !is(i - 1, Tok::PathSep);
        let start = match (ident(i), entry) {
            (Some("mod"), _) if ident(i + 1).is_some() && is(i + 2, Tok::Punct('{')) => {
                inline_mods.push(braces);
                None
            }
            (Some("crate"), Entry::Crate(_)) if path_start && is(i + 1, Tok::PathSep) => {
                Some(i + 2)
            }
            (Some("super"), Entry::Crate(depth)) if path_start => {
                let mut k = i;
                let mut levels = 0;
                while ident(k) == Some("super") && is(k + 1, Tok::PathSep) {
                    levels += 1;
                    k += 2;
                }
                (levels >= depth + inline_mods.len()).then_some(k)
            }
            (Some(name), Entry::Library(lib)) if name == lib && path_start => {
                is(i + 1, Tok::PathSep).then_some(i + 2)
            }
            _ => None,
        };
        match toks.get(i).map(|t| &t.tok) {
            Some(Tok::Punct('{')) => braces += 1,
            Some(Tok::Punct('}')) => {
                braces = braces.saturating_sub(1);
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
            }
            _ => {}
        }
        if let Some(mut k) = start {
            let line = toks.get(i).map_or(0, |t| t.line);
            let mut leaves = Vec::new();
            use_tree(toks, &mut k, None, &mut leaves);
            let mut firsts: Vec<String> = leaves.into_iter().map(|(first, _)| first).collect();
            firsts.dedup();
            out.extend(firsts.into_iter().map(|first| (first, line)));
        }
        // The path's own tokens are read again for braces; none of them starts a path.
        i += 1;
    }
    out
}

/// The leaves of the use tree (or path) at `i`: `(first segment, name bound)` for each, e.g.
/// `a::{b::C, D as E}` → `(a, C)`, `(a, E)`. Stops after the tree; `first` is the segment
/// already read above it.
fn use_tree(toks: &[Token], i: &mut usize, first: Option<String>, out: &mut Vec<(String, String)>) {
    let mut first = first;
    let mut last: Option<String> = None;
    while let Some(tok) = toks.get(*i).map(|t| &t.tok) {
        match tok {
            Tok::Ident(word) if word == "as" => {
                *i += 1;
                if let Some(Tok::Ident(alias)) = toks.get(*i).map(|t| &t.tok) {
                    last = Some(alias.clone());
                    *i += 1;
                }
            }
            Tok::Ident(word) => {
                if first.is_none() && !matches!(word.as_str(), "crate" | "self" | "super") {
                    first = Some(word.clone());
                }
                last = Some(word.clone());
                *i += 1;
            }
            Tok::PathSep => *i += 1,
            Tok::Punct('{') => {
                *i += 1;
                loop {
                    use_tree(toks, i, first.clone(), out);
                    match toks.get(*i).map(|t| &t.tok) {
                        Some(Tok::Punct(',')) => *i += 1,
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            _ => break,
        }
    }
    if let (Some(first), Some(last)) = (first, last) {
        out.push((first, last));
    }
}

/// What the root file's `use` items bring into the root namespace from a top-level module:
/// bound name → module (`pub use error::{Issue, …}` makes `crate::Issue` mean `error`).
fn root_reexports(toks: &[Token], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut braces = 0_usize;
    for (i, token) in toks.iter().enumerate() {
        match &token.tok {
            Tok::Punct('{') => braces += 1,
            Tok::Punct('}') => braces = braces.saturating_sub(1),
            Tok::Ident(word) if word == "use" && braces == 0 => {
                let mut k = i + 1;
                let mut leaves = Vec::new();
                use_tree(toks, &mut k, None, &mut leaves);
                for (first, name) in leaves {
                    if modules.contains(&first) && !modules.contains(&name) {
                        out.insert(name, first);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// One cycle through each group of modules that import one another, as `a → b → a`, shortest
/// through the group's first module.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in graph.edges.keys() {
        next.entry(from.as_str()).or_default().push(to.as_str());
    }
    let reach = |start: &str| -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start];
        while let Some(node) = todo.pop() {
            for &to in next.get(node).map_or(&[][..], Vec::as_slice) {
                if seen.insert(to) {
                    todo.push(to);
                }
            }
        }
        seen
    };
    let mut out = Vec::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for node in next.keys().copied() {
        if covered.contains(node) || !reach(node).contains(node) {
            continue;
        }
        // Shortest way back to `node`, breadth first.
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([node]);
        let mut last = None;
        while let Some(at) = queue.pop_front() {
            for &to in next.get(at).map_or(&[][..], Vec::as_slice) {
                if to == node {
                    last = Some(at);
                    break;
                }
                if !came_from.contains_key(to) {
                    came_from.insert(to, at);
                    queue.push_back(to);
                }
            }
            if last.is_some() {
                break;
            }
        }
        let mut cycle = vec![node.to_owned()];
        let mut at = last;
        while let Some(step) = at.filter(|s| *s != node) {
            cycle.push(step.to_owned());
            at = came_from.get(step).copied();
        }
        cycle[1..].reverse();
        cycle.push(node.to_owned());
        // Every module that reaches `node` and that `node` reaches is in the same circle.
        covered.extend(
            reach(node)
                .into_iter()
                .filter(|other| reach(other).contains(node)),
        );
        out.push(cycle);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads(src: &str, depth: usize) -> Vec<String> {
        path_heads(&tokens(src), Entry::Crate(depth))
            .into_iter()
            .map(|(first, _)| first)
            .collect()
    }

    #[test]
    fn paths_from_the_root_are_found_in_uses_groups_and_code() {
        let src = "use crate::a::b;\nuse crate::{c, D, e::{F, g}};\nfn f() { crate::h::i(); x::crate_like(); }\n// crate::j\n";
        assert_eq!(heads(src, 1), ["a", "c", "D", "e", "h"]);
    }

    #[test]
    fn super_counts_only_when_it_climbs_to_the_root() {
        let src =
            "use super::a;\nmod tests { use super::*; use super::super::b; }\nuse super::super::c;";
        // In `x.rs` (depth 1): `super::a` is the root's `a`; inside `mod tests` it takes two.
        assert_eq!(heads(src, 1), ["a", "b", "c"]);
        // In `x/y.rs` (depth 2): only `super::super::c` leaves `x`.
        assert_eq!(heads(src, 2), ["c"]);
    }

    #[test]
    fn root_reexports_resolve_to_their_module() {
        let modules: BTreeSet<String> = ["error", "tags"].map(str::to_owned).into();
        let root = "mod error;\npub mod tags;\npub use error::{Issue, ValidationError as VE};\nuse tags::Tags;\nfn f() { use error::Hidden; }";
        let map = root_reexports(&tokens(root), &modules);
        let pairs: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [("Issue", "error"), ("Tags", "tags"), ("VE", "error")]
        );
    }

    #[test]
    fn nodes_are_top_level_modules_and_bin_files() {
        let node = |p: &str| node_of(&p.split('/').map(str::to_owned).collect::<Vec<_>>());
        assert_eq!(node("lib.rs"), None);
        assert_eq!(node("form.rs"), Some(("form".to_owned(), 1)));
        assert_eq!(node("form/render.rs"), Some(("form".to_owned(), 2)));
        assert_eq!(node("session/mod.rs"), Some(("session".to_owned(), 1)));
        assert_eq!(node("session/a/mod.rs"), Some(("session".to_owned(), 2)));
        assert_eq!(node("bin/connect.rs"), Some(("bin/connect".to_owned(), 0)));
    }

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::default();
        for (from, to) in edges {
            g.nodes.insert((*from).to_owned());
            g.nodes.insert((*to).to_owned());
            g.edges.insert(
                ((*from).to_owned(), (*to).to_owned()),
                (PathBuf::from("x.rs"), 1),
            );
        }
        g
    }

    #[test]
    fn each_circle_is_reported_once_by_its_shortest_loop() {
        let g = graph(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "b"),
            ("d", "e"),
            ("e", "d"),
            ("e", "f"),
        ]);
        assert_eq!(cycles(&g), [vec!["a", "b", "c", "a"], vec!["d", "e", "d"]]);
        assert!(cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    }

    #[test]
    fn the_table_must_match_the_code_both_ways() {
        let g = graph(&[("field", "form"), ("form", "js")]);
        let table: &[(&str, &[&str])] = &[("field", &["form", "js"]), ("form", &[]), ("gone", &[])];
        let site = (PathBuf::from("x.rs"), 1);
        let own = |s: &str| s.to_owned();
        assert_eq!(
            table_findings(&g, table),
            [
                TableFinding::NoRow(own("js")),
                TableFinding::Unused(own("field"), own("js")),
                TableFinding::UnknownRow(own("gone")),
                TableFinding::NotAllowed(own("form"), own("js"), site),
            ]
        );
        let unsorted: &[(&str, &[&str])] = &[("js", &[]), ("form", &["js"]), ("field", &["form"])];
        assert_eq!(table_findings(&g, unsorted), [TableFinding::Unsorted]);
    }
}
