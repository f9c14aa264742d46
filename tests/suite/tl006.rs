//! TL006: `loop=` passed to asyncio APIs that removed it in Python 3.10.

use crate::fixture::check;

const PROGRAM: &str = r#"
#- helpers.py
def sleep(delay, loop=None):
    return delay
#- main.py run
import asyncio
import asyncio as aio
import asyncio.locks
import concurrent.futures
import functools
from asyncio import Queue as Q
from helpers import sleep

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    sleep(0, loop=loop)
    await asyncio.ensure_future(work(), loop=loop)
    fut = asyncio.Future(loop=loop)
    fut.set_result(None)
    pool = concurrent.futures.ThreadPoolExecutor(1)
    await asyncio.wrap_future(pool.submit(int), loop=loop)
    await asyncio.sleep(0, loop=loop)
    asyncio.locks.Event(loop=loop)
    Q(loop=loop)
    await aio.gather(work(), loop=loop)
    delayed = functools.partial(asyncio.sleep, loop=loop)
    await delayed(0)

asyncio.run(main())
"#;

#[test]
fn removed_loop_arguments_in_every_spelling() {
    check(
        PROGRAM,
        "
        main.py:15: TL002
        main.py:20: TL006
        main.py:21: TL006
        main.py:22: TL006
        main.py:23: TL006
        main.py:24: TL006
        ",
    );
}

#[test]
fn calls_under_a_version_guard_run_only_on_older_pythons() {
    // Each guarded `loop=` runs only below 3.10, which a 3.10 target never is; the one
    // under `< (3, 12)` still runs on 3.10 and 3.11.
    check(
        r#"
#- pyproject.toml
[project]
requires-python = ">=3.10"
#- main.py run
import asyncio
import sys
from sys import version_info

PY310 = sys.version_info >= (3, 10)

def queue(loop):
    if sys.version_info < (3, 10):
        return asyncio.Queue(loop=loop)
    return asyncio.Queue()

def lock(loop):
    if sys.version_info[:2] >= (3, 10):
        return asyncio.Lock()
    else:
        return asyncio.Lock(loop=loop)

def event(loop):
    if PY310:
        return asyncio.Event()
    return asyncio.Event(loop=loop)

if not (3, 10) <= version_info:
    def semaphore(loop):
        return asyncio.Semaphore(loop=loop)
else:
    def semaphore(loop):
        return asyncio.Semaphore()

def condition(loop):
    if sys.version_info < (3, 12):
        return asyncio.Condition(loop=loop)
    return asyncio.Condition()

def bounded(loop):
    if sys.hexversion < 0x030A0000:
        return asyncio.BoundedSemaphore(loop=loop)
    return asyncio.BoundedSemaphore()

async def main():
    loop = asyncio.get_running_loop()
    print(queue(loop), lock(loop), event(loop), semaphore(loop), bounded(loop))
    print(condition(loop))

asyncio.run(main())
"#,
        "
        main.py:32: TL006
        ",
    );
}

#[test]
fn calls_whose_type_error_is_handled_are_compatibility_code() {
    check(
        r#"
#- pyproject.toml
[project]
requires-python = ">=3.10"
#- main.py run
import asyncio
import contextlib

def queue(loop):
    try:
        return asyncio.Queue(loop=loop)
    except TypeError:
        return asyncio.Queue()

def event(loop):
    with contextlib.suppress(TypeError):
        return asyncio.Event(loop=loop)
    return asyncio.Event()

def semaphore(loop):
    # The fallback runs only where the call without `loop=` raised TypeError.
    try:
        return asyncio.Semaphore()
    except TypeError:
        return asyncio.Semaphore(loop=loop)

def lock(loop):
    try:
        return asyncio.Lock(loop=loop)
    except ValueError:
        return asyncio.Lock()

async def main():
    loop = asyncio.get_running_loop()
    print(queue(loop), event(loop), semaphore(loop))
    print(lock(loop))

asyncio.run(main())
"#,
        "
        main.py:24: TL006
        ",
    );
}

#[test]
fn older_targets_still_accept_loop() {
    // Python 3.9 still accepts `loop=` (with a DeprecationWarning): the program runs.
    let program = PROGRAM.replace("#- main.py run", "#- main.py run 3.9");
    check(&format!("#- pyproject.toml\n[project]\nrequires-python = \">=3.8\"\n{program}"), "main.py:15: TL002");
}

#[test]
fn removed_loop_arguments_through_re_exports() {
    check(
        r#"
#- compat.py
from asyncio import Lock as CompatLock
import asyncio.queues as queues
#- main.py run
import asyncio
from compat import CompatLock, queues

async def main():
    loop = asyncio.get_running_loop()
    queues.Queue(loop=loop)
    CompatLock(loop=loop)

asyncio.run(main())
"#,
        "
        main.py:6: TL006
        main.py:7: TL006
        ",
    );
}

#[test]
fn subclasses_of_asyncio_classes_run_their_base_init() {
    check(
        r#"
#- jobs.py
import asyncio

class Jobs(asyncio.Queue):
    pass

class Locked(asyncio.Lock):
    def __init__(self, loop=None):
        super().__init__(loop=loop)

class Own(asyncio.Queue):
    def __init__(self, loop=None):
        super().__init__()
        self.loop = loop

class Flagged(asyncio.Event):
    def __init__(self, loop=None):
        asyncio.Event.__init__(self, loop=loop)
#- main.py run
import asyncio
from jobs import Flagged, Jobs, Locked, Own

async def main():
    loop = asyncio.get_running_loop()
    Own(loop=loop)
    Flagged(loop)
    Locked(loop)
    Jobs(loop=loop)

asyncio.run(main())
"#,
        "
        jobs.py:8: TL006
        jobs.py:17: TL006
        main.py:9: TL006
        ",
    );
}

#[test]
fn run_and_apis_added_after_the_removal_never_took_loop() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(work())
    barrier = asyncio.Barrier(1)
    await barrier.wait()
    async with asyncio.timeout_at(None):
        await work()
    asyncio.Barrier(2, loop=loop)

def never_called(loop):
    asyncio.TaskGroup(loop=loop)
    asyncio.timeout_at(None, loop=loop)
    asyncio.Runner(loop=loop)

asyncio.run(main(), loop=None)
"#,
        "
        main.py:14: TL006
        main.py:17: TL006
        main.py:18: TL006
        main.py:19: TL006
        main.py:21: TL006
        ",
    );
}

#[test]
fn create_task_and_timeout_never_took_loop() {
    // Whatever the target: `create_task(coro, loop=loop)` (a hand-made rename of
    // `ensure_future(coro, loop=loop)`) raises TypeError under every CPython.
    check(
        r#"
#- pyproject.toml
[project]
requires-python = ">=3.8"
#- main.py run 3.9
import asyncio

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    print(await asyncio.ensure_future(work(), loop=loop))
    print(await asyncio.create_task(work(), loop=loop))

asyncio.run(main())
"#,
        "
        main.py:8: TL002
        main.py:9: TL006
        ",
    );
}

#[test]
fn code_meant_to_fail_is_no_finding() {
    // A test asserting that the call fails (`self.assertRaises(TypeError)`,
    // `assertRaisesRegex`, `pytest.raises`, also of a tuple) or a `suppress(TypeError)`
    // handles the TypeError; a context that expects something else does not.
    check(
        r#"
#- pyproject.toml
[project]
requires-python = ">=3.10"
#- test_locks.py
import asyncio
import pytest

with pytest.raises(RuntimeError):
    asyncio.get_running_loop()

async def test_lock():
    loop = asyncio.get_running_loop()
    with pytest.raises(TypeError, match="loop"):
        asyncio.Lock(loop=loop)
    with pytest.raises((ValueError, TypeError)):
        await asyncio.sleep(0, loop=loop)
#- main.py run
import asyncio
import contextlib
import unittest

case = unittest.TestCase()

async def main():
    loop = asyncio.get_running_loop()
    with case.assertRaises(TypeError):
        asyncio.Lock(loop=loop)
    with case.assertRaisesRegex(TypeError, "loop"):
        await asyncio.sleep(0, loop=loop)
    with contextlib.suppress(TypeError):
        asyncio.Event(loop=loop)
    with case.assertRaises(ValueError):
        asyncio.Queue(loop=loop)

asyncio.run(main())
"#,
        "
        main.py:16: TL006
        ",
    );
}
