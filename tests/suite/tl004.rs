//! TL004: values that are not coroutines reaching `create_task`.

use crate::fixture::check;

#[test]
fn futures_tasks_and_awaitables_reach_create_task() {
    check(
        r#"
#- jobs.py
import asyncio

def offload(loop):
    return loop.run_in_executor(None, sum, [1, 2])

class Later:
    def __await__(self):
        return asyncio.sleep(0).__await__()
#- main.py run
import asyncio
from jobs import offload, Later

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    started = asyncio.ensure_future(work())
    loop.create_task(started)
    asyncio.create_task(Later())
    asyncio.create_task(offload(loop))

asyncio.run(main())
"#,
        "
        main.py:9: TL002
        main.py:10: TL004
        main.py:11: TL004
        main.py:12: TL004
        ",
    );
}

#[test]
fn coroutines_and_task_groups_are_fine() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def make():
    return work()

async def main():
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(work()), loop.create_task(make()), asyncio.Task(work())]
    async with asyncio.TaskGroup() as tg:
        tasks.append(tg.create_task(coro=work()))
    await asyncio.gather(*tasks)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn framework_create_task_methods_and_class_cones_are_not_asyncio_s() {
    check(
        r#"
#- app.py
import asyncio

class Application:
    def create_task(self, awaitable):
        return asyncio.ensure_future(awaitable)

class Client:
    async def command(self):
        return 1

class Pipeline(Client):
    def command(self):
        return self

    def __await__(self):
        return asyncio.sleep(0).__await__()
#- main.py run
import asyncio
from app import Application, Client

async def main(app=None, client: Client = Client()):
    app = globals()["make_app"]()
    await app.create_task(asyncio.gather(asyncio.sleep(0)))
    await asyncio.create_task(client.command())

def make_app():
    return Application()

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_function_passed_instead_of_called() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def spawn(job):
    return asyncio.get_running_loop().create_task(job)

class Poller:
    async def poll(self):
        return 2

async def main():
    poller = Poller()
    await asyncio.ensure_future(work())
    await spawn(poller.poll())
    await asyncio.ensure_future(poller.poll)
    await asyncio.create_task(work)

asyncio.run(main())
"#,
        "
        main.py:15: TL002
        main.py:17: TL004
        main.py:18: TL004
        ",
    );
}

#[test]
fn partials_and_asyncio_functions_passed_instead_of_called() {
    check(
        r#"
#- main.py run
import asyncio
import functools

async def work(n):
    return n

async def main():
    ready = functools.partial(work, 1)
    await asyncio.create_task(ready())
    await asyncio.create_task(asyncio.sleep(0))
    await asyncio.create_task(asyncio.sleep)

async def later():
    pending = functools.partial(work, 2)
    await asyncio.ensure_future(pending)

asyncio.run(main())
"#,
        "
        main.py:11: TL004
        main.py:15: TL004
        ",
    );
}

#[test]
fn calls_whose_type_error_is_handled_are_compatibility_code() {
    // `start` tries `create_task` and falls back to `ensure_future` for what it refuses.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def start(aw):
    try:
        return asyncio.create_task(aw)
    except TypeError:
        return asyncio.ensure_future(aw)

async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(2)
    print(await start(work()), await start(fut))
    print(await asyncio.create_task(fut))

asyncio.run(main())
"#,
        "
        main.py:16: TL004
        ",
    );
}

#[test]
fn generators_are_not_coroutines() {
    check(
        r#"
#- feeds.py
import asyncio
import types


async def ticks():
    yield 1


def numbers():
    yield 1


@types.coroutine
def legacy():
    yield


def feed():
    return ticks()
#- main.py run
import asyncio
from feeds import feed, legacy, numbers


async def main():
    old = asyncio.ensure_future(legacy())
    await old
    for item in [feed(), numbers()]:
        asyncio.ensure_future(item)

asyncio.run(main())
"#,
        "
        main.py:9: TL004
        main.py:9: TL004
        ",
    );
}

#[test]
fn a_plain_generator_is_refused_since_python_3_12() {
    // Up to 3.11 `ensure_future` and `create_task` ran a plain generator as a
    // generator-based coroutine; 3.12 refuses it.
    check(
        r#"
#- main.py run 3.12
import asyncio

def numbers():
    yield

async def main():
    asyncio.ensure_future(numbers())

asyncio.run(main())
"#,
        "main.py:7: TL004",
    );
}

#[test]
fn a_plain_def_without_return_gives_none() {
    // A forgotten `async`: the call runs the body and gives None. Methods are left out (a
    // subclass outside the project may override them with an `async def`), as are
    // functions that return something.
    check(
        r#"
#- handlers.py
def on_message(msg):
    print("got", msg)

def counted(msg):
    return len(msg)

class Base:
    def handle(self):
        pass
#- main.py run
import asyncio
from handlers import on_message, counted, Base

async def main():
    task = asyncio.create_task(on_message("hi"))
    await task
    asyncio.ensure_future(counted("x"))
    await asyncio.create_task(Base().handle())

asyncio.run(main())
"#,
        "
        main.py:5: TL004
        ",
    );
}

#[test]
fn a_plain_def_returning_literals_gives_no_coroutine() {
    // `return 0` or `return "done"` is no coroutine either (the message names the constant,
    // not None); a function that also returns a call's result is left alone.
    check(
        r#"
#- jobs.py
def flush(force):
    if force:
        return 0
    return "skipped"

def compute():
    return 1

def maybe(flag):
    if flag:
        return compute()
    return 0
#- main.py run
import asyncio
from jobs import flush, maybe

async def main():
    if False:
        await asyncio.create_task(maybe(True))
    await asyncio.create_task(flush(True))

asyncio.run(main())
"#,
        "
        main.py:7: TL004
        ",
    );
}

#[test]
fn a_coroutine_test_lets_only_coroutines_through() {
    // `create_task` behind `iscoroutine(x)` (or after returning when it is false) only ever
    // gets a coroutine: the Futures, Tasks and awaitables the helpers are given go the
    // other way. Without the test the same call fails on the Task.
    check(
        r#"
#- main.py run
import asyncio
import inspect

async def work():
    return 1

class Waitable:
    def __await__(self):
        return work().__await__()

def spawn(aw):
    if asyncio.iscoroutine(aw):
        return asyncio.create_task(aw)
    return asyncio.ensure_future(aw)

def spawn_early(aw):
    if not inspect.iscoroutine(aw):
        return asyncio.ensure_future(aw)
    return asyncio.create_task(aw)

def spawn_any(aw):
    return asyncio.create_task(aw)

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(work())
    kept = []
    for aw in (work(), loop.create_future(), task, Waitable()):
        kept.append(spawn(aw))
    for aw in (work(), loop.create_future(), task, Waitable()):
        kept.append(spawn_early(aw))
    kept.append(spawn_any(work()))
    kept.append(spawn_any(task))
    await asyncio.sleep(0)
    return kept

asyncio.run(main())
"#,
        "main.py:22: TL004",
    );
}

#[test]
fn what_a_callable_annotated_to_return_awaitables_gives_is_not_reported() {
    // `func` may return a plain Future for an outside caller, but such code tests
    // `iscoroutinefunction` first (here through a flag): no TL004 at `create_task`.
    check(
        r#"
#- main.py run
import asyncio
import inspect
from typing import Any, Awaitable, Callable

async def work():
    return 1

def spawn(func: Callable[..., Awaitable[Any]]) -> Awaitable[Any]:
    is_async = inspect.iscoroutinefunction(func)
    if is_async:
        return asyncio.create_task(func())
    return asyncio.ensure_future(func())

async def main():
    print(await spawn(work))

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn awaitable_and_coroutine_function_tests_narrow() {
    // Behind `isawaitable(handler)` no function reaches `ensure_future`; behind
    // `iscoroutinefunction(cb)` (here through a flag) only the `async def` is called, so
    // `ensure_future` of its call only ever gets a coroutine (TL002).
    check(
        r#"
#- main.py run
import asyncio
import inspect

class Ack:
    pass

def on_sync(event):
    print("sync", event)
    return Ack()

async def on_async(event):
    print("async", event)

HANDLERS = [on_sync, on_async]

async def dispatch(event):
    tasks = []
    for handler in HANDLERS:
        if asyncio.iscoroutinefunction(handler):
            tasks.append(asyncio.create_task(handler(event)))
        elif inspect.isawaitable(handler):
            tasks.append(asyncio.ensure_future(handler))
        else:
            handler(event)
    await asyncio.gather(*tasks)

def run_callback(cb, *args):
    is_async = inspect.iscoroutinefunction(cb)
    if is_async:
        return asyncio.ensure_future(cb(*args))
    return cb(*args)

async def main():
    await dispatch("e")
    await run_callback(on_async, "x")
    run_callback(on_sync, "y")

asyncio.run(main())
"#,
        "main.py:30: TL002",
    );
}

#[test]
fn a_create_task_never_given_a_coroutine_makes_no_task_to_drop() {
    // `create_task(fut)` raises TypeError: there is no Task whose handle could be dropped
    // (no TL005). Where a coroutine may arrive too, the Task may exist and is dropped.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def mixed(flag):
    x = work() if flag else asyncio.get_running_loop().create_future()
    asyncio.create_task(x)

async def main():
    fut = asyncio.get_running_loop().create_future()
    asyncio.create_task(fut)

asyncio.run(main())
"#,
        "
        main.py:8: TL005
        main.py:8: TL004
        main.py:12: TL004
        ",
    );
}

#[test]
fn an_object_with_the_whole_coroutine_protocol_is_taken_as_a_coroutine() {
    // `asyncio.iscoroutine` is `isinstance(x, collections.abc.Coroutine)`, which a class
    // passes by deriving from the ABC or by defining `__await__`, `send`, `throw` and
    // `close`; `create_task` takes its instances. An `__await__` alone is not enough.
    check(
        r#"
#- wrappers.py
import typing
from typing import Any, Coroutine, Generic, TypeVar

T = TypeVar("T")

class Derived(Coroutine[Any, Any, T], Generic[T]):
    def __init__(self, coro):
        self._coro = coro
    def send(self, value):
        return self._coro.send(value)
    def throw(self, *args):
        return self._coro.throw(*args)
    def close(self):
        return self._coro.close()
    def __await__(self):
        return self._coro.__await__()

class Structural:
    def __init__(self, coro):
        self._coro = coro
    def send(self, value):
        return self._coro.send(value)
    def throw(self, *args):
        return self._coro.throw(*args)
    def close(self):
        return self._coro.close()
    def __await__(self):
        return self._coro.__await__()

class AwaitOnly:
    def __init__(self, coro):
        self._coro = coro
    def __await__(self):
        return self._coro.__await__()

Alias = Derived[int]
#- main.py run
import asyncio
from wrappers import Alias, AwaitOnly, Structural

async def work():
    return 1

async def main():
    print(await asyncio.create_task(Alias(work())))
    print(await asyncio.create_task(Structural(work())))
    print(await asyncio.create_task(AwaitOnly(work())))

asyncio.run(main())
"#,
        "
        main.py:10: TL004
        ",
    );
}

#[test]
fn a_test_of_an_unwrapped_copy_narrows_the_name_copied() {
    // `check_target` is `target` with its `functools.partial`s unwrapped: where it is a
    // coroutine, `target` is one; where it is a coroutine function, calling `target`
    // gives a coroutine. Neither `create_task` gets the function itself.
    check(
        r#"
#- main.py run
import asyncio
import functools


async def update(*args):
    return args


def schedule(target, *args):
    loop = asyncio.get_running_loop()
    check_target = target
    while isinstance(check_target, functools.partial):
        check_target = check_target.func
    if asyncio.iscoroutine(check_target):
        return loop.create_task(target)
    if asyncio.iscoroutinefunction(check_target):
        return loop.create_task(target(*args))
    return None


async def main():
    await schedule(update, 1)
    await schedule(functools.partial(update, 2))


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_copy_bound_again_says_nothing_of_the_name_copied() {
    check(
        r#"
#- main.py run
import asyncio


async def update():
    return 1


def schedule(target, other):
    loop = asyncio.get_running_loop()
    check_target = target
    check_target = other
    if asyncio.iscoroutine(check_target):
        return loop.create_task(target)
    return None


async def main():
    coro = update()
    try:
        await schedule(update, coro)
    finally:
        await coro


asyncio.run(main())
"#,
        "main.py:13: TL004",
    );
}

#[test]
fn an_unbound_call_of_a_base_method_runs_that_method_not_the_overrides() {
    check(
        r#"
#- events.py
import asyncio

class Event:
    def __init__(self, source=None):
        self.waiter = asyncio.ensure_future(source) if source is not None else None

class Reduce(Event):
    def __init__(self, func, source=None):
        Event.__init__(self, source)
        self.func = func

class Any(Reduce):
    def __init__(self, source=None):
        Reduce.__init__(self, lambda prev, value: prev or value, source)

class Broken(Reduce):
    def __init__(self, job):
        Event.__init__(self, job)
#- main.py run
import asyncio
from events import Any, Broken

async def work():
    return 1

async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    await Any(fut).waiter
    Broken(work)

asyncio.run(main())
"#,
        "
        events.py:5: TL004
        ",
    );
}

#[test]
fn an_event_loop_s_own_create_task_takes_a_coroutine_by_contract() {
    // An event loop subclass's `create_task` annotated with `Awaitable` keeps the loop's
    // contract; a helper elsewhere promising to take any awaitable does not.
    check(
        r#"
#- main.py run
import asyncio
from typing import Awaitable

class Loop(asyncio.SelectorEventLoop):
    def create_task(self, coro: Awaitable, *, name=None, context=None):
        return asyncio.Task(coro, loop=self, name=name)

class Spawner:
    def create_task(self, coro: Awaitable):
        return asyncio.Task(coro)

async def work():
    return 1

async def main():
    return await Spawner().create_task(work())

loop = Loop()
print(loop.run_until_complete(main()))
pending = Spawner().create_task(loop.create_future())
"#,
        "
        main.py:10: TL017
        main.py:10: TL004
        main.py:10: TL004
        ",
    );
}

#[test]
fn a_nested_function_sees_the_versions_where_its_name_is_read_and_later_ones() {
    // A nested function runs only once its name has been read: `wrapper` and `late` are
    // handed out after the test rejected functions that are not coroutine functions, and
    // `chosen` only where the test holds; `early` is handed out before the test, and
    // `later` reads a name bound after its `def`.
    check(
        r#"
#- emitter.py
import asyncio

class Emitter:
    def __init__(self):
        self.handlers = []

    def on(self, func):
        if not asyncio.iscoroutinefunction(func):
            raise TypeError("handlers must be coroutine functions")

        def wrapper(*args):
            return asyncio.create_task(func(*args))

        self.handlers.append(wrapper)

    def on_late(self, func):
        def late(*args):
            return asyncio.create_task(func(*args))

        if not asyncio.iscoroutinefunction(func):
            raise TypeError("handlers must be coroutine functions")
        self.handlers.append(late)

    def on_either(self, func):
        def chosen(*args):
            return asyncio.create_task(func(*args))

        if asyncio.iscoroutinefunction(func):
            handler = chosen
        else:
            handler = func
        self.handlers.append(handler)

    def on_early(self, func):
        def early(*args):
            return asyncio.create_task(func(*args))

        self.handlers.append(early)
        if not asyncio.iscoroutinefunction(func):
            raise TypeError("handlers must be coroutine functions")

    def on_later(self, func, make):
        def later(*args):
            return asyncio.create_task(func(*args))

        func = make
        self.handlers.append(later)

    def emit(self, *args):
        return [handler(*args) for handler in self.handlers]
#- main.py run
import asyncio
from emitter import Emitter

def sync_handler(x):
    return asyncio.get_running_loop().create_future()

def factory(x):
    return asyncio.get_running_loop().create_future()

def plain(x):
    return x

async def handler(x):
    return x

async def main():
    emitter = Emitter()
    emitter.on(handler)
    emitter.on_either(handler)
    emitter.on_either(plain)
    emitter.on_either(sync_handler)
    for register in (emitter.on, emitter.on_late):
        try:
            register(sync_handler)
        except TypeError:
            pass
    await asyncio.gather(*[h for h in emitter.emit(1) if isinstance(h, asyncio.Task)])
    emitter.on_later(handler, factory)
    emitter.emit(2)

asyncio.run(main())
#- early.py run
import asyncio
from emitter import Emitter

def sync_handler(x):
    return asyncio.get_running_loop().create_future()

async def main():
    emitter = Emitter()
    try:
        emitter.on_early(sync_handler)
    except TypeError:
        pass
    emitter.emit(1)

asyncio.run(main())
"#,
        "
        emitter.py:36: TL004
        emitter.py:44: TL004
        ",
    );
}

#[test]
fn a_plain_function_passed_on_shows_where_it_was_passed() {
    check(
        r#"
#- jobs.py
import asyncio

def spawn(job):
    return asyncio.ensure_future(job)
#- main.py run
import asyncio
from jobs import spawn

def on_tick():
    return 1

async def main():
    await spawn(on_tick)

asyncio.run(main())
"#,
        "
        jobs.py:4: TL004
        ",
    );
}

#[test]
fn a_predicate_function_s_coroutine_test_lets_only_coroutines_through() {
    // `is_coro(aw)` returns a coroutine test of its argument: behind it, `create_task` only
    // gets coroutines. The unguarded helper fails on the Future.
    check(
        r#"
#- main.py run
import asyncio
import inspect


def is_coro(obj):
    return asyncio.iscoroutine(obj) or inspect.iscoroutine(obj)


async def work():
    return 1


def spawn(aw):
    if is_coro(aw):
        return asyncio.create_task(aw)
    return asyncio.ensure_future(aw)


def careless(aw):
    if aw is not None:
        return asyncio.create_task(aw)
    return None


async def main():
    loop = asyncio.get_running_loop()
    kept = [spawn(work()), spawn(loop.create_future())]
    kept.append(careless(work()))
    kept.append(careless(loop.create_future()))
    await asyncio.sleep(0)
    return kept


asyncio.run(main())
"#,
        "main.py:21: TL004",
    );
}

#[test]
fn functions_given_to_gather_shield_wait_for_and_run_until_complete() {
    // They wrap each argument as `ensure_future` does: Futures, Tasks and coroutines are
    // fine, a function passed instead of called is not. `*args` hides the positions; a
    // method under a descriptor class gives what its `__get__` makes (here a coroutine).
    check(
        r#"
#- main.py run
import asyncio


async def fetch():
    return 1


class computed:
    def __init__(self, func):
        self.func = func

    def __get__(self, instance, owner):
        return self.func(instance)


class Model:
    @computed
    async def value(self):
        return 2


async def main(handlers):
    loop = asyncio.get_running_loop()
    await asyncio.gather(Model().value)
    await asyncio.gather(fetch(), loop.run_in_executor(None, int), asyncio.sleep(0))
    await asyncio.shield(asyncio.ensure_future(loop.create_future()) if False else fetch())
    await asyncio.gather(*[fetch() for _ in range(2)])
    await asyncio.gather(fetch(), handlers["fetch"])


loop = asyncio.new_event_loop()
loop.run_until_complete(main({"fetch": fetch}))
"#,
        "main.py:28: TL004",
    );
}

#[test]
fn a_function_given_to_wait_for_or_run_until_complete() {
    check(
        r#"
#- main.py run
import asyncio


async def fetch():
    return 1


async def main():
    return await asyncio.wait_for(fetch, 1)


loop = asyncio.new_event_loop()
loop.run_until_complete(main)
"#,
        "
        main.py:9: TL004
        main.py:13: TL004
        ",
    );
}

#[test]
fn a_concurrent_future_is_no_awaitable_for_gather_and_its_kin() {
    // `gather`, `shield`, `ensure_future` and `wait_for` take asyncio Futures, not what an
    // executor's `submit` gives; `wrap_future` makes one of it.
    check(
        r#"
#- jobs.py
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=1)


def count(data):
    return POOL.submit(len, data)
#- main.py run
import asyncio

from jobs import POOL, count


async def main():
    print(await asyncio.gather(asyncio.wrap_future(count("ab"))))
    print(await asyncio.wait_for(count("abc"), 1))


async def later():
    await asyncio.shield(POOL.submit(len, "x"))


asyncio.run(main())
"#,
        "
        main.py:8: TL004
        main.py:12: TL004
        ",
    );
}

#[test]
fn elements_given_to_as_completed() {
    // `as_completed(fs)` wraps every element of `fs` with `ensure_future` when called:
    // coroutines, Tasks and asyncio Futures are fine; an executor's Future, a function
    // passed instead of called, and a generator (since 3.12) are refused. A collection that
    // is not followed is left alone.
    check(
        r#"
#- jobs.py
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=1)


def submit_all(items):
    return [POOL.submit(len, item) for item in items]
#- main.py run
import asyncio

from jobs import submit_all


async def fetch(n):
    return n


async def fine(loop, pending):
    jobs = {fetch(1), asyncio.create_task(fetch(2)), loop.run_in_executor(None, int)}
    for job in asyncio.as_completed(jobs):
        print(await job)
    for job in asyncio.as_completed(pending):
        print(await job)


async def main():
    await fine(asyncio.get_running_loop(), list(map(fetch, range(2))))
    for job in asyncio.as_completed([fetch]):
        print(await job)


async def later():
    for job in asyncio.as_completed(submit_all(["a", "bc"])):
        print(await job)


asyncio.run(main())
"#,
        "
        main.py:20: TL004
        main.py:25: TL004
        ",
    );
}

#[test]
fn run_coroutine_threadsafe_needs_a_coroutine() {
    // It refuses anything but a coroutine object, in the thread that calls it (here an executor's, whose error `await` raises), before the
    // loop sees anything: a function passed instead of called, or a Future. What a caller
    // passes that is not followed is left alone.
    check(
        r#"
#- main.py run
import asyncio


async def job(n):
    return n


def submit(loop, coro):
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def worker(loop, outside):
    print(submit(loop, job(1)))
    print(asyncio.run_coroutine_threadsafe(outside, loop).result())
    asyncio.run_coroutine_threadsafe(coro=job, loop=loop)


async def main():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, worker, loop, job(2))


asyncio.run(main())
"#,
        "main.py:15: TL004",
    );
}
