//! TL008: coroutines passed to `asyncio.wait`, which Python 3.11 refuses.

use crate::fixture::check;

#[test]
fn coroutines_in_a_literal_reach_wait() {
    // python3 here is CPython 3.11: the wait raises TypeError.
    check(
        r#"
#- main.py run
import asyncio

async def fetch(n):
    await asyncio.sleep(0)
    return n

async def main():
    done, pending = await asyncio.wait([fetch(1), fetch(2)], timeout=1)
    print(len(done))

asyncio.run(main())
"#,
        "main.py:8: TL008",
    );
}

#[test]
fn coroutines_collected_in_another_module_reach_wait() {
    // Appended in a loop, kept in an attribute, handed to a function of another module.
    check(
        r#"
#- jobs.py
import asyncio

class Batch:
    def __init__(self):
        self.pending = []

    def add(self, job):
        self.pending.append(job)

async def run_all(jobs):
    return await asyncio.wait(jobs)
#- main.py run
import asyncio
from jobs import Batch, run_all

async def ping(host):
    await asyncio.sleep(0)
    return host

async def main():
    batch = Batch()
    for host in ["a", "b"]:
        batch.add(ping(host))
    stop = asyncio.Event()
    stop.set()
    batch.add(stop.wait())
    done, _ = await run_all(batch.pending)
    print(len(done))

asyncio.run(main())
"#,
        "jobs.py:11: TL008",
    );
}

#[test]
fn a_lone_coroutine_fails_in_every_version() {
    check(
        r#"
#- main.py run 3.9
import asyncio

async def fetch():
    return 1

async def main():
    await asyncio.wait(fetch())

asyncio.run(main())
"#,
        "main.py:7: TL008",
    );
}

#[test]
fn tasks_futures_and_narrowed_values_are_fine() {
    // Tasks and Futures; helpers that make a Task of whatever is not one yet
    // (`isinstance(x, asyncio.Task)`, `asyncio.isfuture(x)`, `isinstance(x, int)` then
    // `isawaitable(x)` with early returns); a call under a version
    // guard that only older Pythons take; one whose TypeError is handled; values made
    // outside the project (`map`). Where `isfuture(x)` fails no Task gets in, so the
    // `ensure_future` there is only ever given a coroutine (TL002).
    check(
        r#"
#- main.py run
import asyncio
import inspect
import sys

async def fetch(n):
    await asyncio.sleep(0)
    return n

def as_task(coro_or_task):
    if isinstance(coro_or_task, asyncio.Task):
        task = coro_or_task
    elif asyncio.iscoroutine(coro_or_task):
        task = asyncio.get_running_loop().create_task(coro_or_task)
    else:
        raise TypeError(coro_or_task)
    return task

def scheduled(o):
    if isinstance(o, int):
        return o
    if inspect.isawaitable(o):
        return asyncio.get_running_loop().create_task(o)
    return o

def futures_of(awaitables):
    futures = []
    for awaitable in awaitables:
        if asyncio.isfuture(awaitable):
            futures.append(awaitable)
        else:
            futures.append(asyncio.ensure_future(awaitable))
    return futures

async def main():
    tasks = [asyncio.create_task(fetch(n)) for n in range(3)]
    await asyncio.wait(tasks)
    loop = asyncio.get_running_loop()
    await asyncio.wait({loop.run_in_executor(None, int), asyncio.create_task(fetch(4))})
    await asyncio.wait([as_task(fetch(5)), as_task(tasks[0])])
    await asyncio.wait(futures_of([fetch(6), tasks[1]]))
    await asyncio.wait([scheduled(fetch(10))])
    if sys.version_info < (3, 11):
        await asyncio.wait([fetch(7)])
    try:
        await asyncio.wait([fetch(8)])
    except TypeError:
        pass
    await asyncio.wait(list(map(asyncio.create_task, [fetch(9)])))

asyncio.run(main())
"#,
        "main.py:31: TL002",
    );
}
