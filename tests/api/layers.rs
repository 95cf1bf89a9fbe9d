//! The layers of docs/architecture.md, checked in the source: http → cases → (crypto, store,
//! notify), nothing reaching upward, each outside library in the one layer that wraps it, and
//! no circle of imports between the files of `cases`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file under `src/`, as (path from `src/`, code without comments).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| format!("{l}\n"))
                .collect();
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, code)
        })
        .collect()
}

/// The layer a file belongs to: its top folder or file name under `src/`.
fn layer(file: &str) -> &str {
    file.split(['/', '.']).next().unwrap()
}

fn offences(rule: impl Fn(&str, &str) -> Option<String>) -> Vec<String> {
    sources()
        .iter()
        .flat_map(|(file, code)| {
            code.lines()
                .filter_map(|line| rule(file, line).map(|why| format!("{file}: {why}: {line}")))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn layers_call_downward_only() {
    // What each layer may name of the others (foundations like config, i18n and clock are
    // open to all).
    let above: BTreeMap<&str, &[&str]> = BTreeMap::from([
        (
            "clock",
            &["cases", "http", "notify", "store", "audit", "crypto"][..],
        ),
        ("crypto", &["cases", "http", "notify", "store", "audit"][..]),
        ("audit", &["cases", "http", "notify", "store"][..]),
        ("store", &["cases", "http", "notify"][..]),
        ("notify", &["cases", "http"][..]),
        ("cases", &["http"][..]),
        ("backup", &["cases", "http"][..]),
        // http reaches everything through cases; its own random tokens (sessions, CSRF) come
        // from the one CSPRNG helper in crypto.
        ("http", &["store", "audit", "notify"][..]),
    ]);
    let bad = offences(|file, line| {
        let forbidden = above.get(layer(file))?;
        forbidden
            .iter()
            .find(|up| {
                line.contains(&format!("crate::{up}::"))
                    || line.contains(&format!("crate::{up}}}"))
                    || line.contains(&format!("crate::{up};"))
            })
            .map(|up| format!("{} names {up}", layer(file)))
    });
    let crypto_in_http = offences(|file, line| {
        (layer(file) == "http"
            && line.contains("crate::crypto")
            && !line.contains("crate::crypto::random"))
        .then(|| "http names crypto beyond random".into())
    });
    assert!(
        bad.is_empty() && crypto_in_http.is_empty(),
        "{bad:#?}\n{crypto_in_http:#?}"
    );
}

/// Whether `line` names the identifier `name` (not as part of a longer one).
fn names(line: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    line.match_indices(name).any(|(i, _)| {
        !line[..i].chars().next_back().is_some_and(ident)
            && (name.ends_with("::") || !line[i + name.len()..].chars().next().is_some_and(ident))
    })
}

#[test]
fn each_outside_library_lives_in_one_layer() {
    let homes = [
        ("age", "crypto"),
        ("argon2", "crypto"),
        ("scrypt", "crypto"),
        ("rusqlite", "store"),
        ("lettre", "notify"),
    ];
    let bad = offences(|file, line| {
        homes
            .iter()
            .find(|(name, home)| names(line, &format!("{name}::")) && layer(file) != *home)
            .map(|(name, home)| format!("{name} outside {home}"))
    });
    assert!(names("use age::x;", "age::") && !names("message::x", "age::"));
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_files_of_cases_import_no_circle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in sources() {
        let Some(name) = file
            .strip_prefix("cases/")
            .and_then(|f| f.strip_suffix(".rs"))
        else {
            continue;
        };
        // Unit tests may use anything.
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        let mut uses = BTreeSet::new();
        for pattern in ["super::", "crate::cases::"] {
            for (i, _) in code.match_indices(pattern) {
                let rest = &code[i + pattern.len()..];
                let module: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if rest[module.len()..].starts_with("::") && module != name {
                    uses.insert(module);
                }
            }
        }
        graph.insert(name.to_owned(), uses);
    }
    assert!(graph.len() > 10, "{graph:?}");
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(circle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("an import circle in src/cases: {}", circle.join(" → "));
        }
    }
}
