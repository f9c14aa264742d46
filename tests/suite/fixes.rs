//! Fixes carried by findings: applying the safe ones keeps a program's behaviour and
//! leaves nothing to fix.

use std::process::Command;

use tasklens_checks::Applicability;
use tasklens_project::Workspace;

const PROGRAM: &str = r#"import asyncio
import asyncio as aio

async def work(n):
    await asyncio.sleep(0)
    return n

async def main():
    loop = asyncio.get_running_loop()
    first = asyncio.ensure_future(work(1))
    second = aio.ensure_future(work(2), loop=loop)
    third = asyncio.ensure_future(
        work(3),
    )
    await asyncio.sleep(0, loop=loop)
    lock = asyncio.Lock(loop=loop)
    async with lock:
        print(await first, await second, await third, first.get_name() != "")

asyncio.run(main())
"#;

/// Applies the safe fixes of one check of `text` (edits never overlap here).
fn fixed(text: &str) -> (String, usize) {
    let workspace = Workspace::from_sources(&[("main.py", text)]);
    let mut edits: Vec<(usize, usize, String)> = workspace
        .check()
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|fix| fix.applicability == Applicability::Safe)
        .flat_map(|fix| fix.edits.iter())
        .map(|edit| (usize::from(edit.range.start()), usize::from(edit.range.end()), edit.content.clone()))
        .collect();
    edits.sort();
    assert!(edits.windows(2).all(|pair| pair[0].1 <= pair[1].0), "overlapping edits: {edits:?}");
    let mut out = text.to_string();
    for (start, end, content) in edits.iter().rev() {
        out.replace_range(*start..*end, content);
    }
    (out, edits.len())
}

fn run(text: &str, python: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.py"), text).expect("write");
    let mut command = Command::new("python3");
    if let Some(version) = python {
        command.env("PYENV_VERSION", version);
    }
    let output = command.arg("main.py").current_dir(dir.path()).output().expect("python3");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn safe_fixes_keep_behaviour_and_leave_nothing_to_fix() {
    let (after, applied) = fixed(PROGRAM);
    assert_eq!(applied, 5, "{after}");
    assert!(after.contains("first = asyncio.create_task(work(1))"), "{after}");
    assert!(after.contains("second = loop.create_task(work(2))"), "{after}");
    assert!(after.contains("await asyncio.sleep(0)\n") && after.contains("asyncio.Lock()"), "{after}");
    // The original needs a Python that still takes `loop=`; the fixed one runs on 3.11.
    assert_eq!(run(&after, None), run(PROGRAM, Some("3.9.18")));
    let (again, more) = fixed(&after);
    assert_eq!((more, again.as_str()), (0, after.as_str()));
}

#[test]
fn fix_safety_follows_where_the_call_runs() {
    let text = "import asyncio\n\nasync def work():\n    return 1\n\ndef start():\n    return asyncio.ensure_future(work())\n\ntask = asyncio.ensure_future(work())\n\ndef inner():\n    return asyncio.ensure_future(work())\n\ndef helper():\n    return inner()\n\ndef mixed():\n    return asyncio.ensure_future(work())\n\nasync def main():\n    await helper()\n    await mixed()\n\nearly = mixed()\n";
    let workspace = Workspace::from_sources(&[("main.py", text)]);
    let fixes: Vec<Option<Applicability>> = workspace
        .check()
        .iter()
        .filter(|d| d.code == "TL002")
        .map(|d| d.fix.as_ref().map(|f| f.applicability))
        .collect();
    // `start` has no caller; `inner` is only reached from a coroutine (through `helper`);
    // `mixed` is also called at import time.
    assert_eq!(fixes, [Some(Applicability::Unsafe), None, Some(Applicability::Safe), Some(Applicability::Unsafe)]);
}
