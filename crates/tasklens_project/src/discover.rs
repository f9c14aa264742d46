//! File discovery: Python files under the given paths, honouring `.gitignore`
//! and skipping virtual environments and tool directories.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// Directories that never hold project code.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "node_modules",
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// A discovered file, or a path that could not be walked.
#[derive(Debug)]
pub enum Found {
    File { path: PathBuf, root: PathBuf },
    Problem { path: PathBuf, message: String },
}

/// Walks `paths` and returns Python files in a stable order, skipping `excludes` (globs,
/// relative to each walked path) and the directories in `nested` (projects of their own),
/// and naming modules from the `src` roots that contain them.
pub fn discover(paths: &[PathBuf], excludes: &[String], src: &[PathBuf], nested: &[PathBuf]) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        if !path.exists() {
            found.push(Found::Problem { path: path.clone(), message: "No such file or directory".into() });
            continue;
        }
        let root = if path.is_dir() { path.clone() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
        if path.is_file() {
            let root = src_root(path, src).unwrap_or(root);
            found.push(Found::File { path: path.clone(), root });
            continue;
        }
        // A FIFO, a socket or a device named on the command line is never read (reading a
        // FIFO would wait for a writer).
        if !path.is_dir() {
            found.push(Found::Problem { path: path.clone(), message: "not a regular file or a directory".into() });
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(path);
        for pattern in excludes {
            if let Err(error) = overrides.add(&format!("!{pattern}")) {
                found.push(Found::Problem {
                    path: path.clone(),
                    message: format!("bad exclude pattern `{pattern}`: {error}"),
                });
            }
        }
        let overrides = overrides.build().unwrap_or_else(|_| ignore::overrides::Override::empty());
        let nested = nested.to_vec();
        // Walked on all cores, then put in name order (a path orders by its components,
        // which is the order of a walk that visits each directory's entries by name).
        let walked = std::sync::Mutex::new((Vec::new(), Vec::new()));
        walk(path)
            .overrides(overrides)
            .filter_entry(move |entry| !is_skipped_dir(entry) && !nested.iter().any(|dir| dir == entry.path()))
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    let walked = || walked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    match entry {
                        Ok(entry) => {
                            let is_file = entry.file_type().is_some_and(|t| t.is_file());
                            if is_file && entry.path().extension().is_some_and(|e| e == "py") {
                                walked().0.push(entry.into_path());
                            }
                        }
                        Err(error) => {
                            let at = error_path(&error).unwrap_or_else(|| path.clone());
                            walked().1.push((at, error.to_string()));
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
        let (mut files, mut problems) = walked.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort_unstable();
        problems.sort_unstable();
        for file in files {
            let root = src_root(&file, src).unwrap_or_else(|| root.clone());
            found.push(Found::File { path: file, root });
        }
        found.extend(problems.into_iter().map(|(path, message)| Found::Problem { path, message }));
    }
    found
}

/// The deepest configured `src` root that contains `file`, as a path comparable to it.
fn src_root(file: &Path, src: &[PathBuf]) -> Option<PathBuf> {
    let absolute = std::path::absolute(file).ok()?;
    let root = src.iter().filter(|root| absolute.starts_with(root)).max_by_key(|root| root.components().count())?;
    // Keep the file's own spelling: strip the same number of components from its front.
    let below = absolute.strip_prefix(root).ok()?.components().count();
    let mut base = file.to_path_buf();
    for _ in 0..below {
        base.pop();
    }
    Some(base)
}

/// A walker over `path` with the standard filters (`.gitignore`, hidden files), in name order.
fn walk(path: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(path);
    builder.standard_filters(true).require_git(false).sort_by_file_name(|a, b| a.cmp(b));
    builder
}

/// A directory that never holds project code (tool state, virtual environments).
fn is_skipped_dir(entry: &ignore::DirEntry) -> bool {
    entry.file_type().is_some_and(|t| t.is_dir())
        && (SKIPPED_DIRS.contains(&entry.file_name().to_str().unwrap_or("")) || is_virtualenv(entry.path()))
}

/// The directories strictly below `dir` that hold a project marker (see
/// [`crate::scope::is_project_dir`]), outermost only, in name order, spelled from `dir`.
pub(crate) fn nested_projects(dir: &Path) -> Vec<PathBuf> {
    let walker = walk(dir)
        .filter_entry(|entry| {
            // Nothing below a project is another project's top.
            entry.file_type().is_some_and(|t| t.is_dir())
                && !is_skipped_dir(entry)
                && (entry.depth() <= 1 || !entry.path().parent().is_some_and(crate::scope::is_project_dir))
        })
        .build();
    walker
        .filter_map(Result::ok)
        .filter(|entry| entry.depth() > 0 && crate::scope::is_project_dir(entry.path()))
        .map(ignore::DirEntry::into_path)
        .collect()
}

fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// The dotted module name of `path` and whether it is a package `__init__.py`.
///
/// Files inside regular packages (directories with `__init__.py`) are named by their
/// package chain, which goes on through the namespace packages above it (PEP 420):
/// directories named as identifiers, other than `src`, without a project marker
/// (`pyproject.toml`...), that lie inside a regular package (`twitchio/ext/`), below a
/// `src` directory (`src/opentelemetry/instrumentation/` above the package `asyncio`,
/// which is not a top-level `asyncio` hiding the standard library's), or below a project
/// whose distribution is named after the outermost of them, as namespace distributions
/// are (`langgraph/store/` in `langgraph-checkpoint-postgres`). Elsewhere a directory
/// without `__init__.py` ends the chain: `lib/` above `lib/sqlalchemy/` is where imports
/// start. Other files are named by their path below the root (or below `root/src` in a
/// src layout).
pub fn module_name(path: &Path, root: &Path) -> (String, bool) {
    module_name_with(
        path,
        root,
        |dir| dir.join("__init__.py").is_file(),
        crate::scope::is_project_dir,
        crate::scope::distribution_name,
    )
}

/// [`module_name`] for many files: each directory is asked once whether it is a package,
/// whether it holds a project marker and which distribution it declares.
pub(crate) fn module_namer() -> impl Fn(&Path, &Path) -> (String, bool) {
    let is_package_dir = asked_once(|dir| dir.join("__init__.py").is_file());
    let is_project_dir = asked_once(crate::scope::is_project_dir);
    let distribution_name = asked_once(crate::scope::distribution_name);
    move |path, root| module_name_with(path, root, &is_package_dir, &is_project_dir, &distribution_name)
}

/// `question` about a directory, asked once per directory.
fn asked_once<T: Clone>(question: impl Fn(&Path) -> T) -> impl Fn(&Path) -> T {
    let answers = std::cell::RefCell::new(rustc_hash::FxHashMap::<PathBuf, T>::default());
    move |dir| answers.borrow_mut().entry(dir.to_path_buf()).or_insert_with(|| question(dir)).clone()
}

/// [`module_name`] with the tests for "this directory is a regular package", "this
/// directory holds a project marker" and "the distribution name this project declares"
/// given.
pub fn module_name_with(
    path: &Path,
    root: &Path,
    is_package_dir: impl Fn(&Path) -> bool,
    is_project_dir: impl Fn(&Path) -> bool,
    distribution_name: impl Fn(&Path) -> Option<String>,
) -> (String, bool) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let is_package = stem == "__init__";
    let mut parts: Vec<String> = Vec::new();
    if !is_package {
        parts.push(stem.to_string());
    }
    let mut dir = path.parent().map(Path::to_path_buf);
    let in_package = dir.as_deref().is_some_and(&is_package_dir);
    if in_package {
        while let Some(mut current) = dir.take() {
            if current.file_name().is_none() && !current.as_os_str().is_empty() {
                // `.` or `..` (a package checked from inside it): go on by its real name.
                current = crate::workspace::absolute(&current);
            }
            let current = current.as_path();
            let name = current.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            // A directory named like the package inside it (`mitmproxy/mitmproxy/`) is a
            // checkout holding the package, not a namespace package above it.
            let checkout = parts.last().is_some_and(|child| child == name);
            let namespace = || {
                let mut above = current.ancestors().skip(1).take_while(|dir| dir.starts_with(root));
                !checkout
                    && current != root
                    && current.starts_with(root)
                    && name != "src"
                    && is_identifier(name)
                    && !is_project_dir(current)
                    && (above
                        .any(|dir| (dir != root && is_package_dir(dir)) || dir.file_name() == Some("src".as_ref()))
                        || in_namespace_distribution(
                            current,
                            root,
                            &is_package_dir,
                            &is_project_dir,
                            &distribution_name,
                        ))
            };
            if !is_package_dir(current) && !namespace() {
                break;
            }
            parts.push(name.to_string());
            dir = current.parent().map(Path::to_path_buf);
        }
    } else {
        let src = root.join("src");
        let base = if path.starts_with(&src) { src } else { root.to_path_buf() };
        if let Ok(relative) = path.parent().unwrap_or(path).strip_prefix(&base) {
            let components: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            parts.extend(components.into_iter().rev());
        }
    }
    parts.reverse();
    (parts.join("."), is_package)
}

/// Whether the namespace directory `dir` lies, through namespace directories only, below a
/// project whose distribution is named after the outermost of them (`langgraph` below
/// `langgraph-checkpoint-postgres`, `azure/storage` below `azure-storage-blob`).
fn in_namespace_distribution(
    dir: &Path,
    root: &Path,
    is_package_dir: impl Fn(&Path) -> bool,
    is_project_dir: impl Fn(&Path) -> bool,
    distribution_name: impl Fn(&Path) -> Option<String>,
) -> bool {
    let mut outermost = dir;
    for above in dir.ancestors().skip(1).take_while(|above| above.starts_with(root)) {
        if is_project_dir(above) {
            let normal = |name: &str| name.to_ascii_lowercase().replace(['_', '.'], "-");
            let namespace = normal(outermost.file_name().and_then(|n| n.to_str()).unwrap_or_default());
            return distribution_name(above).is_some_and(|distribution| {
                let distribution = normal(&distribution);
                distribution == namespace || distribution.starts_with(&format!("{namespace}-"))
            });
        }
        let name = above.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if above == root || is_package_dir(above) || !is_identifier(name) || name == "src" {
            return false;
        }
        outermost = above;
    }
    false
}

/// Whether `name` can be a Python identifier (ASCII letters, digits and `_`, not starting
/// with a digit; other names are not packages in practice).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::module_name;
    use std::fs;

    #[test]
    fn names_follow_packages_namespaces_and_src_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "src/pkg/__init__.py",
            "src/pkg/sub/__init__.py",
            "src/pkg/sub/mod.py",
            "ns/part/m.py",
            "script.py",
            "plugins/otel-asyncio/src/otel/instr/asyncio/__init__.py",
            "plugins/otel-asyncio/src/otel/instr/asyncio/hooks.py",
            "tests/conftest.py",
            "tests/unit/__init__.py",
            "tests/unit/test_a.py",
            "slim/pyproject.toml",
            "slim/core/__init__.py",
            "lib/alchemy/__init__.py",
            "app/__init__.py",
            "app/ext/plugins/__init__.py",
            "src/checkout/checkout/__init__.py",
            "src/checkout/checkout/core.py",
        ] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "").unwrap();
        }
        assert_eq!(module_name(&root.join("src/pkg/sub/mod.py"), root), ("pkg.sub.mod".into(), false));
        assert_eq!(module_name(&root.join("src/pkg/__init__.py"), root), ("pkg".into(), true));
        assert_eq!(module_name(&root.join("ns/part/m.py"), root), ("ns.part.m".into(), false));
        assert_eq!(module_name(&root.join("script.py"), root), ("script".into(), false));
        // Namespace packages above a regular one, up to `src` or inside a regular package;
        // elsewhere a directory without `__init__.py` is where imports start.
        let hooks = root.join("plugins/otel-asyncio/src/otel/instr/asyncio/hooks.py");
        assert_eq!(module_name(&hooks, root), ("otel.instr.asyncio.hooks".into(), false));
        assert_eq!(module_name(&root.join("tests/unit/test_a.py"), root), ("unit.test_a".into(), false));
        assert_eq!(module_name(&root.join("slim/core/__init__.py"), root), ("core".into(), true));
        assert_eq!(module_name(&root.join("lib/alchemy/__init__.py"), root), ("alchemy".into(), true));
        assert_eq!(module_name(&root.join("app/ext/plugins/__init__.py"), root), ("app.ext.plugins".into(), true));
        // A directory named like the package it holds is a checkout, even below `src`.
        let core = root.join("src/checkout/checkout/core.py");
        assert_eq!(module_name(&core, root), ("checkout.core".into(), false));
    }

    #[test]
    fn namespace_distributions_name_their_namespaces() {
        // A monorepo of namespace distributions: each project holds `langgraph/` without
        // `__init__.py`; the distribution's name says `langgraph` is part of module names.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (file, text) in [
            ("libs/cp-pg/pyproject.toml", "[project]\nname = \"langgraph-checkpoint-postgres\"\n"),
            ("libs/cp-pg/langgraph/store/postgres/__init__.py", ""),
            ("libs/cp-pg/langgraph/store/postgres/aio.py", ""),
            ("libs/poetry/pyproject.toml", "[tool.poetry]\nname = \"Azure_Storage-Blob\"\n"),
            ("libs/poetry/azure/storage/blob/__init__.py", ""),
            ("libs/cfg/setup.cfg", "[options]\nname = wrong\n[metadata]\nname = zope.interface\n"),
            ("libs/cfg/zope/interface/__init__.py", ""),
            ("libs/other/pyproject.toml", "[project]\nname = \"langgraph-tools\"\n"),
            ("libs/other/scripts/tools/__init__.py", ""),
            ("libs/other/lib/langgraph_tools/__init__.py", ""),
            ("libs/unnamed/setup.py", ""),
            ("libs/unnamed/acme/part/__init__.py", ""),
        ] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
        }
        let name = |file: &str| module_name(&root.join(file), root).0;
        assert_eq!(name("libs/cp-pg/langgraph/store/postgres/aio.py"), "langgraph.store.postgres.aio");
        assert_eq!(name("libs/poetry/azure/storage/blob/__init__.py"), "azure.storage.blob");
        assert_eq!(name("libs/cfg/zope/interface/__init__.py"), "zope.interface");
        // Directories not named after the distribution are where imports start.
        assert_eq!(name("libs/other/scripts/tools/__init__.py"), "tools");
        assert_eq!(name("libs/other/lib/langgraph_tools/__init__.py"), "langgraph_tools");
        assert_eq!(name("libs/unnamed/acme/part/__init__.py"), "part");
    }

    #[test]
    fn files_come_in_the_order_of_a_walk_by_name() {
        // The order numbers the modules, so it must not depend on the threads: a directory's
        // files come where its name sorts (`a/` before `a-b.py`, which a string sort swaps).
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["a_b/c.py", "a.py", "a-b.py", "a/b.py", "B.py", "a/z/y.py", "a/c.py"] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "").unwrap();
        }
        let found: Vec<String> = super::discover(&[root.to_path_buf()], &[], &[], &[])
            .into_iter()
            .filter_map(|found| match found {
                super::Found::File { path, .. } => {
                    Some(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
                }
                super::Found::Problem { .. } => None,
            })
            .collect();
        assert_eq!(found, ["B.py", "a/b.py", "a/c.py", "a/z/y.py", "a-b.py", "a.py", "a_b/c.py"]);
    }
}
