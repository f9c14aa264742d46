//! TL002: `ensure_future` where only coroutines reach the argument.

use crate::fixture::check;

#[test]
fn coroutine_argument_directly_and_through_parameters() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def spawn(coro):
    return asyncio.ensure_future(coro)

async def main():
    asyncio.ensure_future(work())
    await spawn(work())
    await spawn(asyncio.sleep(0))

asyncio.run(main())
"#,
        "
        main.py:7: TL002
        main.py:10: TL002
        main.py:10: TL005
        ",
    );
}

#[test]
fn normalising_calls_stay() {
    check(
        r#"
#- main.py run
import asyncio

class Later:
    def __await__(self):
        return asyncio.sleep(0).__await__()

async def work():
    return 1

def normalise(x):
    return asyncio.ensure_future(x)

async def main():
    await normalise(work())
    await normalise(asyncio.get_running_loop().create_future() if False else work())
    await normalise(Later())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn compatibility_names_that_may_be_create_task_stay() {
    // `spawn` is `asyncio.create_task` where it exists, `ensure_future` elsewhere: nothing to
    // change there. `schedule` is only ever `ensure_future`.
    check(
        r#"
#- compat.py
import asyncio

spawn = getattr(asyncio, "create_task", asyncio.ensure_future)
schedule = asyncio.ensure_future
#- main.py run
import asyncio
from compat import spawn, schedule

async def work():
    return 1

async def main():
    print(await spawn(work()), await schedule(work()))

asyncio.run(main())
"#,
        "
        main.py:8: TL002
        ",
    );
}

#[test]
fn branches_for_pythons_older_than_the_target_are_left_alone() {
    // `create_task` came in 3.7: the branch below it (also when tested with `hasattr`)
    // never runs on a 3.8 target, and nothing there is reported; the one below 3.9 runs.
    check(
        r#"
#- pyproject.toml
[project]
requires-python = ">=3.8"
#- main.py run
import asyncio
import sys

async def work():
    return 1

def start(coro):
    if hasattr(asyncio, "create_task"):
        return asyncio.create_task(coro)
    return asyncio.ensure_future(coro)

async def main():
    if sys.version_info < (3, 7):
        asyncio.ensure_future(work())
        asyncio.ensure_future(asyncio.sleep)
        first = asyncio.ensure_future(work())
    else:
        first = asyncio.create_task(work())
    if sys.version_info < (3, 9):
        second = asyncio.ensure_future(work())
    else:
        second = asyncio.create_task(work())
    print(await first, await second, await start(work()))

asyncio.run(main())
"#,
        "
        main.py:20: TL002
        ",
    );
}

#[test]
fn escaping_callbacks_make_parameters_unknown() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def schedule(coro):
    return asyncio.ensure_future(coro)

async def main():
    loop = asyncio.get_running_loop()
    await schedule(work())
    loop.call_soon(print, schedule)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn callbacks_spread_into_unknown_code_escape() {
    check(
        r#"
#- main.py run
import asyncio
import types

async def work():
    return 1

def schedule(coro):
    return asyncio.ensure_future(coro)

def launch(coro):
    return asyncio.ensure_future(coro)

async def main():
    loop = asyncio.get_running_loop()
    await schedule(work())
    await launch(work())
    loop.call_soon(print, *[schedule])
    types.SimpleNamespace(**{"callback": launch})

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn placeholder_constants_are_not_values_to_keep_ensure_future_for() {
    // `ensure_future(None)` and `ensure_future("pending")` raise TypeError just as
    // `create_task` would: only the coroutine matters.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main(started=False):
    job = None
    if not started:
        job = work()
    await asyncio.ensure_future(job)
    other = "pending"
    if not started:
        other = work()
    await asyncio.ensure_future(other)

asyncio.run(main())
"#,
        "
        main.py:10: TL002
        main.py:14: TL002
        ",
    );
}

#[test]
fn waits_of_synchronisation_primitives_are_coroutines() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    lock = asyncio.Lock()
    ready = asyncio.Event()
    turn = asyncio.Condition()
    acquiring = asyncio.ensure_future(lock.acquire())
    waiting = asyncio.ensure_future(ready.wait())
    async with turn:
        pass
    ready.set()
    await asyncio.gather(acquiring, waiting)
    lock.release()

asyncio.run(main())
"#,
        "
        main.py:7: TL002
        main.py:8: TL002
        ",
    );
}

#[test]
fn calling_an_instance_runs_its_dunder_call() {
    check(
        r#"
#- main.py run
import asyncio

class Job:
    async def __call__(self, n):
        return n

class Sync:
    def __call__(self, loop):
        return loop.create_future()

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(Job()(1))
    made = Sync()(loop)
    made.set_result(2)
    kept = asyncio.ensure_future(made)
    await asyncio.gather(task, kept)

asyncio.run(main())
"#,
        "main.py:13: TL002",
    );
}

#[test]
fn result_reaching_a_task_sink_is_mentioned() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    task = asyncio.ensure_future(work())
    print(task.get_name())
    await task

asyncio.run(main())
"#,
        "main.py:7: TL002",
    );
}

#[test]
fn decorators_are_judged_by_what_they_return() {
    check(
        r#"
#- deco.py
import functools

def register(fn):
    return fn

def retry(times):
    def decorate(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            for _ in range(times):
                return await fn(*args, **kwargs)
        return wrapper
    return decorate

def to_thread(fn):
    def wrapper(*args):
        import asyncio
        return asyncio.get_running_loop().run_in_executor(None, fn, *args)
    return wrapper

class Counted:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        return self.fn(*args)
#- main.py run
import asyncio
import functools
from deco import register, retry, to_thread, Counted

class Service:
    @register
    async def poll(self):
        return 1

    @retry(3)
    async def fetch(self, n):
        return n

    @register
    @retry(2)
    async def stacked(self):
        return 3

@to_thread
def blocking(n):
    return n

@functools.lru_cache
def cached():
    return asyncio.sleep(0)

@Counted
async def counted():
    return 2

async def main():
    service = Service()
    a = asyncio.ensure_future(service.poll())
    b = asyncio.ensure_future(service.fetch(1))
    c = asyncio.ensure_future(blocking(1))
    d = asyncio.ensure_future(cached())
    e = asyncio.ensure_future(counted())
    f = asyncio.ensure_future(service.stacked())
    print(await a, await b, await c, await d, await e, await f)

asyncio.run(main())
"#,
        "
        main.py:33: TL002
        main.py:34: TL002
        main.py:37: TL002
        main.py:38: TL002
        ",
    );
}

#[test]
fn synchronous_wrappers_that_return_the_wrapped_result() {
    check(
        r#"
#- deco.py
import asyncio
import functools

def logged_in(func):
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        if not self.ready:
            raise RuntimeError("not logged in")
        return func(self, *args, **kwargs)
    return wrapper

def quiet(fn):
    def inner(*args):
        if fn is None:
            return None
        return fn(*args)
    return inner

def scheduled(fn):
    def inner(*args):
        return asyncio.ensure_future(fn(*args))
    return inner

def replaced(fn):
    def inner(*args):
        return helper(*args)
    return inner

def helper(*args):
    return asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
from deco import logged_in, quiet, scheduled, replaced

class Client:
    ready = True

    @logged_in
    @quiet
    async def upload(self):
        return 1

    @logged_in
    async def query(self, n):
        return n

    @scheduled
    async def spawned(self):
        return 2

    @replaced
    async def swapped(self):
        return 3

async def main():
    client = Client()
    a = asyncio.ensure_future(client.upload())
    b = asyncio.ensure_future(client.query(2))
    c = asyncio.ensure_future(client.spawned())
    d = asyncio.ensure_future(client.swapped())
    d.set_result(3)
    print(await a, await b, await c, await d)

asyncio.run(main())
"#,
        "
        deco.py:21: TL002
        main.py:26: TL002
        main.py:27: TL002
        ",
    );
}

#[test]
fn event_loop_coroutine_methods() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    info = asyncio.ensure_future(loop.getaddrinfo("localhost", 80))
    names = asyncio.ensure_future(loop.run_in_executor(None, sorted, "ba"))
    print(len(await info) > 0, await names)

asyncio.run(main())
"#,
        "
        main.py:5: TL002
        ",
    );
}

#[test]
fn a_callback_given_to_a_receiver_that_may_be_unknown_escapes() {
    check(
        r#"
#- main.py run
import asyncio
import os

async def work():
    return 1

def schedule(coro):
    return asyncio.ensure_future(coro)

async def main():
    loop = os.environ.get("LOOP") or asyncio.get_running_loop()
    await schedule(work())
    loop.call_soon(schedule, work())
    await asyncio.sleep(0)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn annotations_keep_merged_functions_from_escaping() {
    // One `Box` class holds handlers in one box and labels in another: merged, `first()`
    // gives both. `log(text: str)` and `log_all(lines: list[str])` hand what they get to
    // `print`, where a function would escape (and its parameters become unknown); a `str`
    // or a list is never a function, so the handlers stay followed and their
    // `ensure_future` calls, only ever given coroutines, are reported.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def on_message(coro):
    return await asyncio.ensure_future(coro)

async def on_close(coro):
    return await asyncio.ensure_future(coro)

class Box:
    def __init__(self):
        self.items = []

    def put(self, item):
        self.items.append(item)

    def first(self):
        return self.items[0]

def log(text: str) -> None:
    print(text)

def log_all(lines: list[str]) -> None:
    print(lines)

async def main():
    handlers, closers, labels, lists = Box(), Box(), Box(), Box()
    handlers.put(on_message)
    closers.put(on_close)
    labels.put(str(len(handlers.items)))
    lists.put(list(labels.items))
    log(labels.first())
    log_all(lists.first())
    await handlers.first()(work())
    await closers.first()(work())

asyncio.run(main())
"#,
        "
        main.py:7: TL002
        main.py:10: TL002
        ",
    );
}

#[test]
fn an_unknown_value_passed_as_a_project_class_is_that_class() {
    // `random.choice` is not followed, so `run` is given an unknown value; its annotation
    // says it is a `Job`, and every `Job` the project makes holds a coroutine.
    check(
        r#"
#- main.py run
import asyncio
import random

async def work():
    return 1

class Job:
    def __init__(self, coro):
        self.coro = coro

async def run(job: Job):
    return await asyncio.ensure_future(job.coro)

async def main():
    jobs = [Job(work())]
    await run(random.choice(jobs))

asyncio.run(main())
"#,
        "main.py:12: TL002",
    );
}

#[test]
fn an_awaitable_test_lets_only_awaitables_through() {
    // Behind `isawaitable(result)` an `Ack` (no `__await__`) never reaches `ensure_future`:
    // in `call_handler` only coroutines do. In `call_plain` an awaitable `Waitable` does too,
    // so that `ensure_future` is normalising and stays.
    check(
        r#"
#- main.py run
import asyncio
import inspect

class Ack:
    pass

class Waitable:
    def __await__(self):
        return asyncio.sleep(0).__await__()

def on_sync(event):
    return Ack()

async def on_async(event):
    return event

def on_wait(event):
    return Waitable()

def call_handler(handler, *args):
    result = handler(*args)
    if inspect.isawaitable(result):
        return asyncio.ensure_future(result)
    return result

def call_plain(handler, *args):
    result = handler(*args)
    if inspect.isawaitable(result):
        return asyncio.ensure_future(result)
    return result

async def main():
    for handler in (on_sync, on_async):
        result = call_handler(handler, "e")
        if isinstance(result, asyncio.Task):
            await result
    for handler in (on_sync, on_async, on_wait):
        result = call_plain(handler, "e")
        if isinstance(result, asyncio.Future):
            await result

asyncio.run(main())
"#,
        "main.py:23: TL002",
    );
}

#[test]
fn functions_called_at_import_time_get_no_fix() {
    // `schedule` runs when the module is imported: `create_task` would raise there, so the
    // finding names the call that gets there and offers no fix.
    check(
        r#"
#- main.py run
import asyncio

async def tick():
    await asyncio.sleep(0)

def schedule():
    return asyncio.ensure_future(tick())

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
task = schedule()
loop.run_until_complete(task)
"#,
        "main.py:7: TL002",
    );
}

#[test]
fn a_decorator_class_calls_the_function_it_keeps() {
    check(
        r#"
#- main.py run
import asyncio

class shared:
    def __init__(self, fn):
        self.fn = fn
        self.task = None

    def __call__(self, *args):
        if self.task is None:
            self.task = asyncio.ensure_future(self.fn(*args))
        return self.task

@shared
async def config():
    return {"a": 1}

async def main():
    first = config()
    print(first.get_name(), await first, await config())

asyncio.run(main())
"#,
        "main.py:10: TL002",
    );
}

#[test]
fn a_loop_argument_at_import_time_keeps_its_rewrite() {
    // `loop.create_task(coro)` needs no running loop: the message must not say there is no
    // fix (the snapshot shows it).
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

loop = asyncio.new_event_loop()
fut = asyncio.ensure_future(work(), loop=loop)
print(loop.run_until_complete(fut))
loop.close()
"#,
        "main.py:7: TL002",
    );
}

#[test]
fn the_steps_of_an_async_generator_are_coroutines_to_asyncio() {
    // `agen.__anext__()`, `asend`, `athrow` and `aclose` give awaitables that
    // `asyncio.iscoroutine` accepts: `ensure_future` of one makes a Task (TL002, and TL005
    // when dropped), and awaiting a step gives what the generator yields (here a plain
    // Future that reaches `.get_name()`).
    check(
        r#"
#- main.py run
import asyncio

async def futures():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.set_result(None)
    yield fut

async def main():
    agen = futures()
    step = asyncio.ensure_future(agen.__anext__())
    item = await step
    asyncio.ensure_future(agen.aclose())
    await asyncio.sleep(0)
    print(item.get_name())

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        main.py:11: TL002
        main.py:13: TL002
        main.py:13: TL005
        ",
    );
}

#[test]
fn generator_based_coroutines_of_asyncio_coroutine() {
    // `@asyncio.coroutine` (Python 3.10 and older) makes a generator function a coroutine
    // function: `ensure_future` of a call makes a Task (TL002, TL005 when dropped;
    // `create_task` takes it wherever the decorator exists), and `yield from` in it awaits.
    // `@types.coroutine` is left alone: `create_task` refuses its generators since 3.12.
    check(
        r#"
#- main.py run 3.9
import asyncio
import types

@asyncio.coroutine
def make():
    yield from asyncio.sleep(0)
    return asyncio.get_event_loop().create_future()

@asyncio.coroutine
def use():
    fut = yield from make()
    fut.get_name()

@types.coroutine
def bridge():
    yield

async def main():
    asyncio.ensure_future(make())
    bridged = asyncio.ensure_future(bridge())
    await bridged
    started = asyncio.ensure_future(use())
    await started

asyncio.run(main())
"#,
        "
        main.py:7: TL001
        main.py:19: TL002
        main.py:19: TL005
        main.py:22: TL002
        ",
    );
}

#[test]
fn an_event_loop_runs_what_asyncio_hands_it() {
    // `asyncio.run` (3.11+) hands `run_until_complete` a Task, so the `ensure_future`
    // there is normalising even when every call in the project passes a coroutine.
    check(
        r#"
#- main.py run 3.12
import asyncio

class Loop(asyncio.SelectorEventLoop):
    def run_until_complete(self, future):
        future = asyncio.ensure_future(future, loop=self)
        print(type(future).__name__)
        return super().run_until_complete(future)

def spawn(coro):
    return asyncio.ensure_future(coro)

async def work():
    await spawn(asyncio.sleep(0))

Loop().run_until_complete(work())
asyncio.run(work(), loop_factory=Loop)
"#,
        "
        main.py:10: TL002
        ",
    );
}

#[test]
fn a_partial_that_wraps_itself_escapes_once() {
    // `callback = partial(callback, self)` puts the partial among the values of its own
    // function: giving it to outside code (`inspect.getdoc`) must not go round forever,
    // and the function it wraps still escapes (its parameter may be anything).
    check(
        r#"
#- main.py run
import asyncio
import functools
import inspect

async def work(owner, job):
    return await asyncio.ensure_future(job)

async def sub():
    return 1

def start(coro):
    return asyncio.ensure_future(coro)

class Help:
    def __init__(self):
        self.callback = functools.partial(work)

    def register(self):
        self.callback = functools.partial(self.callback, self)
        inspect.getdoc(self.callback)

async def main():
    helper = Help()
    helper.register()
    print(await helper.callback(sub()))
    print(await work(helper, sub()))
    print(await start(sub()))

asyncio.run(main())
"#,
        "
        main.py:12: TL002
        ",
    );
}

#[test]
fn a_mixin_calls_the_methods_of_the_class_that_uses_it() {
    // `Handler` defines no `_resend`: an instance that can call it is a `Client` (or a
    // subclass of it). `Shape.area()` has implementers in unrelated subclasses, so which one
    // a `Shape` runs is left open.
    check(
        r#"
#- main.py run
import asyncio

class Handler:
    def on_packet(self):
        return asyncio.ensure_future(self._resend())

class Client(Handler):
    async def _resend(self):
        return "client"

class LoggingClient(Client):
    async def _resend(self):
        return "logged"

class Shape:
    def measure(self):
        return asyncio.ensure_future(self.area())

class Square(Shape):
    async def area(self):
        return 4

class Circle(Shape):
    async def area(self):
        return 3

async def main():
    print(await Client().on_packet(), await LoggingClient().on_packet())
    print(await Square().measure(), await Circle().measure())

asyncio.run(main())
"#,
        "
        main.py:5: TL002
        ",
    );
}

#[test]
fn asyncio_objects_known_by_their_annotation_have_coroutine_methods() {
    // A place annotated with one of asyncio's classes holds one, whoever passes it:
    // its waiting methods (`wait`, `acquire`, `readline`, `drain`...) make coroutines.
    check(
        r#"
#- session.py
import asyncio
from typing import Any, Optional

class Session:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        self.reader = reader
        self.writer = writer
        self.stop = stop
        self.lock: Optional[asyncio.Lock] = None

    async def pump(self):
        self.lock = asyncio.Lock()
        line = asyncio.ensure_future(self.reader.readline())
        stopped = asyncio.ensure_future(self.stop.wait())
        flushed = asyncio.ensure_future(self.writer.drain())
        locked = asyncio.ensure_future(self.lock.acquire())
        return await line, stopped, await flushed, await locked

async def run_child(proc: "asyncio.subprocess.Process", other: Any):
    unknown = asyncio.ensure_future(other.wait())
    return await asyncio.ensure_future(proc.wait()), await unknown
#- main.py run
import asyncio
import sys
from session import Session, run_child

async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    reader.feed_data(b"hello\n")
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    session = Session(reader, writer, asyncio.Event())
    line, stopped, _, _ = await session.pump()
    session.stop.set()
    await stopped
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    other = getattr(asyncio, "Ev" + "ent")()
    other.set()
    print(line, await run_child(proc, other))
    writer.close()
    server.close()

asyncio.run(main())
"#,
        "
        session.py:13: TL002
        session.py:14: TL002
        session.py:15: TL002
        session.py:16: TL002
        session.py:21: TL002
        ",
    );
}

#[test]
fn what_asyncio_opens_has_coroutine_methods() {
    // Awaiting `open_connection` gives a StreamReader and a StreamWriter, as the loop
    // gives a server's callback; `create_subprocess_exec` a Process, `start_server` and
    // `loop.create_server` a Server: their waiting methods make coroutines.
    check(
        r#"
#- main.py run
import asyncio
import sys

async def handle(reader, writer):
    line = asyncio.ensure_future(reader.readline())
    writer.write(await line)
    await asyncio.ensure_future(writer.drain())
    writer.close()

class Echo:
    async def handle(self, reader, writer):
        data = await asyncio.ensure_future(reader.read(100))
        writer.close()
        return data

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    other = await asyncio.start_server(client_connected_cb=Echo().handle, host="127.0.0.1", port=0)
    serving = asyncio.ensure_future(server.serve_forever())
    plain = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
    plain_serving = asyncio.ensure_future(plain.serve_forever())
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"ping\n")
    await asyncio.ensure_future(writer.drain())
    print(await asyncio.ensure_future(reader.readline()))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await asyncio.ensure_future(proc.wait())
    serving.cancel()
    plain_serving.cancel()
    other.close()
    writer.close()

asyncio.run(main())
"#,
        "
        main.py:5: TL002
        main.py:7: TL002
        main.py:12: TL002
        main.py:19: TL002
        main.py:21: TL002
        main.py:25: TL002
        main.py:26: TL002
        main.py:28: TL002
        ",
    );
}

#[test]
fn a_decorator_that_hands_back_its_wrapper_through_a_call() {
    // Typed decorators return `cast(F, wrapper)`; others `update_wrapper(wrapper, func)`
    // or `wraps(func)(wrapper)`. Each returns the wrapper, an `async def` here, so the
    // decorated methods still make coroutines.
    check(
        r#"
#- decorators.py
import functools
import typing
from typing import Any, Callable, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

def connected(func: F) -> F:
    @functools.wraps(func)
    async def wrapper(self, *args: Any) -> Any:
        return await func(self, *args)
    return cast(F, wrapper)

def logged(func):
    async def wrapper(*args):
        return await func(*args)
    return functools.update_wrapper(wrapper, func)

def timed(func):
    async def wrapper(*args):
        return await func(*args)
    return functools.wraps(func)(wrapper)

def passthrough(func: F) -> F:
    return typing.cast(F, func)
#- main.py run
import asyncio
from decorators import connected, logged, passthrough, timed

class Client:
    @connected
    async def publish(self, topic):
        return topic

    @passthrough
    async def ping(self):
        return "pong"

@logged
async def fetch(n):
    return n

@timed
async def store(n):
    return n

async def main():
    client = Client()
    print(await asyncio.ensure_future(client.publish("a")))
    print(await asyncio.ensure_future(client.ping()))
    print(await asyncio.ensure_future(fetch(1)), await asyncio.ensure_future(store(2)))

asyncio.run(main())
"#,
        "
        main.py:23: TL002
        main.py:24: TL002
        main.py:25: TL002
        main.py:25: TL002
        ",
    );
}

#[test]
fn a_container_annotated_with_instances_holds_them() {
    // `jobs: list[Job]`, whoever passes it: its elements are `Job`s, and an annotated
    // attribute `self.plugins: Dict[str, Plugin]` holds `Plugin`s. A container of
    // anything else (`list[Any]`) says nothing.
    check(
        r#"
#- jobs.py
import asyncio
from typing import Any, Collection, Dict, List

class Job:
    async def run(self):
        await asyncio.sleep(0)
        return 1

class Plugin:
    async def start(self):
        return 2

class Host:
    def __init__(self, plugins) -> None:
        self.plugins: Dict[str, Plugin] = plugins

    async def boot(self, name):
        first = await asyncio.ensure_future(self.plugins["p"].start())
        return first, await asyncio.ensure_future(self.plugins[name].start())

async def start_all(jobs: List[Job]):
    return [await asyncio.ensure_future(job.run()) for job in jobs]

async def wait_all(events: Collection[asyncio.Event]):
    return [await asyncio.ensure_future(event.wait()) for event in events]

async def anything(items: List[Any]):
    return [await asyncio.ensure_future(item.run()) for item in items]
#- main.py run
import asyncio
from jobs import Host, Job, Plugin, anything, start_all, wait_all

async def main():
    event = asyncio.Event()
    event.set()
    # What `getattr` of a computed name gives is unknown here: only the annotations say what is inside.
    jobs, events = getattr(asyncio, "no_such" + "_name", [Job()]), getattr(asyncio, "no_such" + "_name", [event])
    print(await start_all(jobs), await wait_all(events), await anything(jobs))
    print(await Host(dict([("p", Plugin())])).boot("p"))

asyncio.run(main())
"#,
        "
        jobs.py:18: TL002
        jobs.py:19: TL002
        jobs.py:22: TL002
        jobs.py:25: TL002
        ",
    );
}

#[test]
fn a_queue_annotated_so_holds_one_of_its_own() {
    // `jobs: asyncio.Queue[Job]`, whoever passes it: its `get()` is a coroutine that gives
    // `Job`s, as is a bare `asyncio.Queue`'s `get()`, though what that one holds is
    // unknown; an attribute annotated so is the same.
    check(
        r#"
#- jobs.py
import asyncio

class Job:
    async def run(self):
        return 1

class Worker:
    def __init__(self, inbox) -> None:
        self.inbox: "asyncio.Queue[Job]" = inbox

    async def step(self):
        job = await asyncio.ensure_future(self.inbox.get())
        return await asyncio.ensure_future(job.run())

async def drain(queue: asyncio.Queue):
    return await asyncio.ensure_future(queue.get())

async def work(jobs: "asyncio.Queue[Job]"):
    job = await asyncio.ensure_future(jobs.get())
    return await asyncio.ensure_future(job.run())

async def take(queue: asyncio.Queue):
    return await asyncio.ensure_future(queue.get_nowait())
#- main.py run
import asyncio
from jobs import Job, Worker, drain, take, work

async def main():
    queue = asyncio.Queue()
    for _ in range(3):
        queue.put_nowait(Job())
    # What `getattr` of a computed name gives is unknown here: only the annotations say what it is.
    same = getattr(asyncio, "no_such" + "_name", queue)
    print(await work(same), await drain(same), await Worker(same).step())
    # What a bare queue holds is unknown, whatever the project puts in one.
    coroutines = asyncio.Queue()
    coroutines.put_nowait(asyncio.sleep(0, "slept"))
    print(await take(coroutines))

asyncio.run(main())
"#,
        "
        jobs.py:12: TL002
        jobs.py:13: TL002
        jobs.py:16: TL002
        jobs.py:19: TL002
        jobs.py:20: TL002
        ",
    );
}

#[test]
fn a_cast_to_a_class_gives_one_of_its_instances() {
    // `cast(Job, x)` says what `x` is, as an annotation does: a `Job` (or a subclass), whose
    // `run()` is a coroutine, whatever `x` is to the analysis. A cast to a protocol says
    // nothing of which class it is.
    check(
        r#"
#- main.py run
import asyncio
from typing import Protocol, cast

class Job:
    async def run(self):
        return 1

class Runnable(Protocol):
    def run(self): ...

class Other:
    async def run(self):
        return 2

async def main():
    found = getattr(asyncio, "no_such" + "_name", Job())
    job = cast(Job, found)
    runnable = cast(Runnable, found)
    print(await asyncio.ensure_future(job.run()), await asyncio.ensure_future(runnable.run()))

asyncio.run(main())
"#,
        "
        main.py:19: TL002
        ",
    );
}
