//! TL021: `except TimeoutError:` around awaits of asyncio's `TimeoutError` before 3.11.

use crate::fixture::check;

#[test]
fn builtin_timeout_handlers_around_wait_for() {
    // Under 3.10 (the declared floor is 3.9) asyncio's `TimeoutError` is another class: it
    // escapes `except TimeoutError:` around `asyncio.wait_for`, around a helper in another
    // module that lets it out, in a tuple with other builtin exceptions, and
    // `suppress(TimeoutError)`. Handlers that also catch asyncio's, `Exception` or a class
    // of the project, a helper that catches it itself, a call that never times out, a
    // function defined in the `try` body and a block only 3.11 runs are fine.
    check(
        r#"
#- pyproject.toml
[project]
name = "waits"
requires-python = ">=3.9"
#- helpers.py
import asyncio

async def wait_ready(event, timeout):
    await asyncio.wait_for(event.wait(), timeout)

async def wait_quietly(event):
    try:
        await asyncio.wait_for(event.wait(), 0.01)
    except asyncio.TimeoutError:
        return False
    return True
#- main.py run 3.10
import asyncio
import contextlib
import sys

from helpers import wait_quietly, wait_ready

class Gone(Exception):
    pass

async def checks(event):
    try:
        await wait_quietly(event)
        await asyncio.wait_for(event.wait(), 0.01)
    except (TimeoutError, asyncio.TimeoutError):
        pass
    try:
        await asyncio.wait_for(event.wait(), 0.01)
    except Exception:
        pass
    try:
        await wait_ready(event, 0.01)
    except (TimeoutError, Gone):
        pass
    try:
        await asyncio.sleep(0)
    except TimeoutError:
        pass
    try:
        async def later():
            await asyncio.wait_for(event.wait(), 0.01)
    except TimeoutError:
        pass
    if sys.version_info >= (3, 11):
        try:
            await asyncio.wait_for(event.wait(), 0.01)
        except TimeoutError:
            pass
    return later

async def suppressed(event):
    with contextlib.suppress(TimeoutError):
        await wait_ready(event, 0.01)

async def through_helper(event):
    try:
        await wait_ready(event, 0.01)
    except (TimeoutError, ValueError):
        return "timed out"

async def main():
    event = asyncio.Event()
    await checks(event)
    try:
        await asyncio.wait_for(event.wait(), 0.01)
    except TimeoutError:
        print("timed out")
    await through_helper(event)
    await suppressed(event)

asyncio.run(main())
"#,
        "
        main.py:41: TL021
        main.py:47: TL021
        main.py:55: TL021
        ",
    );
}

#[test]
fn no_finding_when_the_project_needs_3_11() {
    check(
        r#"
#- pyproject.toml
[project]
name = "waits"
requires-python = ">=3.11"
#- main.py run 3.11
import asyncio

async def main():
    try:
        await asyncio.wait_for(asyncio.Event().wait(), 0.01)
    except TimeoutError:
        print("timed out")

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn builtin_timeout_handlers_around_concurrent_futures() {
    // `result(timeout)` of a `concurrent.futures.Future` (from `run_coroutine_threadsafe` or
    // an executor's `submit`) raises that module's `TimeoutError`, another class before
    // 3.11 too; a handler that names it, and a `result()` that never times out, are fine.
    check(
        r#"
#- pyproject.toml
[project]
name = "bridge"
requires-python = ">=3.10"
#- main.py run 3.10
import asyncio
import concurrent.futures
import threading
import time

def call_in_loop(loop, coro, timeout):
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        return None

def checked(pool):
    job = pool.submit(time.sleep, 0.05)
    try:
        job.result(timeout=0.01)
    except concurrent.futures.TimeoutError:
        pass
    try:
        job.result()
    except TimeoutError:
        pass

def main():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    with concurrent.futures.ThreadPoolExecutor() as pool:
        checked(pool)
    print(call_in_loop(loop, asyncio.sleep(1), 0.01))

main()
"#,
        "
        main.py:10: TL021
        ",
    );
}

#[test]
fn builtin_timeout_handlers_around_async_timeout() {
    // `async with async_timeout.timeout(t):` raises asyncio's `TimeoutError` from its
    // `__aexit__` before 3.11: directly, through a helper that lets it out, and through a
    // name that is `async_timeout.timeout` before 3.11 and `asyncio.timeout` from then on.
    // A handler inside the block, one that catches asyncio's, and a name that may be a
    // function of the project are fine. (Not run: the suite does not install async-timeout;
    // under CPython 3.10 with async-timeout 4.0.3 the first two handlers let
    // `asyncio.exceptions.TimeoutError` through, and 3.11 catches it.)
    check(
        r#"
#- pyproject.toml
[project]
name = "lights"
requires-python = ">=3.8"
#- main.py
import asyncio
import sys

import async_timeout

if sys.version_info[:2] < (3, 11):
    from async_timeout import timeout as asyncio_timeout
else:
    from asyncio import timeout as asyncio_timeout

try:
    from async_timeout import timeout_at
except ImportError:
    def timeout_at(deadline):
        return asyncio.sleep(0)


async def inner(event):
    async with async_timeout.timeout(0.01):
        await event.wait()


async def checks(event):
    try:
        async with async_timeout.timeout(0.01):
            await event.wait()
    except TimeoutError:
        pass
    try:
        await inner(event)
    except TimeoutError:
        pass
    try:
        async with asyncio_timeout(0.01):
            await event.wait()
    except (TimeoutError, OSError):
        pass
    async with async_timeout.timeout(1):
        try:
            await event.wait()
        except TimeoutError:
            pass
    try:
        async with async_timeout.timeout(0.01):
            await event.wait()
    except asyncio.TimeoutError:
        pass
    try:
        async with timeout_at(0.01):
            await event.wait()
    except TimeoutError:
        pass
"#,
        "
        main.py:27: TL021
        main.py:31: TL021
        main.py:36: TL021
        ",
    );
}

#[test]
fn star_imports_that_may_bind_timeout_error() {
    // A star import that binds no `TimeoutError` leaves the builtin; `from asyncio import *`
    // and a project module that exports asyncio's under that name rebind it, and those
    // handlers catch it.
    check(
        r#"
#- pyproject.toml
[project]
name = "stars"
requires-python = ">=3.9"
#- helpers.py
DELAY = 0.01
#- errors.py
import asyncio

TimeoutError = asyncio.TimeoutError
#- rebound.py
import asyncio
from asyncio import *

async def wait_asyncio(event):
    try:
        await asyncio.wait_for(event.wait(), 0.01)
    except TimeoutError:
        return False
#- exported.py
import asyncio
from errors import *

async def wait_exported(event):
    try:
        await asyncio.wait_for(event.wait(), 0.01)
    except TimeoutError:
        return False
#- main.py run 3.10
import asyncio

from helpers import *
from exported import wait_exported
from rebound import wait_asyncio

async def main():
    event = asyncio.Event()
    print(await wait_asyncio(event), await wait_exported(event))
    try:
        await asyncio.wait_for(event.wait(), DELAY)
    except TimeoutError:
        print("timed out")

asyncio.run(main())
"#,
        "main.py:12: TL021",
    );
}
