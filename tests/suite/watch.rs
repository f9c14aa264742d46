//! `tasklens check --watch` with a real file watcher over a temporary project: the JSON
//! reports (one document per line) follow files being created, edited, renamed and
//! deleted, configuration and `.gitignore` changes, and Ctrl-C ends the process with status 0.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The findings of one report, as `file:line: CODE`.
fn findings(line: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(line).expect("one JSON document per line");
    let mut findings: Vec<String> = report
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|f| {
            let path = f["filename"].as_str().unwrap_or_default();
            let name = Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or_default();
            format!("{name}:{}: {}", f["location"]["row"], f["code"].as_str().unwrap_or_default())
        })
        .collect();
    findings.sort();
    findings
}

/// Waits for a report with exactly `expected`; earlier reports of the same burst may differ.
#[track_caller]
fn expect(reports: &Receiver<String>, expected: &[&str]) {
    expect_where(reports, &format!("{expected:?}"), |got| got == expected);
}

/// Waits for a report whose findings satisfy `wanted`.
#[track_caller]
fn expect_where(reports: &Receiver<String>, what: &str, wanted: impl Fn(&[String]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = reports.recv_timeout(left) else { break };
        let got = findings(&line);
        if wanted(&got) {
            return;
        }
        seen.push(got);
    }
    panic!("no report with {what}; reports seen: {seen:?}");
}

fn write(dir: &Path, path: &str, text: &str) {
    let target = dir.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, text).expect("write");
}

const WORK: &str = "async def work():\n    return 1\n";
const USER: &str =
    "import asyncio\nfrom pkg.worker import work\n\nasync def main():\n    return asyncio.ensure_future(work())\n";

#[test]
fn reports_follow_the_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "pkg/__init__.py", "");
    write(root, "pkg/worker.py", WORK);
    let (child, reports) = watch(root, &[]);
    expect(&reports, &[]);

    write(root, "app.py", USER);
    expect(&reports, &["app.py:5: TL002"]);
    // A syntax error mid-edit is reported and the rest of the report stays.
    write(root, "pkg/worker.py", "async def work(:\n    return 1\n");
    expect_where(&reports, "a syntax error", |got| got.iter().any(|f| f == "worker.py:1: syntax-error"));
    write(root, "pkg/worker.py", WORK);
    expect(&reports, &["app.py:5: TL002"]);
    // Renamed: the finding moves with the file.
    std::fs::rename(root.join("app.py"), root.join("main.py")).expect("rename");
    expect(&reports, &["main.py:5: TL002"]);
    // Configuration and ignore files are watched too.
    write(root, "tasklens.toml", "ignore = [\"TL002\"]\n");
    expect(&reports, &[]);
    std::fs::remove_file(root.join("tasklens.toml")).expect("remove");
    expect(&reports, &["main.py:5: TL002"]);
    write(root, ".gitignore", "main.py\n");
    expect(&reports, &[]);
    std::fs::remove_file(root.join(".gitignore")).expect("remove");
    expect(&reports, &["main.py:5: TL002"]);
    // The imported module is deleted: `work()` is unknown now, so nothing is reported.
    std::fs::remove_file(root.join("pkg/worker.py")).expect("remove");
    expect(&reports, &[]);
    // A new directory with a module brings it back.
    write(root, "pkg/worker/__init__.py", WORK);
    expect(&reports, &["main.py:5: TL002"]);
    std::fs::remove_file(root.join("main.py")).expect("remove");
    expect(&reports, &[]);

    assert_eq!(interrupt(child), Some(0));
}

#[test]
fn a_watched_file_survives_being_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app.py", WORK);
    let (child, reports) = watch(root, &["app.py"]);
    expect(&reports, &[]);
    // Editors save by writing a new file and renaming it over the old one.
    let replace = |text: &str| {
        write(root, "app.py.new", text);
        std::fs::rename(root.join("app.py.new"), root.join("app.py")).expect("rename");
    };
    replace(&format!("import asyncio\n{WORK}\nasync def main():\n    return asyncio.ensure_future(work())\n"));
    expect(&reports, &["app.py:6: TL002"]);
    replace(WORK);
    expect(&reports, &[]);
    assert_eq!(interrupt(child), Some(0));
}

#[test]
fn each_project_of_a_directory_is_watched_on_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Two checkouts with the same package; each report line is one project's.
    for (marker, text) in [("a/pyproject.toml", "[project]\nname = \"a\"\n"), ("b/setup.py", "")] {
        write(root, marker, text);
    }
    for project in ["a", "b"] {
        write(root, &format!("{project}/pkg/__init__.py"), "");
        write(root, &format!("{project}/pkg/worker.py"), WORK);
    }
    let (child, reports) = watch(root, &[]);
    expect(&reports, &[]);
    write(root, "b/main_b.py", USER);
    expect(&reports, &["main_b.py:5: TL002"]);
    write(root, "a/main_a.py", USER);
    expect(&reports, &["main_a.py:5: TL002"]);
    // In b, `work()` becomes a Future: b's call is normalising now; a's stays a finding.
    write(
        root,
        "b/pkg/worker.py",
        "import asyncio\n\ndef work():\n    return asyncio.get_event_loop().create_future()\n",
    );
    expect(&reports, &[]);
    write(root, "a/main_a.py", &format!("{USER}\n"));
    expect(&reports, &["main_a.py:5: TL002"]);
    assert_eq!(interrupt(child), Some(0));
}

/// Starts `tasklens check --watch --output-format json [paths]` in `root`; the reports
/// come one line each through the receiver.
fn watch(root: &Path, paths: &[&str]) -> (Child, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(["check", "--watch", "--output-format", "json"])
        .args(paths)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tasklens --watch");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, reports) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    (child, reports)
}

/// Sends Ctrl-C and returns the exit status.
fn interrupt(mut child: Child) -> Option<i32> {
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill -INT");
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        assert!(Instant::now() < deadline, "tasklens --watch did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
}
