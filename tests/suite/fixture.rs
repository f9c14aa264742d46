//! The `check(fixture, expected)` helper.
//!
//! A fixture is a set of files, each starting with a `#- path` line; `#- path run`
//! marks the script that `python3` runs. The helper asserts the exact findings
//! (`path:line: CODE`), snapshots the full rendering, and runs the script: it must
//! fail with the exception an expected finding promises (TL001: `AttributeError`,
//! TL003: `RuntimeError`, TL004, TL006 and TL008: `TypeError`), and succeed when no such
//! finding is expected.
//! A `#- pyproject.toml` file sets the target version through `requires-python`.

use std::path::Path;
use std::process::Command;

use tasklens_project::Workspace;
use tasklens_render::{render_concise, render_full};

pub struct Fixture {
    pub files: Vec<(String, String)>,
    pub run: Option<String>,
    /// The CPython minor version to run under (`#- main.py run 3.9`), through pyenv.
    pub python: Option<String>,
}

pub fn parse(text: &str) -> Fixture {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut run = None;
    let mut python = None;
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("#- ") {
            let mut parts = header.split_whitespace();
            let path = parts.next().expect("a path after #-").to_string();
            if parts.next() == Some("run") {
                run = Some(path.clone());
                python = parts.next().map(str::to_string);
            }
            files.push((path, String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(!files.is_empty(), "a fixture needs at least one `#- path` header");
    Fixture { files, run, python }
}

/// Checks a fixture project: the findings must be exactly `expected`.
#[track_caller]
pub fn check(fixture: &str, expected: &str) {
    let fixture = parse(fixture);
    let sources: Vec<(&str, &str)> = fixture.files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let workspace = Workspace::from_sources(&sources);
    let diagnostics = workspace.check();
    let concise = render_concise(&workspace.db, &diagnostics);
    let actual: Vec<String> = concise
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, ':');
            let (path, row, _col, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
            let code = rest.unwrap_or_default().split_whitespace().next().unwrap_or_default();
            format!("{}:{}: {code}", path.unwrap_or_default(), row.unwrap_or_default())
        })
        .collect();
    let expected: Vec<String> = expected.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    assert_eq!(actual, expected, "findings differ; full output:\n{concise}");

    let name = std::thread::current().name().unwrap_or("fixture").replace("::", "__");
    let full = render_full(&workspace.db, &diagnostics, false);
    insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_path => "snapshots" }, {
        insta::assert_snapshot!(name, full);
    });

    if let Some(script) = &fixture.run {
        let promised: Vec<&str> = expected.iter().flat_map(|line| promised_exception(line)).copied().collect();
        run_python(&fixture, script, &promised);
    }
}

/// The installed pyenv version for `3.9` and the like (the machine has 3.8 to 3.13).
fn pyenv_version(minor: &str) -> String {
    let root =
        std::env::var("PYENV_ROOT").unwrap_or_else(|_| format!("{}/.pyenv", std::env::var("HOME").unwrap_or_default()));
    let mut installed: Vec<String> = std::fs::read_dir(format!("{root}/versions"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.strip_prefix(minor).is_some_and(|rest| rest.starts_with('.')))
        .collect();
    installed.sort();
    installed.pop().unwrap_or_else(|| panic!("CPython {minor} is not installed through pyenv"))
}

/// Runs `script` of a project written to a temporary directory with `python3` (under
/// CPython `minor` through pyenv when given), passing `flags` to the interpreter.
pub fn python(files: &[(String, String)], script: &str, minor: Option<&str>, flags: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap_or(Path::new("."))).expect("create fixture dirs");
        std::fs::write(&target, text).expect("write fixture file");
    }
    let mut command = Command::new("python3");
    if let Some(minor) = minor {
        command.env("PYENV_VERSION", pyenv_version(minor));
    }
    command.args(flags).arg(script).current_dir(dir.path()).output().expect("run python3")
}

/// The exception a finding says the code raises at run time.
fn promised_exception(finding: &str) -> &'static [&'static str] {
    match finding.rsplit(' ').next().unwrap_or_default() {
        "TL001" | "TL018" => &["AttributeError"],
        // An attribute of the coroutine; a subscript or a `for` over it.
        "TL019" => &["AttributeError", "TypeError"],
        // An attribute of asyncio, or a name imported from it; `async for` over `as_completed`.
        "TL016" => &["AttributeError", "ImportError", "TypeError"],
        // TL020: waiting in `asyncio.run`'s loop on what import time bound to another.
        "TL003" | "TL012" | "TL020" | "TL022" => &["RuntimeError"],
        "TL004" | "TL006" | "TL008" | "TL013" | "TL014" | "TL015" => &["TypeError"],
        "TL010" => &["ValueError"],
        // The classes before 3.11, which the handler let through.
        "TL021" => &["asyncio.exceptions.TimeoutError", "concurrent.futures._base.TimeoutError"],
        // What the loop reported from a done-callback, raised again by the fixture.
        "TL023" => &["asyncio.exceptions.CancelledError"],
        // Made an error by the fixture, as Python 3.14 makes it a RuntimeError.
        "TL017" => &["DeprecationWarning"],
        _ => &[],
    }
}

/// Runs the fixture's script with `python3` in a temporary copy of the project: it
/// must raise one of `promised` (the first one reached ends the script), or run
/// cleanly when nothing is promised.
fn run_python(fixture: &Fixture, script: &str, promised: &[&str]) {
    let output = python(&fixture.files, script, fixture.python.as_deref(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !promised.is_empty() {
        // The exception line ends the last traceback (warnings may follow it).
        let lines: Vec<&str> = stderr.lines().collect();
        let traceback = lines.iter().rposition(|l| l.starts_with("Traceback (most recent call last):"));
        let raised = traceback
            .and_then(|start| lines[start + 1..].iter().find(|l| !l.starts_with(' ') && !l.is_empty()))
            .copied()
            .unwrap_or_default();
        assert!(
            !output.status.success() && promised.iter().any(|e| raised.starts_with(e)),
            "python3 {script} was expected to end with one of {promised:?}; stderr:\n{stderr}"
        );
    } else {
        assert!(output.status.success(), "python3 {script} was expected to run cleanly; stderr:\n{stderr}");
    }
}

/// Runs the fixture's `main.py` with CPython: each of `coroutines` (qualified names) must be
/// created and never awaited, and its body (which prints "<name> ran") never run. The
/// script's stdout, for what else it must show.
pub fn never_awaited(fixture: &str, coroutines: &[&str]) -> String {
    let fixture = parse(fixture);
    let output = python(&fixture.files, "main.py", None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    for coroutine in coroutines {
        assert!(stderr.contains(&format!("coroutine '{coroutine}' was never awaited")), "{stderr}");
        let name = coroutine.rsplit('.').next().unwrap_or(coroutine);
        assert!(!stdout.contains(&format!("{name} ran")), "{stdout}");
    }
    stdout
}
