//! TL013: `await` of what a plain `def` gives.

use crate::fixture::check;

#[test]
fn awaiting_a_plain_def_without_return_fails() {
    check(
        r#"
#- app/__init__.py
#- app/notify.py
import asyncio

QUEUE = asyncio.Queue()


def notify(user):
    QUEUE.put_nowait(user)
#- main.py run
import asyncio

from app.notify import notify


async def handler(user):
    await notify(user)


asyncio.run(handler("ada"))
"#,
        "main.py:7: TL013",
    );
}

#[test]
fn awaiting_a_constant_fails_too() {
    check(
        r#"
#- main.py run
import asyncio


def status():
    return 0


async def main():
    print(await status())


asyncio.run(main())
"#,
        "main.py:9: TL013",
    );
}

#[test]
fn awaiting_what_a_method_of_its_own_class_returns_fails() {
    // A method that returns a literal value (a dict, a list), called on the caller's own
    // `self` or `cls`; one giving None may be a hook a subclass outside makes `async`, and
    // one called on another instance is left to its receiver's precision.
    check(
        r#"
#- repo.py
class Repo:
    def load(self):
        return {"id": 1}

    @classmethod
    def defaults(cls):
        return [row for row in range(2)]

    def hook(self):
        print("hook")

    async def run(self):
        await self.hook()
        return await self.load()

    @classmethod
    async def make(cls):
        return await cls.defaults()
#- main.py run
import asyncio

from repo import Repo


async def main():
    print(await Repo().run())


asyncio.run(main())
"#,
        "repo.py:14: TL013\nrepo.py:18: TL013",
    );
}

#[test]
fn awaitable_results_and_methods_are_fine() {
    check(
        r#"
#- app.py
import asyncio


async def work():
    return 1


def make():
    return work()


def later():
    return asyncio.get_running_loop().create_future()


class Base:
    def hook(self):
        pass


async def main(base: Base):
    await make()
    fut = later()
    fut.set_result(None)
    await fut
    # A subclass elsewhere may make it `async`.
    await base.hook()
    try:
        await legacy()
    except TypeError:
        pass


def legacy():
    pass


def not_found(*args):
    raise NameError("no such method")


def fallback():
    pass


async def dispatch(obj, name):
    # Picked at run time; and `not_found` never returns.
    func = getattr(obj, name, fallback)
    await func()
    await not_found()
#- main.py run
import asyncio

from app import make

asyncio.run(make())
"#,
        "",
    );
}

#[test]
fn awaiting_an_async_def_without_calling_it_fails() {
    // The handler kept in a parameter is whatever its caller gave: left alone.
    check(
        r#"
#- main.py run
import asyncio


class Connection:
    async def close(self):
        pass

    async def stop(self, handler):
        await handler()
        await self.close


async def noop():
    pass


asyncio.run(Connection().stop(noop))
"#,
        "main.py:10: TL013",
    );
}

#[test]
fn awaiting_a_concurrent_future_fails() {
    // An executor's `submit` gives a `concurrent.futures.Future`, returned across modules
    // and awaited under a name: asyncio can await only its own Futures.
    check(
        r#"
#- app/__init__.py
#- app/jobs.py
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=1)


def start(data):
    return POOL.submit(len, data)
#- main.py run
import asyncio

from app.jobs import start


async def main():
    pending = start("abc")
    print(await pending)


asyncio.run(main())
"#,
        "main.py:8: TL013",
    );
}

#[test]
fn awaiting_run_coroutine_threadsafe_fails() {
    check(
        r#"
#- main.py run
import asyncio
import threading


async def work():
    return 1


async def main():
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        print(await asyncio.run_coroutine_threadsafe(work(), other))
    finally:
        other.call_soon_threadsafe(other.stop)


asyncio.run(main())
"#,
        "main.py:14: TL013",
    );
}

#[test]
fn wrapped_or_loop_run_executor_futures_are_awaitable() {
    // `wrap_future` and `run_in_executor` give asyncio Futures; a project pool's own
    // `submit` gives what its body returns; a value that may also be an asyncio Future is
    // left alone, as is an executor the analysis does not know.
    check(
        r#"
#- main.py run
import asyncio
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=1)


class AsyncPool:
    async def submit(self, func, *args):
        return func(*args)


def either(flag):
    if flag:
        return POOL.submit(len, "ab")
    return asyncio.get_running_loop().run_in_executor(POOL, len, "ab")


async def main(executor):
    loop = asyncio.get_running_loop()
    print(await asyncio.wrap_future(POOL.submit(len, "abc")))
    print(await loop.run_in_executor(POOL, len, "abc"))
    print(await AsyncPool().submit(len, "abc"))
    print(await either(False))
    print(await executor.submit(len, "abc"))


asyncio.run(main(AsyncPool()))
"#,
        "",
    );
}

#[test]
fn tests_rule_concurrent_futures_out() {
    // `isinstance(x, asyncio.Future)`, a false `isinstance(x, concurrent.futures.Future)`
    // and `isawaitable(x)` leave no `concurrent.futures.Future`.
    check(
        r#"
#- main.py run
import asyncio
import inspect
from concurrent.futures import Future as CFuture
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=1)


def either(flag):
    if flag:
        return POOL.submit(len, "ab")
    done = asyncio.get_running_loop().create_future()
    done.set_result(2)
    return done


async def main():
    fut = either(True)
    if isinstance(fut, asyncio.Future):
        print(await asyncio.shield(fut))
    else:
        print(await asyncio.wrap_future(fut))
    other = either(False)
    if inspect.isawaitable(other):
        print(await asyncio.gather(other))
    pending = POOL.submit(len, "abc")
    if not isinstance(pending, CFuture):
        print(await pending)


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_replaced_submit_gives_what_the_replacement_returns() {
    // The executor's `submit` is replaced on the instance: its callers get asyncio Futures.
    check(
        r#"
#- main.py run
import asyncio
from concurrent.futures import ThreadPoolExecutor


class Requests:
    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1)
        real_submit = self.executor.submit
        self.executor.submit = lambda *a, **k: asyncio.wrap_future(real_submit(*a, **k))


async def main():
    print(await Requests().executor.submit(len, "abcd"))


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn an_asyncio_coroutine_function_awaited_uncalled_fails() {
    // `await asyncio.sleep` (and `sleep` imported from asyncio) awaits the function itself;
    // `await asyncio.sleep(0)` and a project name that shadows `sleep` are fine.
    check(
        r#"
#- main.py run
import asyncio
from asyncio import sleep


async def pause():
    await asyncio.sleep(0)


async def main():
    await pause()
    await sleep(0)
    await asyncio.sleep


asyncio.run(main())
#- other.py
from asyncio import sleep


async def wait_a_bit():
    await sleep
"#,
        "
        main.py:12: TL013
        other.py:5: TL013
        ",
    );
}
