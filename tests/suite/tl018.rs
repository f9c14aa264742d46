//! TL018: a coroutine used where a Task or a Future is needed.

use crate::fixture::check;

#[test]
fn a_coroutine_kept_as_a_handle_across_modules() {
    // `start` keeps the coroutine where a Task was meant; `stop`, called from another
    // module, cancels it: AttributeError, and the poll never ran.
    check(
        r#"
#- app/__init__.py
#- app/poller.py
import asyncio


class Poller:
    def __init__(self):
        self._task = None

    async def _poll(self):
        print("poll ran")
        await asyncio.sleep(0)

    def start(self):
        self._task = self._poll()

    def stop(self):
        self._task.cancel()
#- main.py run
import asyncio

from app.poller import Poller


async def main():
    poller = Poller()
    poller.start()
    await asyncio.sleep(0)
    poller.stop()


asyncio.run(main())
"#,
        "app/poller.py:13: TL018",
    );
}

#[test]
fn every_kind_of_sink_and_asyncio_coroutines() {
    // A method read as a callback, a done-callback, a Task-only method, a return annotated
    // as a Task. A list annotated to hold Tasks that is given coroutines (most often
    // gathered later) is a wrong annotation, not reported.
    check(
        r#"
#- jobs.py
import asyncio


async def fetch(n):
    await asyncio.sleep(n)


def later(loop, n):
    job = fetch(n)
    loop.call_later(1, job.cancel)


def named():
    job = fetch(1)
    job.add_done_callback(print)
    return job


async def pending():
    jobs: "list[asyncio.Task[None]]" = []
    jobs.append(asyncio.sleep(1))
    await asyncio.gather(*jobs)


def watch(task: asyncio.Task) -> None:
    print(task.get_name())


def start() -> asyncio.Task:
    return fetch(2)


def run():
    watch(fetch(3))
#- main.py run
import asyncio

from jobs import later


async def main():
    later(asyncio.get_running_loop(), 0)


asyncio.run(main())
"#,
        "
        jobs.py:9: TL018
        jobs.py:14: TL018
        jobs.py:30: TL018
        jobs.py:34: TL018
        ",
    );
}

#[test]
fn tests_handlers_overrides_and_tasks_are_fine() {
    // Each runs cleanly: the coroutine is wrapped in a Task first, tested for, or
    // cancelled where AttributeError is handled; a plain `def` override may give a Task;
    // a project class with its own `cancel`; a callable kept in an attribute; a helper that
    // turns coroutines into Tasks behind a test the analysis cannot narrow on (a tuple of
    // types held in a variable, as tornado's `convert_yielded`).
    check(
        r#"
#- main.py run
import asyncio


async def work():
    await asyncio.sleep(0)


class Base:
    async def spawn(self):
        await asyncio.sleep(0)

    def go(self):
        handle = self.spawn()
        handle.cancel()


class Child(Base):
    def spawn(self):
        return asyncio.get_running_loop().create_task(work())


class Job:
    def cancel(self):
        print("job cancelled")


class Holder:
    def __init__(self, factory):
        self.factory = factory

    def make(self):
        return self.factory()


def either(flag):
    return work() if flag else Job()


FUTURES = (asyncio.Future,)


def is_future(value):
    return isinstance(value, FUTURES)


def convert(value):
    if is_future(value):
        return value
    return asyncio.ensure_future(value)


async def main():
    job = work()
    if asyncio.iscoroutine(job):
        job = asyncio.create_task(job)
    job.cancel()
    other = work()
    if hasattr(other, "cancel"):
        other.cancel()
    else:
        other.close()
    third = work()
    if isinstance(third, asyncio.Future):
        third.cancel()
    else:
        third.close()
    fourth = work()
    try:
        fourth.cancel()
    except AttributeError:
        fourth.close()
    Child().go()
    maybe = either(False)
    maybe.cancel()
    held = Holder(work).make()
    held.close()
    convert(work()).cancel()
    convert(asyncio.get_running_loop().create_future()).cancel()


asyncio.run(main())
"#,
        "",
    );
}

const WAITED_COROUTINES: &str = r#"
#- sentinel.py
import asyncio


async def connect(address, pools):
    await asyncio.sleep(0)
    pools.append(address)
    return address


async def discover(addresses):
    pools = []
    done, pending = await asyncio.wait([connect(a, pools) for a in addresses])
    for task in done:
        print(task.result())
    return pools
#- main.py run
import asyncio
import sentinel

asyncio.run(sentinel.discover(["a", "b"]))
"#;

#[test]
fn what_wait_gives_back_for_coroutines_are_tasks() {
    // Before 3.11 `asyncio.wait` wraps the coroutines it is given in Tasks and gives those
    // back (aioredis's sentinel pool), so `result()` works there; from 3.11 it refuses them
    // (TL008). Either way no coroutine comes back.
    check(WAITED_COROUTINES, "sentinel.py:12: TL008");
    let fixture = crate::fixture::parse(WAITED_COROUTINES);
    let output = crate::fixture::python(&fixture.files, "main.py", Some("3.10"), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.contains('a') && stdout.contains('b'), "{output:?}");
}

#[test]
fn iterating_as_completed_with_for_gives_coroutines() {
    // `concurrent.futures.as_completed` gives Futures whose `result()` is read; asyncio's,
    // iterated with `for`, gives coroutines on every Python, so the same loop fails with
    // AttributeError. Awaiting each, `async for` (3.13 gives the awaitables themselves) and
    // the Tasks of the list are fine.
    check(
        r#"
#- pyproject.toml
[project]
name = "jobs"
requires-python = ">=3.13"
#- jobs.py
import asyncio


async def fetch(n):
    await asyncio.sleep(0.001 * n)
    return n


async def in_order_done(tasks):
    results = []
    for coro in asyncio.as_completed(tasks):
        results.append(await coro)
    if tasks:
        print(tasks[0].result())
    return results


async def async_iteration(tasks):
    async for task in asyncio.as_completed(tasks):
        print(task.result())


async def ported(tasks):
    finished = asyncio.as_completed(tasks, timeout=5)
    for future in finished:
        done = future
        print(done.result())
#- main.py run
import asyncio
import jobs


async def main():
    tasks = [asyncio.create_task(jobs.fetch(n)) for n in range(3)]
    print(await jobs.in_order_done(tasks))
    await jobs.ported(tasks)


asyncio.run(main())
"#,
        "jobs.py:24: TL018",
    );
}
