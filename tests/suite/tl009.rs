//! TL009: an `async def` handed over as a plain callback, whose coroutine nothing awaits.

use crate::fixture::{check, never_awaited};

const CALLBACKS: &str = r#"
#- app/__init__.py
#- app/handlers.py
import functools


class Client:
    async def on_tick(self):
        print("on_tick ran")

    def start(self, loop):
        loop.call_soon(self.on_tick)
        loop.call_later(0, functools.partial(reconnect, 1))


async def reconnect(attempt):
    print("reconnect ran", attempt)


HANDLERS = {"refresh": reconnect}
#- main.py run
import asyncio
import threading

from app.handlers import HANDLERS, Client


def plain():
    print("plain ran")


async def finished(task):
    print("finished ran")


async def main():
    loop = asyncio.get_running_loop()
    Client().start(loop)
    sleeper = asyncio.create_task(asyncio.sleep(0))
    sleeper.add_done_callback(finished)
    loop.call_soon(plain)
    worker = threading.Thread(target=HANDLERS["refresh"], args=(2,))
    worker.start()
    worker.join()
    await loop.run_in_executor(None, plain)
    await asyncio.sleep(0.05)


asyncio.run(main())
"#;

#[test]
fn async_functions_given_to_the_loop_and_to_threads_never_run() {
    check(
        CALLBACKS,
        "
        app/handlers.py:9: TL009
        app/handlers.py:10: TL009
        main.py:19: TL009
        main.py:21: TL009
        ",
    );
    // CPython runs the plain callbacks and none of the `async def`s, with a warning for each.
    let stdout = never_awaited(CALLBACKS, &["Client.on_tick", "reconnect", "finished"]);
    assert_eq!(stdout.matches("plain ran").count(), 2, "{stdout}");
}

#[test]
fn dispatchers_that_test_the_kind_first_are_fine() {
    // A job runner that tests `iscoroutinefunction` (of the job or of the function a
    // partial wraps) before handing a plain function over; a project class's own
    // `add_done_callback` that awaits what it is given; a plain function through a
    // decorator; a value from outside the project.
    check(
        r#"
#- main.py run
import asyncio
import functools
import inspect


def registered(func):
    return func


async def work():
    print("work ran")


def plain():
    print("plain ran")


def run_job(loop, target, *args):
    check = target
    while isinstance(check, functools.partial):
        check = check.func
    if asyncio.iscoroutine(check):
        return loop.create_task(target)
    elif inspect.iscoroutinefunction(check):
        return loop.create_task(target(*args))
    else:
        return loop.run_in_executor(None, target, *args)


TASKS = []


class Job:
    """A job of the project's own, whose done-callbacks may be `async def`s."""

    def __init__(self):
        self.callbacks = []

    def add_done_callback(self, callback):
        self.callbacks.append(callback)

    async def finish(self):
        for callback in self.callbacks:
            await callback(self)


async def on_finished(job):
    print("on_finished ran")


def soon(loop, callback):
    if inspect.iscoroutinefunction(callback):
        TASKS.append(loop.create_task(callback()))
    else:
        loop.call_soon(callback)


async def main():
    loop = asyncio.get_running_loop()
    await run_job(loop, work)
    await run_job(loop, plain)
    await run_job(loop, functools.partial(work))
    soon(loop, work)
    soon(loop, plain)
    job = Job()
    job.add_done_callback(on_finished)
    await job.finish()
    loop.call_soon(registered(plain))
    loop.call_soon(print, "outside")
    await asyncio.sleep(0.01)


asyncio.run(main())
"#,
        "",
    );
}

const PLAIN_CALLBACKS: &str = r#"
#- main.py run
import asyncio
import atexit
import signal


class Server:
    async def shutdown(self, *args):
        print("shutdown ran")

    def install(self):
        signal.signal(signal.SIGUSR1, self.shutdown)


async def flush():
    print("flush ran")


def report():
    print("report ran")


atexit.register(flush)
atexit.register(report)


async def main():
    Server().install()
    signal.raise_signal(signal.SIGUSR1)
    await asyncio.sleep(0)


asyncio.run(main())
"#;

#[test]
fn async_functions_registered_as_signal_or_exit_handlers_never_run() {
    check(
        PLAIN_CALLBACKS,
        "
        main.py:11: TL009
        main.py:22: TL009
        ",
    );
    let stdout = never_awaited(PLAIN_CALLBACKS, &["Server.shutdown", "flush"]);
    assert!(stdout.contains("report ran"), "{stdout}");
}

const CLEANUPS: &str = r#"
#- main.py run
import asyncio
import contextlib
import gc
import weakref


class Connection:
    async def close(self):
        print("close ran")

    async def disconnect(self):
        print("disconnect ran")

    def release(self):
        print("release ran")


async def forget(name):
    print("forget ran", name)


async def main():
    connection = Connection()
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(connection.close)
        stack.callback(connection.release)
        stack.push_async_callback(connection.disconnect)
    with contextlib.ExitStack() as plain:
        plain.callback(forget, "plain")
    resource = Connection()
    weakref.finalize(resource, forget, "resource")
    del resource
    gc.collect()


asyncio.run(main())
"#;

#[test]
fn async_functions_registered_as_cleanups_never_run() {
    // `push_async_callback` awaits what it is given: the pushed `disconnect` runs.
    check(
        CLEANUPS,
        "
        main.py:25: TL009
        main.py:29: TL009
        main.py:31: TL009
        ",
    );
    let stdout = never_awaited(CLEANUPS, &["Connection.close", "forget"]);
    assert!(stdout.contains("disconnect ran") && stdout.contains("release ran"), "{stdout}");
}

const REPLACED_THREAD: &str = r#"
#- app/__init__.py
#- app/compat.py
import asyncio
import inspect
import threading

_Thread = threading.Thread


class LoopThread(_Thread):
    """A thread that also runs the coroutine its target makes."""

    def run(self):
        result = self._target(*self._args, **self._kwargs)
        if inspect.isawaitable(result):
            asyncio.run(result)


def install():
    for owner, name, value in ((threading, "Thread", LoopThread),):
        setattr(owner, name, value)
#- main.py run
import atexit
import threading

from app.compat import install


async def fetch(n):
    print("fetch ran", n)


async def flush():
    print("flush ran")


install()
worker = threading.Thread(target=fetch, args=(1,))
worker.start()
worker.join()
atexit.register(flush)
"#;

#[test]
fn a_thread_class_the_project_replaces_may_run_coroutines() {
    // `threading.Thread` replaced by a computed name (marimo's WebAssembly threads await
    // what their target returns): its targets are left out; `atexit` is not replaced.
    check(REPLACED_THREAD, "main.py:19: TL009");
    let stdout = never_awaited(REPLACED_THREAD, &["flush"]);
    assert!(stdout.contains("fetch ran 1"), "{stdout}");
}

const THREAD_RESULTS: &str = r#"
#- main.py run
import asyncio
import concurrent.futures


async def fetch(n):
    print("fetch ran", n)
    return n


async def lost(n):
    print("lost ran", n)


async def main():
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor() as pool:
        submitted = {pool.submit(fetch, n): n for n in range(2)}
        for done in concurrent.futures.as_completed(submitted):
            print(await done.result())
        coro = await loop.run_in_executor(pool, fetch, 2)
        print(await asyncio.ensure_future(coro))
        await loop.run_in_executor(pool, lost, 3)
        pool.submit(lost, 4).result()


asyncio.run(main())
"#;

#[test]
fn a_coroutine_an_executor_hands_back_and_the_caller_awaits_runs() {
    // An executor's Future gives what its function returns: the coroutine of an `async
    // def`, which runs where the caller awaits it (acapy's ledger lookup) or wraps it in a
    // Task (`ensure_future` of it only ever gets a coroutine: TL002); thrown away, it never
    // runs.
    check(THREAD_RESULTS, "main.py:21: TL002\nmain.py:22: TL009\nmain.py:23: TL009");
    let stdout = never_awaited(THREAD_RESULTS, &["lost"]);
    for n in 0..3 {
        assert!(stdout.contains(&format!("fetch ran {n}")), "{stdout}");
    }
}

const RETURNING: &str = r#"
#- app/__init__.py
#- app/client.py
class Client:
    async def close(self):
        print("close ran")

    def close_later(self):
        return self.close()


async def shutdown(reason):
    print("shutdown ran", reason)


async def finish(how):
    print("finished", how)
#- main.py run
import asyncio
import atexit
import signal
import threading

from app.client import Client, finish, shutdown


def plain():
    print("plain ran")


def on_term():
    print("on_term ran")
    return shutdown("term")


async def main():
    loop = asyncio.get_running_loop()
    client = Client()
    loop.add_signal_handler(signal.SIGUSR1, lambda: shutdown("signal"))
    loop.call_soon(on_term)
    loop.call_later(0, client.close_later)
    done = loop.create_future()
    done.add_done_callback(lambda fut: client.close())
    done.set_result(None)
    worker = threading.Thread(target=lambda: shutdown("thread"))
    worker.start()
    worker.join()
    atexit.register(lambda: client.close())
    # Fine: the lambda returns a Task, runs the coroutine itself, or returns what a plain
    # function gives; an executor's Future hands the coroutine back to be awaited.
    keep = set()
    loop.call_soon(lambda: keep.add(asyncio.create_task(finish("kept"))))
    loop.call_soon(lambda: plain())
    await (await loop.run_in_executor(None, lambda: finish("executor")))
    await asyncio.sleep(0.05)
    keep.clear()


asyncio.run(main())
"#;

#[test]
fn plain_callbacks_that_return_a_coroutine_drop_it() {
    check(
        RETURNING,
        "
        main.py:21: TL009
        main.py:22: TL009
        main.py:23: TL009
        main.py:25: TL009
        main.py:27: TL009
        main.py:30: TL009
        ",
    );
    // `on_term` itself runs; the coroutines it and the lambdas return never do.
    let stdout = never_awaited(RETURNING, &["shutdown", "Client.close"]);
    assert!(stdout.contains("on_term ran") && stdout.contains("plain ran"), "{stdout}");
    assert!(stdout.contains("finished kept") && stdout.contains("finished executor"), "{stdout}");
}

#[test]
fn plain_callbacks_that_may_return_something_else_are_fine() {
    // An override that is a plain `def`, a value from outside, a function that returns a
    // Future, and a project runner that awaits what its callback returns.
    check(
        r#"
#- main.py
import asyncio
import json


class Base:
    async def stop(self):
        pass


class Quiet(Base):
    def stop(self):
        pass


class Runner:
    def call_soon(self, callback):
        async def run():
            await callback()

        return run


def pick(flag):
    return Base() if flag else Quiet()


async def main(flag):
    loop = asyncio.get_running_loop()
    service = pick(flag)
    loop.call_soon(lambda: service.stop())
    loop.call_soon(lambda: json.loads("1"))
    loop.call_soon(lambda: loop.create_future())
    Runner().call_soon(lambda: Base().stop())
"#,
        "",
    );
}

const FILTERED: &str = r#"
#- jobs.py
async def ready(job):
    print("ready ran", job)
    return job > 1


def pending(jobs):
    return list(filter(ready, jobs))
#- main.py
import asyncio

from jobs import pending


async def main():
    print("kept", pending([1, 2, 3]))


asyncio.run(main())
"#;

#[test]
fn an_async_def_given_to_filter_keeps_every_element() {
    // `filter` calls `ready` as a plain function and tests the coroutine it gets back,
    // which is always true: every job is kept and `ready` never runs.
    check(FILTERED, "jobs.py:7: TL009");
    let stdout = never_awaited(FILTERED, &["ready"]);
    assert!(stdout.contains("kept [1, 2, 3]"), "{stdout}");
}

const KEYED: &str = r#"
#- ranking.py
async def score(item):
    print("score ran", item)
    return -item


def best(items):
    return max(items, key=score)


def rank(rows):
    rows.sort(key=score)
    return rows
#- main.py
import asyncio

from ranking import best, rank


async def main():
    print("best", best([4]), rank([5]))
    try:
        print(best([1, 2]))
    except TypeError as error:
        print("failed:", error)


asyncio.run(main())
"#;

#[test]
fn an_async_def_given_as_a_sort_key_gives_coroutines_to_compare() {
    // `max(items, key=score)` and `rows.sort(key=score)` compare coroutines: TypeError with
    // two items, and with one the coroutine is never awaited.
    check(KEYED, "ranking.py:7: TL009\nranking.py:11: TL009");
    let stdout = never_awaited(KEYED, &["score"]);
    assert!(stdout.contains("best 4 [5]") && stdout.contains("failed: '>' not supported"), "{stdout}");
}
