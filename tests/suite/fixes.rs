//! The fix engine on fixture projects, through one `check_fix(fixture, unsafe_fixes)`
//! helper: the diff is snapshotted with the findings that remain, fixing again changes
//! nothing, and the `run` script prints the same before and after, fails only where it
//! failed before, and runs under `-W error::DeprecationWarning` once fixed.

use tasklens_checks::Applicability;
use tasklens_fix::{FixOptions, fix_workspace, unified_diff};
use tasklens_project::Workspace;
use tasklens_render::render_concise;

use crate::fixture::{parse, python};

/// What the fixed program did.
#[derive(Default)]
struct FixRun {
    /// The original script raised a DeprecationWarning under `-W error::DeprecationWarning`.
    deprecated_before: bool,
    /// What the script wrote to stderr before and after the fixes.
    stderr_before: String,
    stderr_after: String,
}

#[track_caller]
fn check_fix(fixture: &str, unsafe_fixes: bool) -> FixRun {
    let fixture = parse(fixture);
    let sources: Vec<(&str, &str)> = fixture.files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut workspace = Workspace::from_sources(&sources);
    let options = FixOptions { unsafe_fixes };
    let outcome = fix_workspace(&mut workspace, options, &|_, _| true);
    assert!(outcome.converged && outcome.rejected.is_empty(), "{:?}", outcome.rejected);
    let mut report = format!("fixed {} finding(s)\n", outcome.fixed);
    for file in &outcome.files {
        report.push_str(&unified_diff(&file.path.display().to_string(), &file.original, &file.fixed));
    }
    report.push_str("remaining:\n");
    report.push_str(&render_concise(&workspace.db, &outcome.remaining));
    let mut name = std::thread::current().name().unwrap_or("fix").replace("::", "__");
    if unsafe_fixes {
        name.push_str("-unsafe");
    }
    insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_path => "snapshots" }, {
        insta::assert_snapshot!(name, report);
    });

    let again = fix_workspace(&mut workspace, options, &|_, _| true);
    assert_eq!((again.fixed, again.files.len()), (0, 0), "a second run changed something");
    let fixed: Vec<(String, String)> = fixture
        .files
        .iter()
        .map(|(path, text)| {
            let changed = outcome.files.iter().find(|f| f.path.to_str() == Some(path.as_str()));
            (path.clone(), changed.map_or_else(|| text.clone(), |f| f.fixed.to_string()))
        })
        .collect();
    let fresh_sources: Vec<(&str, &str)> = fixed.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let fresh = fix_workspace(&mut Workspace::from_sources(&fresh_sources), options, &|_, _| true);
    assert_eq!(fresh.fixed, 0, "a fresh check of the fixed project still has fixes to apply");

    let Some(script) = &fixture.run else { return FixRun::default() };
    let minor = fixture.python.as_deref();
    let before = python(&fixture.files, script, minor, &[]);
    let after = python(&fixed, script, minor, &[]);
    let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(String::from_utf8_lossy(&after.stdout), String::from_utf8_lossy(&before.stdout), "{}", stderr(&after));
    assert!(after.status.success() || !before.status.success(), "the fix made the script fail:\n{}", stderr(&after));
    let strict = ["-W", "error::DeprecationWarning"];
    let strict_after = python(&fixed, script, minor, &strict);
    assert!(!stderr(&strict_after).contains("DeprecationWarning"), "{}", stderr(&strict_after));
    let strict_before = python(&fixture.files, script, minor, &strict);
    FixRun {
        deprecated_before: stderr(&strict_before).contains("DeprecationWarning"),
        stderr_before: stderr(&before),
        stderr_after: stderr(&after),
    }
}

#[test]
fn fixes_keep_behaviour_and_remove_deprecated_loop_arguments() {
    let run = check_fix(
        r#"
#- main.py run 3.9
import asyncio
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
    fourth = asyncio.ensure_future(work(4), loop=None)
    # By keyword: the keyword goes (`create_task` names its parameter `coro`).
    fifth = asyncio.ensure_future(coro_or_future=work(5))
    # Mapped: the function is renamed where `map` is given it.
    rest = list(map(asyncio.ensure_future, [work(6), work(7)]))
    await asyncio.sleep(0, loop=loop)
    lock = asyncio.Lock(loop=loop)
    async with lock:
        print(await first, await second, await third, await fourth, await fifth, first.get_name() != "")
        print([await task for task in rest], rest[0].get_name() != "")

asyncio.run(main())
"#,
        false,
    );
    assert!(run.deprecated_before, "the original passes loop=, which CPython 3.9 deprecates");
}

#[test]
fn names_imported_from_asyncio_are_renamed_and_the_import_list_follows() {
    check_fix(
        r#"
#- main.py run
import asyncio
from asyncio import (
    ensure_future,
    sleep,
)
from asyncio import ensure_future as ef

async def work(n):
    await sleep(0)
    return n

async def main():
    a = ensure_future(work(1))
    b = ef(work(2))
    c = ensure_future(work(3))
    print(await a, await b, await c)

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn a_taken_create_task_name_falls_back_to_the_module_and_reexports_stay() {
    check_fix(
        r#"
#- compat.py
import asyncio
from asyncio import ensure_future

def create_task(name):
    return name

async def work():
    return 1

async def spawn():
    return await ensure_future(work())
#- main.py run
import asyncio
from compat import ensure_future, spawn

async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(2)
    print(await spawn(), await ensure_future(fut))

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn unsafe_fixes_are_applied_only_when_asked() {
    let fixture = r#"
#- main.py run
import asyncio

async def work():
    return 1

def start():
    return asyncio.ensure_future(work())

async def main():
    start_by_name = globals()["start"]
    print(await start_by_name())

asyncio.run(main())
"#;
    check_fix(fixture, false);
    check_fix(fixture, true);
}

#[test]
fn import_time_calls_get_a_fix_only_through_a_loop_object() {
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
first = asyncio.ensure_future(work(1), loop=loop)
second = asyncio.ensure_future(work(2))
print(loop.run_until_complete(asyncio.gather(first, second)))
loop.close()
"#,
        false,
    );
}

#[test]
fn script_entry_calls_say_they_run_when_the_script_starts() {
    // Under `if __name__ == "__main__":` the call runs when the file runs as a script: no
    // fix, and the message says so rather than "at import time".
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

if __name__ == "__main__":
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    task = asyncio.ensure_future(work(3))
    print(loop.run_until_complete(task))
    loop.close()
"#,
        false,
    );
}

#[test]
fn a_coroutine_handed_to_the_loop_needs_no_task_first() {
    // `loop.run_until_complete(ensure_future(coro))` before the loop runs: `create_task`
    // would raise there, but the loop wraps the coroutine itself, so the call goes. Not
    // through a name, and not for a project class's own `run_until_complete`.
    check_fix(
        r#"
#- main.py run
import asyncio
from asyncio import ensure_future

async def work(n):
    return n

class Runner:
    def run_until_complete(self, aw):
        aw.cancel()
        return type(aw).__name__

def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    print(loop.run_until_complete(asyncio.ensure_future(work(1))))
    print(loop.run_until_complete(ensure_future(
        work(2),
    )))
    task = asyncio.ensure_future(work(3))
    print(loop.run_until_complete(task))
    print(Runner().run_until_complete(asyncio.ensure_future(work(4))))
    loop.close()

main()
"#,
        false,
    );
}

#[test]
fn the_loop_rewrite_needs_no_running_loop() {
    // `start` is synchronous and runs before the loop does: `loop.create_task` is fine
    // there (unlike `asyncio.create_task`), so the rewrite is a safe fix.
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

def start(loop):
    return asyncio.ensure_future(work(1), loop=loop)

def main():
    loop = asyncio.new_event_loop()
    task = start(loop)
    print(type(task).__name__, loop.run_until_complete(task))
    loop.close()

main()
"#,
        false,
    );
}

#[test]
fn a_loop_parameter_that_defaults_to_none_gets_no_loop_rewrite() {
    // `start()` passes `loop=None` on: `ensure_future` takes the current loop, while
    // `loop.create_task` would raise AttributeError; so does `Client().start()` through the
    // attribute its `__init__` stores the parameter in. `start_with` gives `loop` a value.
    // Where a loop runs, `asyncio.create_task` takes the running one, which is `loop`
    // unless that is another loop: an unsafe fix. Before a loop runs (`schedule`), none.
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

def schedule(loop=None):
    return asyncio.ensure_future(work(0), loop=loop)

early = asyncio.new_event_loop()
print(early.run_until_complete(schedule(early)))
early.close()

def start(loop=None):
    return asyncio.ensure_future(work(1), loop=loop)

def start_with(loop=None):
    loop = loop or asyncio.get_event_loop()
    return asyncio.ensure_future(work(2), loop=loop)

class Client:
    def __init__(self, loop=None):
        self._loop = loop

    def start(self):
        return asyncio.ensure_future(work(3), loop=self._loop)

    def again(self):
        loop = self._loop
        return asyncio.ensure_future(work(4), loop=loop)

async def main():
    print(await start(), await start_with(), await Client().start(), await Client().again())

asyncio.run(main())
"#,
        true,
    );
}

#[test]
fn a_loop_attribute_set_when_missing_keeps_its_rewrite() {
    // `if self._loop is None: self._loop = ...` before the call: `self._loop` is set there,
    // (also within a branch, for the rest of that branch), so `self._loop.create_task` is
    // safe; not when it may be reset to None after, or after a branch that may not set it.
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

class Client:
    def __init__(self, loop=None):
        self._loop = loop

    def start(self):
        if self._loop is None:
            self._loop = asyncio.get_event_loop()
        return asyncio.ensure_future(work(1), loop=self._loop)

    def reset(self):
        if not self._loop:
            self._loop = asyncio.get_event_loop()
        self._loop = None
        return asyncio.ensure_future(work(2), loop=self._loop)

    def maybe(self, flag):
        if flag:
            if self._loop is None:
                self._loop = asyncio.get_event_loop()
        return asyncio.ensure_future(work(3), loop=self._loop)

    def within(self, flag):
        if flag:
            if self._loop is None:
                self._loop = asyncio.get_event_loop()
            return asyncio.ensure_future(work(4), loop=self._loop)
        return None

async def main():
    print(await Client().start(), await Client().reset(), await Client().maybe(False))
    print(await Client().within(True))

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn a_compound_loop_expression_is_parenthesised() {
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

class Runner:
    def __init__(self, loop=None):
        self._loop = loop

    def start(self, fallback):
        return asyncio.ensure_future(work(1), loop=self._loop or fallback)

def main():
    loop = asyncio.new_event_loop()
    task = Runner(loop).start(None)
    print(type(task).__name__, loop.run_until_complete(task))
    loop.close()

main()
"#,
        false,
    );
}

#[test]
fn create_task_given_a_loop_becomes_the_loops_create_task() {
    // `start` runs before the loop does: `loop.create_task` works there, so the rewrite is
    // safe outside coroutines too.
    check_fix(
        r#"
#- main.py run
import asyncio

async def work(n):
    return n

def start(loop):
    return asyncio.create_task(work(1), loop=loop)

def main():
    loop = asyncio.new_event_loop()
    try:
        task = start(loop)
    except TypeError:
        task = loop.create_task(work(1))
    print(loop.run_until_complete(task))
    loop.close()

main()
"#,
        false,
    );
}

/// The applicability of each TL002 fix in a one-file project, in source order.
fn tl002_fix_applicabilities(text: &str) -> Vec<Option<Applicability>> {
    let workspace = Workspace::from_sources(&[("main.py", text)]);
    (workspace.check().iter()).filter(|d| d.code == "TL002").map(|d| d.fix.as_ref().map(|f| f.applicability)).collect()
}

#[test]
fn fix_safety_follows_where_the_call_runs() {
    let text = "import asyncio\n\nasync def work():\n    return 1\n\ndef start():\n    return asyncio.ensure_future(work())\n\ntask = asyncio.ensure_future(work())\n\ndef inner():\n    return asyncio.ensure_future(work())\n\ndef helper():\n    return inner()\n\ndef mixed():\n    return asyncio.ensure_future(work())\n\nasync def main():\n    await helper()\n    await mixed()\n\nearly = mixed()\n";
    let fixes = tl002_fix_applicabilities(text);
    // `start` has no caller; `inner` is only reached from a coroutine (through `helper`);
    // `mixed` is also called at import time, where `create_task` would raise: no fix.
    assert_eq!(fixes, [Some(Applicability::Unsafe), None, Some(Applicability::Safe), None]);
}

#[test]
fn functions_run_in_a_thread_have_no_running_loop() {
    // `kick` is awaited from a coroutine, but `run_in_executor` also runs it in a worker
    // thread, and `asyncio.to_thread` runs `nudge` there: no loop is running in either.
    // `kick`'s thread has no event loop at all, so its `ensure_future` raises (a TL003, not
    // a TL002); `nudge` sets one, and gets no fix. `maybe` only calls `sometimes` under a
    // branch.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\ndef kick():\n    return asyncio.ensure_future(work())\n\ndef nudge():\n    asyncio.set_event_loop(asyncio.new_event_loop())\n    return asyncio.ensure_future(work())\n\ndef only_here():\n    return asyncio.ensure_future(work())\n\ndef sometimes():\n    return asyncio.ensure_future(work())\n\ndef maybe(flag):\n    if flag:\n        sometimes()\n\nasync def main():\n    await kick()\n    await nudge()\n    await only_here()\n    await asyncio.get_running_loop().run_in_executor(None, kick)\n    await asyncio.to_thread(nudge)\n    await asyncio.to_thread(maybe, False)\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [None, Some(Safe), Some(Unsafe)]);
}

#[test]
fn loop_callbacks_run_in_a_running_loop() {
    // `on_tick` and the lambda are only called back by the loop: a loop is running there.
    // `on_stop` is also called at import time (no fix), `on_signal` by a function nothing calls.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\ndef on_tick():\n    asyncio.ensure_future(work())\n\ndef on_stop():\n    asyncio.ensure_future(work())\n\ndef on_signal():\n    asyncio.ensure_future(work())\n\nasync def main():\n    loop = asyncio.get_running_loop()\n    loop.call_soon(on_tick)\n    loop.call_later(0.1, lambda: asyncio.ensure_future(work()))\n    loop.call_soon(on_stop)\n    loop.call_soon(on_signal)\n    await asyncio.sleep(0.2)\n\ndef handler():\n    on_signal()\n\non_stop()\n";
    let fixes = tl002_fix_applicabilities(text);
    use Applicability::{Safe, Unsafe};
    assert_eq!(fixes, [Some(Safe), None, Some(Unsafe), Some(Safe)]);
}

#[test]
fn done_callbacks_of_asyncio_futures_run_in_the_loop() {
    // `restart` is a done-callback of a Task: the loop calls it. `report` is one of a
    // `concurrent.futures` Future from `run_coroutine_threadsafe`: its thread calls it.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\ndef restart(task):\n    asyncio.ensure_future(work())\n\ndef report(fut):\n    asyncio.ensure_future(work())\n\nasync def main(other_loop):\n    task = asyncio.create_task(work())\n    task.add_done_callback(restart)\n    asyncio.run_coroutine_threadsafe(work(), other_loop).add_done_callback(report)\n    await task\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Safe), Some(Unsafe)]);
}

#[test]
fn protocol_callbacks_run_in_the_loop() {
    // The loop's transports call `connection_made` and `datagram_received` of asyncio's
    // protocols (and so what only they call); `Probe.connection_made` is also called by
    // `poke`, which nothing in the project calls: it may run anywhere. `Plain` derives from
    // no protocol.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\nclass Echo(asyncio.Protocol):\n    def connection_made(self, transport):\n        self.task = asyncio.ensure_future(work())\n\nclass Beacon(asyncio.DatagramProtocol):\n    def datagram_received(self, data, addr):\n        self.handle(data)\n\n    def handle(self, data):\n        self.task = asyncio.ensure_future(work())\n\nclass Probe(asyncio.Protocol):\n    def connection_made(self, transport):\n        self.task = asyncio.ensure_future(work())\n\nclass Plain:\n    def connection_made(self, transport):\n        self.task = asyncio.ensure_future(work())\n\ndef poke():\n    Probe().connection_made(None)\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Safe), Some(Safe), Some(Unsafe), Some(Unsafe)]);
}

#[test]
fn a_public_functions_parameter_makes_the_fix_unsafe() {
    // Callers outside the project may pass a Future to `spawn` or `Pool.submit`; `_spawn`,
    // `_Pool.submit` and `Pool._run` are private, and every caller is in the project.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\nasync def spawn(coro):\n    return await asyncio.ensure_future(coro)\n\nasync def _spawn(coro):\n    return await asyncio.ensure_future(coro)\n\nclass Pool:\n    async def submit(self, coro):\n        return await asyncio.ensure_future(coro)\n\n    async def _run(self, coro):\n        return await asyncio.ensure_future(coro)\n\nclass _Pool:\n    async def submit(self, coro):\n        return await asyncio.ensure_future(coro)\n\nasync def main():\n    await spawn(work())\n    await _spawn(work())\n    await Pool().submit(work())\n    await Pool()._run(work())\n    await _Pool().submit(work())\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Unsafe), Some(Safe), Some(Unsafe), Some(Safe), Some(Safe)]);
}

#[test]
fn the_elements_of_a_public_functions_parameter_make_the_fix_unsafe() {
    // `gather_all` iterates what its callers pass (outside callers may pass Futures, as
    // distributed's `Any(args)` documents); `_gather_all` is private.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\nasync def gather_all(aws):\n    return await asyncio.gather(*[asyncio.ensure_future(a) for a in aws])\n\nasync def each(aws):\n    return list(map(asyncio.ensure_future, aws))\n\nasync def _gather_all(aws):\n    return await asyncio.gather(*[asyncio.ensure_future(a) for a in aws])\n\nasync def main():\n    await gather_all([work()])\n    await asyncio.gather(*(await each([work()])))\n    await _gather_all([work()])\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Unsafe), Some(Unsafe), Some(Safe)]);
}

#[test]
fn calling_a_public_functions_parameter_makes_the_fix_unsafe() {
    // `run` and `when_awaitable` call what their callers pass (outside callers may pass a
    // function that returns a Future); past `iscoroutinefunction` or `iscoroutine` the
    // value is a coroutine whoever passed it.
    let text = "import asyncio\nimport inspect\n\nasync def work():\n    return 1\n\nasync def run(fn):\n    return await asyncio.ensure_future(fn())\n\nasync def when_awaitable(fn):\n    result = fn()\n    if inspect.isawaitable(result):\n        return await asyncio.ensure_future(result)\n\nasync def call(fn):\n    if inspect.iscoroutinefunction(fn):\n        return await asyncio.ensure_future(fn())\n\nasync def schedule(c):\n    if asyncio.iscoroutine(c):\n        return await asyncio.ensure_future(c)\n\nasync def main():\n    await run(work)\n    await when_awaitable(work)\n    await call(work)\n    await schedule(work())\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Unsafe), Some(Unsafe), Some(Safe), Some(Safe)]);
}

#[test]
fn a_public_functions_parameter_kept_in_an_attribute_makes_the_fix_unsafe() {
    // `Runner(factory)` keeps what outside code may pass; `_Private` and the `factory` a
    // private method stores are the project's own.
    let text = "import asyncio\n\nasync def work():\n    return 1\n\nclass Runner:\n    def __init__(self, factory):\n        self.factory = factory\n\n    async def run(self):\n        return await asyncio.ensure_future(self.factory())\n\nclass _Private:\n    def __init__(self, make):\n        self.make = make\n\n    async def run(self):\n        return await asyncio.ensure_future(self.make())\n\nasync def main():\n    await Runner(work).run()\n    await _Private(work).run()\n";
    use Applicability::{Safe, Unsafe};
    assert_eq!(tl002_fix_applicabilities(text), [Some(Unsafe), Some(Safe)]);
}

#[test]
fn unused_imports_sharing_a_line_go_with_their_semicolon() {
    check_fix(
        r#"
#- first.py
import asyncio
from asyncio import sleep; from asyncio import ensure_future

async def work():
    await sleep(0)

async def run_first():
    return await ensure_future(work())
#- second.py
from asyncio import ensure_future; from asyncio import sleep
from asyncio import create_task as spawn

async def work():
    await sleep(0)

async def run_second():
    return await ensure_future(work())
#- main.py run
import asyncio
from first import run_first
from second import run_second

async def main():
    print(await run_first(), await run_second())

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn the_loop_rewrite_keeps_comments_inside_the_call() {
    check_fix(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(
        work(),  # the job
        loop=loop,
    )
    print(await task)

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn the_steps_of_an_async_generator_become_tasks_with_create_task() {
    check_fix(
        r#"
#- main.py run
import asyncio

async def numbers():
    yield 1
    yield 2

async def main():
    agen = numbers()
    first = asyncio.ensure_future(agen.__anext__())
    second = asyncio.ensure_future(agen.asend(None))
    print(await first, await second, first.get_name() != "")
    closing = asyncio.ensure_future(agen.aclose())
    await closing

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn another_name_for_ensure_future_becomes_the_modules_create_task() {
    // `ensure_future = asyncio.ensure_future`, and a function's own `from asyncio import
    // ensure_future`: the module's `import asyncio` spells `create_task`. Not where the
    // module name is bound again (`asyncio` a parameter of `run_with`).
    check_fix(
        r#"
#- jobs.py
import asyncio

ensure_future = asyncio.ensure_future

async def work(n):
    return n

async def first():
    return await ensure_future(work(1))

async def second():
    from asyncio import ensure_future as ef
    return await ef(work(2))
#- other.py
import asyncio

spawn = asyncio.ensure_future

async def work(n):
    return n

async def third():
    return await spawn(work(3))

def run_with(asyncio, coro):
    return asyncio.run(coro)
#- main.py run
import asyncio
from jobs import first, second
from other import third

async def main():
    print(await first(), await second(), await third())

asyncio.run(main())
"#,
        false,
    );
}

#[test]
fn dropped_tasks_are_kept_by_a_helper_the_fix_adds_once() {
    let run = check_fix(
        r#"
#- main.py run
"""Background work that is garbage-collected while it waits."""
import asyncio
import gc

from jobs import start_job
from worker import start_on


async def forgotten(name):
    # Waits on a Future that only this Task references.
    await asyncio.get_running_loop().create_future()


async def spawn(name):
    return asyncio.create_task(forgotten(name))


def start(name):
    return asyncio.create_task(forgotten(name))


async def main():
    asyncio.create_task(forgotten("a statement"))
    kept = await spawn("kept from an async helper")
    await spawn("dropped from an async helper")
    also_kept = start("kept from a helper")
    start("dropped from a helper")
    start_on(asyncio.get_running_loop(), forgotten("dropped in a module without imports"))
    await start_job(forgotten("dropped in a module whose imports come after code"))
    asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(forgotten("returned to the loop")))
    asyncio.get_running_loop().call_soon(asyncio.create_task, forgotten("made by the loop"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    gc.collect()
    print("collected")
    kept.cancel()
    also_kept.cancel()

asyncio.run(main())
#- jobs.py
"""The helper goes after the last import before the first definition."""
__all__ = ["start_job"]

import asyncio
import logging

try:
    import uvloop
except ImportError:
    uvloop = None

log = logging.getLogger(__name__)


async def start_job(coro):
    asyncio.create_task(coro)
#- worker.py
#!/usr/bin/env python3
# A module without imports: the helper goes before its first statement.
def start_on(loop, coro):
    loop.create_task(coro)
"#,
        true,
    );
    // CPython collects the dropped Tasks while they wait, and no longer once they are kept.
    assert_eq!(run.stderr_before.matches("Task was destroyed but it is pending!").count(), 7, "{}", run.stderr_before);
    assert!(!run.stderr_after.contains("Task was destroyed"), "{}", run.stderr_after);
}

#[test]
fn the_keeping_fix_is_unsafe_and_needs_a_free_name() {
    // Without `--unsafe-fixes` nothing changes; a module that uses the helper's names gets no fix.
    check_fix(
        r#"
#- main.py
import asyncio

async def work():
    pass

async def main():
    asyncio.create_task(work())
    asyncio.get_running_loop().call_soon(asyncio.create_task, work())
#- other.py
import asyncio

_background_tasks = []

async def work():
    pass

async def main():
    asyncio.create_task(work())
"#,
        false,
    );
    check_fix(
        "
#- other.py
import asyncio\r
\r
_background_tasks = []\r
\r
async def work():\r
    pass\r
\r
async def main():\r
    asyncio.create_task(work())\r
#- crlf.py
import asyncio\r
async def work():\r
    pass\r
async def main():\r
    asyncio.create_task(work())\r
#- attribute.py
import asyncio\r
\r
class App:\r
    \"\"\"Keeps its own `_background_tasks`; the module's helper is another name.\"\"\"\r
    def __init__(self):\r
        self._background_tasks = set()\r
\r
    async def work(self):\r
        pass\r
\r
    async def main(self):\r
        asyncio.create_task(self.work())\r
",
        true,
    );
}

#[test]
fn an_async_def_passed_uncalled_is_called_where_it_needs_no_argument() {
    // Before the fix the first `create_task` raises TypeError; after it, all of them run
    // (and the script ends cleanly).
    // `greet` needs an argument, `Service.run` is not bound through `Service.`, and
    // `wrapped` sits under a decorator that may change what it takes: none is called.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import functools

async def tick(times=1):
    await asyncio.sleep(0)

async def greet(name):
    print("hello", name)

def logged(fn):
    @functools.wraps(fn)
    async def wrapper(*args):
        return await fn(*args)
    return wrapper

@logged
async def wrapped():
    pass

class Service:
    async def run(self):
        await tick()

    @staticmethod
    async def check():
        await tick()

    async def start(self):
        return [
            asyncio.create_task(self.run),
            asyncio.create_task(self.check),
        ]

async def main():
    service = Service()
    tasks = [asyncio.create_task(tick)]
    tasks += await service.start()
    await asyncio.gather(*tasks)

def never_called():
    return [asyncio.create_task(greet), asyncio.create_task(Service.run), asyncio.create_task(wrapped)]

asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("TypeError"), "{}", run.stderr_before);
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn coroutines_given_to_wait_are_wrapped_in_tasks() {
    // CPython 3.10 still wraps them itself, with a DeprecationWarning; 3.11 raises.
    let run = check_fix(
        r#"
#- main.py run 3.10
import asyncio
import asyncio as aio
from asyncio import wait

async def fetch(n):
    await asyncio.sleep(0)
    return n

async def main():
    done, _ = await asyncio.wait([fetch(1), fetch(2)])
    print(sorted(t.result() for t in done))
    done, _ = await aio.wait({fetch(n) for n in range(3)}, timeout=1)
    print(sorted(t.result() for t in done))
    done, _ = await wait(fetch(n) for n in range(2))
    print(len(done))

asyncio.run(main())
"#,
        false,
    );
    assert!(run.deprecated_before, "CPython 3.10 deprecates coroutines given to asyncio.wait");
}

#[test]
fn an_async_def_given_to_run_uncalled_is_called() {
    // Before the fix `asyncio.run` raises ValueError before anything runs; after it, the
    // program runs and ends cleanly. `main` reached through a name is left as it is.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys

async def main():
    await asyncio.sleep(0)
    sys.stderr.write("")

entry = main

if __name__ == "__main__":
    asyncio.run(main)

def later():
    asyncio.run(entry)
"#,
        true,
    );
    assert!(run.stderr_before.contains("ValueError: a coroutine was expected"), "{}", run.stderr_before);
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn a_forgotten_await_is_added_in_coroutines() {
    // Before the fix `close` never runs (and CPython warns); after it, it runs before
    // `main` ends. The call in a plain function gets no fix.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys

async def close():
    sys.stderr.write("closed\n")

def later():
    close()

async def main():
    close()

asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("was never awaited"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "closed\n");
}

#[test]
fn an_async_def_awaited_uncalled_is_called() {
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys

async def flush():
    sys.stderr.write("flushed\n")

async def main():
    await flush

asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("can't be used in 'await' expression"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "flushed\n");
}

#[test]
fn a_call_given_as_a_callback_passes_the_function_and_its_arguments() {
    // Before: `save(...)` runs in the loop's thread, then the executor calls its None
    // (TypeError). After: the worker thread runs it, and the loop calls `mark` itself.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys
import threading


def save(path, mode):
    sys.stderr.write(f"{path} {mode} {threading.current_thread() is threading.main_thread()}\n")


def mark():
    sys.stderr.write("marked\n")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(mark())
    await asyncio.sleep(0)
    await loop.run_in_executor(None, save(
        "data.json",
        "w",
    ))

asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("data.json w True"), "{}", run.stderr_before);
    assert!(run.stderr_before.contains("TypeError: 'NoneType' object is not callable"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "marked\ndata.json w False\n");
}

#[test]
fn with_and_for_of_the_wrong_kind_switch_kind() {
    // In an `async def`: `with` of an asyncio lock becomes `async with`, `for` over an async
    // generator `async for`, `async for` over a generator `for`.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys


async def events():
    yield "event"


def lines():
    yield "line"


async def main():
    lock = asyncio.Lock()
    with lock:
        for event in events():
            sys.stderr.write(event + "\n")
        async for line in lines():
            sys.stderr.write(line + "\n")


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("does not support the context manager protocol"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "event\nline\n");
}

#[test]
fn a_coroutine_kept_as_a_handle_is_wrapped_in_a_task() {
    // TL018's unsafe fix in a coroutine: the handle becomes a Task that `stop` can cancel.
    let run = check_fix(
        r#"
#- main.py run
import asyncio


class Poller:
    def __init__(self):
        self._task = None

    async def _poll(self):
        await asyncio.sleep(10)

    async def start(self):
        self._task = self._poll()

    async def stop(self):
        self._task.cancel()


async def main():
    poller = Poller()
    await poller.start()
    await poller.stop()


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("AttributeError: 'coroutine' object has no attribute 'cancel'"));
    assert!(!run.stderr_after.contains("Error"), "{}", run.stderr_after);
}

#[test]
fn a_dropped_gather_is_awaited_in_a_coroutine() {
    // The unsafe fix awaits a `gather` or `shield` written as a statement in a coroutine, so
    // the coroutine waits for what it started; in plain code there is nothing to await with.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import gc

done = []


async def step(name):
    await asyncio.sleep(0)
    done.append(name)


def schedule(loop):
    asyncio.gather(step("from plain code"))


async def main():
    asyncio.gather(step("a"), step("b"))
    asyncio.shield(step("c"))
    gc.collect()
    await asyncio.sleep(0.01)
    print(sorted(done))


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn a_missing_await_is_added() {
    // In a coroutine the call is awaited; where the attribute is read from the call itself,
    // in parentheses (`await` binds looser than `.items`). The script fails before (prints
    // nothing, so the outputs compare equal) and runs cleanly after.
    let run = check_fix(
        r#"
#- main.py run
import asyncio


class User:
    name = "ada"


async def fetch_user():
    await asyncio.sleep(0)
    return User()


async def load():
    return {"a": 1}


async def main():
    user = fetch_user()
    assert sorted(load().items()) == [("a", 1)]
    assert user.name == "ada"


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("AttributeError"), "{}", run.stderr_before);
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn a_missing_await_before_an_operator_or_unpacking_is_added() {
    // `await` binds tighter than every binary operator, `in` and `**`, so no parentheses are
    // needed: `await repo.count() + 1`, `"a" in await repo.keys()`, `len(await ...)`.
    let run = check_fix(
        r#"
#- main.py run
import asyncio


class Repo:
    async def get_or_create(self, key):
        await asyncio.sleep(0)
        return key, True

    async def count(self):
        return 3

    async def keys(self):
        return ["a"]


async def main():
    repo = Repo()
    obj, created = repo.get_or_create("k")
    total = repo.count() + 1
    power = 2 ** repo.count()
    found = "a" in repo.keys()
    size = len(repo.keys())
    assert (obj, created, total, power, found, size) == ("k", True, 4, 8, True, 1)


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("TypeError"), "{}", run.stderr_before);
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn builtin_timeout_handlers_also_catch_asyncios() {
    // TL021's fix adds `asyncio.TimeoutError` (as the module names asyncio) next to the
    // builtin `TimeoutError`: alone, in a tuple and in `suppress(...)`. Under 3.10 the
    // script fails with asyncio's `TimeoutError` before and runs cleanly after.
    let run = check_fix(
        r#"
#- pyproject.toml
[project]
name = "waits"
requires-python = ">=3.9"
#- main.py run 3.10
import asyncio as aio
import contextlib

async def wait_ready(event):
    await aio.wait_for(event.wait(), 0.01)

async def quiet(event):
    with contextlib.suppress(TimeoutError):
        await wait_ready(event)

async def main():
    event = aio.Event()
    await quiet(event)
    try:
        await wait_ready(event)
    except (ValueError, TimeoutError):
        pass
    try:
        await aio.wait_for(event.wait(), 0.01)
    except TimeoutError as error:
        assert error is not None

aio.run(main())
"#,
        false,
    );
    assert!(run.stderr_before.contains("asyncio.exceptions.TimeoutError"), "{}", run.stderr_before);
    assert!(run.stderr_after.is_empty(), "{}", run.stderr_after);
}

#[test]
fn a_coroutine_a_lambda_hands_the_loop_runs_as_a_kept_task() {
    // Before the fix the loop drops the coroutines the lambdas return (CPython warns); after
    // it, each runs as a Task the module keeps. A named function and a thread's lambda get
    // no fix.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys
import threading


async def flush(tag):
    sys.stderr.write(f"flushed {tag}\n")


def later():
    return flush("named")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(lambda: flush("soon"))
    done = loop.create_future()
    done.add_done_callback(lambda fut: flush("done"))
    done.set_result(None)
    if len(sys.argv) > 1:
        loop.call_soon(later)
        threading.Thread(target=lambda: flush("thread")).start()
    await asyncio.sleep(0.05)


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("was never awaited"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "flushed soon\nflushed done\n");
}

#[test]
fn a_coroutine_handed_back_unawaited_is_awaited_where_it_is_made() {
    // `close` returned the coroutine of `flush`, which `await client.close()` threw away;
    // fixed, `close` awaits it and the body runs.
    let run = check_fix(
        r#"
#- main.py run
import asyncio
import sys


class Client:
    async def flush(self):
        sys.stderr.write("flushed\n")

    async def close(self):
        return self.flush()


async def main():
    await Client().close()


asyncio.run(main())
"#,
        true,
    );
    assert!(run.stderr_before.contains("was never awaited"), "{}", run.stderr_before);
    assert_eq!(run.stderr_after, "flushed\n");
}
