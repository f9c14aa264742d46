//! The lowering store: each module's lowering kept on disk between runs (like ruff's
//! cache), so a check of a project whose files did not change skips parsing and lowering
//! them. Entries are keyed by a hash of the file's text, kept apart per build of tasklens
//! and per project, and written while the project-wide analysis runs. The store is never a
//! reason to fail a check: what cannot be read is lowered again, what cannot be written
//! is skipped.
//!
//! Layout: `<dir>/<build>/<project>.pack`, one file per project (thousands of small files
//! cost more to create than to fill), and a `.gitignore` of `*` in `<dir>`. A pack is
//! `TLPACK01`, the entries (each as [`stored::encode`] makes it), an index of (text hash,
//! offset, length) sorted by hash, and a footer: the index's offset, its entry count and
//! `TLPACK01` again. Entries are read and copied by offset, so no pack is ever in memory.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use siphasher::sip128::{Hasher128, SipHasher13};
use tasklens_db::{File, FileStatus, RootDatabase};
use tasklens_semantic::stored::{self, StoredLowering, StoredLowerings};

/// The store's directory name when none is given: beside the project's configuration.
pub const DEFAULT_DIR: &str = ".tasklens_cache";

const PACK_MAGIC: &[u8; 8] = b"TLPACK01";
/// Bytes per index entry: a 128-bit hash, an offset and a length.
const INDEX_ENTRY: usize = 32;

/// Where one project's lowerings are stored.
#[derive(Clone, Debug)]
pub struct Store {
    /// The directory of every build's packs (`.tasklens_cache`).
    dir: PathBuf,
    /// This build's directory in it.
    build: PathBuf,
    /// This project's pack in that.
    pack: PathBuf,
}

/// What reading the store found, for writing it afterwards.
#[derive(Default)]
pub(crate) struct StoreState {
    /// Per file that exists, its text when the store was read and the text's hash.
    keys: FxHashMap<File, (Arc<str>, u128)>,
    /// The hashes whose entries were read back.
    read: FxHashSet<u128>,
}

impl Store {
    /// The store in `dir` for the project whose discovery starts at `roots`.
    pub fn new(dir: &Path, roots: &[PathBuf]) -> Store {
        let mut project = SipHasher13::new();
        for root in roots {
            project.write(crate::workspace::absolute(root).as_os_str().as_encoded_bytes());
            project.write_u8(0);
        }
        let build = dir.join(build_id());
        let pack = build.join(format!("{:016x}.pack", project.finish()));
        Store { dir: dir.to_path_buf(), build, pack }
    }

    /// The directory the store keeps its builds' packs in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads the stored lowerings of `files` that match their current texts.
    pub(crate) fn read(&self, db: &RootDatabase, files: &[File]) -> (FxHashMap<File, StoredLowering>, StoreState) {
        let texts: Vec<(File, Arc<str>)> = (files.iter())
            .filter(|&&file| *file.status(db) == FileStatus::Exists)
            .map(|&file| (file, file.text(db).clone()))
            .collect();
        let pack = Pack::open(&self.pack);
        let found: Vec<(File, Arc<str>, u128, Option<StoredLowering>)> = texts
            .into_par_iter()
            .map(|(file, text)| {
                let key = text_hash(&text);
                let mut bytes = Vec::new();
                let lowered = (pack.as_ref())
                    .filter(|pack| pack.read_entry(key, &mut bytes))
                    .and_then(|_| stored::decode(&bytes));
                let stored = lowered.map(|lowered| StoredLowering { text: text.clone(), lowered: Arc::new(lowered) });
                (file, text, key, stored)
            })
            .collect();
        let mut state = StoreState::default();
        let mut modules = FxHashMap::default();
        for (file, text, key, stored) in found {
            state.keys.insert(file, (text, key));
            if let Some(stored) = stored {
                state.read.insert(key);
                modules.insert(file, stored);
            }
        }
        (modules, state)
    }

    /// Writes a new pack when some file's lowering was not read back: the entries read
    /// back are copied from the old pack, the others encoded (one after another: this runs
    /// beside the project-wide analysis); entries no file needs any more are left out, and
    /// other builds' directories removed.
    pub(crate) fn write(&self, db: &RootDatabase, state: &StoreState) {
        // A text set since (an editor's buffer from stdin) is not what its key names.
        let current = |file: File, text: &Arc<str>| Arc::ptr_eq(text, file.text(db));
        let missing = state.keys.iter().any(|(&file, (text, key))| !state.read.contains(key) && current(file, text));
        // Files with the same text (empty `__init__.py`s) share an entry.
        let wanted: FxHashSet<u128> = state.keys.values().map(|&(_, key)| key).collect();
        if !missing && wanted.len() == state.read.len() {
            return;
        }
        if std::fs::create_dir_all(&self.build).is_err() {
            return;
        }
        // Never over another `.gitignore`: `--cache-dir` may name a directory of the user's.
        let gitignore = self.dir.join(".gitignore");
        if !gitignore.exists() || is_store(&self.dir) {
            let _ = std::fs::write(gitignore, format!("{GITIGNORE_MARK}\n*\n"));
        }
        let old = Pack::open(&self.pack);
        let partial = self.pack.with_extension(format!("partial-{}", std::process::id()));
        let mut files: Vec<(File, u128)> = (state.keys.iter())
            .filter(|&(&file, (text, _))| current(file, text))
            .map(|(&file, &(_, key))| (file, key))
            .collect();
        files.sort_unstable_by_key(|&(_, key)| key);
        files.dedup_by_key(|(_, key)| *key);
        let entry = |file: File, key: u128, bytes: &mut Vec<u8>| {
            let copied = state.read.contains(&key) && old.as_ref().is_some_and(|old| old.read_entry(key, bytes));
            if !copied {
                stored::encode(tasklens_semantic::lowered(db, file), bytes);
            }
        };
        if write_pack(&partial, &files, entry).is_err() || std::fs::rename(&partial, &self.pack).is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        self.remove_other_builds();
    }

    /// Removes the directories of other builds; whatever else the store's directory holds
    /// stays (`--cache-dir` may name a directory of the user's).
    fn remove_other_builds(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if entry.path() != self.build && is_build_name(&name.to_string_lossy()) && entry.path().is_dir() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// An open pack and its index.
struct Pack {
    file: std::fs::File,
    /// (text hash, offset, length), sorted by hash.
    index: Vec<(u128, u64, u64)>,
}

const FOOTER: u64 = 24;

impl Pack {
    /// The pack at `path`, if there is one whose footer and index make sense.
    fn open(path: &Path) -> Option<Pack> {
        let file = std::fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut footer = [0u8; FOOTER as usize];
        read_at(&file, &mut footer, len.checked_sub(FOOTER)?)?;
        let (numbers, magic) = footer.split_at(16);
        let at = u64::from_le_bytes(numbers[..8].try_into().ok()?);
        let count = u64::from_le_bytes(numbers[8..].try_into().ok()?);
        if magic != PACK_MAGIC || at.checked_add(count.checked_mul(INDEX_ENTRY as u64)?)? != len - FOOTER {
            return None;
        }
        let mut raw = vec![0u8; usize::try_from(count).ok()? * INDEX_ENTRY];
        read_at(&file, &mut raw, at)?;
        let number = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        let index: Vec<(u128, u64, u64)> = (raw.chunks_exact(INDEX_ENTRY))
            .map(|e| {
                (u128::from_le_bytes(e[..16].try_into().unwrap_or_default()), number(&e[16..24]), number(&e[24..]))
            })
            .collect();
        let in_bounds =
            index.iter().all(|&(_, offset, length)| offset.checked_add(length).is_some_and(|end| end <= at));
        (in_bounds && index.is_sorted_by_key(|entry| entry.0)).then_some(Pack { file, index })
    }

    /// Reads the entry for `key` into `bytes`; false when the pack has none (or it cannot be read).
    fn read_entry(&self, key: u128, bytes: &mut Vec<u8>) -> bool {
        let Ok(at) = self.index.binary_search_by_key(&key, |entry| entry.0) else { return false };
        let (_, offset, length) = self.index[at];
        let Ok(length) = usize::try_from(length) else { return false };
        bytes.clear();
        bytes.resize(length, 0);
        read_at(&self.file, bytes, offset).is_some()
    }
}

/// Fills `bytes` from `offset` of `file` without moving a shared cursor (the pack is read
/// from several threads at once).
#[cfg(unix)]
fn read_at(file: &std::fs::File, bytes: &mut [u8], offset: u64) -> Option<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(bytes, offset).ok()
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut bytes: &mut [u8], mut offset: u64) -> Option<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let read = file.seek_read(bytes, offset).ok().filter(|&n| n > 0)?;
        bytes = &mut bytes[read..];
        offset += read as u64;
    }
    Some(())
}

/// Elsewhere, no store is read.
#[cfg(not(any(unix, windows)))]
fn read_at(_file: &std::fs::File, _bytes: &mut [u8], _offset: u64) -> Option<()> {
    None
}

/// Writes a pack of the entries of `files` (sorted by hash), each made by `entry`.
fn write_pack(path: &Path, files: &[(File, u128)], entry: impl Fn(File, u128, &mut Vec<u8>)) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    out.write_all(PACK_MAGIC)?;
    let mut offset = PACK_MAGIC.len() as u64;
    let mut index = Vec::with_capacity(files.len());
    let mut bytes = Vec::new();
    for &(file, key) in files {
        entry(file, key, &mut bytes);
        out.write_all(&bytes)?;
        index.push((key, offset, bytes.len() as u64));
        offset += bytes.len() as u64;
    }
    for (key, at, length) in &index {
        out.write_all(&key.to_le_bytes())?;
        out.write_all(&at.to_le_bytes())?;
        out.write_all(&length.to_le_bytes())?;
    }
    out.write_all(&offset.to_le_bytes())?;
    out.write_all(&(index.len() as u64).to_le_bytes())?;
    out.write_all(PACK_MAGIC)?;
    out.flush()
}

/// Whether `name` is what `build_id` names a build's directory: a version, a `-` and 16
/// hexadecimal digits (the format).
fn is_build_name(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(version, hash)| {
        version.starts_with(|c: char| c.is_ascii_digit())
            && hash.len() == 16
            && hash.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// A 128-bit hash of a file's text: its entry's name.
fn text_hash(text: &str) -> u128 {
    let mut hasher = SipHasher13::new();
    hasher.write(text.as_bytes());
    hasher.finish128().as_u128()
}

/// The directory name of this build's packs: the version and the lowering format.
fn build_id() -> String {
    format!("{}-{}", env!("CARGO_PKG_VERSION"), stored::FORMAT)
}

/// Sets the stored lowerings of a database (once: every lowering reads them).
pub(crate) fn set_stored(db: &RootDatabase, modules: FxHashMap<File, StoredLowering>) {
    StoredLowerings::new(db, Arc::new(modules));
}

/// The first line of the `.gitignore` a store is made with: what tells a store of
/// tasklens from another directory of that name.
const GITIGNORE_MARK: &str = "# Made by tasklens.";

/// Whether `dir` is a store tasklens made.
fn is_store(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(".gitignore")).is_ok_and(|text| text.starts_with(GITIGNORE_MARK))
}

/// Removes the stores (`.tasklens_cache` directories tasklens made) at and below `root`,
/// and `root` itself if it is one; the stores removed, and those that could not be.
pub fn remove_stores(root: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    let (mut removed, mut failed) = (Vec::new(), Vec::new());
    let mut remove = |dir: PathBuf| match std::fs::remove_dir_all(&dir) {
        Ok(()) => removed.push(dir),
        Err(error) => failed.push((dir, error)),
    };
    if root.is_dir() && is_store(root) {
        remove(root.to_path_buf());
        return (removed, failed);
    }
    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    let mut stores = Vec::new();
    for entry in walk.flatten() {
        let path = entry.path();
        if entry.file_type().is_some_and(|t| t.is_dir())
            && entry.file_name() == DEFAULT_DIR
            && is_store(path)
            && !stores.iter().any(|store: &PathBuf| path.starts_with(store))
        {
            stores.push(path.to_path_buf());
        }
    }
    stores.into_iter().for_each(&mut remove);
    (removed, failed)
}
