//! TL003: `asyncio.create_task` where no event loop is running.

use crate::fixture::check;

#[test]
fn import_time_calls_through_helpers_across_modules() {
    check(
        r#"
#- server.py
import asyncio

async def serve():
    return 1

def start():
    return asyncio.create_task(serve())

def boot():
    return start()
#- main.py run
import asyncio
from server import boot

tasks = []
tasks.append(boot())
"#,
        "
        server.py:7: TL003
        ",
    );
}

#[test]
fn module_level_and_class_bodies() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def loop_task():
    return asyncio.get_running_loop().create_task(work())

class Worker:
    task = asyncio.create_task(work())
    other = loop_task()
"#,
        "
        main.py:7: TL003
        main.py:10: TL003
        ",
    );
}

#[test]
fn helpers_called_from_coroutines_and_not_running_loops_are_fine() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def spawn():
    return asyncio.create_task(work())

async def main():
    await spawn()

loop = asyncio.new_event_loop()
early = loop.create_task(work())
loop.run_until_complete(early)
loop.run_until_complete(main())
loop.close()

if __name__ == "__main__":
    asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn calls_guarded_by_state_inside_functions_are_not_followed() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

class App:
    def __init__(self):
        self.running = False
        self.tasks = []

    def add(self, coro):
        if self.running:
            self.tasks.append(asyncio.create_task(coro))
        else:
            self.tasks.append(coro)

app = App()
app.add(work())
asyncio.run(app.tasks.pop())
"#,
        "",
    );
}

const GATED_TRANSPORT: &str = r#"
#- transport.py
import asyncio

class Transport:
    def __init__(self, sync=False, start=False):
        self.tasks = []
        if sync:
            return
        self.loop = asyncio.get_running_loop()
        if not start:
            return
        self.tasks.append(asyncio.create_task(asyncio.sleep(0)))

class SyncClient(Transport):
    def __init__(self):
        super().__init__(sync=True)

def make(flag):
    return Transport(flag)
"#;

#[test]
fn a_test_on_a_parameter_left_to_its_default_is_decided_by_the_default() {
    // `if sync: return` before the loop call: `Transport()` leaves `sync` to `False` and
    // gets there; `if not start: return` keeps it from the `create_task`.
    check(
        &format!("{GATED_TRANSPORT}#- main.py run\nfrom transport import Transport\n\nTransport()\n"),
        "
        transport.py:8: TL003
        ",
    );
}

#[test]
fn a_test_on_a_parameter_the_caller_passes_is_unknown() {
    // `Transport(flag)` passes `sync` by position: whether the loop call runs depends on a
    // value the analysis does not follow, so nothing is reported.
    check(&format!("{GATED_TRANSPORT}#- main.py run\nfrom transport import make\n\nother = make(True)\n"), "");
}

#[test]
fn a_test_on_a_parameter_passed_by_keyword_is_unknown() {
    check(&format!("{GATED_TRANSPORT}#- main.py run\nfrom transport import SyncClient\n\nclient = SyncClient()\n"), "");
}

#[test]
fn none_tests_and_or_tests_on_parameters_are_decided_by_defaults() {
    // `if loop is not None: return` with `loop=None`, and `if lazy or quiet: return` with
    // both `False`, let `Client()` reach `get_running_loop()`; `if not wait or closed:
    // return` with `wait=False` keeps `Other().stop()` from its `create_task`.
    check(
        r#"
#- main.py run
import asyncio

class Other:
    def stop(self, wait=False, closed=False):
        if not wait or closed:
            return
        self.task = asyncio.create_task(asyncio.sleep(0))

class Client:
    def __init__(self, loop=None, lazy=False, quiet=False):
        if loop is not None:
            return
        if lazy or quiet:
            return
        self.loop = asyncio.get_running_loop()

Other().stop()
Client()
"#,
        "main.py:15: TL003",
    );
}

#[test]
fn a_decorator_runs_when_the_module_is_imported() {
    check(
        r#"
#- main.py run
import asyncio

def start_in_background(fn):
    asyncio.create_task(fn())
    return fn

def register(fn):
    return fn

@register
async def quiet():
    return 1

@start_in_background
async def ticker():
    await asyncio.sleep(0)
"#,
        "
        main.py:4: TL003
        main.py:4: TL005
        ",
    );
}

#[test]
fn event_loop_lookups_in_a_thread_without_one() {
    // `ensure_future(coro)`, `get_event_loop()` and `Future()` (without `loop=`) ask for the
    // thread's loop: a worker thread has none unless it sets one.
    check(
        r#"
#- main.py run
import asyncio

async def tick():
    await asyncio.sleep(0)

def with_own_loop(loop):
    asyncio.set_event_loop(loop)
    task = asyncio.ensure_future(tick())
    asyncio.get_event_loop().run_until_complete(task)

def without_loop():
    asyncio.ensure_future(tick())

def lookup():
    return asyncio.get_event_loop()

def waiter(loop):
    return asyncio.Future(), asyncio.Future(loop=loop)

async def main():
    own = asyncio.new_event_loop()
    await asyncio.get_running_loop().run_in_executor(None, with_own_loop, own)
    own.close()
    print(asyncio.get_event_loop() is asyncio.get_running_loop())
    await asyncio.get_running_loop().run_in_executor(None, lookup)
    await asyncio.get_running_loop().run_in_executor(None, without_loop)
    await asyncio.get_running_loop().run_in_executor(None, waiter, asyncio.get_running_loop())

asyncio.run(main())
"#,
        "
        main.py:8: TL002
        main.py:12: TL003
        main.py:12: TL005
        main.py:15: TL003
        main.py:18: TL003
        ",
    );
}

#[test]
fn an_executor_initializer_may_give_its_threads_a_loop() {
    // `ThreadPoolExecutor(initializer=f, initargs=(...))` runs `f` first in each worker
    // thread: one that sets an event loop gives the functions the pool runs a loop.
    check(
        r#"
#- main.py run
import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

def set_loop(name):
    asyncio.set_event_loop(asyncio.new_event_loop())

def lookup(label):
    return asyncio.get_event_loop().run_until_complete(echo(label))

async def echo(label):
    return label

with ThreadPoolExecutor(max_workers=1, initializer=partial(set_loop, "a")) as pool:
    print(pool.submit(lookup, "x").result())
with ThreadPoolExecutor(1, "p", set_loop, ("b",)) as pool:
    print(list(pool.map(lookup, ["y"])))
"#,
        "",
    );
}

#[test]
fn an_executor_initializer_runs_in_a_worker_thread() {
    // Its RuntimeError breaks the pool: what the script then raises is `BrokenThreadPool`,
    // so it is not run here.
    check(
        r#"
#- main.py
import asyncio
from concurrent.futures import ThreadPoolExecutor

def ask(label):
    asyncio.get_event_loop()

with ThreadPoolExecutor(initializer=ask, initargs=("c",)) as pool:
    pool.submit(print, "z").result()
"#,
        "main.py:5: TL003",
    );
}

#[test]
fn an_event_loop_policy_may_give_every_thread_a_loop() {
    check(
        r#"
#- main.py run
import asyncio

class AnyThreadPolicy(asyncio.DefaultEventLoopPolicy):
    def get_event_loop(self):
        try:
            return super().get_event_loop()
        except RuntimeError:
            loop = self.new_event_loop()
            self.set_event_loop(loop)
            return loop

def lookup():
    asyncio.get_event_loop().close()

async def main():
    await asyncio.get_running_loop().run_in_executor(None, lookup)

asyncio.set_event_loop_policy(AnyThreadPolicy())
asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_property_read_at_import_time_runs_its_getter() {
    check(
        r#"
#- main.py run
import asyncio

async def tick():
    await asyncio.sleep(0)

class Service:
    @property
    def ticker(self):
        return asyncio.create_task(tick())

    @property
    def name(self):
        return "service"

def later(service):
    return service.ticker

SERVICE = Service()
NAME = SERVICE.name
TICKER = SERVICE.ticker
"#,
        "
        main.py:9: TL003
        ",
    );
}

#[test]
fn with_and_for_run_the_methods_they_call() {
    // `with` calls `__enter__` and `__exit__`, `for` calls `__iter__`, where the statement runs.
    check(
        r#"
#- main.py run
import asyncio

async def tick():
    await asyncio.sleep(0)

class Session:
    def __enter__(self):
        self.ticker = asyncio.create_task(tick())
        return self

    def __exit__(self, *exc):
        return False

class Pool:
    def __enter__(self):
        self.ticker = asyncio.create_task(tick())
        return self

    def __exit__(self, *exc):
        self.ticker.cancel()
        return False

class Jobs:
    def __iter__(self):
        self.ticker = asyncio.create_task(tick())
        return iter(())

async def main():
    with Pool():
        await asyncio.sleep(0)

def setup():
    with Session():
        pass

asyncio.run(main())
for _ in Jobs():
    pass
setup()
"#,
        "
        main.py:8: TL003
        main.py:25: TL003
        ",
    );
}

#[test]
fn class_decorators_run_when_the_class_is_created() {
    check(
        r#"
#- main.py run
import asyncio

_tasks = []

async def announce(name):
    await asyncio.sleep(0)

def register(cls):
    _tasks.append(asyncio.create_task(announce(cls.__name__)))
    return cls

def plain(cls):
    return cls

@plain
class Quiet:
    pass

@register
class Plugin:
    pass
"#,
        "
        main.py:9: TL003
        ",
    );
}

#[test]
fn init_subclass_runs_when_a_subclass_is_created() {
    // `__init_subclass__` is a classmethod: `cls()` constructs the new subclass.
    check(
        r#"
#- main.py run
import asyncio

INSTANCES = []

async def poll():
    await asyncio.sleep(0)

class Registry:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        INSTANCES.append(cls())

class Named:
    def __init_subclass__(cls):
        cls.label = cls.__name__

class Quiet(Named):
    pass

class Poller(Registry):
    def __init__(self):
        self.task = asyncio.create_task(poll())
"#,
        "
        main.py:22: TL003
        ",
    );
}

#[test]
fn a_metaclass_runs_when_a_class_that_names_it_is_created() {
    // `class Plugin(metaclass=Meta)` calls `Meta(...)`: its `__init__` runs at import time.
    // A metaclass that starts nothing, and one only named in a function, run nothing there.
    check(
        r#"
#- main.py run
import asyncio

async def announce(name):
    await asyncio.sleep(0)

class Quiet(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls.label = name

class Announcing(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls.announced = asyncio.create_task(announce(name))

class Calm(metaclass=Quiet):
    pass

def later():
    class Local(metaclass=Announcing):
        pass
    return Local

class Plugin(metaclass=Announcing):
    pass
"#,
        "
        main.py:14: TL003
        ",
    );
}

#[test]
fn applying_a_decorator_does_not_run_its_wrapper() {
    // `spawned` works with and without arguments; `@spawned()` runs `wrap`, not `wrapped`,
    // which only runs (inside the loop) when the decorated function is called.
    // `@spawning()` starts a Task as it is applied.
    check(
        r#"
#- main.py run
import asyncio
import functools

def spawned(func=None, name=None):
    def wrap(f):
        @functools.wraps(f)
        def wrapped(*args):
            return asyncio.create_task(f(*args), name=name)
        return wrapped
    if func is not None:
        return wrap(func)
    return wrap

def spawning(func=None):
    def wrap(f):
        started = asyncio.create_task(f())
        return f
    if func is not None:
        return wrap(func)
    return wrap

@spawned()
async def first():
    return 1

@spawned
async def second():
    return 2

async def main():
    print(await first(), await second())

asyncio.run(main())

@spawning()
async def third():
    return 3
"#,
        "
        main.py:16: TL003
        main.py:16: TL005
        ",
    );
}

#[test]
fn calling_a_decorated_function_at_import_runs_its_wrapper() {
    // `job(1)` in a class body runs `wrapper`, whose `create_task` needs a running loop.
    check(
        r#"
#- jobs.py
import asyncio
import functools

def background(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return asyncio.create_task(fn(*args))
    return wrapper

@background
async def job(n):
    await asyncio.sleep(n)
#- main.py run
import asyncio
from jobs import job

async def main():
    await job(0)

asyncio.run(main())

class Holder:
    pending = job(1)
"#,
        "jobs.py:7: TL003",
    );
}

#[test]
fn a_dataclass_runs_its_post_init_where_it_is_constructed() {
    check(
        r#"
#- main.py run
import asyncio
from dataclasses import dataclass, field

@dataclass
class Poller:
    interval: float
    task: "asyncio.Task[None] | None" = field(default=None, init=False)

    def __post_init__(self):
        self.task = asyncio.create_task(self.run())

    async def run(self):
        await asyncio.sleep(self.interval)

@dataclass
class Quiet:
    interval: float

    def __post_init__(self):
        self.interval = max(self.interval, 0.0)

async def main():
    poller = Poller(0)
    await poller.task

asyncio.run(main())
QUIET = Quiet(1.0)
POLLER = Poller(1.0)
"#,
        "main.py:10: TL003",
    );
}

#[test]
fn a_dataclass_calls_its_field_factories_where_it_is_constructed() {
    // `field(default_factory=f)` runs `f` in the generated `__init__`, unless the
    // construction passes the field.
    check(
        r#"
#- main.py run
import asyncio
from dataclasses import dataclass, field

async def tick():
    await asyncio.sleep(0)

def start():
    return asyncio.create_task(tick())

@dataclass
class Ticker:
    name: str
    task: asyncio.Task = field(default_factory=lambda: asyncio.create_task(tick()))

@dataclass
class Spawner:
    task: asyncio.Task = field(default_factory=start)

async def main():
    ticker = Ticker("a")
    await ticker.task
    await Spawner().task

asyncio.run(main())
GIVEN = Ticker("b", task=None)
IDLE = Spawner()
"#,
        "main.py:8: TL003",
    );
}

#[test]
fn functions_run_in_another_thread() {
    // `run_in_executor`, `threading.Thread(target=...)`, an executor's `submit` and a
    // `Thread` subclass's `run` run their function where no loop is running; a thread
    // that runs its own loop with `asyncio.run` is fine, and so is a thread class never
    // started.
    check(
        r#"
#- jobs.py
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

async def tick():
    await asyncio.sleep(0)

def spawn():
    return asyncio.create_task(tick())

def loop_of():
    return asyncio.get_running_loop()

def in_worker(label):
    loop = loop_of()
    return label, loop

def runs_its_own_loop():
    async def inner():
        await asyncio.create_task(tick())
    asyncio.run(inner())

class Poller(threading.Thread):
    def run(self):
        spawn()

class Idle(threading.Thread):
    def run(self):
        spawn()

class Service(threading.Thread):
    def run(self):
        runs_its_own_loop()

def start_polling():
    Poller(daemon=True).start()
    threading.Thread(target=spawn).start()

def loop_in_pool():
    return asyncio.get_running_loop()

def use_pool():
    with ThreadPoolExecutor() as pool:
        return pool.submit(loop_in_pool)
#- main.py run
import asyncio
import functools
from jobs import Service, in_worker, runs_its_own_loop

async def main():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, runs_its_own_loop)
    service = Service()
    service.start()
    service.join()
    await loop.run_in_executor(None, functools.partial(in_worker, "a"))

asyncio.run(main())
"#,
        "
        jobs.py:9: TL003
        jobs.py:9: TL005
        jobs.py:12: TL003
        jobs.py:40: TL003
        ",
    );
}

#[test]
fn module_level_calls_under_a_test_or_a_runtime_error_handler() {
    // At module level, a call under a test may not run and one in a `try` that handles
    // `RuntimeError` does not fail the import; the body of `if __name__ == "__main__":`
    // runs whenever the script does.
    check(
        r#"
#- main.py run
import asyncio
import contextlib

async def work():
    return 1

def start():
    return asyncio.create_task(work())

def quietly():
    return asyncio.create_task(work())

try:
    loop = asyncio.get_running_loop()
except RuntimeError:
    loop = None

with contextlib.suppress(RuntimeError):
    background = quietly()

if loop is not None:
    early = asyncio.create_task(work())
    start()

pending = start() if loop else None

if __name__ == "__main__":
    waiting = asyncio.create_task(work())
    start()
"#,
        "
        main.py:8: TL003
        main.py:23: TL005
        main.py:28: TL003
        main.py:29: TL005
        ",
    );
}

#[test]
fn current_task_and_all_tasks_ask_for_the_running_loop() {
    // Without a loop given, `current_task()` and `all_tasks()` call `get_running_loop()`:
    // at import time they raise; inside a coroutine, or given a loop, they do not.
    check(
        r#"
#- tasks.py
import asyncio

def describe():
    return asyncio.current_task()

def count(loop):
    return len(asyncio.all_tasks(loop))

async def inside():
    return asyncio.current_task(), asyncio.all_tasks()
#- main.py run
import asyncio
from tasks import count, describe, inside

loop = asyncio.new_event_loop()
print(count(loop))
print(loop.run_until_complete(inside()) is not None)
pending = asyncio.all_tasks()
described = describe()
"#,
        "
        main.py:7: TL003
        tasks.py:4: TL003
        ",
    );
}

#[test]
fn applying_a_decorator_does_not_run_any_of_the_wrappers_it_may_return() {
    // `step` returns `wrap` or `wrap(func)`, and `wrap` returns one of two wrappers (for
    // coroutine functions and for plain ones): `@step(name=...)` runs `wrap` alone, and the
    // plain wrapper's `with Step():`, which starts a Task, runs only when a decorated plain
    // function is called (chainlit's `@cl.step`).
    check(
        r#"
#- steps.py
import asyncio
import functools
import inspect

class Step:
    def __enter__(self):
        self.sending = asyncio.create_task(self.send())
        return self

    def __exit__(self, *exc):
        return None

    async def send(self):
        return None

def step(original_function=None, *, name=""):
    def wrap(func):
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args):
                return await func(*args)
            return async_wrapper
        @functools.wraps(func)
        def sync_wrapper(*args):
            with Step():
                return func(*args)
        return sync_wrapper

    func = original_function
    if not func:
        return wrap
    return wrap(func)
#- main.py run
import asyncio
from steps import step

@step(name="tool")
async def tool():
    return 1

@step
def plain():
    return 2

async def main():
    print(await tool(), plain())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_base_method_called_at_import_runs_the_overrides_of_its_receivers_class() {
    // `Base.schedule` calls `self.call_later`, which `Sync` and `Async` override. At import
    // it runs for a `Sync`, so only `Sync.call_later` runs there; `Async.call_later`,
    // which needs a running loop, runs only from `main`. `Eager.call_later` runs at import.
    check(
        r#"
#- main.py run
import asyncio


class Base:
    def schedule(self):
        return self.call_later(0.01, print)

    def call_later(self, delay, callback):
        raise NotImplementedError


class Sync(Base):
    def call_later(self, delay, callback):
        return (delay, callback)


class Async(Base):
    def call_later(self, delay, callback):
        return asyncio.get_running_loop().call_later(delay, callback)


class Plain(Base):
    def call_later(self, delay, callback):
        return None


class Eager(Base):
    def call_later(self, delay, callback):
        return asyncio.get_running_loop().call_soon(callback)


async def main():
    Async().schedule()
    await asyncio.sleep(0.05)


Sync().schedule()
Plain().schedule()
Eager().schedule()
asyncio.run(main())
"#,
        "main.py:29: TL003",
    );
}

#[test]
fn a_closure_run_in_a_thread_calls_the_overrides_of_the_class_that_started_it() {
    // `Base.schedule` hands `lambda: self.fired()` to `self.call_later`. `Sync.call_later`
    // runs it in a `threading.Timer`: there `self` is the `Sync` that started the timer,
    // so `Sync.fired` runs, not `Async.fired`, which needs a running loop.
    check(
        r#"
#- main.py run
import asyncio
import threading


class Base:
    def schedule(self):
        return self.call_later(0.01, lambda: self.fired())

    def call_later(self, delay, callback):
        raise NotImplementedError

    def fired(self):
        pass


class Sync(Base):
    def call_later(self, delay, callback):
        timer = threading.Timer(delay, callback)
        timer.start()
        return timer

    def fired(self):
        print("sync fired")


class Async(Base):
    def call_later(self, delay, callback):
        return asyncio.get_running_loop().call_later(delay, callback)

    def fired(self):
        print("async fired in", asyncio.get_running_loop())


async def main():
    Async().schedule()
    await asyncio.sleep(0.05)


Sync().schedule().join()
asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_closure_run_in_a_thread_still_reaches_the_overrides_below_the_starting_class() {
    // As above, for an `Eager`, a `Sync` whose `fired` needs a running loop: the timer
    // thread runs it (no `run`: the thread's RuntimeError does not end the script).
    check(
        r#"
#- main.py
import asyncio
import threading


class Base:
    def schedule(self):
        return self.call_later(0.01, lambda: self.fired())

    def call_later(self, delay, callback):
        raise NotImplementedError

    def fired(self):
        pass


class Sync(Base):
    def call_later(self, delay, callback):
        timer = threading.Timer(delay, callback)
        timer.start()
        return timer


class Eager(Sync):
    def fired(self):
        print(asyncio.get_running_loop())


Eager().schedule().join()
"#,
        "main.py:25: TL003",
    );
}

#[test]
fn a_callback_that_may_be_something_else_may_not_need_a_loop() {
    // The registry's scope function is `current_task` for one constructor and a lambda for
    // the other: which one an import-time call runs is not known, so only a callback that
    // is never anything else is reported.
    check(
        r#"
#- registry.py
import asyncio

class Registry:
    def __init__(self, scope):
        self.scope = scope

    def current(self):
        return self.scope()

def for_tasks():
    return Registry(asyncio.current_task)

def for_threads():
    return Registry(lambda: 0)

class Always:
    def __init__(self):
        self.scope = asyncio.current_task

    def current(self):
        return self.scope()
#- main.py run
from registry import Always, for_tasks, for_threads

print(for_threads().current())
Always().current()
"#,
        "
        registry.py:21: TL003
        ",
    );
}

#[test]
fn a_module_imported_only_in_coroutines_is_imported_where_a_loop_runs() {
    // `plugins.clock` is imported only inside `main`, a coroutine: its module-level code
    // runs in the loop, and so does that of `plugins.timer`, which only `clock` imports at
    // its own import time (and the package `plugins` itself).
    check(
        r#"
#- plugins/__init__.py
import asyncio

STARTED = asyncio.get_running_loop().time()
#- plugins/timer.py
import asyncio

TIMER = asyncio.create_task(asyncio.sleep(0))
#- plugins/clock.py
import asyncio
from plugins import timer

LOOP = asyncio.get_running_loop()
#- main.py run
import asyncio


async def main():
    from plugins import clock
    await clock.timer.TIMER
    print(clock.LOOP.is_running())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_module_imported_at_import_time_or_in_a_plain_function_is_not() {
    // `plugin` is imported inside a coroutine, but also at the top of `main.py`; `loader`
    // only in a plain function, which may run anywhere.
    check(
        r#"
#- plugin.py
import asyncio

LOOP = asyncio.get_running_loop()
#- loader.py
import asyncio

TASK = asyncio.create_task(asyncio.sleep(0))
#- main.py run
import asyncio
import plugin


def load():
    import loader
    return loader


async def main():
    import plugin
    print(plugin.LOOP)

asyncio.run(main())
"#,
        "
        loader.py:3: TL003
        plugin.py:3: TL003
        ",
    );
}

#[test]
fn functions_run_at_exit() {
    // `atexit` runs its functions after `asyncio.run` has returned, where no loop is
    // running: registered as a bound method or with the decorator, and what they call
    // across modules. One that runs its own loop, or guards the call, is fine, and a
    // current-loop lookup there is left alone (whether a loop is still set depends on how
    // the program ran it). The script turns the exception atexit would only print into a
    // failure.
    check(
        r#"
#- client.py
import asyncio
import atexit

class Client:
    async def close(self):
        await asyncio.sleep(0)

    def _schedule_close(self):
        self.closing = asyncio.create_task(self.close())

    def shutdown(self):
        self._schedule_close()

    def close_now(self):
        asyncio.run(self.close())

    def close_if_running(self):
        try:
            self.closing = asyncio.create_task(self.close())
        except RuntimeError:
            pass

    def current(self):
        return asyncio.get_event_loop()

CLIENT = Client()
atexit.register(CLIENT.close_now)
atexit.register(CLIENT.close_if_running)
atexit.register(CLIENT.current)
#- hooks.py
import atexit
import asyncio
from client import CLIENT

@atexit.register
def _flush():
    asyncio.get_running_loop()

atexit.register(CLIENT.shutdown)
#- main.py run
import asyncio
import os
import sys
import traceback

import hooks

def fail(unraisable):
    traceback.print_exception(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback)
    os._exit(1)

sys.unraisablehook = fail

async def main():
    await asyncio.sleep(0)

asyncio.run(main())
"#,
        "
        client.py:9: TL003
        hooks.py:7: TL003
        ",
    );
}

#[test]
fn gather_of_a_coroutine_in_a_thread_without_a_loop() {
    // `gather(coro)` asks the thread for its current loop to run the coroutine on, as
    // `ensure_future(coro)` does: a worker thread has none (RuntimeError).
    check(
        r#"
#- main.py run
import asyncio


async def work():
    return 1


def worker():
    results = asyncio.gather(work())
    print(results)


async def main():
    await asyncio.get_running_loop().run_in_executor(None, worker)


asyncio.run(main())
"#,
        "main.py:9: TL003",
    );
}
