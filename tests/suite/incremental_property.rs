//! Incremental re-checks equal fresh checks, over many random edits: modules gain and
//! lose producers, sinks and imports, get syntax errors, move down and up, appear and
//! disappear.

use tasklens_project::Workspace;
use tasklens_render::render_concise;

/// Module texts an edit can put in place.
const VARIANTS: &[&str] = &[
    "import asyncio\n\ndef make():\n    return asyncio.get_running_loop().create_future()\n",
    "import asyncio\n\nasync def work():\n    return 1\n\ndef make():\n    return asyncio.ensure_future(work())\n",
    "from m0 import make\n\ndef use():\n    return make().get_name()\n",
    "import m1\n\ndef use():\n    job = m1.make()\n    job.set_name('x')\n    return job\n",
    "import asyncio\nfrom m2 import use\n\nasync def main():\n    asyncio.create_task(use())\n",
    "import asyncio\n\nclass Holder:\n    task: asyncio.Task\n\n    def __init__(self, job):\n        self.task = job\n",
    "from m5 import Holder\nfrom m0 import make\n\ndef hold():\n    return Holder(make())\n",
    "def broken(:\n    pass\n",
    "",
    "import asyncio\nx = asyncio.sleep(0, loop=None)  # tasklens: ignore[TL006]\n",
];

const PATHS: &[&str] = &["m0.py", "m1.py", "m2.py", "m3.py", "m4.py", "m5.py", "m6.py"];

/// A small deterministic generator (no dependency, the same edits on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn fresh(sources: &[(String, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = sources.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let workspace = Workspace::from_sources(&borrowed);
    render_concise(&workspace.db, &workspace.check())
}

#[test]
fn incremental_results_equal_fresh_checks_over_random_edits() {
    let mut sources: Vec<(String, String)> =
        PATHS.iter().zip(VARIANTS).map(|(path, text)| (path.to_string(), text.to_string())).collect();
    let borrowed: Vec<(&str, &str)> = sources.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut workspace = Workspace::from_sources(&borrowed);
    let mut random = Lcg(20261125);
    let mut nonempty = 0;
    for edit in 0..200 {
        let path = PATHS[random.below(PATHS.len())];
        let present = sources.iter().position(|(p, _)| p == path);
        match (random.below(10), present) {
            // Remove a file.
            (0, Some(at)) => {
                sources.remove(at);
                let file = *workspace.files().iter().find(|f| f.path(&workspace.db).to_str() == Some(path)).unwrap();
                workspace.remove(file);
            }
            // Move the code: a comment line added at the top, or taken away (positions
            // change, the facts do not).
            (1, Some(at)) => {
                let old = &sources[at].1;
                let text = match old.strip_prefix("# moved\n") {
                    Some(rest) => rest.to_string(),
                    None => format!("# moved\n{old}"),
                };
                sources[at].1 = text.clone();
                workspace.add_source(path, &text);
            }
            // Add or rewrite a file.
            _ => {
                let text = VARIANTS[random.below(VARIANTS.len())].to_string();
                match present {
                    Some(at) => sources[at].1 = text.clone(),
                    None => sources.push((path.to_string(), text.clone())),
                }
                workspace.add_source(path, &text);
            }
        }
        sources.sort();
        let incremental = render_concise(&workspace.db, &workspace.check());
        assert_eq!(incremental, fresh(&sources), "after edit {edit} to {path}");
        nonempty += usize::from(!incremental.is_empty());
    }
    // The edits must exercise findings, not compare empty reports.
    assert!(nonempty > 100, "only {nonempty} of 200 checks had findings");
}

/// The disk side of watch mode: random changes on disk (files written, deleted and
/// renamed, packages and directories created and removed, `.gitignore` written), each
/// taken in by `Workspace::sync` with the paths a watcher would report; after each, the
/// report equals a fresh load of the directory.
#[test]
fn syncing_with_the_disk_equals_a_fresh_load_over_random_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let places = ["m0.py", "m1.py", "m2.py", "m3.py", "pkg/m4.py", "pkg/m5.py", "pkg/__init__.py", "m6.py"];
    for (place, text) in places.iter().zip(VARIANTS) {
        write(&root, place, text);
    }
    let roots = [root.clone()];
    let mut workspace = Workspace::load(&roots);
    let mut random = Lcg(7);
    let mut nonempty = 0;
    for step in 0..120 {
        let place = places[random.below(places.len())];
        let path = root.join(place);
        let changed: Vec<std::path::PathBuf> = match random.below(8) {
            0 => {
                let _ = std::fs::remove_file(&path);
                vec![path]
            }
            1 => {
                let other = root.join(places[random.below(places.len())]);
                let moved = std::fs::rename(&path, &other).is_ok();
                if moved { vec![path, other] } else { Vec::new() }
            }
            2 => {
                let _ = std::fs::remove_dir_all(root.join("pkg"));
                vec![root.join("pkg")]
            }
            3 => {
                let ignored = places[random.below(places.len())];
                let text = if random.below(2) == 0 { format!("{ignored}\n") } else { String::new() };
                write(&root, ".gitignore", &text);
                vec![root.join(".gitignore")]
            }
            _ => {
                let created_dir = !path.parent().is_some_and(|p| p.exists());
                write(&root, place, VARIANTS[random.below(VARIANTS.len())]);
                if created_dir { vec![root.join("pkg"), path] } else { vec![path] }
            }
        };
        workspace.sync(&changed);
        let incremental = render_concise(&workspace.db, &workspace.check());
        let fresh = Workspace::load(&roots);
        assert_eq!(incremental, render_concise(&fresh.db, &fresh.check()), "after step {step}: {changed:?}");
        nonempty += usize::from(!incremental.is_empty());
    }
    assert!(nonempty > 40, "only {nonempty} of 120 checks had findings");
}

fn write(root: &std::path::Path, place: &str, text: &str) {
    let path = root.join(place);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}
