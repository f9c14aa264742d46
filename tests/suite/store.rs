//! The lowering store: a second run reads each unchanged module back instead of parsing
//! and lowering it, and finds exactly what a run without the store finds.

use std::path::{Path, PathBuf};

use tasklens_checks::Diagnostic;
use tasklens_db::RootDatabase;
use tasklens_project::{Store, Workspace};

const POOL: &str = "import asyncio\n\ndef make(loop):\n    return loop.create_future()\n";
const USE: &str = "from pool import make\n\nasync def use(loop):\n    make(loop).get_name()\n";
const BROKEN: &str = "def broken(:\n    pass\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    // Two empty packages: files with the same text share an entry.
    std::fs::create_dir_all(dir.path().join("pkg/sub")).expect("packages");
    for (name, text) in [
        ("pool.py", POOL),
        ("use.py", USE),
        ("broken.py", BROKEN),
        ("pkg/__init__.py", ""),
        ("pkg/sub/__init__.py", ""),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write a module");
    }
    dir
}

/// Checks `root` in a new database reading `store` (when given); the findings as
/// `file:code` lines, and the queries that ran.
fn check(root: &Path, store: Option<&Path>) -> (Vec<String>, Vec<String>) {
    let (db, log) = RootDatabase::with_query_log();
    let mut workspace = Workspace::load_into(db, &[root.to_path_buf()]);
    if let Some(dir) = store {
        workspace.read_store(Store::new(dir, &[root.to_path_buf()]));
    }
    let diagnostics = workspace.check();
    (findings(&workspace, &diagnostics), log.take())
}

fn findings(workspace: &Workspace, diagnostics: &[Diagnostic]) -> Vec<String> {
    let name =
        |d: &Diagnostic| d.primary.file.path(&workspace.db).file_name().map(|n| n.to_string_lossy().into_owned());
    let mut lines: Vec<String> =
        diagnostics.iter().map(|d| format!("{}:{}", name(d).unwrap_or_default(), d.code)).collect();
    lines.sort();
    lines
}

fn parsed(log: &[String]) -> usize {
    log.iter().filter(|entry| entry.starts_with("parsed_module(")).count()
}

/// When the pack was last written (a new pack is a new file, renamed over the old one).
fn written(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("the pack's time")
}

fn pack(store: &Path) -> PathBuf {
    let build = std::fs::read_dir(store).expect("the store").flatten().find(|e| e.path().is_dir()).expect("a build");
    std::fs::read_dir(build.path()).expect("the build").flatten().next().expect("a pack").path()
}

#[test]
fn a_second_run_reads_unchanged_modules_back_and_finds_the_same() {
    let dir = project();
    let store = dir.path().join(".store");
    let (fresh, _) = check(dir.path(), None);
    assert!(fresh.contains(&"pool.py:TL001".to_string()) && fresh.contains(&"broken.py:syntax-error".to_string()));

    let (first, log) = check(dir.path(), Some(&store));
    assert_eq!(first, fresh);
    assert_eq!(parsed(&log), 5, "{log:?}");
    assert_eq!(std::fs::read_to_string(store.join(".gitignore")).expect("ignored by git").lines().last(), Some("*"));

    // Nothing parsed, the syntax error still reported, and the pack left as it was.
    let before = written(&pack(&store));
    let (second, log) = check(dir.path(), Some(&store));
    assert_eq!(second, fresh);
    assert_eq!(parsed(&log), 0, "{log:?}");
    assert_eq!(written(&pack(&store)), before, "nothing new to store");

    // An edited module is parsed again, alone, and its new facts count.
    std::fs::write(dir.path().join("use.py"), "from pool import make\n\nasync def use(loop):\n    await make(loop)\n")
        .expect("edit");
    let (third, log) = check(dir.path(), Some(&store));
    assert_eq!(third, check(dir.path(), None).0);
    assert!(!third.contains(&"pool.py:TL001".to_string()), "{third:?}");
    assert_eq!(parsed(&log), 1, "{log:?}");
    let (fourth, log) = check(dir.path(), Some(&store));
    assert_eq!((fourth, parsed(&log)), (third, 0));
}

#[test]
fn a_damaged_store_is_lowered_again_and_rewritten() {
    let dir = project();
    let store = dir.path().join(".store");
    let (fresh, _) = check(dir.path(), Some(&store));
    let pack = pack(&store);
    let mut bytes = std::fs::read(&pack).expect("the pack");
    // Flip bytes in the middle of the entries: their checksums no longer match.
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle - 40..middle] {
        *byte ^= 0x5a;
    }
    std::fs::write(&pack, &bytes).expect("damage the pack");
    let (damaged, log) = check(dir.path(), Some(&store));
    assert_eq!(damaged, fresh);
    assert!(parsed(&log) >= 1, "{log:?}");
    // Cut short: no footer, nothing read.
    std::fs::write(&pack, &bytes[..middle]).expect("cut the pack");
    let (cut, log) = check(dir.path(), Some(&store));
    assert_eq!((cut, parsed(&log)), (fresh.clone(), 5));
    let (again, log) = check(dir.path(), Some(&store));
    assert_eq!((again, parsed(&log)), (fresh, 0));
}

#[test]
fn an_unsaved_buffer_is_not_stored_as_the_file_on_disk() {
    let dir = project();
    let store = dir.path().join(".store");
    let (db, _) = RootDatabase::with_query_log();
    let mut workspace = Workspace::load_into(db, &[dir.path().to_path_buf()]);
    workspace.read_store(Store::new(&store, &[dir.path().to_path_buf()]));
    workspace.set_source(&dir.path().join("use.py"), "async def use(loop):\n    pass\n");
    let buffered = workspace.check();
    assert!(findings(&workspace, &buffered).iter().all(|f| !f.ends_with("TL001")), "{buffered:?}");
    // The next run reads the file on disk, which still has the finding.
    let (next, log) = check(dir.path(), Some(&store));
    assert_eq!(next, check(dir.path(), None).0);
    assert!(next.contains(&"pool.py:TL001".to_string()), "{next:?}");
    assert_eq!(parsed(&log), 1, "use.py was not stored: {log:?}");
}
