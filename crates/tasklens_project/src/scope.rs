//! Which project a checked path belongs to, and which findings concern the paths the user
//! named: `tasklens check pkg/a.py` analyses the project around `a.py` (flows cross modules,
//! and TL002 needs every caller) but reports only what involves `a.py`.

use std::path::{Path, PathBuf};

use tasklens_checks::Diagnostic;
use tasklens_db::{File, RootDatabase};

use crate::workspace::absolute;

/// Files that mark the root of a Python project.
const PROJECT_MARKERS: &[&str] = &["pyproject.toml", "setup.py", "setup.cfg", "tasklens.toml"];

/// The directories to analyse for `paths`: each path's project root, then the paths
/// themselves (discovery reads a file reached twice once, so a path that the root's walk
/// skips, e.g. an ignored or non-`.py` file named explicitly, is still read).
pub fn context_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        if let Some(root) = project_root(path)
            && !roots.contains(&root)
        {
            roots.push(root);
        }
    }
    for path in paths {
        if !roots.contains(path) {
            roots.push(path.clone());
        }
    }
    roots
}

/// The project around `path`, when it is more than `path` itself.
///
/// A directory that is not a package is a project of its own (`tasklens check proj`). A file
/// or a package directory belongs to the nearest enclosing directory with a project marker
/// (`pyproject.toml`, `setup.py`, `setup.cfg`, `tasklens.toml`); without one, a module in a
/// package belongs to its top-level package, and a lone script stands alone.
fn project_root(path: &Path) -> Option<PathBuf> {
    if !path.exists() {
        return None;
    }
    let is_dir = path.is_dir();
    let is_package_dir = |dir: &Path| dir.join("__init__.py").is_file();
    if is_dir && !is_package_dir(path) {
        return None;
    }
    let start = absolute(path);
    let first_dir = if is_dir { start.as_path() } else { start.parent()? };
    if let Some(marked) = first_dir.ancestors().find(|dir| PROJECT_MARKERS.iter().any(|m| dir.join(m).is_file())) {
        return Some(respell(path, marked));
    }
    if !is_package_dir(first_dir) {
        return None;
    }
    let top = first_dir.ancestors().take_while(|dir| is_package_dir(dir)).last()?;
    Some(respell(path, top))
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
