//! TL016: asyncio APIs and Task methods newer than the oldest Python the project declares.

use crate::fixture::check;

#[test]
fn an_api_newer_than_requires_python() {
    // `requires-python = ">=3.10"` and `asyncio.TaskGroup` (3.11): run under 3.10, it fails.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.10"
#- main.py run 3.10
import asyncio


async def work():
    await asyncio.sleep(0)


async def main():
    await asyncio.to_thread(print, "3.9 has to_thread")
    async with asyncio.TaskGroup() as group:
        group.create_task(work())


asyncio.run(main())
"#,
        "main.py:10: TL016",
    );
}

#[test]
fn a_task_method_newer_than_requires_python_followed_across_modules() {
    // `cancelling()` came with 3.11; the Task is made in one module and asked in another.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.10"
#- jobs.py
import asyncio


async def work():
    await asyncio.sleep(0)


def start():
    return asyncio.create_task(work())
#- main.py run 3.10
import asyncio
import jobs


async def main():
    job = jobs.start()
    if job.cancelling():
        print("cancelling")
    await job


asyncio.run(main())
"#,
        "main.py:7: TL016",
    );
}

#[test]
fn guarded_or_compatible_uses_are_left_alone() {
    // Version tests, `hasattr`, an early return, a backport imported where asyncio lacks
    // the name, a caught AttributeError and a test of the method: all of it runs under 3.10.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.10"
#- main.py run 3.10
import asyncio
import sys

try:
    from asyncio import timeout
except ImportError:
    from contextlib import nullcontext as timeout

PY311 = sys.version_info >= (3, 11)


async def work():
    await asyncio.sleep(0)


async def main():
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            group.create_task(work())
    else:
        await work()
    if PY311:
        print(asyncio.Runner)
    if sys.version_info[:2] > (3, 10):
        asyncio.Barrier(1)
    if sys.version_info[:2] == (3, 12):
        asyncio.create_eager_task_factory(asyncio.Task)
    if hasattr(asyncio, "Barrier"):
        asyncio.Barrier(1)
    async with timeout(1):
        await work()
    task = asyncio.create_task(work())
    try:
        task.uncancel()
    except AttributeError:
        pass
    if getattr(task, "cancelling", None) is not None:
        print(task.cancelling())
    await task
    newest()
    await in_thread(print)


async def in_thread(function):
    # Aliases taken where AttributeError is caught, or only on newer Pythons.
    if sys.version_info >= (3, 12):
        make_factory = asyncio.create_eager_task_factory
    else:
        make_factory = None
    print(make_factory)
    try:
        limit = asyncio.timeout
    except AttributeError:
        return function()
    async with limit(1):
        return function()


def newest():
    if sys.version_info < (3, 12):
        return
    asyncio.create_eager_task_factory(asyncio.Task)


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_skip_or_an_exit_under_an_old_version_guards_what_follows() {
    // `self.skipTest`, `pytest.skip` and `sys.exit` raise: the code after them in the block
    // runs only on 3.12 and later. A message printed under the test ends nothing.
    check(
        r#"
#- pyproject.toml
[project]
name = "eager"
requires-python = ">=3.10"
#- tests/test_eager.py
import asyncio
import sys

import pytest


def test_factory():
    if sys.version_info < (3, 12):
        pytest.skip("needs 3.12")
    assert asyncio.create_eager_task_factory(asyncio.Task)

#- main.py run 3.10
import asyncio
import sys
import unittest


class EagerTest(unittest.TestCase):
    def setUp(self):
        if sys.version_info < (3, 12):
            self.skipTest("needs 3.12")
        self.factory = asyncio.create_eager_task_factory(asyncio.Task)

    def test_factory(self):
        self.assertTrue(callable(self.factory))


def main():
    if sys.version_info < (3, 12):
        sys.exit(0)
    asyncio.create_eager_task_factory(asyncio.Task)


def warned_only():
    if sys.version_info < (3, 12):
        print("may fail")
    asyncio.create_eager_task_factory(asyncio.Task)


suite = unittest.defaultTestLoader.loadTestsFromTestCase(EagerTest)
result = unittest.TextTestRunner().run(suite)
assert result.wasSuccessful() and len(result.skipped) == 1
try:
    main()
except SystemExit:
    print("exited")
warned_only()
"#,
        "main.py:25: TL016",
    );
}

#[test]
fn tests_skipped_below_a_version_are_left_alone() {
    // Skip markers with a version test, written on the test, bound to a module-level name
    // first, or given to the whole module as `pytestmark`: the tests run only where the
    // test lets them. A marker with another condition, or a skip below an older version,
    // guards nothing.
    check(
        r#"
#- pyproject.toml
[project]
name = "eager"
requires-python = ">=3.10"
#- tests/test_markers.py
import asyncio
import sys

import pytest

needs_312 = pytest.mark.skipif(sys.version_info < (3, 12), reason="needs 3.12")
on_linux = pytest.mark.skipif(sys.platform != "linux", reason="linux only")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="needs 3.12")
def test_inline():
    assert asyncio.create_eager_task_factory(asyncio.Task)


@needs_312
def test_named():
    assert asyncio.create_eager_task_factory(asyncio.Task)


@on_linux
def test_other_condition():
    assert asyncio.create_eager_task_factory(asyncio.Task)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="needs 3.11")
def test_too_old_a_bound():
    assert asyncio.create_eager_task_factory(asyncio.Task)

#- tests/test_module_marked.py
import asyncio
import sys

import pytest

pytestmark = [pytest.mark.asyncio, pytest.mark.skipif(sys.version_info < (3, 12), reason="3.12")]


def test_factory():
    assert asyncio.create_eager_task_factory(asyncio.Task)

#- main.py run 3.10
import asyncio
import sys
import unittest

needs_312 = unittest.skipIf(sys.version_info < (3, 12), "needs 3.12")


class EagerTest(unittest.TestCase):
    @needs_312
    def test_named(self):
        self.assertTrue(asyncio.create_eager_task_factory(asyncio.Task))

    @unittest.skipUnless(sys.version_info >= (3, 12), "needs 3.12")
    def test_unless(self):
        self.assertTrue(asyncio.create_eager_task_factory(asyncio.Task))

    def test_unmarked(self):
        self.assertTrue(asyncio.create_eager_task_factory(asyncio.Task))


suite = unittest.defaultTestLoader.loadTestsFromTestCase(EagerTest)
result = unittest.TextTestRunner().run(suite)
assert len(result.skipped) == 2
for _, trace in result.errors:
    print(trace)
    raise AttributeError("an unmarked test failed")
"#,
        "main.py:18: TL016\n\
         tests/test_markers.py:22: TL016\n\
         tests/test_markers.py:27: TL016",
    );
}

#[test]
fn helpers_called_only_under_a_version_guard_are_left_alone() {
    // A helper runs on the versions of every call that runs it: `with_group` only from
    // 3.11 on, through `grouped` too (and its own recursion); `run_group` also from code
    // that every version runs.
    check(
        r#"
#- pyproject.toml
[project]
name = "groups"
requires-python = ">=3.10"
#- app/__init__.py
#- app/compat.py
import asyncio


async def with_group(coros, depth=0):
    if depth < 1:
        return await with_group(coros, depth + 1)
    async with asyncio.TaskGroup() as group:
        for coro in coros:
            group.create_task(coro)


async def grouped(coros):
    await with_group(coros)


async def run_group(coros):
    async with asyncio.TaskGroup() as group:
        for coro in coros:
            group.create_task(coro)


def cancels(task):
    return task.cancelling(), asyncio.timeout
#- main.py run 3.10
import asyncio
import sys

from app.compat import cancels, grouped, run_group


async def work():
    await asyncio.sleep(0)


async def main():
    if sys.version_info >= (3, 11):
        await grouped([work()])
        await run_group([work()])
        print(cancels(asyncio.current_task()))
    else:
        await asyncio.gather(work())
    await run_group([work()])


asyncio.run(main())
"#,
        "app/compat.py:17: TL016",
    );
}

#[test]
fn a_hexversion_bound_within_a_release_counts_that_release() {
    // `sys.hexversion < 0x030A0100` lets 3.10.0 through: what follows an early return under
    // it runs from 3.10 (and fails there), what follows one under `< 0x030B0000` from 3.11.
    check(
        r#"
#- pyproject.toml
[project]
name = "runners"
requires-python = ">=3.10"
#- main.py run 3.10
import asyncio
import sys


def newest():
    if sys.hexversion < 0x030B0000:
        return None
    return asyncio.Runner


def runner():
    if sys.hexversion < 0x030A0100:
        return None
    return asyncio.Runner


print(newest(), runner())
"#,
        "main.py:14: TL016",
    );
}

#[test]
fn a_name_the_project_gives_asyncio_itself_is_no_newer_api() {
    // `compat.py` gives asyncio the `run` Python 3.6 lacks (loguru's test configuration
    // does): calls of `asyncio.run` work there. `to_thread` it does not give, and 3.8
    // (which .ci/run installs) lacks it too.
    check(
        r#"
#- pyproject.toml
[project]
name = "logs"
requires-python = ">=3.6"
#- compat.py
import asyncio
import sys

if sys.version_info < (3, 7):
    def run(coro):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()

    asyncio.run = run
#- main.py run 3.8
import asyncio

import compat


async def work():
    return 1


print(asyncio.run(work()))
asyncio.run(asyncio.to_thread(print, "x"))
"#,
        "main.py:11: TL016",
    );
}

#[test]
fn only_against_a_declared_version() {
    // Without `requires-python` (or `--target-version`) the project may well run on 3.11
    // only: the default target is not a promise.
    check(
        r#"
#- main.py run
import asyncio


async def main():
    async with asyncio.timeout(1):
        task = asyncio.create_task(asyncio.sleep(0))
        task.cancelling()
        await task


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn apis_of_3_7_for_a_project_that_declares_3_6() {
    // No CPython 3.6 here to run it: `asyncio.run` and `create_task` came with 3.7; the
    // classmethods `Task.current_task` and `Task.all_tasks` are 3.6's own.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.6"
#- main.py
import asyncio


async def main():
    await asyncio.create_task(asyncio.sleep(0))
    print(asyncio.Task.current_task(), len(asyncio.tasks.Task.all_tasks()))


asyncio.run(main())
"#,
        "main.py:5: TL016\nmain.py:9: TL016",
    );
}

#[test]
fn a_version_declared_for_poetry_or_setuptools() {
    // Poetry's `python = "^3.10"` and `setup.cfg`'s `python_requires` declare it too.
    let main = r#"#- main.py run 3.10
import asyncio


async def main():
    async with asyncio.timeout(1):
        await asyncio.sleep(0)


asyncio.run(main())
"#;
    let poetry = "#- pyproject.toml\n[tool.poetry.dependencies]\npython = \"^3.10\"\n";
    check(&format!("{poetry}{main}"), "main.py:5: TL016");
    let setup_cfg = "#- setup.cfg\n[metadata]\nname = jobs\n\n[options]\npython_requires = >=3.10\n";
    check(&format!("{setup_cfg}{main}"), "main.py:5: TL016");
}

#[test]
fn a_newer_name_imported_from_asyncio_fails_at_the_import() {
    // The import is the line to change: it fails before any use runs (the uses through it
    // are not reported again); under `TYPE_CHECKING`, a version test or an ImportError
    // handler it is left alone.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.10"
#- jobs.py
import sys
from typing import TYPE_CHECKING

from asyncio import Runner, sleep

if TYPE_CHECKING:
    from asyncio import Barrier
if sys.version_info >= (3, 11):
    from asyncio import timeout
try:
    from asyncio import TaskGroup
except ImportError:
    TaskGroup = None


def run(coro):
    with Runner() as runner:
        return runner.run(coro)
#- main.py run 3.10
import jobs

print(jobs.sleep)
"#,
        "jobs.py:4: TL016",
    );
}

#[test]
fn a_newer_name_read_without_a_call() {
    // `asyncio.eager_task_factory` handed over as a value fails as a call would; the same
    // read under a version test does not.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.11"
#- main.py run 3.11
import asyncio
import sys


async def main():
    loop = asyncio.get_running_loop()
    if sys.version_info >= (3, 12):
        loop.set_task_factory(asyncio.eager_task_factory)
    factories = {"eager": asyncio.eager_task_factory}
    loop.set_task_factory(factories["eager"])


asyncio.run(main())
"#,
        "main.py:9: TL016",
    );
}

#[test]
fn async_iteration_of_as_completed_before_3_13() {
    // Only 3.13 made `as_completed(...)` an async iterator: before, `async for` over it is a
    // TypeError, straight, through a name or in a comprehension. Plain `for`, a version
    // guard and a handled TypeError are left alone.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.9"
#- results.py
import asyncio
import sys
from asyncio import as_completed


async def first(tasks):
    async for task in asyncio.as_completed(tasks):
        return await task


async def all_of(tasks):
    return [await task async for task in as_completed(tasks)]


async def in_order_done(tasks):
    pending = as_completed(tasks, timeout=5)
    async for task in pending:
        print(await task)


async def portable(tasks):
    if sys.version_info >= (3, 13):
        async for task in asyncio.as_completed(tasks):
            print(await task)
    else:
        for task in asyncio.as_completed(tasks):
            print(await task)


async def tolerant(tasks):
    try:
        async for task in asyncio.as_completed(tasks):
            print(await task)
    except TypeError:
        print("needs 3.13")
#- main.py run 3.12
import asyncio
import results


async def work(n):
    await asyncio.sleep(0.001 * n)
    return n


async def main():
    await results.portable([asyncio.create_task(work(n)) for n in range(2)])
    await results.tolerant([asyncio.create_task(work(n)) for n in range(2)])
    await results.in_order_done([asyncio.create_task(work(n)) for n in range(2)])


asyncio.run(main())
"#,
        "results.py:7: TL016\nresults.py:12: TL016\nresults.py:17: TL016",
    );
}

#[test]
fn keyword_arguments_newer_than_requires_python() {
    // `context=` came to `create_task` in 3.11 and `loop_factory=` to `asyncio.run` in 3.12:
    // with `requires-python = ">=3.10"`, both are TypeErrors on 3.10, however `create_task`
    // is imported. Under a version guard, and with keywords 3.10 has, nothing is reported.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.10"
#- jobs.py
import asyncio
import contextvars
import sys
from asyncio import create_task as spawn


async def work():
    await asyncio.sleep(0)


async def main():
    context = contextvars.copy_context()
    if sys.version_info >= (3, 11):
        await asyncio.create_task(work(), context=context)
    await asyncio.create_task(work(), name="named")
    await spawn(work(), context=context)


def run():
    asyncio.run(main(), loop_factory=asyncio.new_event_loop)
#- main.py run 3.10
import jobs

jobs.run()
"#,
        "jobs.py:16: TL016\njobs.py:20: TL016",
    );
}

#[test]
fn a_cancel_message_before_3_9() {
    // Tasks and Futures take a message in `cancel()` from 3.9 on: with `requires-python =
    // ">=3.8"` a Task kept in an attribute and cancelled with one elsewhere fails on 3.8. A
    // version guard, a handled TypeError, a project class's own `cancel(reason)` and a
    // plain `cancel()` are fine.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.8"
#- jobs.py
import asyncio
import sys


async def work():
    await asyncio.sleep(1)


class Ticket:
    def cancel(self, reason):
        print("cancelled:", reason)


class Service:
    def __init__(self):
        self.task = None
        self.ticket = Ticket()

    def start(self):
        self.task = asyncio.create_task(work())

    def stop(self):
        self.ticket.cancel("stopping")
        if sys.version_info >= (3, 9):
            self.task.cancel("stopping")
        try:
            self.task.cancel(msg="stopping")
        except TypeError:
            pass
        self.task.cancel()
        self.task.cancel("stopping")
#- main.py run 3.8
import asyncio
import jobs


async def main():
    service = jobs.Service()
    service.start()
    await asyncio.sleep(0)
    service.stop()


asyncio.run(main())
"#,
        "jobs.py:31: TL016",
    );
}

#[test]
fn an_exception_class_newer_than_requires_python() {
    // `except asyncio.QueueShutDown:` (3.13) is looked up when an exception reaches it:
    // under 3.12 the handler itself raises AttributeError.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.12"
#- main.py run 3.12
import asyncio


async def main():
    queue = asyncio.Queue()
    try:
        queue.get_nowait()
    except asyncio.QueueShutDown:
        print("shut down")
    except asyncio.QueueEmpty:
        print("empty")


asyncio.run(main())
"#,
        "main.py:8: TL016",
    );
}

#[test]
fn an_event_loop_method_newer_than_requires_python() {
    // `loop.shutdown_default_executor()` came with 3.9; behind `hasattr(loop, ...)` it is
    // compatibility code. Run under 3.8, the unguarded call fails.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.8"
#- main.py run 3.8
import asyncio


def close_gently(loop):
    if not hasattr(loop, "shutdown_default_executor"):
        return
    loop.run_until_complete(loop.shutdown_default_executor())


def close(loop):
    loop.run_until_complete(loop.shutdown_default_executor())


loop = asyncio.new_event_loop()
close_gently(loop)
close(loop)
"#,
        "main.py:11: TL016",
    );
}
