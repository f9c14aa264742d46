//! TL005: Tasks whose handle is dropped.

use crate::fixture::check;

#[test]
fn dropped_handles_including_through_helpers() {
    check(
        r#"
#- spawn.py
import asyncio

def spawn(coro):
    return asyncio.get_running_loop().create_task(coro)
#- main.py run
import asyncio
from spawn import spawn

async def work():
    return 1

async def main():
    asyncio.create_task(work())
    _ = asyncio.ensure_future(work())
    unused = asyncio.Task(work())
    spawn(work())
    await asyncio.sleep(0)

asyncio.run(main())
"#,
        "
        main.py:8: TL005
        main.py:9: TL002
        main.py:9: TL005
        main.py:10: TL005
        spawn.py:4: TL005
        ",
    );
}

#[test]
fn branches_a_constant_flag_rules_out_never_run() {
    // pymongo generates its synchronous API from the asynchronous one and keeps the async
    // code behind `if not _IS_SYNC:`, a flag bound once per module: in the synchronous twin
    // those branches never run (psycopg writes `if False:  # ASYNC`). A flag bound twice, or
    // a local of the same name, decides nothing.
    check(
        r#"
#- pool_sync.py
import asyncio

_IS_SYNC = True
DEBUG = False
if DEBUG:
    DEBUG = True


async def close_conn():
    return None


def reset(close, _IS_SYNC=False):
    if not _IS_SYNC:
        asyncio.gather(close_conn())


def close(close):
    if close:
        print("closing")
    elif not _IS_SYNC:
        asyncio.gather(close_conn())
    if not _IS_SYNC and close:
        asyncio.gather(close_conn())
    elif DEBUG or _IS_SYNC:
        print("closed")
    else:
        asyncio.gather(close_conn())
    if DEBUG:
        asyncio.gather(close_conn())


class Pool:
    if False:  # ASYNC (psycopg's marker for code only the async twin runs)

        def __del__(self):
            asyncio.gather(close_conn())
#- pool_async.py
import asyncio

_IS_SYNC = False


async def close_conn():
    return None


async def close():
    if not _IS_SYNC:
        asyncio.gather(close_conn())
    await asyncio.sleep(0)
#- main.py run
import asyncio
import pool_async
import pool_sync

pool_sync.close(False)
asyncio.run(pool_async.close())
"#,
        "
        pool_async.py:12: TL005
        pool_sync.py:15: TL005
        pool_sync.py:30: TL005
        ",
    );
}

#[test]
fn kept_handles() {
    check(
        r#"
#- registry.py
import asyncio

background = set()

def keep(task):
    background.add(task)
    task.add_done_callback(background.discard)
#- main.py run
import asyncio
from registry import keep

current = None

async def work():
    return 1

class Service:
    def start(self):
        self.task = asyncio.create_task(work())

    def spawn(self):
        return asyncio.create_task(work())

async def main():
    global current
    await asyncio.create_task(work())
    current = asyncio.create_task(work())
    keep(asyncio.create_task(work()))
    tasks = [asyncio.create_task(work())]
    service = Service()
    service.start()
    handle = service.spawn()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(work())
    await asyncio.gather(*tasks, current, service.task, handle)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_container_thrown_away_keeps_none_of_its_tasks() {
    check(
        r#"
#- main.py run
import asyncio

async def work(n=0):
    return n

def batch():
    return [asyncio.create_task(work(n)) for n in range(2)]

class Pool:
    def __init__(self):
        self.running = {asyncio.create_task(work())}

async def main():
    [asyncio.create_task(work(n)) for n in range(2)]
    {asyncio.create_task(work(n)) for n in range(2)}
    {"job": asyncio.create_task(work())}
    [[asyncio.create_task(work())]]
    (asyncio.create_task(work(n)) for n in range(2))
    nested = [[asyncio.create_task(work())]]
    await nested[0][0]
    pending = [asyncio.create_task(work(n)) for n in range(2)]
    await asyncio.gather(*pending)
    by_name = {"a": asyncio.create_task(work())}
    for task in by_name.values():
        await task
    await asyncio.gather(*batch(), *Pool().running)

asyncio.run(main())
"#,
        "
        main.py:14: TL005
        main.py:15: TL005
        main.py:16: TL005
        main.py:17: TL005
        ",
    );
}

#[test]
fn appending_to_a_container_nothing_keeps_keeps_nothing() {
    check(
        r#"
#- main.py run
import asyncio

BACKGROUND = set()

async def work(n=0):
    return n

async def forgotten():
    started = []
    for n in range(2):
        started.append(asyncio.create_task(work(n)))
    pending = set()
    pending.add(asyncio.create_task(work()))

async def remembered():
    started = []
    started.append(asyncio.create_task(work()))
    await asyncio.gather(*started)
    BACKGROUND.add(asyncio.create_task(work()))
    batch = []
    batch.extend([asyncio.create_task(work())])
    return batch

async def main():
    await forgotten()
    print(len(await remembered()))
    await asyncio.gather(*BACKGROUND)

asyncio.run(main())
"#,
        "
        main.py:11: TL005
        main.py:13: TL005
        ",
    );
}

#[test]
fn stores_into_unknown_objects_and_framework_methods_keep_tasks() {
    check(
        r#"
#- main.py
import asyncio
import somelib

class Connection:
    def __init__(self):
        self._tasks = set()

    def create_task(self, coro):
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        return task

async def work():
    return 1

async def main(app):
    app["listener"] = asyncio.create_task(work())
    somelib.state.task = asyncio.create_task(work())
    conn = somelib.connection()
    conn.create_task(work())
"#,
        "",
    );
}

#[test]
fn a_done_callback_does_not_keep_its_task() {
    check(
        r#"
#- main.py run
import asyncio

done = []

def on_done(task):
    if not task.cancelled():
        done.append(task.result())

async def work():
    return 1

def start_named():
    # The name dies with the frame, at once: nothing keeps the Task.
    named = asyncio.create_task(work())
    named.set_name("worker")
    named.add_done_callback(on_done)

async def main():
    asyncio.create_task(work()).add_done_callback(on_done)
    asyncio.ensure_future(work()).add_done_callback(lambda t: done.append(t))
    kept = asyncio.create_task(work())
    kept.add_done_callback(on_done)
    await kept
    start_named()
    # The frame holds `waited` while it is suspended below.
    waited = asyncio.create_task(work())
    waited.add_done_callback(on_done)
    polled = asyncio.create_task(work())
    while not polled.done():
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    print(done)

asyncio.run(main())
"#,
        "
        main.py:14: TL005
        main.py:19: TL005
        main.py:20: TL002
        main.py:20: TL005
        ",
    );
}

#[test]
fn a_weak_set_keeps_nothing() {
    // `weakref.WeakSet` is the usual wrong fix: the loop and the set both hold the Task
    // weakly. A plain set keeps it; reading the WeakSet back does not count as keeping.
    // A `WeakValueDictionary` holds its values as weakly.
    check(
        r#"
#- main.py
import asyncio
import weakref

async def work():
    await asyncio.sleep(0)

class Service:
    def __init__(self):
        self._weak = weakref.WeakSet()
        self._strong = set()
        self._by_name = weakref.WeakValueDictionary()
        self._names = {}

    def spawn_weak(self):
        task = asyncio.create_task(work())
        self._weak.add(task)

    def spawn_strong(self):
        task = asyncio.create_task(work())
        self._strong.add(task)
        task.add_done_callback(self._strong.discard)

    def spawn_named(self, name):
        self._by_name[name] = asyncio.create_task(work())
        self._by_name.setdefault(name + "!", asyncio.create_task(work()))
        self._names[name] = asyncio.create_task(work())

    def names(self):
        return [t.get_name() for t in self._weak] + list(self._by_name)
"#,
        "
        main.py:15: TL005
        main.py:24: TL005
        main.py:25: TL005
        ",
    );
}

#[test]
fn the_event_loop_drops_what_its_callbacks_return() {
    // `call_soon(f)`, `call_later(d, f)`, signal handlers and done-callbacks: the loop
    // ignores what `f` returns, so a Task a callback creates and returns is not kept;
    // one the callback stores is.
    check(
        r#"
#- main.py run
import asyncio

class Refresher:
    def __init__(self):
        self.pending = set()

    async def refresh(self):
        await asyncio.sleep(0)

    def on_timer(self):
        return asyncio.get_running_loop().create_task(self.refresh())

    def on_timer_kept(self):
        task = asyncio.get_running_loop().create_task(self.refresh())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

async def main():
    loop = asyncio.get_running_loop()
    refresher = Refresher()
    loop.call_soon(refresher.on_timer)
    loop.call_later(0, lambda: loop.create_task(refresher.refresh()))
    loop.call_soon(refresher.on_timer_kept)
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "
        main.py:11: TL005
        main.py:22: TL005
        ",
    );
}

#[test]
fn tasks_the_event_loop_makes_from_callbacks_are_dropped() {
    // The loop calls `loop.create_task(coro)` (or `asyncio.create_task`) later and throws
    // away what its callbacks return; a loop method taken as a value is still the loop's.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0)

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(loop.create_task, work())
    loop.call_later(0, asyncio.create_task, work())
    spawn = loop.create_task
    spawn(work())
    kept = spawn(work())
    loop.call_soon(print, "done")
    await kept
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "
        main.py:8: TL005
        main.py:9: TL005
        main.py:11: TL005
        ",
    );
}

#[test]
fn exit_stacks_enter_what_they_are_given() {
    // A TaskGroup entered through an exit stack keeps its Tasks; what a context manager
    // entered that way gives is followed (here a plain Future reaching `.get_name()`).
    check(
        r#"
#- main.py run
import asyncio
import contextlib

async def work():
    await asyncio.sleep(0)

class Waiter:
    def __init__(self, fut):
        self.fut = fut

    def __enter__(self):
        return self.fut

    def __exit__(self, *exc):
        return False

async def main():
    async with contextlib.AsyncExitStack() as stack:
        group = await stack.enter_async_context(asyncio.TaskGroup())
        group.create_task(work())
    with contextlib.ExitStack() as stack:
        fut = stack.enter_context(Waiter(asyncio.get_running_loop().create_future()))
        print(fut.get_name())

asyncio.run(main())
"#,
        "main.py:22: TL001",
    );
}

#[test]
fn backported_task_groups_keep_their_tasks() {
    // `taskgroup.TaskGroup` (asyncio's, for Pythons before 3.11) and `aiotools`' groups
    // keep what their `create_task` makes, as `asyncio.TaskGroup` does.
    check(
        r#"
#- main.py
import asyncio
import aiotools
from taskgroup import TaskGroup

async def work():
    await asyncio.sleep(0)

async def main():
    async with TaskGroup() as group:
        group.create_task(work())
    async with aiotools.TaskGroup() as tg:
        tg.create_task(work())
    async with aiotools.PersistentTaskGroup() as ptg:
        ptg.create_task(work())
        asyncio.create_task(work())
"#,
        "main.py:15: TL005",
    );
}

#[test]
fn a_caller_that_throws_away_a_helpers_task_drops_it() {
    // `spawn` hands its Task back and keeps it no other way: some callers keep it, and
    // each call written as a statement of its own drops it (as a bare `create_task` would).
    // `tracked` keeps its Tasks itself, so its callers may ignore them; a call that may run
    // several functions (`handler()`) is not where one helper's Task is lost.
    check(
        r#"
#- helpers.py
import asyncio

RUNNING = set()

def spawn(coro):
    return asyncio.create_task(coro)

def tracked(coro):
    task = asyncio.create_task(coro)
    RUNNING.add(task)
    task.add_done_callback(RUNNING.discard)
    return task
#- main.py run
import asyncio
from helpers import spawn, tracked

async def work():
    await asyncio.sleep(0)

def forward(coro):
    return spawn(coro)

def ticket():
    return asyncio.create_task(work())

def nothing():
    return None

HANDLERS = [ticket, nothing]

async def main():
    kept = [spawn(work()), ticket()]
    spawn(work())
    tracked(work())
    await forward(work())
    for handler in HANDLERS:
        handler()
    await asyncio.gather(*kept)
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "main.py:20: TL005",
    );
}

#[test]
fn a_caller_drops_a_helpers_task_that_another_caller_widens_away() {
    // `everything` holds sixteen functions before `spawn`'s Task gets there, so it holds
    // `Unknown` instead (widening): that caller may keep it, the bare `spawn(work())` still
    // drops it. `registered` puts its Task into a full list itself: kept there, as far as
    // anyone knows, so its callers may ignore it.
    check(
        r#"
#- helpers.py
import asyncio

def f0(): return 0
def f1(): return 1
def f2(): return 2
def f3(): return 3
def f4(): return 4
def f5(): return 5
def f6(): return 6
def f7(): return 7
def f8(): return 8
def f9(): return 9
def f10(): return 10
def f11(): return 11
def f12(): return 12
def f13(): return 13
def f14(): return 14
def f15(): return 15

REGISTRY = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15]

def spawn(coro):
    return asyncio.create_task(coro)

def registered(coro):
    task = asyncio.create_task(coro)
    REGISTRY[0] = task
    return task
#- main.py run
import asyncio
from helpers import *

async def work():
    await asyncio.sleep(0)

async def main():
    everything = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, spawn(work())]
    spawn(work())
    registered(work())
    await everything[-1]
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "main.py:9: TL005",
    );
}

#[test]
fn a_caller_that_awaits_an_async_helper_and_throws_its_task_away_drops_it() {
    // `dispatch` is an `async def` that starts a Task and hands it back: awaiting it gives
    // the Task. `keeper` keeps it, `waiter` awaits it too; `await signals.dispatch("c")` as a
    // statement throws it away, and a call that is never awaited starts no Task at all.
    check(
        r#"
#- main.py run
import asyncio


class Signals:
    def __init__(self):
        self.kept = set()

    async def dispatch(self, name):
        task = asyncio.get_running_loop().create_task(self.handle(name))
        await asyncio.sleep(0)
        return task

    async def handle(self, name):
        await asyncio.sleep(0)


async def keeper(signals):
    signals.kept.add(await signals.dispatch("a"))


async def waiter(signals):
    task = await signals.dispatch("b")
    await task


async def dropper(signals):
    await signals.dispatch("c")


async def main():
    signals = Signals()
    await keeper(signals)
    await waiter(signals)
    await dropper(signals)
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "main.py:27: TL005",
    );
}

#[test]
fn a_caller_that_throws_away_a_task_a_decorator_starts_drops_it() {
    // `@in_background` makes `refresh(...)` a call of `start`, which starts and returns a
    // Task: `refresh("a")` as a statement drops it, `pending = refresh("b")` then `await
    // pending` keeps it.
    check(
        r#"
#- tasks.py
import asyncio

def in_background(coroutine_function):
    def start(*args, **kwargs):
        loop = asyncio.get_running_loop()
        return loop.create_task(coroutine_function(*args, **kwargs))
    return start
#- main.py run
import asyncio
from tasks import in_background

@in_background
async def refresh(name):
    await asyncio.sleep(0)
    return name

async def main():
    refresh("a")
    pending = refresh("b")
    print(await pending)

asyncio.run(main())
"#,
        "main.py:10: TL005",
    );
}

#[test]
fn a_synchronous_function_that_runs_the_loop_keeps_its_names() {
    // `main` holds `task` while `run_until_complete` runs the loop inside the same frame;
    // `start` returns at once, and its name goes with it.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0.01)

def start(loop):
    task = loop.create_task(work())
    task.add_done_callback(print)

def main():
    loop = asyncio.new_event_loop()
    task = loop.create_task(work())
    task.set_name("main")
    start(loop)
    loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()

main()
"#,
        "main.py:7: TL005",
    );
}

#[test]
fn servers_and_reactors_run_the_loop_in_the_frame_that_starts_them() {
    // aiohttp's `web.run_app(...)` and Twisted's `reactor.run()` block while the loop runs,
    // so the names of the function that calls them keep their Tasks; `start` returns at once.
    check(
        r#"
#- main.py
import asyncio
from aiohttp import web
from twisted.internet import reactor

async def work():
    await asyncio.sleep(0)

def start(loop):
    task = loop.create_task(work())
    task.add_done_callback(print)

def serve():
    loop = asyncio.new_event_loop()
    task = loop.create_task(work())
    task.add_done_callback(print)
    start(loop)
    web.run_app(web.Application(), loop=loop)

def crawl():
    loop = asyncio.get_event_loop()
    join = loop.create_task(work())
    join.add_done_callback(print)
    reactor.run()
"#,
        "main.py:9: TL005",
    );
}

#[test]
fn a_name_nothing_reads_keeps_its_task_while_its_function_runs_the_loop() {
    // `_ = loop.create_task(main())` before `loop.run_until_complete(...)`: the frame holds
    // the name while the loop runs. Not in a loop body (the next iteration rebinds the name
    // and lets the previous Task go), and not across an `await` (the coroutine may return
    // while the Task runs on), as `fire` returning at once does not.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0.01)

def fire():
    t = asyncio.create_task(work())

async def main():
    t = asyncio.create_task(work())
    fire()
    await asyncio.sleep(0.02)

def run():
    loop = asyncio.new_event_loop()
    _ = loop.create_task(main())
    for i in range(2):
        again = loop.create_task(work())
    loop.run_until_complete(asyncio.sleep(0.1))
    loop.close()

run()
"#,
        "
        main.py:7: TL005
        main.py:10: TL005
        main.py:18: TL005
        ",
    );
}

#[test]
fn a_local_list_keeps_its_tasks_while_its_function_runs_the_loop() {
    // `tasks` is only tested, never passed on; the frame holds it while the loop runs. A
    // list thrown away at once, or filled in a function that returns, keeps nothing.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0.01)

def fill(loop):
    pending = []
    pending.append(loop.create_task(work()))

def run():
    loop = asyncio.new_event_loop()
    tasks = []
    tasks.append(loop.create_task(work()))
    [loop.create_task(work()) for _ in range(2)]
    fill(loop)
    if tasks:
        loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()

run()
"#,
        "
        main.py:8: TL005
        main.py:14: TL005
        ",
    );
}

#[test]
fn a_name_only_tested_keeps_its_task_while_its_function_waits() {
    // `assert waited is not None` reads the name for its truth only: like a name given
    // only done-callbacks, it keeps the Task while the coroutine waits after the call, and
    // not once `fire` has returned.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0.01)

def fire():
    t = asyncio.create_task(work())
    assert t

async def main():
    waited = asyncio.create_task(work())
    assert waited is not None
    fire()
    await asyncio.sleep(0.02)

asyncio.run(main())
"#,
        "main.py:7: TL005",
    );
}

#[test]
fn a_walrus_names_its_task() {
    // `(t := create_task(c)).add_done_callback(cb)` names the Task as `t = ...; t.add_...`
    // does: kept while the function waits after it, dropped when it returns at once.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0)

def fire():
    (task := asyncio.create_task(work())).add_done_callback(print)

async def main():
    (task := asyncio.create_task(work())).add_done_callback(print)
    fire()
    await asyncio.sleep(0.01)

asyncio.run(main())
"#,
        "main.py:7: TL005",
    );
}

#[test]
fn a_handler_or_finally_sees_what_the_body_assigned_before_it_left() {
    // An exception may leave a `try` body (or a `with suppress(...)` body) after any of
    // its assignments: the Task a name got there is read by the handler, the `finally`,
    // the code after `suppress`, or the next turn of the loop (livekit's STT fallback keeps
    // its input task so across failed attempts). One that nothing reads is still dropped.
    check(
        r#"
#- main.py run
import asyncio
import contextlib

async def work():
    await asyncio.sleep(0)

async def retried(attempts):
    task = None
    for attempt in attempts:
        try:
            if task is None:
                task = asyncio.create_task(work())
            await asyncio.sleep(0)
            if attempt:
                raise ValueError(attempt)
            return
        except ValueError:
            pass
    if task is not None:
        await task

async def suppressed():
    task = None
    with contextlib.suppress(ValueError):
        task = asyncio.create_task(work())
        await asyncio.sleep(0)
        raise ValueError
    await task

async def cleaned():
    task = None
    try:
        task = asyncio.create_task(work())
        await asyncio.sleep(0)
        return
    finally:
        if task is not None:
            await task

async def lost():
    try:
        task = asyncio.create_task(work())
        await asyncio.sleep(0)
        return
    except ValueError:
        pass

async def main():
    await retried([1, 0])
    await suppressed()
    await cleaned()
    await lost()

asyncio.run(main())
"#,
        "main.py:42: TL005",
    );
}

#[test]
fn tasks_gathered_into_a_list_nobody_keeps_are_dropped() {
    // `await asyncio.gather(...)` gives a list of what the coroutines return: Tasks in a list
    // that is thrown away are dropped, in one that is kept they are kept (sanic's blueprint
    // `dispatch` gathers the Tasks of its apps' `dispatch`).
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0)

async def start_dropped():
    task = asyncio.get_running_loop().create_task(work())
    await asyncio.sleep(0)
    return task

async def start_kept():
    task = asyncio.get_running_loop().create_task(work())
    await asyncio.sleep(0)
    return task

async def main():
    await asyncio.gather(start_dropped(), start_dropped())
    kept = await asyncio.gather(start_kept())
    await kept[0]

asyncio.run(main())
"#,
        "main.py:7: TL005",
    );
}

#[test]
fn a_finding_on_a_very_long_line_leaves_out_the_code_frame() {
    // Minified or generated code: a frame would print the whole line.
    let padding = "x".repeat(1_200);
    let fixture = format!(
        "#- main.py run\nimport asyncio\n\nasync def work():\n    return 1\n\nasync def main():\n    asyncio.create_task(work()); label = \"{padding}\"\n    await asyncio.sleep(0)\n\nasyncio.run(main())\n"
    );
    check(&fixture, "main.py:7: TL005");
}

#[test]
fn a_method_an_outside_base_may_define_is_not_the_loops() {
    // `Application` inherits `create_task` from a library (which may keep the Task, as
    // zigpy's `CreateTaskMixin` does): `self.create_task` is not taken as a loop's. An
    // unresolved receiver (`self.loop`) still is, in a class with a standard library base.
    check(
        r#"
#- main.py
import asyncio
import threading
import zigpy.application


async def work():
    return 1


class Application(zigpy.application.ControllerApplication):
    def permit(self):
        self.create_task(work(), "permit")


class Worker(threading.Thread):
    def __init__(self, loop):
        super().__init__()
        self.loop = loop

    def poke(self):
        self.loop.create_task(work())
"#,
        "main.py:21: TL005",
    );
}

#[test]
fn a_helper_module_from_outside_is_not_a_loop() {
    // `scheduling` is a module of a library (python-discord's `pydis_core.utils`, whose
    // `create_task` keeps its Tasks): its `create_task` is not a loop's, read in a function
    // or at module level, under its own name or another. A loop handed in still is one,
    // and so is asyncio re-exported by a library (chainlit's `from syncer import asyncio`).
    check(
        r#"
#- main.py
from pydis_core.utils import scheduling
import pydis_core.utils.scheduling as sched
from syncer import asyncio


async def work():
    return 1


def on_message():
    scheduling.create_task(work())
    sched.create_task(work())


def poke(loop):
    loop.create_task(work())


async def handle():
    asyncio.create_task(work())


scheduling.create_task(work())
"#,
        "
        main.py:16: TL005
        main.py:20: TL005
        ",
    );
}

#[test]
fn what_iscoroutine_rejects_is_no_coroutine() {
    check(
        r#"
#- main.py run
import asyncio


class Runner:
    def __init__(self, job):
        self.job = job
        self.running = None

    def start(self):
        if asyncio.iscoroutine(self.job):
            self.running = asyncio.create_task(self.job)
        else:
            asyncio.ensure_future(self.job)

    def start_local(self, job):
        if not asyncio.iscoroutine(job):
            asyncio.ensure_future(job)
            return
        asyncio.ensure_future(job)


async def work():
    return 1


async def main():
    loop = asyncio.get_running_loop()
    Runner(work()).start()
    Runner(loop.create_future()).start()
    Runner(None).start_local(loop.create_future())
    Runner(None).start_local(work())
    await asyncio.sleep(0)


asyncio.run(main())
"#,
        "
        main.py:19: TL002
        main.py:19: TL005
        ",
    );
}

#[test]
fn a_weak_reference_keeps_no_task() {
    check(
        r#"
#- main.py run
import asyncio
import weakref


async def work():
    await asyncio.sleep(0)


class Poller:
    def start(self):
        self.lost = weakref.ref(asyncio.create_task(work()))
        task = asyncio.create_task(work())
        self.task = task
        self.task_ref = weakref.ref(task, lambda ref: None)

    def name(self):
        task = self.task_ref()
        return task.get_name() if task is not None else None


async def main():
    poller = Poller()
    poller.start()
    print(poller.name())
    await asyncio.sleep(0.01)


asyncio.run(main())
"#,
        "main.py:11: TL005",
    );
}

#[test]
fn a_task_that_stores_itself_is_kept() {
    // `current_task()` in a coroutine gives the Task it runs in: storing it keeps the Task
    // (a name of the coroutine's own frame does not: the Task holds the frame; nor does a
    // call it is passed to while the frame runs).
    check(
        r#"
#- main.py
import asyncio


class Server:
    def __init__(self):
        self.handlers = set()
        self.current = None

    async def handle(self):
        self.handlers.add(asyncio.current_task())
        await asyncio.sleep(0)

    async def serve(self):
        self.current = asyncio.current_task()
        await asyncio.sleep(0)

    async def quiet(self):
        me = asyncio.current_task()
        await asyncio.sleep(0)
        me.cancel()

    async def logged(self):
        print(asyncio.current_task())
        await asyncio.sleep(0)

    def start(self):
        asyncio.create_task(self.handle())
        asyncio.ensure_future(self.serve())
        asyncio.create_task(self.quiet())
        asyncio.create_task(self.logged())
"#,
        "
        main.py:28: TL002
        main.py:29: TL005
        main.py:30: TL005
        ",
    );
}

#[test]
fn a_coroutine_spawned_from_many_places_is_judged_at_each() {
    // Tasks given to `current_task()` in their coroutine stay below the widening bound: past
    // it, the Tasks of later sites would count as kept.
    check(
        r#"
#- main.py
import asyncio


async def logged():
    print(asyncio.current_task())
    await asyncio.sleep(0)


def spawn():
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
    asyncio.create_task(logged())
"#,
        "
        main.py:10: TL005
        main.py:11: TL005
        main.py:12: TL005
        main.py:13: TL005
        main.py:14: TL005
        main.py:15: TL005
        main.py:16: TL005
        main.py:17: TL005
        main.py:18: TL005
        main.py:19: TL005
        main.py:20: TL005
        main.py:21: TL005
        main.py:22: TL005
        main.py:23: TL005
        main.py:24: TL005
        main.py:25: TL005
        main.py:26: TL005
        main.py:27: TL005
        main.py:28: TL005
        main.py:29: TL005
        ",
    );
}

#[test]
fn a_test_that_expects_the_call_to_fail_makes_no_task() {
    // In `with self.assertRaises(...)` (or `pytest.raises`) the call is meant to raise: no
    // Task is dropped, and its `ensure_future` is not one to migrate; outside, it is.
    check(
        r#"
#- main.py run
import asyncio
import unittest

case = unittest.TestCase()

async def work():
    pass

def main():
    loop = asyncio.new_event_loop()
    loop.close()
    with case.assertRaises(RuntimeError):
        asyncio.ensure_future(work(), loop=loop)
    with case.assertRaisesRegex(RuntimeError, "closed"):
        loop.create_task(work())

async def dropped():
    asyncio.create_task(work())

main()
"#,
        "
        main.py:18: TL005
        ",
    );
}

#[test]
fn a_gather_or_shield_written_as_a_statement_is_dropped() {
    // Nothing awaits the Future of `asyncio.gather(...)` as a statement: the Tasks it makes
    // for the coroutines are held by that Future alone and are collected mid-flight, silently
    // (the script checks it under CPython); so with `shield`, and with Tasks kept elsewhere
    // nothing waits for them. Awaited, kept in a name that is awaited, returned, or handed
    // to `run_until_complete` or `wait_for`, it is not dropped.
    check(
        r#"
#- workers.py
import asyncio
import gc

state = {"finalized": 0, "finished": 0}


async def stuck():
    # Nothing but its own Task holds this Future.
    never = asyncio.get_running_loop().create_future()
    try:
        await never
        state["finished"] += 1
    finally:
        state["finalized"] += 1


async def quick():
    await asyncio.sleep(0)


class Pool:
    def __init__(self):
        self.tasks = []

    async def start(self):
        self.tasks.append(asyncio.create_task(quick()))

    async def close(self):
        asyncio.gather(*self.tasks, return_exceptions=True)


async def fire_and_forget():
    asyncio.gather(stuck(), stuck())
    asyncio.shield(quick())
    await asyncio.sleep(0.01)
    gc.collect()
    await asyncio.sleep(0.01)


async def waits():
    await asyncio.gather(quick(), quick())
    results = asyncio.gather(quick())
    await results
    await asyncio.wait_for(asyncio.gather(quick()), 1)
    return asyncio.shield(quick())


def blocking(loop):
    loop.run_until_complete(asyncio.gather(quick()))
#- main.py run
import asyncio
import workers


async def main():
    await workers.fire_and_forget()
    # The gathered Tasks were collected before they finished, and nobody was told.
    assert workers.state == {"finalized": 2, "finished": 0}, workers.state
    await (await workers.waits())
    pool = workers.Pool()
    await pool.start()
    await pool.close()


asyncio.run(main())
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
workers.blocking(loop)
"#,
        "workers.py:29: TL005\nworkers.py:33: TL005\nworkers.py:34: TL005",
    );
}
