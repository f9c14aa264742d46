//! The command line: exit codes, output formats and bad input.

use std::path::Path;
use std::process::{Command, Output};

fn tasklens(args: &[&str], dir: &Path) -> Output {
    // The store's place must not come from the environment of whoever runs the tests.
    Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(args)
        .current_dir(dir)
        .env_remove("TASKLENS_CACHE_DIR")
        .output()
        .expect("run tasklens")
}

fn write(dir: &Path, path: &str, bytes: &[u8]) {
    let target = dir.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, bytes).expect("write");
}

/// A package `app` whose `main.py` gets a plain Future from `jobs.py` and calls
/// `.get_name()` on it (a TL001 at `jobs.py:2:12`).
fn write_app(dir: &Path) {
    write(dir, "app/__init__.py", b"");
    write(dir, "app/jobs.py", b"def submit(loop):\n    return loop.run_in_executor(None, print)\n");
    write(
        dir,
        "app/main.py",
        b"import asyncio\nfrom app.jobs import submit\n\nasync def main():\n    submit(asyncio.get_running_loop()).get_name()\n",
    );
}

const BUGGY: &str = "import asyncio\n\nasync def main():\n    asyncio.get_running_loop().create_future().get_name()\n";

#[test]
fn exit_codes_follow_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "clean.py", b"import asyncio\n");
    assert_eq!(tasklens(&["check", "clean.py"], dir.path()).status.code(), Some(0));
    write(dir.path(), "buggy.py", BUGGY.as_bytes());
    assert_eq!(tasklens(&["check"], dir.path()).status.code(), Some(1));
    assert_eq!(tasklens(&["check", "--exit-zero"], dir.path()).status.code(), Some(0));
    assert_eq!(tasklens(&["check", "--output-format", "nope"], dir.path()).status.code(), Some(2));
    let missing = tasklens(&["check", "missing-dir"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    let (stdout, stderr) = (String::from_utf8_lossy(&missing.stdout), String::from_utf8_lossy(&missing.stderr));
    assert!(stderr.contains("missing-dir: No such file or directory"), "{stderr}");
    assert!(stdout.contains("No files were checked") && !stdout.contains("passed"), "{stdout}");
    // A missing path next to a clean file is still an error.
    let partly = tasklens(&["check", "clean.py", "missing.py"], dir.path());
    assert_eq!(partly.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&partly.stdout);
    assert!(stdout.contains("No findings in the files that could be read (1 file)"), "{stdout}");
    // A FIFO named on the command line is never read (that would wait for a writer).
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("pipe.py")).status();
    if made.is_ok_and(|status| status.success()) {
        let fifo = tasklens(&["check", "pipe.py"], dir.path());
        assert_eq!(fifo.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&fifo.stderr);
        assert!(stderr.contains("pipe.py: not a regular file or a directory"), "{stderr}");
    }
}

#[test]
fn concise_json_and_github_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "buggy.py", BUGGY.as_bytes());
    let concise = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&concise.stdout);
    assert!(
        text.starts_with("buggy.py:4:5: TL001 `asyncio.get_running_loop().create_future()` returns a plain Future"),
        "{text}"
    );

    let json = tasklens(&["check", "--output-format", "json", "buggy.py"], dir.path());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let first = &value[0];
    assert_eq!(first["code"], "TL001");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["location"]["row"], 4);
    assert_eq!(first["location"]["column"], 5);
    assert!(first["fix"].is_null());
    assert!(first["filename"].as_str().is_some_and(|f| f.ends_with("buggy.py") && Path::new(f).is_absolute()));
    assert_eq!(first["trace"].as_array().map(Vec::len), Some(1));

    // GitHub Actions annotations: properties escaped (`:` and `,`), the message on one line.
    write(dir.path(), "odd,name.py", BUGGY.as_bytes());
    let github = tasklens(&["check", "--output-format", "github", "odd,name.py"], dir.path());
    let text = String::from_utf8_lossy(&github.stdout);
    assert!(
        text.starts_with(
            "::error title=tasklens (TL001),file=odd%2Cname.py,line=4,col=5,endLine=4,endColumn=47::\
             odd,name.py:4:5: TL001 `asyncio.get_running_loop().create_future()` returns a plain Future"
        ),
        "{text}"
    );

    // `--statistics`: counts per rule instead of the findings; the exit status as before.
    let statistics = tasklens(&["check", "--statistics"], dir.path());
    assert_eq!(statistics.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&statistics.stdout), "2\tTL001\t[ ] future-flows-into-task\n");
    let json = tasklens(&["check", "--statistics", "--output-format", "json"], dir.path());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!((value[0]["code"].as_str(), value[0]["count"].as_u64()), (Some("TL001"), Some(2)));
}

#[test]
fn bad_files_are_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a_broken.py", b"def f(:\n    pass\n");
    write(dir.path(), "b_koi8.py", b"# coding: koi8-r\nx = '\xd0'\ndef f(:\n");
    write(dir.path(), "b_bom_latin1.py", b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n");
    write(dir.path(), "b_raw.py", b"x = '\xff'\n");
    write(dir.path(), "b_utf8_declared.py", b"# -*- coding: utf-8 -*-\n# \xea\nx = 1\n");
    let deep = format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
    write(dir.path(), "c_deep.py", deep.as_bytes());
    let deep_unary = format!("x = {}1\n", "-".repeat(100_000));
    write(dir.path(), "d_deep_unary.py", deep_unary.as_bytes());
    let awaits = format!("async def f():\n    x = {}y\n", "await ".repeat(10_000));
    write(dir.path(), "d_many_errors.py", awaits.as_bytes());
    write(dir.path(), "e_buggy.py", BUGGY.as_bytes());
    write(dir.path(), "f_nul.py", b"import asyncio\x00\n");
    let output = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.contains("a_broken.py:1:7: syntax-error"), "{text}");
    // Read in the encoding it declares, a file's own syntax error is reported as usual.
    assert!(text.contains("b_koi8.py:3:7: syntax-error"), "{text}");
    assert!(text.contains("b_bom_latin1.py:1:1: io-error the file starts with a UTF-8 byte-order mark"), "{text}");
    assert!(text.contains("b_raw.py:1:1: io-error not valid UTF-8"), "{text}");
    // A file that declares UTF-8 and is not: the message does not blame the declaration.
    assert!(text.contains("b_utf8_declared.py:1:1: io-error not valid UTF-8"), "{text}");
    assert!(text.contains("c_deep.py:1:205: syntax-error") && text.contains("200"), "{text}");
    assert!(text.contains("d_deep_unary.py:1:") && text.contains("too-deep"), "{text}");
    let many: Vec<&str> =
        text.lines().filter(|l| l.contains("d_many_errors.py") && l.contains("syntax-error")).collect();
    assert_eq!(many.len(), 11, "{text}");
    assert!(many[10].contains("9989 more syntax errors in this file are not shown"), "{text}");
    assert!(text.contains("e_buggy.py:4:5: TL001"), "{text}");
    // A NUL byte in the source is shown escaped, not written to the terminal.
    assert!(
        text.contains("f_nul.py:1:15: syntax-error") && text.contains("token \\u{0}") && !text.contains('\0'),
        "{text}"
    );
}

#[test]
fn rule_documentation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = tasklens(&["rule", "--all"], dir.path());
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(text.contains("TL001 future-flows-into-task (error)") && text.contains("TL002"), "{text}");
    let one = tasklens(&["rule", "TL001"], dir.path());
    let doc = String::from_utf8_lossy(&one.stdout);
    assert!(doc.contains("\n## Why is this bad?\n") && doc.contains("AttributeError"), "{doc}");
    // Markdown as written: headings and code blocks start their lines.
    assert!(doc.lines().any(|line| line == "```python") && !doc.contains("\n ## "), "{doc}");
    assert_eq!(tasklens(&["rule", "TL999"], dir.path()).status.code(), Some(2));
    // For tools: one object per rule, its documentation the same Markdown.
    let json = tasklens(&["rule", "--all", "--output-format", "json"], dir.path());
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).expect("JSON");
    let codes: Vec<&str> = rules.iter().filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "TL001", "TL002", "TL003", "TL004", "TL005", "TL006", "TL007", "TL008", "TL009", "TL010", "TL011", "TL012",
            "TL013", "TL014", "TL015", "TL016", "TL017", "TL018", "TL019", "TL020", "TL021", "TL022", "TL023"
        ]
    );
    let tl001: serde_json::Value = serde_json::from_slice(
        &tasklens(&["rule", "future-flows-into-task", "--output-format", "json"], dir.path()).stdout,
    )
    .expect("JSON");
    assert_eq!((tl001["code"].as_str(), tl001["severity"].as_str()), (Some("TL001"), Some("error")));
    assert!(doc.contains(tl001["explanation"].as_str().expect("explanation")), "{tl001}");
}

#[test]
fn discovery_skips_ignored_files_and_environments() {
    let dir = tempfile::tempdir().expect("tempdir");
    for path in [
        "generated/bad.py",
        ".venv/lib/bad.py",
        "myenv/lib/bad.py",
        "node_modules/pkg/bad.py",
        "vendor/site-packages/bad.py",
        "pkg/__pycache__/bad.py",
        "pkg/real.py",
    ] {
        write(dir.path(), path, BUGGY.as_bytes());
    }
    write(dir.path(), ".gitignore", b"generated/\n");
    write(dir.path(), "myenv/pyvenv.cfg", b"home = /usr/bin\n");
    let output = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    let reported: Vec<&str> = text.lines().filter(|l| l.contains("TL001")).collect();
    assert_eq!(reported.len(), 1, "{text}");
    assert!(reported[0].starts_with("pkg/real.py:4:5: TL001"), "{text}");
    // Reaching a file twice checks it once.
    let twice = tasklens(&["check", "--output-format", "concise", ".", "pkg", "./pkg/real.py"], dir.path());
    let text = String::from_utf8_lossy(&twice.stdout);
    assert_eq!(text.lines().filter(|l| l.contains("TL001")).count(), 1, "{text}");
}

#[test]
fn target_version_from_flag_or_pyproject() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"x\"\nrequires-python = \">=3.9\"\n");
    write(
        dir.path(),
        "src/app.py",
        b"import asyncio\n\nasync def main(loop):\n    await asyncio.sleep(1, loop=loop)\n",
    );
    let from_pyproject = tasklens(&["check", "--output-format", "concise", "src"], dir.path());
    assert_eq!(from_pyproject.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_pyproject.stdout));
    let flagged = tasklens(&["check", "--output-format", "concise", "--target-version", "py311", "src"], dir.path());
    let text = String::from_utf8_lossy(&flagged.stdout);
    assert!(text.contains("src/app.py:4:28: TL006") && text.contains("the target is 3.11"), "{text}");
    assert_eq!(tasklens(&["check", "--target-version", "py27"], dir.path()).status.code(), Some(2));
    let json = tasklens(&["check", "--output-format", "json", "--target-version", "py311", "src"], dir.path());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let fix = &value[0]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], "");
    assert_eq!(fix["edits"][0]["location"]["row"], 4);
    assert_eq!(fix["edits"][0]["location"]["column"], 26);
    assert_eq!(fix["edits"][0]["end_location"]["column"], 37);
}

#[test]
fn unused_suppressions_are_reported_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = format!("{BUGGY}x = 1  # tasklens: ignore[TL002]\ny = 2  # noqa: E501\n");
    write(dir.path(), "a.py", source.as_bytes());
    let quiet = tasklens(&["check", "--output-format", "concise"], dir.path());
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("unused-ignore"));
    let warned = tasklens(&["check", "--output-format", "concise", "--warn-unused-ignores"], dir.path());
    let text = String::from_utf8_lossy(&warned.stdout);
    let unused: Vec<&str> = text.lines().filter(|l| l.contains("unused-ignore")).collect();
    assert_eq!(unused, ["a.py:5:10: unused-ignore the suppression of TL002 matches no finding on its line"], "{text}");
}

const DROPPED: &str =
    "import asyncio\n\nasync def work():\n    return 1\n\nasync def main():\n    asyncio.ensure_future(work())\n";

#[test]
fn configuration_in_pyproject_and_tasklens_toml() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        b"[project]\nrequires-python = \">=3.11\"\n\n[tool.tasklens]\nignore = [\"TL005\"]\nextend-exclude = [\"generated/*\"]\nsrc = [\"lib\"]\n",
    );
    write(dir.path(), "lib/app/start.py", DROPPED.as_bytes());
    write(dir.path(), "generated/bad.py", BUGGY.as_bytes());
    let output = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    let codes: Vec<&str> =
        text.lines().filter_map(|l| l.split_whitespace().nth(1)).filter(|c| c.starts_with("TL")).collect();
    assert_eq!(codes, ["TL002"], "{text}");
    let selected = tasklens(&["check", "--output-format", "concise", "--select", "TL005"], dir.path());
    let text = String::from_utf8_lossy(&selected.stdout);
    assert!(text.contains("lib/app/start.py:7:5: TL005") && !text.contains("TL002"), "{text}");
    // A code that matches no rule is a usage error, as it is in the configuration.
    let unknown = tasklens(&["check", "--select", "TL005,RUF006"], dir.path());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(unknown.status.code() == Some(2) && stderr.contains("`RUF006` matches no rule"), "{stderr}");

    // A tasklens.toml next to the pyproject replaces its section (so the exclude is gone).
    write(dir.path(), "tasklens.toml", b"select = [\"TL001\"]\n");
    let dedicated = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&dedicated.stdout);
    assert!(text.contains("generated/bad.py:4:5: TL001") && !text.contains("TL002"), "{text}");
    let excluded = tasklens(&["check", "--output-format", "concise", "--exclude", "generated/*"], dir.path());
    let text = String::from_utf8_lossy(&excluded.stdout);
    assert!(!text.contains("generated/bad.py"), "{text}");

    // Per-file ignores: from the configuration's directory, or by file name; and `--fix`
    // leaves alone what they hide.
    write(dir.path(), "tasklens.toml", b"per-file-ignores = { \"lib/app/*\" = [\"TL002\"], \"bad.py\" = [\"TL0\"] }\n");
    let text =
        String::from_utf8_lossy(&tasklens(&["check", "--output-format", "concise"], dir.path()).stdout).into_owned();
    assert!(text.contains("lib/app/start.py:7:5: TL005") && !text.contains("TL002"), "{text}");
    assert!(!text.contains("bad.py"), "{text}");
    assert_eq!(tasklens(&["check", "--fix", "--exit-zero"], dir.path()).status.code(), Some(0));
    let kept = std::fs::read_to_string(dir.path().join("lib/app/start.py")).expect("read");
    assert_eq!(kept, DROPPED, "a fix was applied to an ignored finding");

    write(dir.path(), "tasklens.toml", b"selct = [\"TL001\"]\n");
    let bad = tasklens(&["check"], dir.path());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr.contains("tasklens.toml: unknown key `selct`"), "{stderr}");
    write(dir.path(), "tasklens.toml", b"target-version = \"3.11\"\n");
    let stderr = String::from_utf8_lossy(&tasklens(&["check"], dir.path()).stderr).into_owned();
    assert!(stderr.contains("`target-version`: `3.11` is not a supported target version"), "{stderr}");

    // `--config` names the file to use instead; `--isolated` uses none (here the broken
    // tasklens.toml is never read).
    write(dir.path(), "ci/only-dropped.toml", b"select = [\"TL005\"]\n");
    let chosen = tasklens(&["check", "--output-format", "concise", "--config", "ci/only-dropped.toml"], dir.path());
    let text = String::from_utf8_lossy(&chosen.stdout);
    assert!(chosen.status.code() == Some(1) && text.contains("lib/app/start.py:7:5: TL005"), "{text}");
    assert!(!text.contains("TL001") && !text.contains("TL002"), "{text}");
    let isolated = tasklens(&["check", "--output-format", "concise", "--isolated"], dir.path());
    let text = String::from_utf8_lossy(&isolated.stdout);
    assert!(text.contains("TL001") && text.contains("TL002") && text.contains("TL005"), "{text}");
    let missing = tasklens(&["check", "--config", "nowhere.toml"], dir.path());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(missing.status.code() == Some(2) && stderr.contains("nowhere.toml: cannot read"), "{stderr}");
}

#[test]
fn fix_writes_only_the_edits_and_diff_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A byte-order mark, CRLF line endings, a comment and a non-ASCII string must survive.
    let original = "\u{feff}import asyncio\r\n\r\nasync def work():\r\n    return \"é\"  # keep\r\n\r\nasync def main():\r\n    return await asyncio.ensure_future(work())\r\n";
    write(dir.path(), "app.py", original.as_bytes());
    write(dir.path(), "broken.py", b"def f(:\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path().join("app.py"), std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let diff = tasklens(&["check", "app.py", "--diff"], dir.path());
    assert_eq!(diff.status.code(), Some(1));
    let patch = String::from_utf8_lossy(&diff.stdout);
    assert!(
        patch.contains(
            "-    return await asyncio.ensure_future(work())\r\n+    return await asyncio.create_task(work())\r\n"
        ),
        "{patch}"
    );
    assert_eq!(std::fs::read(dir.path().join("app.py")).expect("read"), original.as_bytes());

    let fix = tasklens(&["check", "--fix"], dir.path());
    let stdout = String::from_utf8_lossy(&fix.stdout);
    assert!(stdout.contains("Fixed 1 finding"), "{stdout}");
    // The syntax error remains and is still reported.
    assert_eq!(fix.status.code(), Some(1), "{stdout}");
    let expected = original.replace("ensure_future", "create_task");
    assert_eq!(std::fs::read(dir.path().join("app.py")).expect("read"), expected.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("app.py")).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let again = tasklens(&["check", "app.py", "--diff"], dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));
}

#[test]
fn files_in_a_declared_encoding_are_checked_and_fixed_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Latin-1 bytes (0xe9 is `é`) before the finding: its column counts characters, and
    // the fix keeps every other byte, so CPython still reads the file as before.
    let original: &[u8] = b"# -*- coding: latin-1 -*-\nimport asyncio\n\nasync def work():\n    return 'caf\xe9'\n\nasync def main():\n    t = '\xe9'; task = asyncio.ensure_future(work())\n    print(await task == 'caf\\xe9', len(t))\n\nasyncio.run(main())\n";
    write(dir.path(), "app.py", original);
    let run = || Command::new("python3").arg("app.py").current_dir(dir.path()).output().expect("run python3");
    assert_eq!(String::from_utf8_lossy(&run().stdout), "True 1\n");
    let check = tasklens(&["check", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("app.py:8:21: TL002"), "{text}");
    let fix = tasklens(&["check", "--fix"], dir.path());
    assert_eq!(fix.status.code(), Some(0), "{}", String::from_utf8_lossy(&fix.stdout));
    let fixed = String::from_utf8_lossy(original).replace("ensure_future", "create_task");
    let expected: Vec<u8> = fixed.chars().map(|c| if c == '\u{fffd}' { 0xe9 } else { c as u8 }).collect();
    assert_eq!(std::fs::read(dir.path().join("app.py")).expect("read"), expected);
    assert_eq!(String::from_utf8_lossy(&run().stdout), "True 1\n");
    // From stdin, the fixed source goes out in the encoding it came in.
    let piped = tasklens_with_stdin(&["check", "--fix", "--stdin-filename", "new.py"], dir.path(), original);
    assert_eq!(piped.stdout, expected, "{}", String::from_utf8_lossy(&piped.stderr));
}

#[test]
fn named_files_are_checked_within_their_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = "import asyncio\n\n\ndef names(tasks):\n    return [t.get_name() for t in tasks]\n";
    let worker = "import asyncio\nfrom .registry import names\n\n\nasync def main():\n    \
                  fut = asyncio.get_running_loop().create_future()\n    return names([fut])\n";
    let other = "import asyncio\n\n\nasync def job():\n    pass\n\n\nasync def start():\n    \
                 t = asyncio.ensure_future(job())\n    await t\n";
    write(dir.path(), "pkg/__init__.py", b"");
    write(dir.path(), "pkg/registry.py", registry.as_bytes());
    write(dir.path(), "pkg/worker.py", worker.as_bytes());
    write(dir.path(), "pkg/other.py", other.as_bytes());
    let concise = |args: &[&str]| {
        let output = tasklens(&[&["check", "--output-format", "concise"], args].concat(), dir.path());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The Future is made in worker.py and fails in registry.py: either file shows it.
    for named in ["pkg/worker.py", "pkg/registry.py"] {
        let text = concise(&[named]);
        assert!(text.starts_with("pkg/worker.py:6:11: TL001 "), "{named}: {text}");
        assert!(text.contains("Found 1 error."), "{named}: {text}");
    }
    let text = concise(&["pkg/other.py"]);
    assert!(text.starts_with("pkg/other.py:9:9: TL002 ") && !text.contains("TL001"), "{text}");
    let text = concise(&["pkg"]);
    assert!(text.contains("Found 1 error and 1 warning."), "{text}");

    // A project marker widens the context to the whole project; fixes stay in the named file.
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"demo\"\n");
    write(
        dir.path(),
        "tests/test_other.py",
        b"import asyncio\nfrom pkg.other import job\n\n\nasync def t():\n    await asyncio.ensure_future(job())\n",
    );
    let fixed = tasklens(&["check", "--fix", "tests/test_other.py"], dir.path());
    assert_eq!(fixed.status.code(), Some(0), "{}", String::from_utf8_lossy(&fixed.stdout));
    let test_text = std::fs::read_to_string(dir.path().join("tests/test_other.py")).expect("read");
    assert!(test_text.contains("asyncio.create_task(job())"), "{test_text}");
    let other_text = std::fs::read_to_string(dir.path().join("pkg/other.py")).expect("read");
    assert_eq!(other_text, other, "a file outside the named paths was edited");
    // A missing path inside a project is still an error, not a clean check of the project.
    assert_eq!(tasklens(&["check", "pkg/missing.py"], dir.path()).status.code(), Some(2));

    // Named from deep inside the project, the file is still checked within all of it.
    let user = "import asyncio\nfrom pkg.registry import names\n\n\nasync def main():\n    \
                return names([asyncio.get_running_loop().create_future()])\n";
    write(dir.path(), "pkg/sub/__init__.py", b"");
    write(dir.path(), "pkg/sub/inner/__init__.py", b"");
    write(dir.path(), "pkg/sub/inner/user.py", user.as_bytes());
    let output = tasklens(&["check", "--output-format", "concise", "user.py"], &dir.path().join("pkg/sub/inner"));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("user.py:6:19: TL001 ") && text.contains("../../../pkg/registry.py:5"), "{text}");
}

#[test]
fn scripts_outside_a_project_see_what_they_can_import() {
    // No project marker: `python3 main.py` imports `lib` from beside it, so the check does too,
    // and a package named with the script is analysed with it. Other directories are not read.
    let dir = tempfile::tempdir().expect("tempdir");
    let base = "import asyncio\n\n\ndef make():\n    return asyncio.get_running_loop().create_future()\n";
    let main = "import asyncio\nfrom lib.base import make, spawn\n\n\nasync def main():\n    \
                make().get_name()\n    spawn(make())\n\n\nasyncio.run(main())\n";
    // Alone, `lib` calls `spawn` only with a coroutine (TL002); `main.py` passes a Future.
    let base = format!(
        "{base}\n\ndef spawn(aw):\n    return asyncio.ensure_future(aw)\n\n\n\
                        async def tick():\n    pass\n\n\ndef start():\n    return spawn(tick())\n"
    );
    write(dir.path(), "lib/__init__.py", b"");
    write(dir.path(), "lib/base.py", base.as_bytes());
    write(dir.path(), "main.py", main.as_bytes());
    write(dir.path(), "notes/draft.py", b"def broken(:\n");
    let promised = "lib/base.py:5:12: TL001 `asyncio.get_running_loop().create_future()` returns a plain Future; \
                    it reaches `.get_name()` in main.py:6";
    for args in [&["main.py"][..], &["lib", "main.py"], &["lib/base.py", "./main.py"]] {
        let output = tasklens(&[&["check", "--output-format", "concise"], args].concat(), dir.path());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.starts_with(promised), "{args:?}: {text}");
        assert!(!text.contains("draft.py") && !text.contains("TL002"), "{args:?}: {text}");
    }
    let run = Command::new("python3").arg("main.py").current_dir(dir.path()).output().expect("python3");
    assert!(String::from_utf8_lossy(&run.stderr).contains("AttributeError"));
}

#[test]
fn a_directory_of_checkouts_is_checked_project_by_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two checkouts with the same package: `from pkg.util import make` means each
    // project's own `pkg.util`, which only analysing them apart can tell.
    let uses = "from pkg.util import make\n\n\nasync def run():\n    task = make()\n    print(task.get_name())\n    await task\n";
    write(dir.path(), "checkouts/alpha/pyproject.toml", b"[project]\nname = \"alpha\"\n");
    write(dir.path(), "checkouts/alpha/pkg/__init__.py", b"");
    write(
        dir.path(),
        "checkouts/alpha/pkg/util.py",
        b"import asyncio\n\n\ndef make():\n    return asyncio.get_running_loop().create_future()\n",
    );
    write(dir.path(), "checkouts/alpha/pkg/main.py", uses.as_bytes());
    write(dir.path(), "checkouts/beta/setup.py", b"");
    write(dir.path(), "checkouts/beta/pkg/__init__.py", b"");
    write(
        dir.path(),
        "checkouts/beta/pkg/util.py",
        b"import asyncio\n\n\nasync def job():\n    pass\n\n\ndef make():\n    \
          return asyncio.get_running_loop().create_task(job())\n",
    );
    write(dir.path(), "checkouts/beta/pkg/main.py", uses.as_bytes());
    write(dir.path(), "checkouts/loose.py", BUGGY.as_bytes());
    let output = tasklens(&["check", "--output-format", "concise", "checkouts"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let findings: Vec<&str> = text.lines().filter(|line| line.contains(": TL")).collect();
    assert_eq!(findings.len(), 2, "{text}");
    assert!(findings[0].starts_with("checkouts/alpha/pkg/util.py:5:12: TL001 "), "{text}");
    assert!(findings[1].starts_with("checkouts/loose.py:4:5: TL001 "), "{text}");
    assert!(text.ends_with("Found 2 errors.\n"), "{text}");
    // One JSON array for all the projects.
    let json = tasklens(&["check", "--output-format", "json", "checkouts"], dir.path());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(value.as_array().map(Vec::len), Some(2), "{value}");
    // Alpha's Future reaches alpha's `get_name()` only: beta's `make()` is beta's own.
    let places = value[0]["trace"].as_array().expect("trace");
    assert!(
        !places.is_empty() && places.iter().all(|hop| hop["filename"].as_str().is_some_and(|f| f.contains("alpha"))),
        "{value}"
    );
    // A project with a bad configuration is reported; the others are still checked.
    write(dir.path(), "checkouts/beta/tasklens.toml", b"select = [");
    let output = tasklens(&["check", "--output-format", "concise", "checkouts"], dir.path());
    let (text, errors) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(2), "{text}{errors}");
    assert!(errors.contains("tasklens.toml"), "{errors}");
    assert!(text.contains("Found 2 errors."), "{text}");
    // Without findings elsewhere, that is still not a pass.
    std::fs::remove_file(dir.path().join("checkouts/loose.py")).expect("remove");
    std::fs::remove_dir_all(dir.path().join("checkouts/alpha")).expect("remove");
    let output = tasklens(&["check", "checkouts"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.starts_with("No findings in the projects that could be checked"), "{text}");
}

#[test]
fn a_solve_past_its_growth_limit_is_reported_not_run_forever() {
    // The limit guards against a defect that keeps adding to the graph; a factor of 0
    // (the environment variable exists for this test) stops at the first check.
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "buggy.py", BUGGY.as_bytes());
    let args = ["check", "--output-format", "concise"];
    let normal = String::from_utf8_lossy(&tasklens(&args, dir.path()).stdout).into_owned();
    assert!(normal.contains("TL001") && !normal.contains("analysis-incomplete"), "{normal}");
    let stopped = Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(args)
        .current_dir(dir.path())
        .env("TASKLENS_GROWTH_FACTOR", "0")
        .output()
        .expect("run tasklens");
    let stdout = String::from_utf8_lossy(&stopped.stdout);
    assert!(stdout.contains("buggy.py:1:1: analysis-incomplete") && !stdout.contains("TL001"), "{stdout}");
    assert_eq!(stopped.status.code(), Some(1));
}

#[test]
fn sarif_output_carries_rules_flows_and_fixes() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    write(
        dir.path(),
        "app/later.py",
        b"import asyncio\n\nasync def work():\n    pass\n\nasync def main():\n    t = asyncio.ensure_future(work())\n    await t\n",
    );
    let sarif = tasklens(&["check", "--output-format", "sarif"], dir.path());
    assert_eq!(sarif.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("valid JSON");
    assert_eq!(value["version"], "2.1.0");
    let run = &value["runs"][0];
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        rules,
        [
            "TL001", "TL002", "TL003", "TL004", "TL005", "TL006", "TL007", "TL008", "TL009", "TL010", "TL011", "TL012",
            "TL013", "TL014", "TL015", "TL016", "TL017", "TL018", "TL019", "TL020", "TL021", "TL022", "TL023"
        ]
    );
    let json = tasklens(&["check", "--output-format", "json"], dir.path());
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.as_array().map_or(0, Vec::len));
    for (result, finding) in results.iter().zip(findings.as_array().unwrap()) {
        assert_eq!(result["ruleId"], finding["code"]);
        assert_eq!(result["level"], finding["severity"]);
        let place = &result["locations"][0]["physicalLocation"];
        let file = finding["filename"].as_str().unwrap().replace('\\', "/");
        assert!(file.ends_with(place["artifactLocation"]["uri"].as_str().unwrap()), "{place}");
        assert_eq!(place["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(place["region"]["startLine"], finding["location"]["row"]);
        assert_eq!(place["region"]["endColumn"], finding["end_location"]["column"]);
        // The flow: the producer, then each hop of the trace.
        let steps = result["codeFlows"][0]["threadFlows"][0]["locations"].as_array().map_or(0, Vec::len);
        let hops = finding["trace"].as_array().map_or(0, Vec::len);
        assert_eq!(steps, if hops == 0 { 0 } else { hops + 1 });
    }
    let tl001 = &results[0];
    assert_eq!(tl001["ruleId"], "TL001");
    assert_eq!(tl001["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "app/jobs.py");
    let tl002 = results.iter().find(|r| r["ruleId"] == "TL002").expect("TL002");
    let replacement = &tl002["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "create_task");
    assert_eq!(replacement["deletedRegion"]["startLine"], 7);
}

#[test]
fn ci_line_formats_keep_stdout_to_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "buggy.py", BUGGY.as_bytes());
    write(dir.path(), "also;odd]name.py", BUGGY.as_bytes());
    let lines = |format: &str| {
        let out = tasklens(&["check", "--output-format", format], dir.path());
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(stderr.contains("Found 2 errors."), "{stderr}");
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(
        lines("pylint"),
        [
            "also;odd]name.py:4: [TL001] `asyncio.get_running_loop().create_future()` returns a plain Future; it reaches \
             `.get_name()` in also;odd]name.py:4, which only a Task has (AttributeError at run time)",
            "buggy.py:4: [TL001] `asyncio.get_running_loop().create_future()` returns a plain Future; it reaches \
             `.get_name()` in buggy.py:4, which only a Task has (AttributeError at run time)",
        ]
    );
    // Azure Pipelines: `;` and `]` end properties and the command, so the path escapes them.
    let azure = lines("azure");
    assert_eq!(azure.len(), 2);
    assert!(
        azure[0].starts_with(
            "##vso[task.logissue type=error;sourcepath=also%3Bodd%5Dname.py;linenumber=4;columnnumber=5;code=TL001;]\
             `asyncio.get_running_loop().create_future()` returns"
        ),
        "{azure:?}"
    );
    // JSON lines: one object per line, the same as `json`'s elements.
    let json = tasklens(&["check", "--output-format", "json"], dir.path());
    let array: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let objects: Vec<serde_json::Value> = (tasklens(&["check", "--output-format", "json-lines"], dir.path()).stdout)
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("a JSON object per line"))
        .collect();
    assert_eq!(objects, array);
    // Nothing found: no line at all.
    write(dir.path(), "buggy.py", b"import asyncio\n");
    write(dir.path(), "also;odd]name.py", b"import asyncio\n");
    let clean = tasklens(&["check", "--output-format", "json-lines"], dir.path());
    assert_eq!((clean.status.code(), clean.stdout.len()), (Some(0), 0));
}

#[test]
fn gitlab_and_junit_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    write(dir.path(), "app/a&b.py", BUGGY.as_bytes());
    let gitlab = |dir: &Path, project: Option<&Path>| -> serde_json::Value {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tasklens"));
        command.args(["check", "--output-format", "gitlab"]).current_dir(dir).env_remove("CI_PROJECT_DIR");
        if let Some(project) = project {
            command.env("CI_PROJECT_DIR", project);
        }
        let out = command.output().expect("run tasklens");
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice(&out.stdout).expect("valid JSON")
    };
    let report = gitlab(dir.path(), None);
    let issues = report.as_array().expect("an array");
    assert_eq!(issues.len(), 2);
    let jobs = issues.iter().find(|issue| issue["location"]["path"] == "app/jobs.py").expect("jobs.py");
    assert_eq!(jobs["check_name"], "TL001");
    assert_eq!(jobs["severity"], "major");
    assert_eq!(
        (jobs["location"]["lines"]["begin"].as_u64(), jobs["location"]["positions"]["begin"]["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert!(jobs["description"].as_str().is_some_and(|d| d.starts_with("TL001: `loop.run_in_executor(...)` returns")));
    let fingerprints: Vec<&str> = issues.iter().filter_map(|issue| issue["fingerprint"].as_str()).collect();
    assert!(fingerprints.len() == 2 && fingerprints[0] != fingerprints[1], "{fingerprints:?}");
    // Paths are relative to `$CI_PROJECT_DIR` when it is set.
    let parent = dir.path().parent().expect("parent");
    let name = dir.path().file_name().expect("name").to_string_lossy();
    let from_parent = gitlab(dir.path(), Some(parent));
    assert!(
        from_parent.as_array().unwrap().iter().any(|issue| issue["location"]["path"] == format!("{name}/app/jobs.py"))
    );
    // Code moved down keeps its fingerprint; the line follows it.
    write(dir.path(), "app/jobs.py", b"\n\ndef submit(loop):\n    return loop.run_in_executor(None, print)\n");
    let moved = gitlab(dir.path(), None);
    let moved_jobs = moved.as_array().unwrap().iter().find(|issue| issue["location"]["path"] == "app/jobs.py").unwrap();
    assert_eq!(moved_jobs["fingerprint"], jobs["fingerprint"]);
    assert_eq!(moved_jobs["location"]["lines"]["begin"], 4);

    // JUnit: well-formed XML (Python parses it), a failed test case per finding, grouped by file.
    let junit = tasklens(&["check", "--output-format", "junit"], dir.path());
    assert_eq!(junit.status.code(), Some(1));
    let parsed = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as ET\n\
             root = ET.fromstring(sys.stdin.read())\n\
             for suite in root:\n\
             \x20   for case in suite:\n\
             \x20       print(suite.get('name'), case.get('name'), case.get('line'), case.find('failure').get('type'))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().expect("stdin").write_all(&junit.stdout)?;
            child.wait_with_output()
        })
        .expect("run python3");
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&junit.stdout));
    assert_eq!(
        String::from_utf8_lossy(&parsed.stdout),
        "app/a&b.py org.tasklens.TL001 4 TL001\napp/jobs.py org.tasklens.TL001 4 TL001\n"
    );
    // No findings: one passing test case.
    write(dir.path(), "app/a&b.py", b"");
    write(dir.path(), "app/main.py", b"");
    let clean = tasklens(&["check", "--output-format", "junit"], dir.path());
    assert_eq!(clean.status.code(), Some(0));
    let text = String::from_utf8_lossy(&clean.stdout);
    assert!(text.contains("failures=\"0\"") && text.contains("<testcase name=\"No findings\"/>"), "{text}");
}

#[test]
fn quiet_silent_output_file_and_show_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    write(dir.path(), "venv/lib/site.py", b"import asyncio\n");
    // `--show-files`: what would be checked (virtual environments are not), and nothing else.
    let files = tasklens(&["check", "--show-files"], dir.path());
    assert_eq!(files.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&files.stdout), "app/__init__.py\napp/jobs.py\napp/main.py\n");
    let one = tasklens(&["check", "--show-files", "app/jobs.py"], dir.path());
    assert_eq!(String::from_utf8_lossy(&one.stdout), "app/jobs.py\n");

    // `--quiet`: the findings without the counts; `--silent`: nothing, the same exit status.
    let quiet = tasklens(&["check", "--quiet", "--output-format", "concise"], dir.path());
    let text = String::from_utf8_lossy(&quiet.stdout);
    assert_eq!(quiet.status.code(), Some(1));
    assert!(text.starts_with("app/jobs.py:2:12: TL001") && text.lines().count() == 1, "{text}");
    let silent = tasklens(&["check", "-s"], dir.path());
    assert_eq!((silent.status.code(), silent.stdout.len(), silent.stderr.len()), (Some(1), 0, 0));
    // With `--diff`: the diff alone, without the count on stderr; `--fix` then passes unless
    // asked to fail when it fixed something.
    write(dir.path(), "app/later.py", b"import asyncio\n\nasync def work():\n    pass\n\nasync def main():\n    await asyncio.ensure_future(work())\n");
    let diff = tasklens(&["check", "--diff", "-q"], dir.path());
    let (stdout, stderr) = (String::from_utf8_lossy(&diff.stdout), String::from_utf8_lossy(&diff.stderr));
    assert!(
        diff.status.code() == Some(1) && stdout.contains("+    await asyncio.create_task(work())") && stderr.is_empty(),
        "{stdout}{stderr}"
    );
    let later = dir.path().join("app/later.py");
    let unfixed = std::fs::read(&later).expect("read");
    assert_eq!(tasklens(&["check", "--fix", "app/later.py"], dir.path()).status.code(), Some(0));
    std::fs::write(&later, &unfixed).expect("restore");
    let strict = tasklens(&["check", "--fix", "--exit-non-zero-on-fix", "app/later.py"], dir.path());
    assert_eq!(strict.status.code(), Some(1));
    let fixed_already = tasklens(&["check", "--fix", "--exit-non-zero-on-fix", "app/later.py"], dir.path());
    assert_eq!(fixed_already.status.code(), Some(0));
    std::fs::remove_file(later).expect("remove");

    // `--output-file`: the report goes to the file (no colour codes), stdout stays empty.
    let to_file = tasklens(&["check", "-o", "report.txt", "--color", "auto"], dir.path());
    assert_eq!((to_file.status.code(), to_file.stdout.len()), (Some(1), 0));
    let report = std::fs::read_to_string(dir.path().join("report.txt")).expect("report written");
    assert!(
        report.starts_with("error[TL001]") && report.contains("Found 1 error") && !report.contains('\x1b'),
        "{report}"
    );
    let json = tasklens(&["check", "-o", "report.json", "--output-format", "json"], dir.path());
    assert_eq!(json.stdout.len(), 0);
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).expect("report written")).expect("JSON");
    assert_eq!(value[0]["code"], "TL001");
    // A report that cannot be written is an error (status 2), found before checking.
    let unwritable = tasklens(&["check", "-o", "missing-dir/report.json"], dir.path());
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("cannot write the report to missing-dir/report.json"));
}

#[test]
fn add_noqa_accepts_the_current_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = "import asyncio\n\n\nasync def work():\n    await asyncio.sleep(0)\n\n\nasync def main(flag):\n    asyncio.create_task(work())   \n    t = asyncio.ensure_future(work())  # keep this one\n    asyncio.ensure_future(work())  # tasklens: ignore[TL002]\n    x = asyncio.ensure_future(work()) if flag \\\n        else None\n    s = \"\"\"\n    text\"\"\"; asyncio.create_task(work())\n    await t\n    print(x, len(s))\n\n\nasyncio.run(main(False))\n";
    write(dir.path(), "app/__init__.py", b"");
    write(dir.path(), "app/main.py", source.as_bytes());
    let added = tasklens(&["check", "--add-noqa"], dir.path());
    let stderr = String::from_utf8_lossy(&added.stderr);
    assert_eq!(added.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("app/main.py:12: no comment added: the line continues on the next one"), "{stderr}");
    assert!(stderr.contains("Added 4 `# tasklens: ignore` comments in 1 file."), "{stderr}");
    // Each comment at the end of its line (trailing blanks replaced), after a comment there,
    // or into the list of a `tasklens: ignore[...]` already there; nothing else changes.
    let expected = source
        .replace("    asyncio.create_task(work())   \n", "    asyncio.create_task(work())  # tasklens: ignore[TL005]\n")
        .replace("# keep this one\n", "# keep this one  # tasklens: ignore[TL002]\n")
        .replace("# tasklens: ignore[TL002]\n    x", "# tasklens: ignore[TL002, TL005]\n    x")
        .replace(
            "text\"\"\"; asyncio.create_task(work())\n",
            "text\"\"\"; asyncio.create_task(work())  # tasklens: ignore[TL005]\n",
        );
    let fixed = std::fs::read_to_string(dir.path().join("app/main.py")).expect("read");
    assert_eq!(fixed, expected);
    // Only the line that could not take a comment is still reported; a second run adds nothing.
    let check = tasklens(&["check", "--output-format", "concise", "--quiet"], dir.path());
    let text = String::from_utf8_lossy(&check.stdout);
    assert_eq!(text.lines().collect::<Vec<_>>().len(), 1, "{text}");
    assert!(text.starts_with("app/main.py:12:9: TL002"), "{text}");
    let again = tasklens(&["check", "--add-noqa"], dir.path());
    assert!(String::from_utf8_lossy(&again.stderr).contains("Added 0 `# tasklens: ignore` comments in 0 files."));
    // The program runs as before.
    let run = Command::new("python3").arg("app/main.py").current_dir(dir.path()).output().expect("run python3");
    assert!(run.status.success() && run.stdout == b"None 9\n", "{}", String::from_utf8_lossy(&run.stderr));
    // Naming files edits only them, as `--fix` does: a finding whose flow passes through the
    // named file but whose line is elsewhere gets no comment there.
    write_app(dir.path());
    let jobs = std::fs::read_to_string(dir.path().join("app/jobs.py")).expect("read");
    let named = tasklens(&["check", "--add-noqa", "app/main.py"], dir.path());
    assert!(String::from_utf8_lossy(&named.stderr).contains("Added 0"), "{}", String::from_utf8_lossy(&named.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("app/jobs.py")).expect("read"), jobs);
}

/// Runs tasklens with `input` on stdin.
fn tasklens_with_stdin(args: &[&str], dir: &Path, input: impl AsRef<[u8]>) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tasklens");
    child.stdin.take().expect("stdin").write_all(input.as_ref()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn stdin_source_is_checked_within_its_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"app\"\n");
    write(dir.path(), "app/__init__.py", b"");
    write(
        dir.path(),
        "app/work.py",
        b"async def poll():\n    pass\n\ndef future(loop):\n    return loop.create_future()\n",
    );
    write(dir.path(), "app/main.py", b"import asyncio\n");
    // The buffer, not the file on disk, is checked; the flow comes from another module.
    let buffer = "import asyncio\nfrom app.work import future\n\nasync def main():\n    future(asyncio.get_running_loop()).get_name()\n";
    let out = tasklens_with_stdin(
        &["check", "--output-format", "concise", "--stdin-filename", "app/main.py"],
        dir.path(),
        buffer,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("app/work.py:5:12: TL001"), "{text}");
    // A new module not on disk yet resolves its imports too; `--fix` prints the fixed
    // source and writes nothing.
    let buffer = "import asyncio\nfrom app.work import poll\n\nasync def go():\n    t = asyncio.ensure_future(poll())\n    await t\n";
    let out = tasklens_with_stdin(&["check", "--fix", "--stdin-filename", "app/new.py"], dir.path(), buffer);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), buffer.replace("ensure_future", "create_task"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fixed 1 finding"));
    assert!(!dir.path().join("app/new.py").exists());
    assert_eq!(std::fs::read_to_string(dir.path().join("app/main.py")).unwrap(), "import asyncio\n");
}

#[test]
fn a_package_checked_from_inside_keeps_its_module_names() {
    // Run inside the package: `.` is `app`, so `from app.jobs import submit` resolves.
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    for args in [&["check", "--output-format", "concise", "main.py"][..], &["check", "--output-format", "concise"][..]]
    {
        let out = tasklens(args, &dir.path().join("app"));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("jobs.py:2:12: TL001"), "{args:?}: {text}");
    }
    // With a project marker above, the project is walked from `..` and the package from
    // `.`: each file is read once however it is spelled, so the finding is reported once.
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"app\"\n");
    write(dir.path(), "app/solo.py", BUGGY.as_bytes());
    let out = tasklens(&["check", "--output-format", "concise", "."], &dir.path().join("app"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("TL001").count(), 2, "{text}");
}

#[test]
fn a_directory_inside_a_project_is_checked_within_it() {
    // `tests/` is no package, but the project above it is where its imports come from.
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"app\"\n");
    write(dir.path(), "app/__init__.py", b"");
    write(dir.path(), "app/jobs.py", b"def submit(loop):\n    return loop.run_in_executor(None, print)\n");
    write(
        dir.path(),
        "tests/test_jobs.py",
        b"import asyncio\nfrom app.jobs import submit\n\nasync def test():\n    submit(asyncio.get_running_loop()).get_name()\n",
    );
    let out = tasklens(&["check", "--output-format", "concise", "."], &dir.path().join("tests"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("../app/jobs.py:2:12: TL001"), "{text}");
    let out = tasklens(&["check", "--output-format", "concise", "tests"], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("app/jobs.py:2:12: TL001"), "{text}");
}

#[test]
fn the_lowering_store_sits_beside_the_project_unless_told_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    write(dir.path(), "pyproject.toml", b"[project]\nname = \"app\"\n");
    let store = dir.path().join(".tasklens_cache");
    let concise = |args: &[&str]| {
        let output = tasklens(&[&["check", "--output-format", "concise", "-q"], args].concat(), dir.path());
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let fresh = concise(&["--no-cache"]);
    assert!(fresh.contains("app/jobs.py:2:12: TL001"), "{fresh}");
    assert!(!store.exists(), "--no-cache writes nothing");
    // Named from inside the project: the store is the project's, and it is ignored by git.
    let inside = Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(["check", "-q", "--output-format", "concise", "main.py"])
        .current_dir(dir.path().join("app"))
        .env_remove("TASKLENS_CACHE_DIR")
        .output()
        .expect("run tasklens");
    assert!(String::from_utf8_lossy(&inside.stdout).contains("TL001"), "{inside:?}");
    assert!(std::fs::read_to_string(store.join(".gitignore")).is_ok_and(|text| text.ends_with("*\n")));
    assert_eq!(concise(&[]), fresh);
    assert_eq!(concise(&[]), fresh);
    // Elsewhere, from the command line or the environment.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let path = elsewhere.path().join("named");
    assert_eq!(concise(&["--cache-dir", path.to_str().expect("a UTF-8 path")]), fresh);
    assert!(path.join(".gitignore").is_file());
    let output = Command::new(env!("CARGO_BIN_EXE_tasklens"))
        .args(["check", "-q", "--output-format", "concise"])
        .env("TASKLENS_CACHE_DIR", elsewhere.path().join("from-env"))
        .current_dir(dir.path())
        .output()
        .expect("run tasklens");
    assert_eq!(String::from_utf8_lossy(&output.stdout), fresh);
    assert!(elsewhere.path().join("from-env/.gitignore").is_file());
    // A directory of the user's keeps what it holds, its `.gitignore` included; only an
    // older build's directory goes.
    let shared = elsewhere.path().join("shared");
    write(&shared, ".gitignore", b"notes.txt\n");
    write(&shared, "notes.txt", b"mine");
    write(&shared, "drafts/plan.txt", b"mine too");
    write(&shared, "0.0.1-0123456789abcdef/0000000000000000.pack", b"an older build's");
    assert_eq!(concise(&["--cache-dir", shared.to_str().expect("a UTF-8 path")]), fresh);
    assert_eq!(std::fs::read_to_string(shared.join(".gitignore")).expect("kept"), "notes.txt\n");
    assert!(shared.join("notes.txt").is_file() && shared.join("drafts/plan.txt").is_file());
    assert!(!shared.join("0.0.1-0123456789abcdef").exists());
    let builds = std::fs::read_dir(&shared).expect("the store").flatten().filter(|e| e.path().is_dir()).count();
    assert_eq!(builds, 2, "this build's and the user's `drafts`");
    // A store that cannot be written is no error.
    write(dir.path(), "blocked", b"a file where the store's directory would go");
    assert_eq!(concise(&["--cache-dir", "blocked"]), fresh);
}

#[test]
fn clean_removes_the_stores_tasklens_made_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    for project in ["one", "two/nested"] {
        write(dir.path(), &format!("{project}/pyproject.toml"), b"[project]\nname = \"p\"\n");
        write(dir.path(), &format!("{project}/main.py"), BUGGY.as_bytes());
        assert_eq!(tasklens(&["check", "-q", project], dir.path()).status.code(), Some(1));
        assert!(dir.path().join(project).join(".tasklens_cache/.gitignore").is_file(), "{project}");
    }
    // A directory of that name that tasklens did not make stays.
    write(dir.path(), "mine/.tasklens_cache/notes.txt", b"keep me");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let named = elsewhere.path().join("store");
    let cache_dir = named.to_str().expect("a UTF-8 path");
    tasklens(&["check", "-q", "--cache-dir", cache_dir, "one"], dir.path());
    assert!(named.join(".gitignore").is_file());

    let output = tasklens(&["clean", "--cache-dir", cache_dir], dir.path());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().filter(|line| line.starts_with("Removed ")).count(), 3, "{stderr}");
    assert!(
        !dir.path().join("one/.tasklens_cache").exists() && !dir.path().join("two/nested/.tasklens_cache").exists()
    );
    assert!(!named.exists());
    assert!(dir.path().join("mine/.tasklens_cache/notes.txt").is_file());
    assert!(dir.path().join("one/main.py").is_file());
    let again = tasklens(&["clean"], dir.path());
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("No store to remove"), "{again:?}");
}

#[test]
fn show_settings_prints_what_each_project_is_checked_with() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        b"[project]\nrequires-python = \">=3.11\"\n\n[tool.tasklens]\nignore = [\"TL005\"]\nextend-exclude = [\"generated/*\"]\n\n[tool.tasklens.per-file-ignores]\n\"tests/*\" = [\"TL002\"]\n",
    );
    write(dir.path(), "app/main.py", BUGGY.as_bytes());
    write(dir.path(), "generated/bad.py", BUGGY.as_bytes());
    let output = tasklens(&["check", "--show-settings", "--select", "TL001,TL005"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    for line in [
        "  target-version: 3.11",
        "  select: TL001, TL005",
        "  ignore: none",
        "  extend-exclude: generated/*",
        "  per-file-ignores: tests/* = TL002",
        "  files: 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in {text}");
    }
    assert!(text.contains("pyproject.toml") && text.contains(".tasklens_cache"), "{text}");
    assert!(!dir.path().join(".tasklens_cache").exists(), "nothing is checked");
    let isolated = tasklens(&["check", "--show-settings", "--isolated", "--no-cache"], dir.path());
    let text = String::from_utf8_lossy(&isolated.stdout);
    assert!(text.contains("configuration: none (--isolated)") && text.contains("lowering store: off"), "{text}");
    assert!(text.contains("  ignore: none") && text.contains("  files: 2"), "{text}");
    // Without `requires-python`, the version comes from `setup.cfg` or `setup.py`, or is assumed.
    write(dir.path(), "pyproject.toml", b"[build-system]\nrequires = [\"setuptools\"]\n");
    write(dir.path(), "setup.py", b"from setuptools import setup\nsetup(name='app', python_requires='>=3.9')\n");
    let from_setup = tasklens(&["check", "--show-settings"], dir.path());
    assert!(
        String::from_utf8_lossy(&from_setup.stdout).lines().any(|l| l == "  target-version: 3.9"),
        "{from_setup:?}"
    );
    std::fs::remove_file(dir.path().join("setup.py")).expect("remove");
    let assumed = tasklens(&["check", "--show-settings"], dir.path());
    let text = String::from_utf8_lossy(&assumed.stdout);
    assert!(text.contains("  target-version: 3.10 (assumed: the project declares none)"), "{text}");
}

#[test]
fn fixable_and_unfixable_choose_which_rules_are_fixed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = "import asyncio\n\nasync def work():\n    pass\n\nasync def main():\n    asyncio.create_task(work())\n    await asyncio.ensure_future(work())\n";
    write(dir.path(), "pyproject.toml", b"[tool.tasklens]\nunfixable = [\"TL005\"]\n");
    write(dir.path(), "app.py", source.as_bytes());
    let diff = |args: &[&str]| {
        let output = tasklens(&[&["check", "--no-cache", "--diff", "--unsafe-fixes"], args].concat(), dir.path());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The configuration leaves TL005 unfixed: only the TL002 rename is made.
    let configured = diff(&[]);
    assert!(configured.contains("+    await asyncio.create_task(work())"), "{configured}");
    assert!(!configured.contains("_keep_task"), "{configured}");
    // `--fixable` replaces the configuration's `fixable`, `--unfixable` adds to `unfixable`.
    let only_tl005 = diff(&["--isolated", "--fixable", "TL005"]);
    assert!(only_tl005.contains("+    _keep_task(asyncio.create_task(work()))"), "{only_tl005}");
    assert!(!only_tl005.contains("+    await asyncio.create_task"), "{only_tl005}");
    assert!(diff(&["--unfixable", "TL002"]).is_empty());
    // Findings are still reported, without a fix to offer.
    let report = tasklens(&["check", "--no-cache", "--output-format", "json", "--unsafe-fixes"], dir.path());
    let findings: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json");
    let fixes: Vec<(&str, bool)> = (findings.as_array().expect("array").iter())
        .map(|f| (f["code"].as_str().unwrap_or(""), !f["fix"].is_null()))
        .collect();
    assert_eq!(fixes, [("TL005", false), ("TL002", true)]);
    let settings = tasklens(&["check", "--show-settings"], dir.path());
    assert!(String::from_utf8_lossy(&settings.stdout).lines().any(|l| l == "  unfixable: TL005"));
}

#[test]
fn a_closed_pipe_is_no_error() {
    // `tasklens rule TL001 | head -1`, `tasklens check | head`: the reader is gone before
    // the output is written, so every write fails with a broken pipe.
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path());
    for args in [&["rule", "TL001"][..], &["rule", "--all"], &["check", "--output-format", "concise"]] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_tasklens"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("TASKLENS_CACHE_DIR")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run tasklens");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(matches!(output.status.code(), Some(0 | 1)), "{args:?}: {:?} {stderr}", output.status);
    }
}
