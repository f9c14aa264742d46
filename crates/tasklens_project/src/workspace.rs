//! The workspace: the database plus the path-to-file registry, loading files
//! from disk and running a check with a database clone per rayon job.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use salsa::Setter;
use tasklens_checks::{Diagnostic, project_diagnostics};
use tasklens_db::{File, FileStatus, Project, PythonVersion, RootDatabase, parsed_module};
use tasklens_semantic::module_facts;

use crate::discover::{Found, discover, module_name_with};
use crate::scope::Scope;

/// A path given on the command line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    pub path: PathBuf,
    pub message: String,
}

pub struct Workspace {
    pub db: RootDatabase,
    pub(crate) project: Project,
    pub(crate) files: Vec<File>,
    /// Every file input ever created, removed ones included (inputs cannot be deleted).
    pub(crate) all_files: Vec<File>,
    pub problems: Vec<PathProblem>,
    /// What discovery walks, for finding files again when the disk changes.
    pub(crate) layout: Layout,
    /// The paths the user named, whose findings are reported.
    pub(crate) scope: Scope,
    /// Where lowerings are stored between runs, and what the next check writes there
    /// (taken by the first check; see [`Workspace::read_store`]).
    pub(crate) store: Option<(crate::Store, std::sync::Mutex<Option<crate::store::StoreState>>)>,
    /// Which rules' fixes the findings carry (the configuration's `fixable`, `unfixable`).
    pub(crate) fixes: crate::config::FixRules,
}

/// The paths discovery walks and how.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub src: Vec<PathBuf>,
    /// Directories below the roots that are projects of their own, left out.
    pub nested: Vec<PathBuf>,
}

/// A Python file discovery found.
pub(crate) struct FoundFile {
    /// The path as discovery spells it (kept in the input and in output): of the walks that
    /// reach it, the spelling with the fewest `..` (the user's own, for a path named from
    /// inside a project).
    pub path: PathBuf,
    /// The path made absolute, which identifies the file.
    pub key: PathBuf,
    /// The root its module name starts from, and the path as the walk from that root spells
    /// it (the first walk that reached the file).
    pub root: PathBuf,
    pub named: PathBuf,
}

impl Layout {
    /// The files under the roots, each once (a file reached twice, by `check . .` or as a
    /// file and through its directory, is one file), and the paths that could not be walked.
    pub(crate) fn discover(&self) -> (Vec<FoundFile>, Vec<PathProblem>) {
        let mut files: Vec<FoundFile> = Vec::new();
        let mut problems = Vec::new();
        let mut seen: rustc_hash::FxHashMap<PathBuf, usize> = rustc_hash::FxHashMap::default();
        let ups = |path: &Path| path.components().filter(|c| *c == std::path::Component::ParentDir).count();
        for found in discover(&self.roots, &self.excludes, &self.src, &self.nested) {
            match found {
                Found::File { path, root } => {
                    let key = absolute(&path);
                    match seen.get(&key) {
                        Some(&at) => {
                            if ups(&path) < ups(&files[at].path) {
                                files[at].path = path;
                            }
                        }
                        None => {
                            seen.insert(key.clone(), files.len());
                            files.push(FoundFile { named: path.clone(), path, key, root });
                        }
                    }
                }
                Found::Problem { path, message } => problems.push(PathProblem { path, message }),
            }
        }
        (files, problems)
    }
}

/// A project's Python files as discovery found them, none read yet: what scheduling
/// projects by memory measures, then what [`Workspace::load_discovered`] reads, so that a
/// check walks each project once.
pub struct Discovered {
    layout: Layout,
    found: Vec<FoundFile>,
    problems: Vec<PathProblem>,
}

impl Discovered {
    /// Finds the files of one project of [`crate::units`] (its nested projects left out).
    pub fn new(unit: &crate::Unit, config: &crate::config::Config) -> Self {
        let layout = Layout {
            roots: crate::scope::context_roots(&unit.paths),
            excludes: config.extend_exclude.clone(),
            src: config.src.clone(),
            nested: unit.nested.clone(),
        };
        let (found, problems) = layout.discover();
        Discovered { layout, found, problems }
    }

    /// The bytes of the files found (the analysis of a project peaks at about 16 times
    /// its source).
    pub fn source_bytes(&self) -> u64 {
        self.found.iter().filter_map(|found| std::fs::metadata(&found.path).ok()).map(|m| m.len()).sum()
    }
}

/// `path` made absolute with `.` and `..` folded away (without resolving links), which
/// identifies a file however it was spelled (`../pkg/a.py` from inside `pkg` is `a.py`).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
}

/// A source file's text and status, as a `File` input holds them.
pub(crate) fn read_input(path: &Path) -> (String, FileStatus) {
    match read_source(path) {
        Ok(text) => (text, FileStatus::Exists),
        Err(message) => (String::new(), FileStatus::Unreadable(message.into())),
    }
}

/// A check to run on another thread; see [`Workspace::job`].
pub struct CheckJob {
    pub db: RootDatabase,
    project: Project,
    files: Vec<File>,
    scope: Scope,
    fixes: crate::config::FixRules,
}

impl CheckJob {
    /// Runs the check; unwinds with `salsa::Cancelled` when the workspace is edited meanwhile.
    pub fn run(&self) -> Vec<Diagnostic> {
        let mut diagnostics = check_files(&self.db, self.project, &self.files);
        self.fixes.apply(&mut diagnostics);
        diagnostics
    }

    /// Whether a finding concerns the paths the user named.
    pub fn reports(&self, diagnostic: &Diagnostic) -> bool {
        self.scope.involves(&self.db, diagnostic)
    }
}

fn check_files(db: &RootDatabase, project: Project, files: &[File]) -> Vec<Diagnostic> {
    check_files_storing(db, project, files, None)
}

/// Lowers every file in parallel, then runs the project-wide check; with a store, the
/// lowerings it lacks are written to it on another thread meanwhile (the project-wide
/// analysis runs on one core).
fn check_files_storing(
    db: &RootDatabase,
    project: Project,
    files: &[File],
    store: Option<(&crate::Store, crate::store::StoreState)>,
) -> Vec<Diagnostic> {
    let start = std::time::Instant::now();
    files.par_iter().for_each_with(db.clone(), |db, &file| {
        let _ = module_facts(db, file);
    });
    let lowered = start.elapsed();
    if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
        eprintln!("after lowering: {}", tasklens_flow::memory_status());
    }
    let diagnostics = std::thread::scope(|scope| {
        if let Some((store, state)) = store {
            let db = db.clone();
            let writer = std::thread::Builder::new().stack_size(tasklens_db::STACK_SIZE);
            let _ = writer.spawn_scoped(scope, move || {
                let began = std::time::Instant::now();
                store.write(&db, &state);
                if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
                    eprintln!("store written in {:?}", began.elapsed());
                }
            });
        }
        project_diagnostics(db, project).clone()
    });
    if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
        eprintln!("parse and lower {lowered:?}, project {:?}", start.elapsed() - lowered);
    }
    diagnostics
}

/// Reads a source file as CPython would: UTF-8 (with an optional byte-order mark) or the
/// encoding a PEP 263 comment declares; see [`crate::decode_source`].
pub fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    crate::decode_source(&bytes).map(|decoded| decoded.text)
}

impl Workspace {
    /// Discovers and reads the files under `paths` into a new database.
    pub fn load(paths: &[PathBuf]) -> Self {
        Self::load_into(RootDatabase::new(), paths)
    }

    /// Loads `paths` with a configuration; `target` (a command-line choice) wins over the
    /// configuration's `target-version`, which wins over `requires-python`.
    pub fn load_configured(paths: &[PathBuf], config: &crate::config::Config, target: Option<PythonVersion>) -> Self {
        Self::load_unit(&crate::Unit { paths: paths.to_vec(), nested: Vec::new() }, config, target)
    }

    /// Loads one project of [`crate::units`] (its nested projects left out) with a configuration.
    pub fn load_unit(unit: &crate::Unit, config: &crate::config::Config, target: Option<PythonVersion>) -> Self {
        Self::load_discovered(Discovered::new(unit, config), unit, config, target)
    }

    /// Reads the files `discovered` found for `unit` into a new database.
    pub fn load_discovered(
        discovered: Discovered,
        unit: &crate::Unit,
        config: &crate::config::Config,
        target: Option<PythonVersion>,
    ) -> Self {
        let paths = &unit.paths;
        let roots = discovered.layout.roots.clone();
        let mut workspace =
            Self::read_found(RootDatabase::new(), discovered.layout, discovered.found, discovered.problems);
        workspace.scope = Scope::new(paths, &roots);
        workspace.fixes = config.fixes.clone();
        let declared = crate::target::declared(target.or(config.target_version), paths);
        let version = declared.unwrap_or(PythonVersion::OLDEST_SUPPORTED);
        workspace.project.set_target_version(&mut workspace.db).to(version);
        workspace.project.set_target_declared(&mut workspace.db).to(declared.is_some());
        workspace
    }

    pub fn load_into(db: RootDatabase, paths: &[PathBuf]) -> Self {
        let workspace = Self::load_files(db, paths, &[], &[], &[]);
        if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
            eprintln!("after reading: {}", tasklens_flow::memory_status());
        }
        workspace
    }

    fn load_files(
        db: RootDatabase,
        paths: &[PathBuf],
        excludes: &[String],
        src: &[PathBuf],
        nested: &[PathBuf],
    ) -> Self {
        let layout =
            Layout { roots: paths.to_vec(), excludes: excludes.to_vec(), src: src.to_vec(), nested: nested.to_vec() };
        let (found, problems) = layout.discover();
        Self::read_found(db, layout, found, problems)
    }

    /// Reads the files discovery found into `db`.
    fn read_found(db: RootDatabase, layout: Layout, found: Vec<FoundFile>, problems: Vec<PathProblem>) -> Self {
        let paths = &layout.roots;
        let inputs: Vec<_> = found.par_iter().map(|found| read_input(&found.path)).collect();
        let name_module = crate::discover::module_namer();
        let files: Vec<File> = found
            .into_iter()
            .zip(inputs)
            .map(|(found, (text, status))| {
                let (name, is_package) = name_module(&found.named, &found.root);
                File::builder(found.path, name.into(), is_package, text.into(), status)
                    .path_durability(salsa::Durability::NEVER_CHANGE)
                    .new(&db)
            })
            .collect();
        let declared = crate::target::declared(None, paths);
        let version = declared.unwrap_or(PythonVersion::OLDEST_SUPPORTED);
        let project = Project::new(&db, files.clone().into(), version, false, declared.is_some());
        Workspace {
            db,
            project,
            all_files: files.clone(),
            files,
            problems,
            layout,
            scope: Scope::default(),
            store: None,
            fixes: Default::default(),
        }
    }

    /// A workspace over in-memory sources (tests): paths are relative to an imaginary root.
    pub fn from_sources(sources: &[(&str, &str)]) -> Self {
        Self::from_sources_into(RootDatabase::new(), sources)
    }

    pub fn from_sources_into(db: RootDatabase, sources: &[(&str, &str)]) -> Self {
        let all_sources = sources;
        let declared = crate::target::declared_by(|name| {
            sources.iter().find(|(path, _)| *path == name).map(|(_, text)| (*text).to_owned())
        });
        let target = declared.unwrap_or(PythonVersion::OLDEST_SUPPORTED);
        let mut sources: Vec<(&str, &str)> =
            sources.iter().copied().filter(|(path, _)| path.ends_with(".py")).collect();
        sources.sort_by_key(|(path, _)| PathBuf::from(path));
        let paths: Vec<PathBuf> = sources.iter().map(|(path, _)| PathBuf::from(path)).collect();
        let is_package_dir = |dir: &Path| paths.iter().any(|p| p.parent() == Some(dir) && p.ends_with("__init__.py"));
        let is_project_dir = |dir: &Path| {
            let marker =
                |p: &Path| p.file_name().is_some_and(|n| crate::scope::PROJECT_MARKERS.iter().any(|m| n == *m));
            all_sources.iter().map(|(p, _)| Path::new(p)).any(|p| p.parent() == Some(dir) && marker(p))
        };
        let distribution_name = |dir: &Path| {
            let text = |name: &str| all_sources.iter().find(|(p, _)| Path::new(p) == dir.join(name)).map(|(_, t)| *t);
            crate::scope::declared_distribution_name(text("pyproject.toml"), text("setup.cfg"))
        };
        let files: Vec<File> = sources
            .iter()
            .map(|(path, text)| {
                let path = PathBuf::from(path);
                let (name, is_package) =
                    module_name_with(&path, Path::new(""), is_package_dir, is_project_dir, distribution_name);
                File::builder(path, name.into(), is_package, Arc::from(*text), FileStatus::Exists)
                    .path_durability(salsa::Durability::NEVER_CHANGE)
                    .new(&db)
            })
            .collect();
        let project = Project::new(&db, files.clone().into(), target, false, declared.is_some());
        Workspace {
            db,
            project,
            all_files: files.clone(),
            files,
            problems: Vec::new(),
            layout: Layout::default(),
            scope: Scope::default(),
            store: None,
            fixes: Default::default(),
        }
    }

    /// Report suppression comments that suppress nothing.
    pub fn set_warn_unused_ignores(&mut self, warn: bool) {
        self.project.set_warn_unused_ignores(&mut self.db).to(warn);
    }

    pub fn project(&self) -> Project {
        self.project
    }

    pub fn files(&self) -> &[File] {
        &self.files
    }

    /// Parses and lowers every file in parallel, then runs the project-wide check.
    pub fn check(&self) -> Vec<Diagnostic> {
        let pending = self.store.as_ref().and_then(|(store, state)| {
            let state = state.lock().unwrap_or_else(|e| e.into_inner()).take()?;
            Some((store, state))
        });
        let mut diagnostics = check_files_storing(&self.db, self.project, &self.files, pending);
        self.fixes.apply(&mut diagnostics);
        diagnostics
    }

    /// Reads the lowerings `store` has for the files' texts (those files are not parsed or
    /// lowered again), and has the next check write the others there. Call it once, right
    /// after loading, before any check.
    pub fn read_store(&mut self, store: crate::Store) {
        let (modules, state) = store.read(&self.db, &self.files);
        crate::store::set_stored(&self.db, modules);
        self.store = Some((store, std::sync::Mutex::new(Some(state))));
    }

    /// A database clone and what to check, for checking on another thread while this one
    /// waits for edits (a setter here cancels the job's queries).
    pub fn job(&self) -> CheckJob {
        CheckJob {
            db: self.db.clone(),
            project: self.project,
            files: self.files.clone(),
            scope: self.scope.clone(),
            fixes: self.fixes.clone(),
        }
    }

    /// Whether a finding concerns the paths the user named (see [`Scope`]).
    pub fn reports(&self, diagnostic: &Diagnostic) -> bool {
        self.scope.involves(&self.db, diagnostic)
    }

    /// Whether `file` is under the paths the user named (fixes edit only those).
    pub fn in_scope(&self, file: File) -> bool {
        self.scope.contains(&self.db, file)
    }

    /// The files under the paths the user named.
    pub fn scoped_file_count(&self) -> usize {
        if self.scope.is_everything() {
            return self.files.len();
        }
        self.files.iter().filter(|&&file| self.in_scope(file)).count()
    }

    /// The directories discovery walks (the named paths and the projects around them).
    pub fn roots(&self) -> &[PathBuf] {
        &self.layout.roots
    }

    /// Parses every file in parallel and nothing more (for benchmarks).
    pub fn parse_only(&self) -> usize {
        self.files
            .par_iter()
            .map_with(self.db.clone(), |db, &file| parsed_module(db, file).load().syntax().body.len())
            .sum()
    }

    /// Replaces a file's text (an edit).
    pub fn set_text(&mut self, file: File, text: &str) {
        file.set_text(&mut self.db).to(Arc::from(text));
    }

    /// Puts `text` in place of the file at `path` (an editor's unsaved buffer, read from
    /// stdin): the file discovery found there, or a new one, named by the layout, when
    /// there is none on disk yet.
    pub fn set_source(&mut self, path: &Path, text: &str) -> File {
        let wanted = absolute(path);
        self.problems.retain(|problem| absolute(&problem.path) != wanted);
        let existing = self.all_files.iter().copied().find(|f| absolute(f.path(&self.db)) == wanted);
        // The deepest root the file lies below names it, as discovery would have.
        let root = (self.layout.roots.iter())
            .map(|root| (root, absolute(root)))
            .filter(|(_, at)| wanted.starts_with(at) && *at != wanted)
            .max_by_key(|(_, at)| at.components().count())
            .map(|(root, _)| root.clone())
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
        self.put_source(existing, path, text, || crate::discover::module_namer()(path, &root))
    }

    /// Adds an in-memory source file, or brings back a removed one with new text.
    pub fn add_source(&mut self, path: &str, text: &str) -> File {
        let path = PathBuf::from(path);
        let existing = self.all_files.iter().copied().find(|f| *f.path(&self.db) == path);
        self.put_source(existing, &path, text, || {
            module_name_with(&path, Path::new(""), |_| false, |_| false, |_| None)
        })
    }

    /// Gives `existing`, or a new file at `path` named by `name`, the text `text`, and makes
    /// it one of the project's files. Files stay ordered by path, so results never depend
    /// on the order of edits.
    fn put_source(
        &mut self,
        existing: Option<File>,
        path: &Path,
        text: &str,
        name: impl FnOnce() -> (String, bool),
    ) -> File {
        let file = match existing {
            Some(file) => {
                file.set_text(&mut self.db).to(Arc::from(text));
                file.set_status(&mut self.db).to(FileStatus::Exists);
                file
            }
            None => {
                let (name, is_package) = name();
                let file =
                    File::builder(path.to_path_buf(), name.into(), is_package, Arc::from(text), FileStatus::Exists)
                        .path_durability(salsa::Durability::NEVER_CHANGE)
                        .new(&self.db);
                self.all_files.push(file);
                file
            }
        };
        if !self.files.contains(&file) {
            self.files.push(file);
        }
        let db = &self.db;
        self.files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
        self.project.set_files(&mut self.db).to(self.files.clone().into());
        file
    }

    /// Removes a file from the project (salsa inputs cannot be deleted: the status says so).
    pub fn remove(&mut self, file: File) {
        file.set_status(&mut self.db).to(FileStatus::Deleted);
        self.files.retain(|f| *f != file);
        self.project.set_files(&mut self.db).to(self.files.clone().into());
    }
}
