//! No import circle between the modules of any crate in the workspace: a
//! module uses only modules "above" it, so each crate reads top to bottom
//! (the order its crate docs' Layout section gives).
//!
//! Read from the `crate::name` paths of each file, as text: every top-level
//! module is a node, and a file's `crate::other` is an edge from the
//! top-level module the file belongs to. Tests inside a file (after its
//! `#[cfg(test)] mod`) and `*_tests.rs` files are left out: a test may
//! reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const CRATES: &[&str] = &[
    "telemetry-derive",
    "telemetry-core",
    "telemetry-receiver",
    "examples/kubeatlas-demo",
    "examples/vectordb-report",
    "examples/event-stream",
];

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn no_crate_has_an_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut circles = Vec::new();
    for krate in CRATES {
        let src = root.join(krate).join("src");
        assert!(
            !rust_files(&src).is_empty(),
            "{krate}: no sources in {}",
            src.display()
        );
        let graph = graph_of(&src);
        if let Some(circle) = find_circle(&graph) {
            circles.push(format!("{krate}: {}", circle.join(" -> ")));
        }
    }
    assert!(
        circles.is_empty(),
        "import circles (each module should use only modules above it):\n{}",
        circles.join("\n")
    );
}

#[test]
fn circles_are_found_and_layers_pass() {
    let graph = |edges: &[(&str, &str)]| -> Graph {
        let mut graph = Graph::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    let layered = graph(&[("payload", "ser"), ("ser", "ast"), ("payload", "ast")]);
    assert_eq!(find_circle(&layered), None);
    let circle = graph(&[("tree", "expand"), ("expand", "guard"), ("guard", "tree")]);
    assert_eq!(
        find_circle(&circle).unwrap(),
        ["expand", "guard", "tree", "expand"]
    );
    assert_eq!(
        uses("use crate::{ast::Struct, chain::tree};\nlet x = crate::shape::KEY; // crate::not"),
        BTreeSet::from(["ast".to_string(), "chain".into(), "shape".into()])
    );
}

/// Top-level module -> the top-level modules it uses.
fn graph_of(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let name = relative.to_string_lossy();
        if name.ends_with("_tests.rs") {
            continue;
        }
        let Some(module) = top_level_module(relative) else {
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        let text = match text.find("#[cfg(test)]\nmod ") {
            Some(tests) => &text[..tests],
            None => &text[..],
        };
        let used = uses(text);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(used.into_iter().filter(|used| *used != module));
    }
    graph
}

/// `lib.rs`/`main.rs`: the crate root, which may use anything (it is not a
/// node); `a.rs`, `a/mod.rs`, `a/b.rs`: module `a`.
fn top_level_module(relative: &Path) -> Option<String> {
    let mut parts = relative.iter().map(|p| p.to_string_lossy().into_owned());
    let first = parts.next()?;
    if relative.parent() == Some(Path::new("")) {
        let stem = first.strip_suffix(".rs")?;
        return (!matches!(stem, "lib" | "main")).then(|| stem.to_owned());
    }
    (first != "bin").then_some(first)
}

/// The top-level modules a file names as `crate::name` (in `use` lines and
/// inline paths, `crate::{a, b}` too), comments left out.
fn uses(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                used.extend(inner.split(',').filter_map(|part| first_ident(part.trim())));
            } else if let Some(name) = first_ident(rest) {
                used.insert(name);
            }
        }
    }
    used
}

fn first_ident(text: &str) -> Option<String> {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // `crate::Trait` and `crate::CONST` items of the crate root are not
    // modules.
    (ident.starts_with(|c: char| c.is_ascii_lowercase()) && ident != "self").then_some(ident)
}

/// The first circle found, as a path that ends where it starts.
fn find_circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|seen| seen == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(graph, next, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(graph, node, &mut Vec::new(), &mut done))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
