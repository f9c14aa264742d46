//! Bringing the workspace in line with the disk after files changed (watch mode): only
//! inputs whose value really changed are set, so salsa recomputes only what depends on them.

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};
use salsa::Setter;
use tasklens_db::{File, FileStatus, PythonVersion};

use crate::config::Config;
use crate::workspace::{FoundFile, Workspace, absolute, read_input};

/// Files whose change means the set of files may have changed.
const LAYOUT_FILES: &[&str] = &[".gitignore", ".ignore", "pyproject.toml", "tasklens.toml"];

impl Workspace {
    /// Takes in the paths that changed on disk (created, modified, removed or renamed
    /// files and directories). A known Python file that still exists is read again; any
    /// other change to a Python file, a directory or an ignore/config file walks the
    /// project again. Returns whether any input changed.
    pub fn sync(&mut self, changed: &[PathBuf]) -> bool {
        let known = self.known_paths();
        let current: FxHashSet<File> = self.files.iter().copied().collect();
        let mut rescan = false;
        let mut reread = FxHashSet::default();
        for path in changed {
            let absolute = absolute(path);
            match known.get(&absolute) {
                Some(&file) if current.contains(&file) && absolute.is_file() => {
                    reread.insert(file);
                }
                _ => rescan |= affects_layout(&absolute),
            }
        }
        let mut any = false;
        for file in reread.iter().copied() {
            any |= self.reload(file);
        }
        if rescan {
            any |= self.rescan(&known, &reread);
        }
        any
    }

    /// Applies a changed configuration: excludes, `src` roots and the target version.
    pub fn reconfigure(&mut self, config: &Config, target: Option<PythonVersion>) -> bool {
        self.layout.excludes = config.extend_exclude.clone();
        self.layout.src = config.src.clone();
        let declared = crate::target::declared(target.or(config.target_version), &self.layout.roots);
        let version = declared.unwrap_or(PythonVersion::OLDEST_SUPPORTED);
        let mut any = false;
        if *self.project.target_version(&self.db) != version {
            self.project.set_target_version(&mut self.db).to(version);
            any = true;
        }
        if *self.project.target_declared(&self.db) != declared.is_some() {
            self.project.set_target_declared(&mut self.db).to(declared.is_some());
            any = true;
        }
        let known = self.known_paths();
        any | self.rescan(&known, &FxHashSet::default())
    }

    fn known_paths(&self) -> FxHashMap<PathBuf, File> {
        self.all_files.iter().map(|&file| (absolute(file.path(&self.db)), file)).collect()
    }

    /// Reads a file again; sets its text and status only when they differ.
    fn reload(&mut self, file: File) -> bool {
        let (text, status) = read_input(file.path(&self.db));
        let mut any = false;
        if *file.status(&self.db) != status {
            file.set_status(&mut self.db).to(status);
            any = true;
        }
        if **file.text(&self.db) != *text {
            file.set_text(&mut self.db).to(text.into());
            any = true;
        }
        any
    }

    /// Walks the roots again: new files are added, vanished ones removed, the others read
    /// again unless `already_read` (an event may have been missed), module names updated
    /// (a new `__init__.py` makes a directory a package).
    fn rescan(&mut self, known: &FxHashMap<PathBuf, File>, already_read: &FxHashSet<File>) -> bool {
        let (found, problems) = self.layout.discover();
        let current: FxHashSet<File> = self.files.iter().copied().collect();
        let mut files = Vec::with_capacity(found.len());
        let mut any = false;
        let name_module = crate::discover::module_namer();
        for FoundFile { path, key, root, named } in found {
            let (name, is_package) = name_module(&named, &root);
            let file = match known.get(&key) {
                Some(&file) => {
                    if !current.contains(&file) || !already_read.contains(&file) {
                        any |= self.reload(file);
                    }
                    file
                }
                None => {
                    any = true;
                    let (text, status) = read_input(&path);
                    let file = File::builder(path, name.clone().into(), is_package, text.into(), status)
                        .path_durability(salsa::Durability::NEVER_CHANGE)
                        .new(&self.db);
                    self.all_files.push(file);
                    file
                }
            };
            if **file.module_name(&self.db) != *name {
                file.set_module_name(&mut self.db).to(name.into());
                any = true;
            }
            if *file.is_package(&self.db) != is_package {
                file.set_is_package(&mut self.db).to(is_package);
                any = true;
            }
            files.push(file);
        }
        let kept: FxHashSet<File> = files.iter().copied().collect();
        for file in current.into_iter().filter(|file| !kept.contains(file)) {
            if *file.status(&self.db) != FileStatus::Deleted {
                file.set_status(&mut self.db).to(FileStatus::Deleted);
                any = true;
            }
        }
        let db = &self.db;
        files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
        if files != self.files {
            self.files = files;
            self.project.set_files(&mut self.db).to(self.files.clone().into());
            any = true;
        }
        self.problems = problems;
        any
    }
}

/// Whether a change at `path` can change which files the project has.
fn affects_layout(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    path.is_dir()
        || path.extension().is_some_and(|e| e == "py")
        || LAYOUT_FILES.contains(&name)
        // A removed directory (or anything without an extension that is gone).
        || (!path.exists() && path.extension().is_none())
}
