//! Which project a checked path belongs to, and which findings concern the paths the user
//! named: `tasklens check pkg/a.py` analyses the project around `a.py` (flows cross modules,
//! and TL002 needs every caller) but reports only what involves `a.py`.

use std::path::{Path, PathBuf};

use tasklens_checks::Diagnostic;
use tasklens_db::{File, RootDatabase};

use crate::workspace::absolute;

/// Files that mark the root of a Python project.
pub(crate) const PROJECT_MARKERS: &[&str] = &["pyproject.toml", "setup.py", "setup.cfg", "tasklens.toml"];

/// Whether `dir` holds a project marker.
pub(crate) fn is_project_dir(dir: &Path) -> bool {
    PROJECT_MARKERS.iter().any(|marker| dir.join(marker).is_file())
}

/// The distribution name the project in `dir` declares, if it does (see
/// [`declared_distribution_name`]).
pub(crate) fn distribution_name(dir: &Path) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    declared_distribution_name(read("pyproject.toml").as_deref(), read("setup.cfg").as_deref())
}

/// The distribution name in a `pyproject.toml` (`[project] name`, or Poetry's
/// `[tool.poetry] name`) or else a `setup.cfg` (`[metadata] name`).
pub fn declared_distribution_name(pyproject: Option<&str>, setup_cfg: Option<&str>) -> Option<String> {
    if let Some(table) = pyproject.and_then(|text| text.parse::<toml::Table>().ok()) {
        let name = |path: &[&str]| {
            let mut value = table.get(path[0])?;
            for key in &path[1..] {
                value = value.get(key)?;
            }
            value.as_str().map(str::to_string)
        };
        if let Some(name) = name(&["project", "name"]).or_else(|| name(&["tool", "poetry", "name"])) {
            return Some(name);
        }
    }
    let mut in_metadata = false;
    for line in setup_cfg?.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_metadata = line == "[metadata]";
        } else if in_metadata
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            return Some(value.trim().to_string());
        }
    }
    None
}

/// Named paths analysed together as one project, and directories below them that are
/// projects of their own (left out of this one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unit {
    pub paths: Vec<PathBuf>,
    pub nested: Vec<PathBuf>,
}

/// Splits the named paths into projects analysed separately, each in its own database.
///
/// Paths in one project (the nearest directory with a marker) share it. A named directory that is neither a project nor a package but holds projects
/// (`tasklens check ~/src` over several checkouts) is split: each outermost directory with
/// a marker below it is a project of its own, and the rest of the directory one more.
/// Two checkouts never share module names (both have `tests.conftest`), and only one
/// project's analysis is in memory at a time. Other paths (packages and scripts outside any
/// marked project) are analysed together, each within its top-level package.
pub fn units(paths: &[PathBuf]) -> Vec<Unit> {
    let mut keyed: Vec<(PathBuf, Unit)> = Vec::new();
    let mut split: Vec<Unit> = Vec::new();
    let mut loose: Vec<&PathBuf> = Vec::new();
    for path in paths {
        // A directory that holds projects without being one is split into them.
        if path.is_dir() && !is_project_dir(path) && !is_package_dir(path) {
            let nested = crate::discover::nested_projects(path);
            if !nested.is_empty() {
                for dir in &nested {
                    join(&mut keyed, absolute(dir), dir.clone());
                }
                split.push(Unit { paths: vec![path.clone()], nested });
                continue;
            }
        }
        // Only a marker makes a project of its own: packages without one are analysed with
        // the other such paths (`tasklens check pkg main.py`, where `main.py` imports `pkg`).
        let own_root = if path.is_dir() && is_project_dir(path) { Some(path.clone()) } else { marked_root(path) };
        if let Some(root) = own_root {
            join(&mut keyed, absolute(&root), path.clone());
            continue;
        }
        loose.push(path);
    }
    // A loose path inside one of the projects belongs to it.
    let mut rest = Unit::default();
    for path in loose {
        let at = absolute(path);
        match keyed.iter_mut().find(|(root, _)| at.starts_with(root)) {
            Some((_, unit)) => unit.paths.push(path.clone()),
            None => rest.paths.push(path.clone()),
        }
    }
    let mut units: Vec<Unit> = keyed.into_iter().map(|(_, unit)| unit).collect();
    units.extend(split);
    if !rest.paths.is_empty() {
        units.push(rest);
    }
    units
}

/// Adds `path` to the unit of the project `key`, or starts one.
fn join(keyed: &mut Vec<(PathBuf, Unit)>, key: PathBuf, path: PathBuf) {
    match keyed.iter_mut().find(|(root, _)| *root == key) {
        Some((_, unit)) => unit.paths.push(path),
        None => keyed.push((key, Unit { paths: vec![path], nested: Vec::new() })),
    }
}

/// The directories to analyse for `paths`: each path's project root, then the paths
/// themselves (discovery reads a file reached twice once, so a path that the root's walk
/// skips, e.g. an ignored or non-`.py` file named explicitly, is still read).
pub fn context_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let context = match project_root(path) {
            Some(root) => vec![root],
            None => importable_siblings(path),
        };
        for root in context {
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }
    for path in paths {
        if !roots.contains(path) {
            roots.push(path.clone());
        }
    }
    roots
}

/// What a script outside any project can import besides itself: `python3 main.py` puts
/// the script's directory first on `sys.path`, so the modules and regular packages beside
/// it (not other directories, which a walk of a home directory would reach).
fn importable_siblings(path: &Path) -> Vec<PathBuf> {
    if !path.is_file() {
        return Vec::new();
    }
    let parent = path.parent().unwrap_or(Path::new(""));
    let listed = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let Ok(entries) = std::fs::read_dir(listed) else { return Vec::new() };
    let mut siblings: Vec<PathBuf> = (entries.flatten())
        .map(|entry| parent.join(entry.file_name()))
        .filter(|sibling| {
            let is_module = sibling.extension().is_some_and(|e| e == "py") && sibling.is_file();
            is_module || is_package_dir(sibling)
        })
        .collect();
    siblings.sort();
    siblings
}

/// The project around `path`, when it is more than `path` itself.
///
/// A file or a directory belongs to the nearest enclosing directory with a project marker
/// (`pyproject.toml`, `setup.py`, `setup.cfg`, `tasklens.toml`), so `tasklens check .` in a
/// project's `tests/` sees the package the tests import; without one, a module in a package
/// belongs to its top-level package, and a lone script or a directory that is not a
/// package stands alone (`tasklens check proj`).
fn project_root(path: &Path) -> Option<PathBuf> {
    marked_root(path).or_else(|| package_root(path))
}

/// The directory of `path` (itself when it is a directory): what [`project_root`] climbs
/// from. A `.py` file not on disk yet (an unsaved buffer given with `--stdin-filename`)
/// climbs from its directory.
fn start_dir(path: &Path) -> Option<PathBuf> {
    if !path.exists() {
        let parent = absolute(path).parent().map(Path::to_path_buf)?;
        return (path.extension().is_some_and(|e| e == "py") && parent.is_dir()).then_some(parent);
    }
    let start = absolute(path);
    if path.is_dir() { Some(start) } else { start.parent().map(Path::to_path_buf) }
}

/// The nearest directory with a project marker around a file or package directory.
fn marked_root(path: &Path) -> Option<PathBuf> {
    let first_dir = start_dir(path)?;
    let marked = first_dir.ancestors().find(|dir| is_project_dir(dir))?;
    Some(respell(path, marked))
}

/// The top-level package around a file or package directory in a package.
fn package_root(path: &Path) -> Option<PathBuf> {
    let first_dir = start_dir(path)?;
    if !is_package_dir(&first_dir) {
        return None;
    }
    let top = first_dir.ancestors().take_while(|dir| is_package_dir(dir)).last()?;
    Some(respell(path, top))
}

/// Whether `dir` is a regular package.
fn is_package_dir(dir: &Path) -> bool {
    dir.join("__init__.py").is_file()
}

/// `ancestor` spelled like `path`: relative to the working directory when `path` is
/// relative (climbing with `..` when it lies above), so that reported paths keep the
/// user's spelling.
fn respell(path: &Path, ancestor: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok().filter(|_| path.is_relative());
    let Some(cwd) = cwd else { return ancestor.to_path_buf() };
    let Some(common) = cwd.ancestors().find(|dir| ancestor.starts_with(dir)) else { return ancestor.to_path_buf() };
    let up = cwd.components().count() - common.components().count();
    let mut spelled: PathBuf = std::iter::repeat_n(Path::new(".."), up).collect();
    spelled.push(ancestor.strip_prefix(common).unwrap_or(ancestor));
    if spelled.as_os_str().is_empty() { PathBuf::from(".") } else { spelled }
}

/// The paths the user named, made absolute; an empty scope holds everything.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    paths: Vec<PathBuf>,
}

impl Scope {
    /// The scope of `paths` analysed within `roots`: everything when the paths are the roots.
    pub fn new(paths: &[PathBuf], roots: &[PathBuf]) -> Self {
        if roots.iter().all(|root| paths.contains(root)) {
            return Scope::default();
        }
        Scope { paths: paths.iter().map(|p| absolute(p)).collect() }
    }

    pub fn is_everything(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn contains(&self, db: &RootDatabase, file: File) -> bool {
        if self.paths.is_empty() {
            return true;
        }
        let path = absolute(file.path(db));
        self.paths.iter().any(|scope| path.starts_with(scope))
    }

    /// Whether a finding concerns the named paths: the line to change or a step of its flow
    /// is in them (an edit that adds a sink brings in the Futures that now reach it).
    pub fn involves(&self, db: &RootDatabase, diagnostic: &Diagnostic) -> bool {
        self.contains(db, diagnostic.primary.file) || diagnostic.trace.iter().any(|label| self.contains(db, label.file))
    }
}
