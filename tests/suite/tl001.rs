//! TL001: plain Futures that reach code that needs a Task.

use crate::fixture::check;

#[test]
fn ensure_future_passes_a_future_through() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    task = asyncio.ensure_future(fut)
    print(task.get_name())

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn type_only_imports_under_constant_tests_still_name_task() {
    // `if False:` held type-only imports before `TYPE_CHECKING` existed, and some modules
    // write `TYPE_CHECKING = False` themselves: the code under them never runs, but what
    // annotations name comes from there (an import, an alias), as for a type checker.
    check(
        r#"
#- pkg/__init__.py
#- pkg/checked.py
import asyncio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from asyncio import Task

    Handle = Task[None]


def pending() -> "Handle":
    return asyncio.get_running_loop().create_future()
#- pkg/legacy.py
import asyncio

if False:  # for mypy
    from asyncio import Task


def waiter():
    # type: () -> Task[None]
    return asyncio.get_running_loop().create_future()
#- pkg/spawn.py
import asyncio


def spawn():
    return asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
from pkg.checked import pending
from pkg.legacy import waiter
from pkg.spawn import spawn


async def main():
    pending().set_result(None)
    waiter().set_result(None)
    print(spawn().get_name())


asyncio.run(main())
"#,
        "pkg/checked.py:11: TL001\npkg/legacy.py:9: TL001\npkg/spawn.py:5: TL001",
    );
}

#[test]
fn producers_across_modules_without_annotations() {
    check(
        r#"
#- jobs.py
import asyncio

async def step(n):
    return n

def batch():
    return asyncio.gather(step(1), step(2))

def guarded(coro):
    return asyncio.shield(coro)

def in_thread(loop):
    return loop.run_in_executor(None, print, "hi")

def wrapped(loop):
    import concurrent.futures
    pool = concurrent.futures.ThreadPoolExecutor(1)
    return asyncio.wrap_future(pool.submit(print, "x"), loop=loop)

def bare():
    return asyncio.Future()
#- main.py run
import asyncio
import jobs

async def main():
    loop = asyncio.get_running_loop()
    for job in [jobs.batch(), jobs.guarded(jobs.step(3)), jobs.in_thread(loop), jobs.wrapped(loop), jobs.bare()]:
        job.set_name("job")

asyncio.run(main())
"#,
        "
        jobs.py:7: TL001
        jobs.py:10: TL001
        jobs.py:13: TL001
        jobs.py:18: TL001
        jobs.py:21: TL001
        ",
    );
}

#[test]
fn asyncio_spellings_and_aliases() {
    check(
        r#"
#- main.py run
import asyncio as aio
import asyncio.tasks
from asyncio import ensure_future as ef
from asyncio.futures import Future

async def main():
    a = ef(aio.get_running_loop().create_future())
    b = asyncio.tasks.ensure_future(Future())
    a.get_coro()
    b.get_coro()

aio.run(main())
"#,
        "
        main.py:7: TL001
        main.py:8: TL001
        ",
    );
}

#[test]
fn a_package_imported_twice_is_one_import() {
    // `import asyncio.subprocess` binds `asyncio` as `import asyncio` does.
    check(
        r#"
#- jobs.py
import asyncio
import asyncio.subprocess

class Jobs(asyncio.Queue):
    def __init__(self, loop):
        super().__init__(loop=loop)

def make(loop) -> asyncio.Task:
    return loop.create_future()
"#,
        "
        jobs.py:6: TL006
        jobs.py:9: TL001
        ",
    );
}

#[test]
fn an_executors_submit_returns_a_concurrent_future() {
    check(
        r#"
#- main.py run
import asyncio
import concurrent.futures

def blocking():
    return 1

def track(task: asyncio.Task) -> str:
    return task.get_name()

async def main():
    with concurrent.futures.ThreadPoolExecutor() as pool:
        print(track(pool.submit(blocking)))

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn thread_runners_pass_their_arguments() {
    // `run_in_executor(None, f, x)`, `to_thread(f, x)`, `Thread(target=f, args=(x,))` and
    // `executor.submit(f, x)` call `f(x)` in a worker thread; `executor.map(f, xs, ys)` calls
    // `f(x, y)` per element.
    check(
        r#"
#- main.py run
import asyncio
import concurrent.futures
import threading

def name_of(job):
    return job.get_name()

def also_name_of(job):
    return job.get_name()

def thread_name_of(prefix, job):
    return prefix + job.get_name()

def pool_name_of(job):
    return job.get_name()

def mapped_name_of(job, prefix):
    return prefix + job.get_name()

async def main():
    loop = asyncio.get_running_loop()
    first, second, third, fourth = (loop.create_future() for _ in range(4))
    with concurrent.futures.ThreadPoolExecutor() as pool:
        try:
            list(pool.map(mapped_name_of, [loop.create_future()], ["job "]))
        except AttributeError:
            pass
    try:
        await loop.run_in_executor(None, name_of, first)
    except AttributeError:
        pass
    try:
        await asyncio.to_thread(also_name_of, second)
    except AttributeError:
        pass
    thread = threading.Thread(target=thread_name_of, args=("job ", third))
    thread.start()
    thread.join()
    with concurrent.futures.ThreadPoolExecutor() as pool:
        pool.submit(pool_name_of, fourth).result()

asyncio.run(main())
"#,
        "
        main.py:22: TL001
        main.py:25: TL001
        ",
    );
}

#[test]
fn calls_under_suppress_of_attribute_error_are_compatibility_code() {
    // `with suppress(AttributeError):` (or `Exception`) is a `try` that catches it; other
    // exceptions do not count.
    check(
        r#"
#- main.py run
import asyncio
import contextlib
from contextlib import suppress

def label(job):
    with contextlib.suppress(AttributeError):
        return job.get_name()
    with suppress(KeyError, Exception):
        job.set_name("x")
    return None

def strict(job):
    with suppress(KeyError):
        return job.get_name()

async def main():
    loop = asyncio.get_running_loop()
    print(label(loop.create_future()))
    print(strict(loop.create_future()))

asyncio.run(main())
"#,
        "main.py:19: TL001",
    );
}

#[test]
fn partials_given_to_loop_callbacks_and_thread_runners_pass_their_arguments() {
    check(
        r#"
#- main.py run
import asyncio
import functools

def labelled(prefix, job):
    return prefix + job.get_name()

def name_of(job):
    return job.get_name()

async def main():
    loop = asyncio.get_running_loop()
    later = loop.create_future()
    loop.call_soon(functools.partial(labelled, "job "), later)
    await asyncio.sleep(0)
    await loop.run_in_executor(None, functools.partial(name_of, loop.create_future()))

asyncio.run(main())
"#,
        "
        main.py:12: TL001
        main.py:15: TL001
        ",
    );
}

#[test]
fn run_coroutine_threadsafe_returns_a_concurrent_future() {
    check(
        r#"
#- main.py run
import asyncio
import threading

async def work():
    return 1

def submit(loop):
    return asyncio.run_coroutine_threadsafe(work(), loop)

loop = asyncio.new_event_loop()
thread = threading.Thread(target=loop.run_forever, daemon=True)
thread.start()
fut = submit(loop)
fut.result()
try:
    fut.get_name()
finally:
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
"#,
        "main.py:8: TL001",
    );
}

#[test]
fn shadowed_names_are_not_asyncio() {
    check(
        r#"
#- main.py run
import asyncio

def ensure_future(x):
    return asyncio.get_running_loop().create_task(x)

class Handle:
    def get_name(self):
        return "handle"

def make():
    return Handle()

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    t = ensure_future(work())
    print(t.get_name(), make().get_name())
    f = loop.create_future()
    f.set_result(1)

asyncio.run(main())
"#,
        "main.py:4: TL005",
    );
}

#[test]
fn tasks_are_never_reported() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    tasks = [
        asyncio.create_task(work()),
        loop.create_task(work()),
        asyncio.Task(work()),
        asyncio.ensure_future(work()),
    ]
    async with asyncio.TaskGroup() as tg:
        tasks.append(tg.create_task(work()))
    current = asyncio.current_task()
    for task in tasks:
        task.get_name()
    await asyncio.gather(*tasks)
    print(current.get_name())

asyncio.run(main())
"#,
        "main.py:12: TL002",
    );
}

#[test]
fn assignments_of_every_shape() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    a: asyncio.Future = loop.create_future()
    b, c = a, 1
    d = None
    d = d or b
    e = d if c else None
    if (f := e) is not None:
        pass
    g = [f]
    g += []
    (h,) = g
    h.uncancel()

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn arguments_keywords_and_defaults() {
    check(
        r#"
#- lib.py
def name_of(job=None, *, label="x"):
    return job.get_name()

def label_of(first, second):
    return second.get_name()
#- main.py run
import asyncio
from lib import name_of, label_of

async def main():
    loop = asyncio.get_running_loop()
    label_of(1, second=loop.create_future())
    name_of(loop.create_future())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:7: TL001
        ",
    );
}

#[test]
fn methods_attributes_and_instances() {
    check(
        r#"
#- service.py
import asyncio

class Service:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.waiter = None

    def arm(self):
        self.waiter = self.loop.create_future()

    @classmethod
    def build(cls, loop):
        return cls(loop)

class Watcher:
    def watch(self, service: Service):
        return service.waiter.get_name()
#- main.py run
import asyncio
from service import Service, Watcher

async def main():
    service = Service.build(asyncio.get_running_loop())
    service.arm()
    Watcher().watch(service)

asyncio.run(main())
"#,
        "service.py:9: TL001",
    );
}

#[test]
fn module_globals_and_global_statements() {
    check(
        r#"
#- state.py
import asyncio

current = None

def reset():
    global current
    current = asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
import state

async def main():
    state.reset()
    state.current.print_stack()

asyncio.run(main())
"#,
        "state.py:7: TL001",
    );
}

#[test]
fn concatenated_lists_keep_their_elements() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    futures = [loop.create_future()]
    tasks = [asyncio.create_task(asyncio.sleep(0))]
    both = tasks + futures
    repeated = [loop.create_future()] * 2
    for f in both + repeated:
        f.cancel()
    print(both[-1].get_name())

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        ",
    );
}

#[test]
fn calls_of_partials_reach_the_function() {
    check(
        r#"
#- main.py run
import asyncio
import functools

def label(prefix, task, suffix=""):
    return prefix + task.get_name() + suffix

async def main():
    loop = asyncio.get_running_loop()
    named = functools.partial(label, "task ", suffix="!")
    print(named(asyncio.create_task(asyncio.sleep(0))))
    print(named(loop.create_future()))

asyncio.run(main())
"#,
        "
        main.py:11: TL001
        ",
    );
}

#[test]
fn library_helpers_keep_container_elements() {
    check(
        r#"
#- main.py run
import asyncio
import copy
import heapq
import itertools

async def main():
    loop = asyncio.get_running_loop()
    heap = []
    heapq.heappush(heap, loop.create_future())
    heapq.heappop(heap).get_name()
    copy.copy([loop.create_future()])[0].get_name()
    next(itertools.chain([loop.create_future()], [])).get_name()
    min([loop.create_future()], key=id).get_name()
    max(loop.create_future(), loop.create_future(), key=id).get_name()
    list(filter(None, [loop.create_future()]))[0].get_name()
    {"k": loop.create_future()}.popitem()[1].get_name()
    next(iter([loop.create_future()])).get_name()

asyncio.run(main())
"#,
        "
        main.py:9: TL001
        main.py:11: TL001
        main.py:12: TL001
        main.py:13: TL001
        main.py:14: TL001
        main.py:14: TL001
        main.py:15: TL001
        main.py:16: TL001
        main.py:17: TL001
        ",
    );
}

#[test]
fn a_project_method_of_the_same_name_is_not_a_sink() {
    // Everything in the registry reaches every read of it. `client.get_name(...)` is the
    // project's own method on the object stored under "client"; `.get_stack()` is only
    // a Task's, and the Future stored under "pending" does reach it.
    check(
        r#"
#- main.py run
import asyncio

REGISTRY = {}

class Client:
    def get_name(self, key):
        return "client-" + key

async def main():
    REGISTRY["pending"] = asyncio.get_running_loop().create_future()
    REGISTRY["client"] = Client()
    print(REGISTRY["client"].get_name("x"))
    print(REGISTRY["pending"].get_stack())

asyncio.run(main())
"#,
        "
        main.py:10: TL001
        ",
    );
}

#[test]
fn subclasses_of_future_make_plain_futures() {
    check(
        r#"
#- main.py run
import asyncio

class Tracked(asyncio.Future):
    pass

class Named(asyncio.Future):
    def get_name(self):
        return "named"

class MyTask(asyncio.Task):
    pass

async def work():
    return 1

async def main():
    print(MyTask(work()).get_name())
    print(Named().get_name())
    print(Tracked().get_name())

asyncio.run(main())
"#,
        "
        main.py:19: TL001
        ",
    );
}

#[test]
fn ordered_dicts_and_dicts_from_keys_are_containers() {
    check(
        r#"
#- main.py run
import asyncio
import collections

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(work())
    jobs = collections.OrderedDict()
    jobs["t"] = task
    print(jobs["t"].get_name())
    waiting = dict.fromkeys(["a", "b"], task)
    print(waiting["a"].get_name())
    await task
    pending = collections.OrderedDict.fromkeys(["c"], loop.create_future())
    for key in pending:
        print(key)
    jobs["f"] = loop.create_future()
    for job in jobs.values():
        job.get_name()
    describe(pending)

def describe(table):
    for value in table.values():
        print(value.get_name())

asyncio.run(main())
"#,
        "
        main.py:16: TL001
        main.py:19: TL001
        ",
    );
}

#[test]
fn containers_in_and_out() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    by_name = {}
    by_name.setdefault("a", loop.create_future())
    listed = [loop.create_future()]
    listed.insert(0, loop.create_future())
    bag = set()
    bag.add(loop.create_future())
    more = []
    more.extend(bag)
    table = {}
    table["k"] = loop.create_future()
    doubled = {k: v for k, v in table.items()}
    by_name.update(extra=loop.create_future())
    first, *rest = listed
    for job in by_name.values():
        job.get_stack()
    doubled["k"].get_stack()
    by_name.get("a").get_stack()
    first.get_stack()
    [*more][0].get_stack()

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:7: TL001
        main.py:8: TL001
        main.py:10: TL001
        main.py:14: TL001
        main.py:16: TL001
        ",
    );
}

#[test]
fn dicts_made_from_keyword_arguments_keep_their_keys() {
    check(
        r#"
#- main.py run
import asyncio
import collections

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    jobs = dict(worker=asyncio.create_task(work()), waiter=loop.create_future())
    print(jobs["worker"].get_name())
    ordered = collections.OrderedDict(reader=asyncio.gather(work()))
    for name, job in ordered.items():
        print(name, job.get_name())

asyncio.run(main())
"#,
        "main.py:11: TL001",
    );
}

#[test]
fn defaultdict_missing_keys_make_containers_of_the_factory() {
    // `d[k].append(x)` on a `defaultdict(list)` stores into the list a missing key makes.
    check(
        r#"
#- main.py run
import asyncio
from collections import defaultdict

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    running = defaultdict(set)
    waiters = defaultdict(list)
    running["a"].add(asyncio.create_task(work()))
    waiters["a"].append(loop.create_future())
    for tasks in running.values():
        for task in tasks:
            print(task.get_name())
    for name in list(waiters):
        for waiter in waiters[name]:
            print(waiter.get_name())

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn dict_values_under_constant_keys_stay_apart() {
    // A dict used as a record or a registry: what is stored under one constant key (a
    // string, or a module-level name) is not what is read under another.
    check(
        r#"
#- keys.py
WORKER = object()
PENDING = "pending"
#- main.py run
import asyncio
from keys import WORKER, PENDING

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    state = {"task": asyncio.create_task(work()), "waiter": loop.create_future()}
    registry = {}
    registry[WORKER] = asyncio.create_task(work())
    registry.setdefault(PENDING, loop.create_future())
    state["task"].get_name()
    registry[WORKER].set_name("worker")
    registry.get(WORKER).get_name()
    state["waiter"].set_result(None)
    registry[PENDING].set_result(None)
    await asyncio.gather(state["task"], registry[WORKER])

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn dict_reads_under_a_constant_key_see_the_same_key_and_unknown_keys() {
    // The same key spelled differently, and values stored under keys that are not
    // constants, still reach a constant-key read.
    check(
        r#"
#- keys.py
WAITER = "waiter"
#- main.py run
import asyncio
from keys import WAITER

async def main(names):
    loop = asyncio.get_running_loop()
    state = {}
    state[WAITER] = loop.create_future()
    jobs = {}
    for name in names:
        jobs[name] = loop.create_future()
    print(state["waiter"].get_name())
    print(jobs["a"].get_name())

asyncio.run(main(["a"]))
"#,
        "
        main.py:7: TL001
        main.py:10: TL001
        ",
    );
}

#[test]
fn a_parameter_handed_back_comes_back_to_its_own_caller() {
    // A helper that returns its argument gives each caller what that caller passed: the
    // Future one caller registers does not turn up at another caller's Task.
    check(
        r#"
#- track.py
import logging

log = logging.getLogger(__name__)
pending = []

def track(job, *, label=""):
    pending.append(job)
    log.debug("tracking %s %s", label, job)
    return job

def keep(job=None):
    if job is None:
        return None
    return job
#- main.py run
import asyncio
from track import track, keep

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = track(asyncio.create_task(work()))
    waiter = track(loop.create_future(), label="waiter")
    same = keep(job=task)
    picked = (lambda job: job)(task)
    print(task.get_name(), same.get_name(), picked.get_name())
    waiter.set_result(None)
    await asyncio.gather(task, waiter)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn an_element_or_attribute_of_a_parameter_comes_back_from_its_own_argument() {
    // `return jobs[0]` and `return box.task` read the argument of each call, not the
    // arguments of every call.
    check(
        r#"
#- helpers.py
def first(jobs):
    return jobs[0]

def task_of(box):
    return box.task

class TaskBox:
    def __init__(self, task):
        self.task = task

class FutureBox:
    def __init__(self, fut):
        self.task = fut
#- main.py run
import asyncio
from helpers import first, task_of, TaskBox, FutureBox

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = first([asyncio.create_task(work())])
    boxed = TaskBox(asyncio.create_task(work()))
    print(task.get_name(), task_of(boxed).get_name())
    waiter = first([loop.create_future()])
    other = FutureBox(loop.create_future())
    print(task_of(other).get_name())

asyncio.run(main())
"#,
        "
        main.py:13: TL001
        ",
    );
}

#[test]
fn branches_unpacking_and_locals_of_a_parameter_come_back_from_their_own_argument() {
    // `x if c else None` with each branch passing the parameter through, `key, value =
    // pair`, and a local holding one step into the parameter give each call its own.
    check(
        r#"
#- helpers.py
def last(jobs):
    return jobs[-1] if jobs else None

def value_of(pair):
    key, value = pair
    return value

def task_of(box):
    task = box.task
    return task

def chosen(first, second, flag):
    return first if flag else second if second is not None else None

def pick(jobs, key):
    return jobs.get(key)

def lookup(source, key):
    return source.get(key)

class Registry:
    def __init__(self, job):
        self.jobs = {"job": job}

    def get(self, key):
        return self.jobs[key]

class Box:
    def __init__(self, task):
        self.task = task

class FutureBox:
    def __init__(self, fut):
        self.task = fut
#- main.py run
import asyncio
from helpers import last, value_of, task_of, chosen, pick, lookup, Box, FutureBox, Registry

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(work())
    print(last([task]).get_name(), last([loop.create_future()]))
    print(value_of(("t", task)).get_name(), value_of(("f", loop.create_future())))
    print(task_of(Box(task)).get_name(), task_of(FutureBox(loop.create_future())))
    print(chosen(task, None, True).get_name(), chosen(loop.create_future(), None, False))
    print(pick({"t": task}, "t").get_name(), pick({"f": loop.create_future()}, "f"))
    print(lookup(Registry(loop.create_future()), "job").get_name())

asyncio.run(main())
"#,
        "
        main.py:15: TL001
        ",
    );
}

#[test]
fn new_containers_of_a_parameters_elements_come_back_from_their_own_argument() {
    // `list(param)`, `sorted(param, ...)`, `[x for x in param]` (with conditions that narrow
    // nothing), `[ensure_future(x) for x in param]` (also through a local nothing reads
    // before the `return`) and a loop variable over the parameter give each call what its
    // own argument holds; a comprehension that narrows, or a local that may have been added
    // to, stays the function's own result.
    check(
        r#"
#- helpers.py
import asyncio

def start_all(aws):
    return [asyncio.ensure_future(a) for a in aws]

def as_list(items):
    return list(items)

def by_id(items):
    return sorted(items, key=id)

def pending(futs):
    return {f for f in futs if not f.done()}

def first_pending(futs):
    for f in futs:
        if not f.done():
            return f
    return None

def tasks_only(aws):
    return [a for a in aws if isinstance(a, asyncio.Task)]

def start_named(aws):
    tasks = [asyncio.ensure_future(a) for a in aws]
    return tasks

def collected(items, extra):
    found = list(items)
    found.append(extra)
    return found

def frozen(items):
    return tuple(items)
#- main.py run
import asyncio
from helpers import start_all, as_list, by_id, pending, first_pending, tasks_only, start_named, collected, frozen

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    started = start_all([work()])
    started[0].set_name("started")
    await asyncio.gather(*start_all([loop.run_in_executor(None, abs, -1)]), *started)
    task = asyncio.create_task(work())
    print(as_list([task])[0].get_name(), as_list([loop.create_future()]))
    print(by_id((task,))[0].get_name(), by_id([asyncio.shield(task)]))
    print(pending({task}).pop().get_name(), pending([loop.create_future()]))
    print(tasks_only([loop.create_future(), task])[0].get_name())
    print(first_pending([task]).get_name(), first_pending([loop.create_future()]))
    print(start_named([task])[0].get_name(), start_named([loop.create_future()]))
    await task
    by_id([loop.create_future()])[0].get_name()

def report(loop, task):
    for job in collected([task], loop.create_future()):
        print(job.get_name())
    print(frozen([task])[0].get_name(), frozen([loop.create_future()])[0].get_name())

asyncio.run(main())
"#,
        "
        main.py:20: TL001
        main.py:23: TL001
        main.py:25: TL001
        ",
    );
}

#[test]
fn context_manager_generators_bind_what_they_yield() {
    check(
        r#"
#- main.py run
import asyncio
import contextlib

@contextlib.asynccontextmanager
async def waiting():
    fut = asyncio.get_running_loop().create_future()
    try:
        yield fut
    finally:
        fut.cancel()

@contextlib.contextmanager
def working():
    task = asyncio.get_running_loop().create_task(asyncio.sleep(0))
    yield task

async def main():
    with working() as task:
        print(task.get_name())
    async with waiting() as waiter:
        print(waiter.get_name())

asyncio.run(main())
"#,
        "main.py:6: TL001",
    );
}

#[test]
fn a_method_returning_self_gives_back_its_receiver() {
    // Fluent methods and `__enter__` inherited from a base class give back the object they
    // were called on, not any instance of the base: `Working().start().job()` is Working's.
    check(
        r#"
#- main.py run
import asyncio

class Base:
    def start(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def job(self):
        return None

class Waiting(Base):
    def job(self):
        return asyncio.get_running_loop().create_future()

class Working(Base):
    def job(self):
        return asyncio.create_task(asyncio.sleep(0))

async def main():
    task = Working().start().job()
    with Working() as worker:
        other = worker.job()
    waiter = Waiting().start().job()
    print(task.get_name(), other.get_name())
    waiter.set_result(None)
    await asyncio.gather(task, other, waiter)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_helper_returning_ensure_future_of_its_argument_answers_each_caller() {
    // `schedule(work)` returns `ensure_future(work)`: a caller that passes a coroutine gets
    // a Task, one that passes a Future gets that Future back, and neither gets the other's.
    check(
        r#"
#- jobs.py
import asyncio

def schedule(work):
    return asyncio.ensure_future(work)
#- main.py run
import asyncio
from jobs import schedule

async def job():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = schedule(job())
    waiter = schedule(loop.create_future())
    print(task.get_name())
    print(waiter.get_name())

asyncio.run(main())
"#,
        "
        jobs.py:4: TL005
        main.py:10: TL001
        ",
    );
}

#[test]
fn a_helper_that_tracks_what_ensure_future_made_answers_each_caller() {
    // `task = ensure_future(coro); TASKS.add(task); return task`, and the parameter
    // rebound (`coro = ensure_future(coro)`): each caller gets what its own argument makes.
    check(
        r#"
#- jobs.py
import asyncio

TASKS = set()

def spawn(coro):
    task = asyncio.ensure_future(coro)
    TASKS.add(task)
    task.add_done_callback(TASKS.discard)
    return task

def again(coro):
    coro = asyncio.ensure_future(coro)
    return coro
#- main.py run
import asyncio
from jobs import spawn, again

async def job():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = spawn(job())
    other = again(job())
    waiter = spawn(loop.create_future())
    third = again(loop.create_future())
    print(task.get_name(), other.get_name())
    third.set_result(None)
    print(waiter.get_name())

asyncio.run(main())
"#,
        "
        jobs.py:12: TL005
        main.py:11: TL001
        ",
    );
}

#[test]
fn one_finding_per_line_to_change() {
    // Two parameters that admit Futures are forwarded by the same `ensure_future`: one
    // finding there, listing every place that needs a Task.
    check(
        r#"
#- main.py
import asyncio
from typing import Awaitable

class Conn:
    def __init__(self):
        self.tasks: set[asyncio.Task] = set()

    def create_task(self, coro: Awaitable[None]) -> "asyncio.Task[None]":
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        return task

class Auth:
    def __init__(self, conn: Conn, coro: Awaitable[None]):
        self.task: asyncio.Task = conn.create_task(coro)
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn spread_arguments_reach_the_parameters_no_argument_names() {
    // `f(*args)` gives each positional parameter an element of `args`, `f(**kwargs)` each
    // named one a value of `kwargs`; a function handing one back gives each call what that
    // call spread (`first` is called with a Future by both forwarders, only one of whose
    // results reaches a Task-only method).
    check(
        r#"
#- main.py run
import asyncio

def first(x, y=None):
    return x

def forward(*args):
    return first(*args)

def forward_kw(**kwargs):
    return first(**kwargs)

def call(f, *args, **kwargs):
    return f(*args, **kwargs)

def name_of(job, default=None):
    return job.get_name()

async def main():
    loop = asyncio.get_running_loop()
    kept = loop.create_future()
    forward_kw(x=kept).cancel()
    named = loop.create_future()
    forward(named).get_name()
    call(name_of, loop.create_future())

asyncio.run(main())
"#,
        "main.py:22: TL001\nmain.py:24: TL001",
    );
}

#[test]
fn named_tuples_made_by_a_call_hold_their_fields() {
    // `namedtuple(...)` and `NamedTuple(...)` make classes whose constructors store their
    // fields, read back by name, by index and by unpacking.
    check(
        r#"
#- main.py run
import asyncio
from collections import namedtuple
from typing import Any, NamedTuple

Pending = namedtuple("Pending", "name waiter")
Entry = NamedTuple("Entry", [("name", str), ("job", Any)])

async def work():
    return 1

def start(entry):
    name, job = entry
    return asyncio.ensure_future(job)

def waiter_of(pending):
    return pending[1]

async def main():
    loop = asyncio.get_running_loop()
    await start(Entry("a", work()))
    pending = Pending(name="c", waiter=loop.create_future())
    print(pending.name)
    waiter_of(pending).get_name()

asyncio.run(main())
"#,
        "main.py:13: TL002\nmain.py:21: TL001",
    );
}

#[test]
fn awaiting_a_coroutine_that_hands_back_its_argument_gives_that_argument() {
    // The same for `async def` helpers: awaiting one call's coroutine gives what that call
    // passed (or `ensure_future` of it), not what every call passed.
    check(
        r#"
#- main.py run
import asyncio

async def spawn(coro):
    return asyncio.ensure_future(coro)

async def hand_back(job):
    await asyncio.sleep(0)
    return job

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    task = await spawn(work())
    waiter = await spawn(loop.create_future())
    same = await hand_back(task)
    fut = await hand_back(loop.create_future())
    print(task.get_name(), same.get_name())
    fut.set_result(None)
    print(waiter.get_name())

asyncio.run(main())
"#,
        "main.py:16: TL001",
    );
}

#[test]
fn a_future_handed_back_by_a_helper_is_still_followed() {
    check(
        r#"
#- track.py
def track(job):
    return job

def first_or(jobs, default):
    if jobs:
        return jobs[0]
    return default
#- main.py run
import asyncio
from track import track, first_or

async def main():
    loop = asyncio.get_running_loop()
    waiter = track(loop.create_future())
    print(first_or([], loop.create_future()).get_name())
    print(waiter.get_name())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:7: TL001
        ",
    );
}

#[test]
fn cast_and_done_callbacks_pass_the_future_on() {
    check(
        r#"
#- main.py run
import asyncio
from typing import cast

def on_done(fut):
    fut.get_name()

async def main():
    loop = asyncio.get_running_loop()
    task = cast(asyncio.Task, loop.create_future())
    task.add_done_callback(on_done)
    task.set_result(None)
    await asyncio.sleep(0)
    task.get_name()

asyncio.run(main())
"#,
        "
        main.py:9: TL007
        main.py:9: TL001
        ",
    );
}

#[test]
fn isinstance_guards_stop_the_flow() {
    check(
        r#"
#- main.py run
import asyncio
from asyncio import Task
from typing import Generator

def describe(job):
    if isinstance(job, asyncio.Task):
        return job.get_name()
    return "future"

def strict(job):
    assert isinstance(job, Task)
    return job.get_name()

def early(job):
    if not isinstance(job, Task):
        return None
    return job.get_name()

def inline(job):
    return job.get_name() if isinstance(job, Task) else None

def coroutine_only(job):
    if asyncio.iscoroutine(job):
        return asyncio.ensure_future(job).get_name()
    if asyncio.isfuture(job):
        return None
    return job.get_name()

def not_a_future(job):
    if isinstance(job, asyncio.Future):
        return None
    return job.get_name()

def other_types(job):
    if isinstance(job, (str, Generator)):
        return job.get_name()
    return None

def matched(job):
    match job:
        case Task() as task:
            return job.get_name(), task.get_name()
        case _:
            return None

def optional(job):
    if isinstance(job, Task) or job is None:
        return job and job.get_name()
    return None

def exact(job):
    if type(job) is asyncio.Task:
        return job.get_name()
    if Task != type(job):
        return None
    return job.get_name()

async def main():
    fut = asyncio.get_running_loop().create_future()
    print(describe(fut), early(fut), inline(fut), coroutine_only(fut), not_a_future(fut), other_types(fut))
    print(exact(fut), matched(fut), optional(fut))
    try:
        strict(fut)
    except AssertionError:
        pass

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn guards_that_fail_as_a_whole() {
    check(
        r#"
#- main.py run
import asyncio
from asyncio import Task

def plain_futures_return_early(job):
    if isinstance(job, asyncio.Future) and not isinstance(job, Task):
        return "future"
    return job.get_name()

def negated(job):
    if not (job is not None and not hasattr(job, "get_name")):
        return job and job.get_name()
    return None

def done_tasks_return_early(job):
    if isinstance(job, Task) and job.done():
        return None
    return job.get_name()

async def main():
    fut = asyncio.get_running_loop().create_future()
    print(plain_futures_return_early(fut), negated(fut))
    print(done_tasks_return_early(fut))

asyncio.run(main())
"#,
        "main.py:20: TL001",
    );
}

#[test]
fn guards_on_names_a_walrus_binds() {
    // `isinstance(job := ..., Task)` narrows `job`; a walrus in the first operand of `and`
    // (or of a name bound nowhere else) keeps its value after the test for the narrowing
    // that follows.
    check(
        r#"
#- main.py run
import asyncio

def name_of(registry, key):
    if isinstance(job := registry.get(key), asyncio.Task):
        return job.get_name()
    if (other := registry.get(key)) is not None and isinstance(other, asyncio.Task):
        return other.get_name()
    if key and isinstance(third := registry.get(key), asyncio.Task):
        return third.get_name()
    return None

def unguarded(registry, key):
    if (job := registry.get(key)) is not None:
        return job.get_name()
    return None

async def main():
    loop = asyncio.get_running_loop()
    registry = {"f": loop.create_future()}
    print(name_of(registry, "f"))
    print(unguarded({"g": loop.create_future()}, "g"))

asyncio.run(main())
"#,
        "main.py:21: TL001",
    );
}

#[test]
fn a_module_level_declaration_holds_for_every_write() {
    // `current: Optional[Task]` at module level: `global current` in a function and
    // `state.current = ...` from another module are writes of a Task too.
    check(
        r#"
#- state.py
import asyncio
from typing import Optional

current: Optional[asyncio.Task] = None

def set_current(job):
    global current
    current = job
#- main.py run
import asyncio
import state

async def main():
    loop = asyncio.get_running_loop()
    state.set_current(loop.create_future())
    state.current = asyncio.gather()
    print(loop.create_future().get_name())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:7: TL001
        main.py:8: TL001
        ",
    );
}

#[test]
fn a_local_declaration_holds_for_every_write_in_its_function() {
    // `job: Optional[Task] = None`, then `job = ...` in a branch or a loop: type checkers
    // hold every write to the declared type, and the last one reaches `.get_name()`.
    // `done` is declared a Future, and a closure's `nonlocal` write counts too.
    check(
        r#"
#- main.py run
import asyncio
from typing import Optional

def pick(futures):
    job: Optional[asyncio.Task] = None
    for fut in futures:
        job = asyncio.ensure_future(fut)
    return job

def later(loop):
    handle: asyncio.Task

    def make():
        nonlocal handle
        handle = loop.create_future()

    make()
    return handle

async def main():
    loop = asyncio.get_running_loop()
    done: Optional[asyncio.Future] = None
    done = loop.create_future()
    done.set_result(None)
    print(later(loop).done())
    print(pick([loop.run_in_executor(None, print)]).get_name())

asyncio.run(main())
"#,
        "
        main.py:15: TL001
        main.py:26: TL001
        ",
    );
}

#[test]
fn a_typed_dict_annotation_holds_a_plain_dict() {
    // A `TypedDict` annotates plain dicts: the dict a variable or a parameter annotated
    // with one holds is followed, not filtered out as not an instance of the class.
    check(
        r#"
#- main.py run
import asyncio
from typing import TypedDict

class JobState(TypedDict):
    name: str
    handle: asyncio.Future

def describe(state: JobState) -> str:
    return state["handle"].get_name()

async def main():
    loop = asyncio.get_running_loop()
    state: JobState = {"name": "x", "handle": loop.create_future()}
    print(describe({"name": "y", "handle": loop.create_future()}))
    print(state["handle"].get_name())

asyncio.run(main())
"#,
        "
        main.py:13: TL001
        main.py:14: TL001
        ",
    );
}

#[test]
fn overload_signatures_are_not_called() {
    // At run time the last `def` replaces each `@overload`: its annotations are no sinks.
    check(
        r#"
#- main.py run
import asyncio
from typing import overload

@overload
def track(x: asyncio.Task) -> str: ...
@overload
def track(x: asyncio.Future) -> int: ...
def track(x):
    x.cancel()
    return 1

class Registry:
    @overload
    def add(self, x: asyncio.Task) -> None: ...
    @overload
    def add(self, x: "asyncio.Future[int]") -> None: ...
    def add(self, x):
        x.cancel()

async def main():
    track(asyncio.get_running_loop().create_future())
    Registry().add(asyncio.gather())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn annotation_sinks_in_every_spelling() {
    check(
        r#"
#- sinks.py
from __future__ import annotations

import asyncio
import typing
from typing import Optional

def returns_task(loop) -> asyncio.Task[None]:
    return loop.create_future()

def takes_task(task: "asyncio.Task[int]") -> None:
    pass

def optional(loop) -> Optional[asyncio.Task]:
    x: asyncio.Task | None = loop.create_future()
    return None

class Holder:
    current: typing.Optional[asyncio.Task[None]]
    by_name: dict[str, asyncio.Task[None]]

    def __init__(self, loop):
        self.current = loop.create_future()
        self.by_name = {}
        self.by_name["x"] = loop.create_future()
        self.queue: list[asyncio.Task] = [loop.create_future()]

def caller(loop):
    takes_task(loop.create_future())
"#,
        "
        sinks.py:8: TL001
        sinks.py:14: TL001
        sinks.py:22: TL001
        sinks.py:24: TL001
        sinks.py:25: TL001
        sinks.py:28: TL001
        ",
    );
}

#[test]
fn awaitable_parameter_forwarded_as_a_task() {
    check(
        r#"
#- spawn.py
import asyncio
from typing import Awaitable, TypeVar

T = TypeVar("T")

def spawn(aw: Awaitable[T]) -> "asyncio.Task[T]":
    return asyncio.ensure_future(aw)

def spawn_coro(coro) -> asyncio.Task:
    return asyncio.ensure_future(coro)
"#,
        "spawn.py:7: TL001",
    );
}

#[test]
fn many_futures_through_one_registry_are_each_reported() {
    // Past 16 Futures a node summarises the rest: each must still be found, with its way in.
    const COUNT: usize = 20;
    let makers: String = (0..COUNT)
        .map(|i| {
            format!("\ndef make_{i}(loop):\n    fut = loop.create_future()\n    PENDING.append(fut)\n    return fut\n")
        })
        .collect();
    let calls: String = (0..COUNT).map(|i| format!("    make_{i}(loop)\n")).collect();
    let fixture = format!(
        "#- main.py run\nimport asyncio\n\nPENDING = []\n{makers}\nasync def main():\n    loop = asyncio.get_running_loop()\n{calls}    for fut in list(PENDING):\n        print(fut.get_name())\n\nasyncio.run(main())\n"
    );
    // `fut = loop.create_future()` is line 6 of the first maker, each maker 5 lines on.
    let expected: String = (0..COUNT).map(|i| format!("main.py:{}: TL001\n", 6 + 5 * i)).collect();
    check(&fixture, &expected);
}

#[test]
fn match_patterns_bind_the_parts_they_capture() {
    check(
        r#"
#- main.py run
import asyncio
from dataclasses import dataclass

@dataclass
class Job:
    name: str
    waiter: asyncio.Future

def describe(message):
    match message:
        case {"kind": "job", "task": task}:
            return task.get_name()
        case Job(waiter=waiter):
            return waiter.done()
        case [first, *_] | (first,):
            return first.done()
        case other:
            return repr(other)

async def main():
    loop = asyncio.get_running_loop()
    describe(Job("a", loop.create_future()))
    describe([loop.create_future()])
    describe("text")
    describe({"kind": "job", "task": loop.create_future()})

asyncio.run(main())
"#,
        "main.py:25: TL001",
    );
}

#[test]
fn container_protocols_of_project_classes() {
    check(
        r#"
#- registry.py
class Registry:
    def __init__(self):
        self._items = {}

    def __setitem__(self, key, value):
        self._items[key] = value

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items.values())


class Cursor:
    def __init__(self, items):
        self._items = list(items)

    def __iter__(self):
        return self

    def __next__(self):
        if not self._items:
            raise StopIteration
        return self._items.pop()


class Batch:
    def __init__(self, *jobs):
        self.jobs = jobs

    def __iter__(self):
        yield from self.jobs


class Endless:
    def __iter__(self):
        return Endless()


def never_called():
    for item in Endless():
        item.get_name()
#- main.py run
import asyncio
from registry import Batch, Cursor, Registry

async def main():
    loop = asyncio.get_running_loop()
    waiting = Registry()
    waiting["a"] = loop.create_future()
    for job in Batch(asyncio.create_task(asyncio.sleep(0)), asyncio.gather()):
        print(job.get_name())
    for job in Cursor([asyncio.create_task(asyncio.sleep(0)), asyncio.shield(asyncio.sleep(0))]):
        print(job.get_name())
    for job in waiting:
        print(job.done())
    print(waiting["a"].get_name())

asyncio.run(main())
"#,
        "
        main.py:7: TL001
        main.py:8: TL001
        main.py:10: TL001
        ",
    );
}

#[test]
fn async_iteration_protocols_of_project_classes() {
    check(
        r#"
#- main.py run
import asyncio

class Jobs:
    def __init__(self, loop):
        self._items = [loop.create_future()]

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self._items:
            raise StopAsyncIteration
        return self._items.pop()

class Stream:
    def __init__(self, loop):
        self.loop = loop

    async def __aiter__(self):
        yield self.loop.create_future()

async def main():
    loop = asyncio.get_running_loop()
    async for item in Stream(loop):
        print(item.done())
    async for job in Jobs(loop):
        print(job.get_name())

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn defaults_of_lookups_are_what_they_may_give() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    jobs = {}
    for job in (
        jobs.get("a", loop.create_future()),
        jobs.pop("b", asyncio.gather()),
        next(iter([]), asyncio.shield(asyncio.sleep(0))),
        getattr(loop, "current_job", loop.create_future()),
    ):
        print(job.get_name())

asyncio.run(main())
"#,
        "
        main.py:7: TL001
        main.py:8: TL001
        main.py:9: TL001
        main.py:10: TL001
        ",
    );
}

#[test]
fn property_setters_take_what_is_assigned() {
    check(
        r#"
#- main.py run
import asyncio
from typing import Optional

class Holder:
    def __init__(self):
        self._task: Optional[asyncio.Task] = None

    @property
    def task(self):
        return self._task

    @task.setter
    def task(self, value):
        self._task = value

async def main():
    holder = Holder()
    holder.task = asyncio.get_running_loop().create_future()
    print(holder.task.get_name())

asyncio.run(main())
"#,
        "main.py:18: TL001",
    );
}

#[test]
fn elements_annotated_to_admit_futures_forwarded_as_tasks() {
    // typeshed types `ensure_future(Awaitable[T])` as `Task[T]`, so a type checker accepts
    // this; a caller passing `[loop.create_future()]` gets a plain Future back.
    check(
        r#"
#- waits.py
import asyncio
from typing import Awaitable, Iterable, List, Mapping

async def wait_all(aws: Iterable[Awaitable[int]]) -> List["asyncio.Task[int]"]:
    tasks = [asyncio.ensure_future(a) for a in aws]
    await asyncio.wait(tasks)
    return tasks

async def by_name(aws: Mapping[str, Awaitable[int]]) -> List[asyncio.Task]:
    return [asyncio.ensure_future(aw) for aw in aws.values()]

async def only_coroutines(coros: Iterable[Awaitable[int]]):
    return [asyncio.ensure_future(c) for c in coros]
#- main.py
import asyncio
from waits import by_name, only_coroutines, wait_all

async def job():
    return 1

async def main():
    print(await wait_all([job()]), await by_name({"a": job()}), await only_coroutines([job()]))
"#,
        "
        waits.py:5: TL001
        waits.py:10: TL001
        ",
    );
}

#[test]
fn unknown_values_never_produce_findings() {
    check(
        r#"
#- main.py
import asyncio
import somelib
from typing import Any

def anything(x: Any):
    return x.get_name()

async def main(loop):
    job = somelib.start()
    job.get_name()
    anything(job)
    asyncio.ensure_future(somelib.make()).get_name()
"#,
        "",
    );
}

#[test]
fn event_loops_from_every_source() {
    check(
        r#"
#- main.py
import asyncio

class Pool:
    def create_future(self):
        return asyncio.get_running_loop().create_task(asyncio.sleep(0))

class Runner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def start(self, loop: asyncio.AbstractEventLoop, thing):
        a = self.loop.create_future()
        b = loop.create_future()
        c = asyncio.get_event_loop().create_future()
        d = thing.create_future()
        e = Pool().create_future()
        for job in (a, b, c, d, e):
            job.get_name()
"#,
        "
        main.py:12: TL001
        main.py:13: TL001
        main.py:14: TL001
        main.py:15: TL001
        ",
    );
}

#[test]
fn tuple_positions_stay_apart() {
    check(
        r#"
#- main.py run
import asyncio
from collections import deque

async def main():
    loop = asyncio.get_running_loop()
    waiters = deque()
    task = asyncio.current_task()
    waiters.append((task, loop.create_future()))
    owner, fut = waiters.popleft()
    print(owner.get_name())
    pair = (loop.create_future(), task)
    pair[1].get_name()
    pair[0].get_name()

asyncio.run(main())
"#,
        "main.py:11: TL001",
    );
}

#[test]
fn what_an_init_stores_is_told_apart_per_constructed_class() {
    // One `__init__` stores a Task for one subclass and a Future for another: each
    // subclass sees its own (through `super().__init__` too); one constructed with a Future
    // that calls `.get_name()` still fails.
    check(
        r#"
#- workers.py
import asyncio

class Worker:
    def __init__(self, handle, name="worker"):
        self.handle = handle
        self.name = name

    def cancel(self):
        self.handle.cancel()

class TaskWorker(Worker):
    def describe(self):
        return self.handle.get_name()

class FutureWorker(Worker):
    def finish(self):
        self.handle.set_result(None)

class NamedWorker(Worker):
    def __init__(self, handle):
        super().__init__(handle, "named")

    def describe(self):
        return self.handle.get_name()

class Labelled(Worker):
    def label(self):
        return self.handle.get_name()
#- main.py run
import asyncio
from workers import FutureWorker, Labelled, NamedWorker, TaskWorker

async def work():
    await asyncio.sleep(0)

async def main():
    loop = asyncio.get_running_loop()
    task = TaskWorker(asyncio.create_task(work()))
    future = FutureWorker(loop.create_future())
    named = NamedWorker(asyncio.create_task(work()))
    print(task.describe(), named.describe())
    future.finish()
    for worker in (task, future, named):
        worker.cancel()
    Labelled(loop.create_future()).label()

asyncio.run(main())
"#,
        "main.py:16: TL001",
    );
}

#[test]
fn a_class_body_value_of_an_attribute_an_init_stores_is_read_by_subclasses() {
    check(
        r#"
#- main.py run
import asyncio

class Pool:
    jobs = []

    def __init__(self, jobs):
        if jobs:
            self.jobs = jobs

class TaskPool(Pool):
    def add(self, loop):
        self.jobs.append(loop.create_future())

    def names(self):
        return [job.get_name() for job in self.jobs]

async def main():
    pool = TaskPool(None)
    pool.add(asyncio.get_running_loop())
    print(pool.names())

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn subclass_overrides_and_attributes_are_dispatched() {
    check(
        r#"
#- base.py
import asyncio

class Worker:
    def make(self):
        return asyncio.get_running_loop().create_task(asyncio.sleep(0))

    def run(self):
        return self.make().get_name()

    def report(self):
        return self.current.get_name()

class FutureWorker(Worker):
    def make(self):
        return asyncio.get_running_loop().create_future()

    def start(self):
        self.current = asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
from base import FutureWorker

async def main():
    worker = FutureWorker()
    worker.start()
    worker.run()

asyncio.run(main())
"#,
        // `self.make().get_name()` on a real Task would drop it: only its name is kept.
        "
        base.py:5: TL005
        base.py:15: TL001
        base.py:18: TL001
        ",
    );
}

#[test]
fn future_parameters_are_reported_once_where_they_turn_into_tasks() {
    check(
        r#"
#- spawn.py
import asyncio
from typing import Awaitable

def spawn(aw: Awaitable[None]) -> asyncio.Task[None]:
    return asyncio.ensure_future(aw)

def relay(aw: Awaitable[None]):
    return spawn(aw)
"#,
        "spawn.py:5: TL001",
    );
}

#[test]
fn a_future_passed_where_a_future_is_accepted_is_the_callees_finding() {
    // `submit` promises to take a Future and stores it as a Task: that is the line to
    // change, not the caller's `create_future()`.
    check(
        r#"
#- main.py run
import asyncio
from typing import Optional

class Runner:
    def __init__(self):
        self.current: Optional[asyncio.Task] = None

    def submit(self, fut: asyncio.Future):
        self.current = fut

async def main():
    runner = Runner()
    runner.submit(asyncio.get_running_loop().create_future())
    print(runner.current.get_name())

asyncio.run(main())
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn task_only_calls_that_handle_attribute_error_are_not_sinks() {
    check(
        r#"
#- main.py run
import asyncio

def describe(job):
    try:
        return job.get_name()
    except AttributeError:
        return repr(job)

def careless(job):
    try:
        return job.get_name()
    except KeyError:
        return None

async def main():
    fut = asyncio.get_running_loop().create_future()
    print(describe(fut))
    careless(fut)

asyncio.run(main())
"#,
        "main.py:16: TL001",
    );
}

#[test]
fn generators_enumerate_zip_and_items() {
    check(
        r#"
#- main.py run
import asyncio

def pending(loop, n):
    for _ in range(n):
        yield loop.create_future()

async def main():
    loop = asyncio.get_running_loop()
    names = {"a": loop.create_future()}
    pairs = list(names.items())
    for label, job in pairs:
        print(label, job.done())
    for index, job in enumerate(pending(loop, 1)):
        print(index, job.done())
    for label, job in zip(["x"], [loop.create_future()]):
        print(label, job.done())
    for index, job in enumerate(pending(loop, 1)):
        job.get_name()

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn pairs_keep_indexes_apart() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    tasks = [asyncio.current_task()]
    for index, task in enumerate(tasks):
        print(index, task.get_name())
    for task, fut in zip(tasks, [loop.create_future()]):
        print(task.get_name(), fut.done())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn decorated_functions_keep_their_results() {
    check(
        r#"
#- main.py run
import asyncio
import functools

def callback(func):
    return func

@callback
def pending(loop):
    return loop.create_future()

@functools.lru_cache(maxsize=None)
def shared(loop):
    return loop.create_future()

async def work():
    return 1

@callback
def spawn(coro):
    return asyncio.ensure_future(coro)

async def main():
    loop = asyncio.get_running_loop()
    await spawn(work())
    shared(loop).cancelling()
    pending(loop).get_name()

asyncio.run(main())
"#,
        "
        main.py:9: TL001
        main.py:13: TL001
        main.py:20: TL002
        ",
    );
}

#[test]
fn dataclass_fields_take_constructor_arguments() {
    check(
        r#"
#- jobs.py
import asyncio
from dataclasses import dataclass, field

@dataclass
class Job:
    name: str
    task: asyncio.Task
    done: bool = False

@dataclass(frozen=True)
class Batch:
    jobs: list[asyncio.Task] = field(default_factory=list)
#- main.py run
import asyncio
from jobs import Job, Batch

async def main():
    loop = asyncio.get_running_loop()
    job = Job("a", loop.create_future())
    Job(name="b", task=asyncio.current_task())
    Batch([loop.create_future()])
    print(job.task.get_name())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:8: TL001
        ",
    );
}

#[test]
fn generators_and_tuples_annotated_with_tasks() {
    check(
        r#"
#- main.py run
import asyncio
from typing import AsyncIterator, Iterator, Tuple

def pending(loop, n) -> Iterator[asyncio.Task]:
    for _ in range(n):
        yield loop.create_future()

async def watch(loop) -> AsyncIterator["asyncio.Task[None]"]:
    yield asyncio.ensure_future(loop.create_future())

def pair(loop) -> Tuple[asyncio.Task, ...]:
    return (loop.create_future(), loop.create_future())

async def main():
    loop = asyncio.get_running_loop()
    async for _ in watch(loop):
        pass
    first, second = pair(loop)
    for t in pending(loop, 1):
        print(t.get_name())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:9: TL001
        main.py:12: TL001
        main.py:12: TL001
        ",
    );
}

#[test]
fn generators_and_tuples_that_take_tasks_or_futures() {
    check(
        r#"
#- main.py run
import asyncio
from typing import Generator

async def work():
    pass

def started(loop) -> Generator[asyncio.Task, None, asyncio.Future]:
    yield loop.create_task(work())
    return loop.create_future()

def both(loop) -> tuple[asyncio.Task, asyncio.Future]:
    return loop.create_task(work()), loop.create_future()

async def main():
    loop = asyncio.get_running_loop()
    tasks = list(started(loop))
    task, fut = both(loop)
    fut.set_result(None)
    await asyncio.gather(*tasks, task, fut)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn typed_dict_fields_that_say_task() {
    check(
        r#"
#- jobs.py
import asyncio
from typing import Optional, TypedDict

class Job(TypedDict):
    name: str
    task: "asyncio.Task[None]"

class Batch(Job, total=False):
    waiters: list[asyncio.Task]

def start(name, work):
    return Job(name=name, task=asyncio.ensure_future(work))

def describe(job: Optional[Job]) -> str:
    return job["name"] if job else ""

def batch(name, work, waiter) -> Batch:
    return {"name": name, "task": asyncio.create_task(work), "waiters": [waiter]}
#- main.py run
import asyncio
import copy
from jobs import Job, batch, describe, start

async def work():
    pass

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    describe({"name": "a", "task": asyncio.gather()})
    pending = batch("b", work(), loop.run_in_executor(None, print))
    await pending["task"]
    job = start("waiter", done)
    snapshot = copy.copy(job)
    print(snapshot["task"].get_name())

asyncio.run(main())
"#,
        "
        main.py:10: TL001
        main.py:11: TL001
        main.py:12: TL001
        ",
    );
}

#[test]
fn typed_dict_fields_that_take_tasks_or_futures() {
    check(
        r#"
#- main.py run
import asyncio
from typing import TypedDict

class Job(TypedDict):
    task: asyncio.Task
    pending: asyncio.Future
    note: str

async def work():
    pass

async def main():
    loop = asyncio.get_running_loop()
    job = Job(task=asyncio.create_task(work()), pending=loop.create_future(), note="x")
    other: Job = {"task": asyncio.ensure_future(work()), "pending": asyncio.gather(), "note": "y"}
    job["pending"].set_result(None)
    print(job["task"].get_name(), other["task"].get_name())
    await asyncio.gather(job["task"], other["task"], other["pending"])

asyncio.run(main())
"#,
        "main.py:15: TL002",
    );
}

#[test]
fn named_tuple_fields_take_constructor_arguments() {
    check(
        r#"
#- main.py run
import asyncio
import typing

class Job(typing.NamedTuple):
    name: str
    task: asyncio.Task

async def main():
    loop = asyncio.get_running_loop()
    job = Job("a", loop.create_future())
    Job(name="b", task=asyncio.current_task())
    print(job.task.get_name())

asyncio.run(main())
"#,
        "
        main.py:10: TL001
        ",
    );
}

#[test]
fn futures_created_by_a_decorator_wrapper() {
    check(
        r#"
#- deco.py
import asyncio
import functools

def to_thread(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return asyncio.get_running_loop().run_in_executor(None, fn, *args)
    return wrapper

def cached(fn):
    results = {}
    def wrapper(*args):
        if args not in results:
            results[args] = fn(*args)
        return results[args]
    return wrapper
#- main.py run
import asyncio
from deco import cached, to_thread

@to_thread
def blocking(n):
    return n

@cached
def name(n):
    return str(n)

async def main():
    print(name(1).upper())
    job = blocking(1)
    print(await job, job.get_name())

asyncio.run(main())
"#,
        "
        deco.py:7: TL001
        ",
    );
}

#[test]
fn decorator_classes_run_their_call_method() {
    // Calling a function decorated with a class calls the instance's `__call__`; its own
    // `self.fn(*args)` runs the function's body.
    check(
        r#"
#- deco.py
import asyncio

class in_thread:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        return asyncio.get_running_loop().run_in_executor(None, self.fn, *args)

class memo:
    def __init__(self, fn):
        self.fn = fn
        self.value = None

    def __call__(self):
        if self.value is None:
            self.value = self.fn()
        return self.value
#- main.py run
import asyncio
from deco import in_thread, memo

@in_thread
def blocking(n):
    return n

@memo
def settings():
    return {"debug": True}

async def main():
    print(settings()["debug"])
    job = blocking(1)
    print(await job, job.get_name())

asyncio.run(main())
"#,
        "
        deco.py:8: TL001
        ",
    );
}

#[test]
fn overrides_inherit_a_task_return_annotation() {
    check(
        r#"
#- runners.py
import abc
import asyncio

class Runner(abc.ABC):
    @abc.abstractmethod
    def start(self) -> "asyncio.Task[None]":
        ...

    def stop(self) -> asyncio.Task:
        return asyncio.current_task()

class FutureRunner(Runner):
    def start(self):
        return asyncio.get_running_loop().create_future()

class TaskRunner(Runner):
    def start(self):
        return asyncio.ensure_future(asyncio.sleep(0))

class AnnotatedRunner(Runner):
    def start(self) -> asyncio.Future:
        return asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
from runners import FutureRunner, Runner, TaskRunner

async def main():
    await TaskRunner().start()
    runner: Runner = FutureRunner()
    print(runner.start().get_name())

asyncio.run(main())
"#,
        "
        runners.py:14: TL001
        runners.py:18: TL002
        ",
    );
}

#[test]
fn realistic_service() {
    check(
        r#"
#- service/__init__.py
#- service/loop.py
import asyncio

loop = asyncio.new_event_loop()

def deferred():
    return loop.create_future()
#- service/scheduler.py
import asyncio
from typing import Dict, Union


class Scheduler:
    def __init__(self, loop=None):
        self._loop = loop or asyncio.get_event_loop()
        self.jobs: Dict[str, "asyncio.Task[None]"] = {}

    def schedule(self, name, coro_or_future):
        job = asyncio.ensure_future(coro_or_future, loop=self._loop)
        self.jobs[name] = job
        return job

    def rename_all(self):
        for name, job in self.jobs.items():
            job.set_name(name)


class Runner:
    def __init__(self, scheduler: Scheduler):
        self.scheduler = scheduler

    def _blocking(self):
        return 42

    def _make(self):
        return self._work()

    async def _work(self):
        return 1

    def start(self):
        loop = self.scheduler._loop
        self.scheduler.schedule("blocking", loop.run_in_executor(None, self._blocking))
        self.scheduler.schedule("work", self._make())
        loop.call_soon(lambda: asyncio.ensure_future(self._work()))
#- main.py run
import asyncio
from service.loop import loop, deferred
from service.scheduler import Runner, Scheduler


async def main():
    scheduler = Scheduler(asyncio.get_running_loop())
    Runner(scheduler).start()
    await asyncio.sleep(0.05)
    scheduler.rename_all()


if __name__ == "__main__":
    asyncio.run(main())
    pending: asyncio.Task = deferred()
"#,
        "
        service/loop.py:6: TL001
        service/scheduler.py:35: TL001
        service/scheduler.py:37: TL002
        service/scheduler.py:37: TL005
        ",
    );
}

#[test]
fn asyncio_wait_returns_what_it_was_given() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    jobs = [asyncio.create_task(work()), asyncio.gather(work())]
    done, pending = await asyncio.wait(jobs)
    for job in done:
        job.get_name()
    asyncio.ensure_future(asyncio.wait([loop.create_future()], timeout=0))

asyncio.run(main())
"#,
        "
        main.py:8: TL001
        main.py:12: TL002
        main.py:12: TL005
        ",
    );
}

#[test]
fn annotations_through_type_aliases() {
    check(
        r#"
#- types_.py
import asyncio
from typing import Awaitable, Dict, Optional, TypeAlias, TypeVar

TaskMap = Dict[str, "asyncio.Task[None]"]
MaybeTask = Optional[asyncio.Task]
type Handle = asyncio.Task[None]
Number = int
Declared: TypeAlias = asyncio.Task[None]
Quoted: TypeAlias = "asyncio.Task[None]"
Text: TypeAlias = "str"
AwaitableT = TypeVar("AwaitableT", bound="Awaitable[None]")
Either = TypeVar("Either", asyncio.Task, asyncio.Future)
Anything = TypeVar("Anything")
#- main.py
import asyncio
import types_
from types_ import TaskMap, MaybeTask, Number, Declared, Quoted, Text, AwaitableT, Either, Anything

def register(loop, registry: TaskMap, count: Number) -> types_.Handle:
    registry["x"] = loop.create_future()
    current: MaybeTask = loop.create_future()
    declared: Declared | None = loop.create_future()
    quoted: "Quoted" = loop.create_future()
    text: Text = loop.create_future()
    return loop.create_future()

def bounded(aw: AwaitableT) -> "asyncio.Task[None]":
    return asyncio.ensure_future(aw)

def constrained(aw: Either) -> "asyncio.Task[None]":
    return asyncio.ensure_future(aw)

def unbounded(aw: Anything) -> "asyncio.Task[None]":
    return asyncio.ensure_future(aw)
"#,
        "
        main.py:6: TL001
        main.py:7: TL001
        main.py:8: TL001
        main.py:9: TL001
        main.py:11: TL001
        main.py:14: TL001
        main.py:17: TL001
        ",
    );
}

#[test]
fn loop_callbacks_receive_their_arguments() {
    check(
        r#"
#- main.py run
import asyncio

class Watcher:
    def report(self, label, job):
        print(label, job.get_name())

async def main():
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda loop, context: errors.append(context["exception"]))
    watcher = Watcher()
    fut = loop.create_future()
    loop.call_later(0, watcher.report, "later", fut)
    loop.call_soon(watcher.report, "soon", fut)
    await asyncio.sleep(0.01)
    raise errors[0]

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn partial_done_callbacks_receive_the_future_after_bound_arguments() {
    check(
        r#"
#- main.py run
import asyncio
import functools
from functools import partial

def reap(registry, label, task):
    registry.discard(task)
    print(label, task.get_name())

async def main():
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda loop, context: errors.append(context["exception"]))
    registry = set()
    fut = asyncio.ensure_future(loop.run_in_executor(None, int))
    registry.add(fut)
    fut.add_done_callback(partial(reap, registry, "job"))
    fut.add_done_callback(functools.partial(print, "done"))
    await fut
    await asyncio.sleep(0.01)
    raise errors[0]

asyncio.run(main())
"#,
        "main.py:14: TL001",
    );
}

#[test]
fn module_names_created_by_global_statements() {
    check(
        r#"
#- main.py run
import asyncio

def arm():
    global pending
    pending = asyncio.get_running_loop().create_future()

def name():
    return pending.get_name()

async def main():
    arm()
    name()

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn queues_carry_futures_from_put_to_get() {
    check(
        r#"
#- cleaner.py
import asyncio


class Cleaner:
    def __init__(self):
        self.tasks: asyncio.Queue[asyncio.Task] = asyncio.Queue()
        self.plain = asyncio.LifoQueue()

    def schedule(self, aw):
        self.tasks.put_nowait(asyncio.ensure_future(aw))

    async def later(self, item):
        await self.plain.put(item)

    async def drain(self):
        real = self.plain.get_nowait()
        print(real.get_name())
        task = await self.tasks.get()
        print(task.get_name())
#- main.py run
import asyncio
from cleaner import Cleaner


async def work():
    return 1


async def main():
    c = Cleaner()
    await c.later(asyncio.create_task(work()))
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    c.schedule(fut)
    await c.drain()

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn type_comments_are_annotations() {
    check(
        r#"
#- conn.py
import asyncio
from typing import Awaitable, Optional


class Conn(object):
    def __init__(self, loop):
        self._loop = loop
        self._task = None  # type: Optional[asyncio.Task]
        self._waiter = None  # type: Optional[asyncio.Future]

    def start(self):
        self._task = self._loop.create_future()
        self._waiter = self._loop.create_future()

    def spawn(self, aw):
        # type: (Awaitable[None]) -> asyncio.Task
        return asyncio.ensure_future(aw)

    def keep(self, t):  # type: (asyncio.Task) -> None
        print(t.get_name())
#- main.py run
import asyncio
from conn import Conn


async def main():
    c = Conn(asyncio.get_running_loop())
    pending = c._loop.run_in_executor(None, print)  # type: asyncio.Task
    await pending
    c.start()
    c.keep(asyncio.gather())

asyncio.run(main())
"#,
        "
        conn.py:12: TL001
        conn.py:17: TL001
        main.py:7: TL001
        main.py:10: TL001
        ",
    );
}

#[test]
fn reading_a_task_only_method_is_a_sink() {
    check(
        r#"
#- main.py run
import asyncio


def later(loop, fut):
    loop.call_soon(fut.get_name)


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    later(loop, task)
    later(loop, asyncio.gather())
    await task

asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn star_args_and_kwargs_carry_their_arguments() {
    check(
        r#"
#- helpers.py
import asyncio


def names(*tasks):
    return [t.get_name() for t in tasks]


def first(*tasks):
    return tasks[0]


def count(*tasks: asyncio.Task):
    return len(tasks)


def by_key(**named):
    return {key: task.get_name() for key, task in named.items()}


def forward(*tasks):
    return names(*tasks)
#- main.py run
import asyncio
from helpers import by_key, count, first, forward, names


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    print(names(task), forward(task), count(task), by_key(a=task))
    first(loop.create_future(), task).get_name()
    await task

asyncio.run(main())
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn set_algebra_keeps_the_elements() {
    check(
        r#"
#- main.py run
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    waiter = loop.create_future()
    waiter.set_result(None)
    done = {task}
    pending = {task, waiter} - done
    for job in pending | set():
        print(job.get_name())
    await task

asyncio.run(main())
"#,
        "main.py:6: TL001",
    );
}

#[test]
fn spread_arguments_reach_star_parameters() {
    check(
        r#"
#- helpers.py
def names(*tasks):
    return [t.get_name() for t in tasks]


def labels(**named):
    return {key: task.get_name() for key, task in named.items()}
#- main.py run
import asyncio
from helpers import labels, names


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    print(names(*[task]), labels(**{"t": task}))
    waiting = {"w": loop.create_future()}
    print(labels(**waiting))

asyncio.run(main())
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn a_wrapper_spreading_its_arguments_into_ensure_future_passes_futures_through() {
    // `spawn(*args, **kwargs)` hands its first positional argument to `ensure_future`, which
    // gives a Future back unchanged.
    check(
        r#"
#- spawning.py
import asyncio


def spawn(*args, **kwargs):
    return asyncio.ensure_future(*args, **kwargs)
#- main.py run
import asyncio
from spawning import spawn


async def job():
    return 1


async def main():
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    ready.set_result(None)
    await spawn(job())
    spawn(ready).get_name()

asyncio.run(main())
"#,
        "main.py:11: TL001",
    );
}

#[test]
fn annotated_project_classes_keep_other_project_objects_out() {
    // One `Registry` class holds waiters in one place and runners in another: merged, its
    // `first()` gives both. `describe` is annotated to take a `Runner`, so a `Waiter` (and its
    // Future) never reaches it; a Protocol lets any object in, and a Future itself passes
    // whatever the annotation says.
    check(
        r#"
#- main.py run
import asyncio
from typing import Any, Protocol

async def work():
    return 1

class Waiter:
    def __init__(self, loop):
        self.fut = loop.create_future()

class Runner:
    def __init__(self):
        self.fut = asyncio.create_task(work())

class HasFut(Protocol):
    fut: Any

class Registry:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)

    def first(self):
        return self.items[0]

def describe(job: Runner) -> str:
    return job.fut.get_name()

def peek(job: HasFut) -> str:
    return job.fut.get_name()

def name_of(task: Runner) -> str:
    return task.get_name()

async def main():
    loop = asyncio.get_running_loop()
    waiters, runners = Registry(), Registry()
    waiters.add(Waiter(loop))
    runners.add(Runner())
    print(describe(runners.first()))
    if not waiters.items:
        name_of(loop.create_future())
    print(peek(waiters.first()))

asyncio.run(main())
"#,
        "
        main.py:9: TL001
        main.py:44: TL001
        ",
    );
}

#[test]
fn callables_annotated_to_return_awaitables_may_give_futures() {
    // `loader` is annotated to return any awaitable: a caller outside the project may pass
    // one that returns a plain Future, which `ensure_future` hands back as it is, so
    // `Cache.start` promising a Task is the finding, and the `ensure_future` stays. A
    // loader annotated to return a coroutine gives coroutines only (TL002).
    check(
        r#"
#- cache.py
import asyncio
from typing import Any, Awaitable, Callable, Coroutine, Optional

async def load(key):
    return key

class Cache:
    def __init__(self, loader: Optional[Callable[[str], Awaitable[Any]]] = None) -> None:
        self._loader = loader or load

    def start(self, key: str) -> "asyncio.Task[Any]":
        return asyncio.ensure_future(self._loader(key))

class Strict:
    def __init__(self, loader: Callable[[str], Coroutine[Any, Any, Any]]) -> None:
        self._loader = loader

    def start(self, key: str):
        return asyncio.ensure_future(self._loader(key))

async def main():
    print(await Cache(load).start("a"), await Strict(load).start("b"))
"#,
        "
        cache.py:12: TL001
        cache.py:19: TL002
        ",
    );
}

#[test]
fn tests_bound_to_a_name_narrow_where_the_name_is_tested() {
    // `is_task = isinstance(x, asyncio.Task)` then `if is_task:` narrows `x` as the test
    // itself would (and `not is_coro` the other way round), as long as neither name is
    // assigned again in between: in `stale`, `x` is another value by the time `ok` is tested.
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def describe(x):
    is_task = isinstance(x, asyncio.Task)
    if is_task:
        return x.get_name()
    return "future"

def spawn(aw):
    is_coro = asyncio.iscoroutine(aw)
    if not is_coro:
        return asyncio.ensure_future(aw)
    return asyncio.create_task(aw)

def stale(x, y):
    ok = isinstance(x, asyncio.Task)
    x = y
    if ok:
        return x.get_name()
    return ""

async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(work())
    fut = loop.create_future()
    print(describe(task), describe(fut))
    kept = [spawn(work()), spawn(fut), spawn(task)]
    fut.set_result(1)
    await asyncio.gather(*kept)
    print(stale(task, fut))

asyncio.run(main())
"#,
        "main.py:28: TL001",
    );
}

#[test]
fn map_calls_its_function_on_each_element() {
    // `map(f, xs)` calls `f` with each element and yields what it returns; a project's own
    // `map` is not the builtin.
    check(
        r#"
#- own.py
def map(function, items):
    return []
#- other.py
import asyncio
from own import map

def spawn_all(loop):
    return list(map(asyncio.ensure_future, [loop.create_future()]))

def names(loop):
    return [task.get_name() for task in spawn_all(loop)]
#- main.py run
import asyncio

async def work(n):
    return n

def keep(item, _count):
    return item

async def main():
    loop = asyncio.get_running_loop()
    tasks = list(map(asyncio.ensure_future, [work(n) for n in range(3)]))
    print([task.get_name() for task in tasks])
    waiters = list(map(keep, [loop.create_future()], [1]))
    await asyncio.gather(*tasks)
    print(waiters[0].get_name())

asyncio.run(main())
"#,
        "
        main.py:11: TL002
        main.py:13: TL001
        ",
    );
}

#[test]
fn builtins_call_key_functions_with_elements() {
    // `sorted`, `min`, `max`, `filter` and `list.sort` call their function with each
    // element; a project function named `sorted` does not.
    check(
        r#"
#- own.py
def sorted(items, key=None):
    return list(items)
#- shadowed.py
from own import sorted

def untouched(loop):
    return sorted([loop.create_future()], key=lambda t: t.get_name())
#- report.py
def by_name(tasks):
    return sorted(tasks, key=lambda t: t.get_name())

def newest(tasks):
    return max(tasks, key=lambda t: t.get_name())

def live(tasks):
    return list(filter(lambda t: t.get_name(), tasks))

def in_place(tasks):
    tasks.sort(key=lambda t: t.get_name())
    return tasks
#- main.py run
import asyncio
from report import by_name, newest, live, in_place
from shadowed import untouched

async def work(n):
    return n

async def main():
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(work(n)) for n in range(2)]
    print(by_name(tasks), newest(tasks), live(tasks), in_place(tasks), untouched(loop))
    await asyncio.gather(*tasks)
    waiters = [loop.create_future()]
    print(by_name(waiters))
    print(newest([loop.create_future()]))
    print(live([loop.create_future()]))
    print(in_place([loop.create_future()]))

asyncio.run(main())
"#,
        "
        main.py:13: TL001
        main.py:15: TL001
        main.py:16: TL001
        main.py:17: TL001
        ",
    );
}

#[test]
fn partials_of_event_loop_methods() {
    // `partial(loop.run_in_executor, None)` gives what `run_in_executor` gives: a plain
    // Future; `partial(loop.create_task)` makes Tasks.
    check(
        r#"
#- main.py run
import asyncio
import functools

async def work():
    return 1

async def main():
    loop = asyncio.get_running_loop()
    spawn = functools.partial(loop.create_task)
    task = spawn(work())
    print(task.get_name(), await task)
    spawn(work())
    run = functools.partial(loop.run_in_executor, None)
    waiter = run(print, "in a thread")
    await waiter
    print(waiter.get_name())

asyncio.run(main())
"#,
        "
        main.py:12: TL005
        main.py:14: TL001
        ",
    );
}

#[test]
fn partials_of_asyncio_functions_that_make_plain_futures() {
    // `partial(asyncio.gather, ...)()` gives a plain Future whatever it is given.
    check(
        r#"
#- main.py run
import asyncio
import functools

async def work():
    return 1

async def main():
    both = functools.partial(asyncio.gather, work())
    batch = both(work())
    print(await batch)
    batch.set_name("batch")

asyncio.run(main())
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn dataclass_field_factories_fill_fields_not_passed() {
    check(
        r#"
#- main.py run
import asyncio
from dataclasses import dataclass, field

async def work():
    return 1

@dataclass
class Waiter:
    done: asyncio.Task = field(default_factory=lambda: asyncio.get_running_loop().create_future())

@dataclass
class Job:
    task: asyncio.Task = field(default_factory=lambda: asyncio.get_running_loop().create_future())

async def main():
    job = Job(task=asyncio.create_task(work()))
    print(job.task.get_name(), await job.task)
    waiter = Waiter()
    print(waiter.done.get_name())

asyncio.run(main())
"#,
        "main.py:9: TL001",
    );
}

#[test]
fn running_a_coroutine_to_completion_gives_its_result() {
    // `loop.run_until_complete(c)` and `asyncio.run(c)` give what `c` returns.
    check(
        r#"
#- main.py run
import asyncio

async def make_waiter():
    return asyncio.get_running_loop().create_future()

async def make_other():
    return asyncio.get_running_loop().create_future()

async def make_task():
    return asyncio.create_task(asyncio.sleep(0))

def main():
    loop = asyncio.new_event_loop()
    task = loop.run_until_complete(make_task())
    print(task.get_name())
    loop.run_until_complete(task)
    other = loop.run_until_complete(make_other())
    print(other.get_name())
    waiter = asyncio.run(make_waiter())
    print(waiter.get_name())

main()
"#,
        "
        main.py:4: TL001
        main.py:7: TL001
        ",
    );
}

#[test]
fn a_handler_sees_what_the_body_assigned_before_it_raised() {
    // The handler runs from wherever the body raised: `fut` may be the plain Future
    // assigned before the failing call; so does a `finally`, also with what the name had
    // before the `try`. After a `finally`, the normal way has the body's last version
    // again (the Task).
    check(
        r#"
#- main.py run
import asyncio

async def work():
    await asyncio.sleep(0)

def fail():
    raise ValueError

async def kept():
    loop = asyncio.get_running_loop()
    task = loop.create_future()
    try:
        task = asyncio.create_task(work())
    finally:
        pass
    print(task.get_name())
    await task

async def main():
    await kept()
    loop = asyncio.get_running_loop()
    fut = None
    try:
        fut = loop.create_future()
        fail()
        fut = asyncio.create_task(work())
    except ValueError:
        print(fut.get_name())
    else:
        await fut

async def cleanup():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    try:
        fail()
        fut = asyncio.create_task(work())
    finally:
        print(fut.get_name())
    await fut

async def both():
    try:
        await main()
    except AttributeError:
        await cleanup()

asyncio.run(both())
"#,
        "
        main.py:24: TL001
        main.py:34: TL001
        ",
    );
}

#[test]
fn awaiting_a_task_gives_what_its_coroutine_returns() {
    // `await task` and `task.result()` give the coroutine's result: here a plain Future
    // each, which then reaches a Task-only method.
    check(
        r#"
#- main.py run
import asyncio

async def ready_future():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    return fut

async def other_future():
    return asyncio.gather()

async def main():
    task = asyncio.create_task(ready_future())
    done, _ = await asyncio.wait([asyncio.ensure_future(other_future())])
    for finished in done:
        print(finished.result().done())
    made = await task
    print(made.get_name(), finished.result().get_name())

asyncio.run(main())
"#,
        "
        main.py:4: TL001
        main.py:9: TL001
        main.py:13: TL002
        ",
    );
}

#[test]
fn anext_gives_what_the_iterators_anext_gives() {
    // `anext(agen)` is an async generator's step (awaiting it gives what it yields);
    // `anext(obj)` calls the class's `__anext__`.
    check(
        r#"
#- main.py run
import asyncio

async def futures():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    yield fut

class Stream:
    def __aiter__(self):
        return self

    async def __anext__(self):
        return asyncio.gather()

async def main():
    first = asyncio.ensure_future(anext(futures()))
    item = await first
    step = await anext(Stream())
    print(item.get_name(), step.get_name())

asyncio.run(main())
"#,
        "
        main.py:4: TL001
        main.py:13: TL001
        main.py:16: TL002
        ",
    );
}

#[test]
fn waiting_for_a_coroutine_gives_its_result() {
    // `await asyncio.wait_for(x, timeout)` and `await asyncio.shield(x)` give what awaiting
    // `x` gives; a Task given to `wait_for` is kept while it waits.
    check(
        r#"
#- main.py run
import asyncio

async def spawn():
    return asyncio.get_running_loop().create_future()

async def gathered():
    return asyncio.gather()

async def work():
    await asyncio.sleep(0)

async def main():
    await asyncio.wait_for(asyncio.create_task(work()), timeout=1)
    made = await asyncio.wait_for(spawn(), timeout=1)
    other = await asyncio.shield(gathered())
    await other
    print(other.get_name(), made.get_name())

asyncio.run(main())
"#,
        "
        main.py:4: TL001
        main.py:7: TL001
        ",
    );
}

#[test]
fn awaiting_gather_gives_a_list_of_what_its_arguments_give() {
    // `await asyncio.gather(a, b)` and `await asyncio.tasks.gather(*coros)` give a list of
    // what awaiting each argument gives.
    check(
        r#"
#- main.py run
import asyncio
import asyncio.tasks

async def spawn():
    return asyncio.get_running_loop().create_future()

async def shielded():
    return asyncio.shield(asyncio.sleep(0))

async def work():
    return 1

async def main():
    first, count = await asyncio.gather(spawn(), work())
    many = await asyncio.tasks.gather(*[shielded() for _ in range(2)])
    for made in many:
        await made
        print(made.get_name())
    first.get_name()

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        main.py:8: TL001
        ",
    );
}

#[test]
fn keyword_arguments_collected_by_kwargs_are_read_by_name() {
    check(
        r#"
#- main.py run
import asyncio

def describe(**kwargs):
    return kwargs["job"].get_name()

def forward(**options):
    return describe(**options)

def named(**kwargs):
    kwargs["job"].cancel()
    return kwargs["task"].get_name()

async def main():
    loop = asyncio.get_running_loop()
    print(describe(job=asyncio.create_task(asyncio.sleep(0))))
    print(describe(job=loop.create_future()))
    print(forward(job=loop.create_future()))
    print(named(job=loop.create_future(), task=asyncio.create_task(asyncio.sleep(0))))

asyncio.run(main())
"#,
        "
        main.py:16: TL001
        main.py:17: TL001
        ",
    );
}

#[test]
fn a_str_isinstance_branch_lets_no_container_through() {
    // `as_text` hands back its argument only when it is a `str`: the list passed by one
    // caller does not come back to the others as one.
    check(
        r#"
#- main.py run
import asyncio

def as_text(value):
    if isinstance(value, (str, bytes)):
        return value
    return "?"

async def main():
    loop = asyncio.get_running_loop()
    pending = [loop.create_future()]
    label = as_text(pending)
    title = as_text("title")
    if label != "?":
        for fut in label:
            print(fut.get_name())
    print(title, len(pending))

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_failed_isinstance_lets_no_mapping_or_instance_of_the_class_through() {
    // `redacted` hands back its argument only when it is not a mapping, `pending` only when
    // it is not a `Reply`: the dict of waiters and the `Reply` given by one caller do not
    // come back to the others. A Future given as itself still does.
    check(
        r#"
#- main.py run
import asyncio
from collections.abc import Mapping

class Job:
    def __init__(self, task):
        self.task = task

class Reply:
    def __init__(self, loop):
        self.task = loop.create_future()

def redacted(data):
    if not isinstance(data, Mapping):
        return data
    return {key: "***" for key in data}

def pending(value):
    if not isinstance(value, Reply):
        return value
    return None

async def main():
    loop = asyncio.get_running_loop()
    waiters = {"reply": loop.create_future()}
    print(redacted(waiters), pending(Reply(loop)))
    tasks = redacted([asyncio.create_task(asyncio.sleep(0))])
    job = pending(Job(asyncio.create_task(asyncio.sleep(0))))
    print(tasks[0].get_name(), job.task.get_name())
    redacted(loop.create_future()).get_name()

asyncio.run(main())
"#,
        "
        main.py:29: TL001
        ",
    );
}

#[test]
fn strings_added_up_make_no_containers() {
    // Twenty `prefix + "i"` strings in one list: were each a container, the list's slot
    // would widen before the `Holder` arrives, and `v.get()` would not be followed.
    check(
        r#"
#- main.py run
import asyncio

class Holder:
    def get(self):
        return asyncio.get_running_loop().create_future()

values = []

def register(x):
    values.append(x)

def register_names(prefix):
    register(prefix + "0")
    register(prefix + "1")
    register(prefix + "2")
    register(prefix + "3")
    register(prefix + "4")
    register(prefix + "5")
    register(prefix + "6")
    register(prefix + "7")
    register(prefix + "8")
    register(prefix + "9")
    register(prefix + "10")
    register(prefix + "11")
    register(prefix + "12")
    register(prefix + "13")
    register(prefix + "14")
    register(prefix + "15")
    register(prefix + "16")
    register(prefix + "17")
    register(prefix + "18")
    register(prefix + "19")

async def main():
    register(Holder())
    register_names("n")
    for v in values:
        print(v.get().get_name())

asyncio.run(main())
"#,
        "main.py:5: TL001",
    );
}

#[test]
fn lists_added_up_carry_their_elements() {
    check(
        r#"
#- main.py run
import asyncio

def merged(first, second):
    return first + second

async def main():
    loop = asyncio.get_running_loop()
    waiting = {loop.create_future()}
    both = merged([asyncio.create_task(asyncio.sleep(0))], list(waiting | set()))
    for job in both:
        print(job.get_name())

asyncio.run(main())
"#,
        "main.py:8: TL001",
    );
}

#[test]
fn what_isawaitable_rules_out_is_no_future() {
    // `func` may return a Future, but `run` only hands back what cannot be awaited.
    check(
        r#"
#- main.py run
import asyncio
import inspect
from typing import Any, Awaitable, Callable, Optional, Union

async def run(func: Callable[[], Union[Any, Awaitable[Any]]]):
    value = func()
    if inspect.isawaitable(value):
        value = await value
    return value

def keep(job: Optional[asyncio.Task] = None) -> None:
    print(job)

async def main():
    keep(await run(lambda: None))

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_cast_to_a_sync_callable_drops_the_assumed_future() {
    // `handler` may be async by its annotation, but `incoming` casts it to the sync kind:
    // what it gives there is no Future the analysis assumed.
    check(
        r#"
#- main.py run
import asyncio
from typing import Awaitable, Callable, Optional, Union, cast

SyncFilter = Callable[[int], int]
AsyncFilter = Callable[[int], Awaitable[int]]

class Stream:
    def __init__(self) -> None:
        self.filters: list = []

    def add_filter(self, handler: Union[SyncFilter, AsyncFilter]) -> None:
        self.filters.append(handler)

    def incoming(self, value: int) -> int:
        for handler in self.filters:
            handler = cast(SyncFilter, handler)
            value = handler(value)
        return value

def keep(job: Optional[asyncio.Task] = None) -> None:
    print(job)

def double(x: int) -> int:
    return 2 * x

async def main():
    stream = Stream()
    stream.add_filter(double)
    keep(stream.incoming(2))

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_spread_dict_gives_each_parameter_its_own_key() {
    // `launch` forwards `**options`: `handle` gets what was passed as `handle`, not the
    // Future passed as `job`.
    check(
        r#"
#- main.py run
import asyncio
from typing import Optional

def start(name=None, job=None, handle: Optional[asyncio.Task] = None):
    if handle is not None:
        print(name, job, handle.get_name())

def launch(**options):
    return start(**options)

async def main():
    loop = asyncio.get_running_loop()
    launch(name="a", job=loop.create_future(), handle=asyncio.create_task(asyncio.sleep(0)))
    launch(name="b", handle=loop.create_future())

asyncio.run(main())
"#,
        "main.py:14: TL001",
    );
}

#[test]
fn spread_and_collected_positions_stay_apart() {
    // `*args` keeps its first items by position: `launch` hands `start` its arguments in
    // order, and `first` gives back the first one, not any of them.
    check(
        r#"
#- main.py run
import asyncio
from typing import Optional

def start(job=None, handle: Optional[asyncio.Task] = None):
    if handle is not None:
        print(job, handle.get_name())

def launch(*args):
    return start(*args)

def first(*items):
    return items[0]

async def main():
    loop = asyncio.get_running_loop()
    launch(loop.create_future(), asyncio.create_task(asyncio.sleep(0)))
    task = first(asyncio.create_task(asyncio.sleep(0)), loop.create_future())
    print(task.get_name())
    launch(None, loop.create_future())

asyncio.run(main())
"#,
        "main.py:19: TL001",
    );
}

#[test]
fn a_generic_alias_called_makes_what_its_class_makes() {
    check(
        r#"
#- boxes.py
import enum
from typing import Generic, TypeVar

T = TypeVar("T")

class Box(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item

class Color(enum.Enum):
    RED = 1
#- main.py run
import asyncio
from boxes import Box, Color

class Speaker:
    def __init__(self) -> None:
        self.done = asyncio.Future[None]()
        self.queue = asyncio.Queue[asyncio.Task[None]]()

    def finished(self) -> "asyncio.Task[None]":
        return self.done

async def main():
    speaker = Speaker()
    speaker.queue.put_nowait(asyncio.get_running_loop().create_future())
    box = Box[asyncio.Task](asyncio.gather())
    print(Color["RED"].value, box.item.get_coro())
    print((await speaker.queue.get()).get_name())
    print(speaker.finished().get_name())

asyncio.run(main())
"#,
        "
        main.py:6: TL001
        main.py:14: TL001
        main.py:15: TL001
        ",
    );
}

#[test]
fn a_mapping_of_awaitables_read_by_a_constant_key() {
    // The container standing for the caller's mapping holds its Futures under any key,
    // so `jobs["main"]` reads one as `jobs[name]` does.
    check(
        r#"
#- main.py run
import asyncio
from typing import Awaitable, Mapping

def first(jobs: Mapping[str, Awaitable[None]]) -> "asyncio.Task[None]":
    return asyncio.ensure_future(jobs["main"])

async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    print(first({"main": fut}).get_name())

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        main.py:8: TL001
        ",
    );
}

#[test]
fn a_mixin_reads_what_the_class_that_uses_it_sets() {
    // `Reporting` sets no `waiter`: the classes that mix it in get it from their other
    // base, whose `setUp` stores a plain Future there.
    check(
        r#"
#- main.py run
import asyncio

class Base:
    def setUp(self):
        self.waiter = asyncio.get_running_loop().create_future()

class Reporting:
    def report(self):
        return self.waiter.get_name()

class Case(Reporting, Base):
    pass

async def main():
    case = Case()
    case.setUp()
    print(case.report())

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        ",
    );
}

#[test]
fn a_fixture_hands_a_test_its_future() {
    // pytest gives `test_name` what the `waiter` fixture returns; the trace shows the
    // parameter it arrives through. (Not run: the suite does not install pytest.)
    check(
        r#"
#- conftest.py
import asyncio
import pytest

@pytest.fixture
async def waiter():
    fut = asyncio.get_running_loop().create_future()
    return fut
#- tests/test_waiter.py
async def test_name(waiter):
    assert waiter.get_name()
"#,
        "
        conftest.py:6: TL001
        ",
    );
}

#[test]
fn getattr_and_setattr_with_a_literal_name_are_attribute_reads_and_stores() {
    // `getattr(box, "job")` is `box.job`, `setattr(slot, "job", v)` is `slot.job = v`.
    check(
        r#"
#- main.py run
import asyncio

class Box:
    def __init__(self):
        self.job = asyncio.get_running_loop().create_future()

class Slot:
    pass

async def main():
    slot = Slot()
    setattr(slot, "job", asyncio.get_running_loop().create_future())
    print(getattr(Box(), "job", None).get_name(), slot.job.get_name())

asyncio.run(main())
"#,
        "
        main.py:5: TL001
        main.py:12: TL001
        ",
    );
}

#[test]
fn a_generic_attribute_read_lets_in_what_its_binding_admits() {
    // `Entry.runtime_data` and `Coordinator.data` hold a `Client` for some users and a
    // `Waiter` for others. Read through `entry: Entry[Client]`, or from a
    // `ClientCoordinator(Coordinator[Client])`, they give only the `Client` and its Task;
    // the `Waiter` side still gives its plain Future.
    check(
        r#"
#- main.py run
import asyncio
from typing import Generic, Optional, TypeVar

T = TypeVar("T")

class Client:
    def __init__(self):
        self.task = asyncio.create_task(asyncio.sleep(0))

class Waiter:
    def __init__(self):
        self.task = asyncio.get_running_loop().create_future()

class Entry(Generic[T]):
    runtime_data: T

class Coordinator(Generic[T]):
    def __init__(self, fetch):
        self.data: Optional[T] = None
        self._fetch = fetch

    async def refresh(self):
        self.data = await self._fetch()

class ClientCoordinator(Coordinator[Client]):
    pass

class WaiterCoordinator(Coordinator[Waiter]):
    pass

def client_name(entry: Entry[Client]):
    return entry.runtime_data.task.get_name()

async def make_client():
    return Client()

async def make_waiter():
    return Waiter()

async def main():
    clients, waiters = Entry(), Entry()
    clients.runtime_data = Client()
    waiters.runtime_data = Waiter()
    first, second = ClientCoordinator(make_client), WaiterCoordinator(make_waiter)
    await first.refresh()
    await second.refresh()
    print(client_name(clients), first.data.task.get_name())
    waiters.runtime_data.task.set_result(None)
    second.data.task.get_name()

asyncio.run(main())
"#,
        "
        main.py:12: TL001
        ",
    );
}

#[test]
fn a_class_with_type_parameters_binds_them_through_an_alias() {
    // `class Entry[T]` and `type ClientEntry = Entry[Client]` (Python 3.12): the read of
    // `runtime_data` gives a `Client` standing for the one a framework stores, so its
    // `start()` is followed even though the project never stores one.
    check(
        r#"
#- lib.py
import asyncio

class Client:
    def start(self):
        return asyncio.get_running_loop().create_future()

class Waiter:
    def start(self):
        return asyncio.create_task(asyncio.sleep(0))

class Entry[T]:
    runtime_data: T

type ClientEntry = Entry[Client]
type WaiterEntry = Entry[Waiter]

def begin(entry: ClientEntry) -> asyncio.Task:
    return entry.runtime_data.start()

def resume(entry: WaiterEntry) -> asyncio.Task:
    return entry.runtime_data.start()
"#,
        "
        lib.py:5: TL001
        ",
    );
}

#[test]
fn an_isinstance_branch_holds_only_instances_of_its_classes() {
    // Past `isinstance(item, Job)`, `item` is a `Job`: the `Reply` another caller passes,
    // whose `task` is a plain Future, does not get there.
    check(
        r#"
#- main.py run
import asyncio

class Reply:
    def __init__(self):
        self.task = asyncio.get_running_loop().create_future()

class Job:
    def __init__(self):
        self.task = asyncio.create_task(asyncio.sleep(0))

def job_name(item):
    if isinstance(item, Job):
        return item.task.get_name()
    return None

async def main():
    reply = Reply()
    print(job_name(Job()), job_name(reply))
    reply.task.set_result(None)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn an_isinstance_branch_holds_an_instance_of_its_class_no_caller_passes() {
    // No caller in the project passes a `Job`, but the branch can only run with one: its
    // `start()` gives a plain Future where a Task is promised.
    check(
        r#"
#- lib.py
import asyncio

class Job:
    def start(self):
        return asyncio.get_running_loop().create_future()

def begin(item) -> asyncio.Task:
    if isinstance(item, Job):
        return item.start()
    raise TypeError(item)
"#,
        "
        lib.py:5: TL001
        ",
    );
}

#[test]
fn an_attribute_also_declared_to_hold_a_future_is_no_task_sink() {
    // `_task` is declared twice: in the class body as a Future (what type checkers take)
    // and in `__init__` as a Task. Storing a Future in it is no Task sink; calling a
    // Task-only method on what it holds still is. `_other` is declared a Task only.
    check(
        r#"
#- main.py run
import asyncio


class Periodic:
    _task: "asyncio.Future[None] | None"

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._other: asyncio.Task | None = None

    def stop(self, loop: asyncio.AbstractEventLoop) -> "asyncio.Future[None]":
        if self._task is None:
            self._task = loop.create_future()
            self._task.set_result(None)
        return self._task

    def other(self, loop: asyncio.AbstractEventLoop) -> None:
        self._other = loop.create_future()


class Named:
    _task: "asyncio.Future[None] | None"

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> str:
        self._task = loop.create_future()
        return self._task.get_name()


async def main() -> None:
    loop = asyncio.get_running_loop()
    await Periodic().stop(loop)
    Periodic().other(loop)
    Named().start(loop)

asyncio.run(main())
"#,
        "main.py:18: TL001\nmain.py:28: TL001",
    );
}

#[test]
fn a_base_method_returning_a_call_on_self_gives_each_receiver_its_own_result() {
    // `Base.get` returns `self.make()`: called on a `TaskMaker` it gives the Task
    // `TaskMaker.make` makes, not the Future of the sibling `FutureMaker.make`. Called
    // on a `FutureMaker`, the Future does reach `.get_name()`.
    check(
        r#"
#- main.py run
import asyncio


class Base:
    def get(self):
        return self.make()

    def make(self):
        raise NotImplementedError


class TaskMaker(Base):
    def make(self):
        return asyncio.get_running_loop().create_task(asyncio.sleep(0))


class FutureMaker(Base):
    def make(self):
        return asyncio.get_running_loop().create_future()


async def main():
    task = TaskMaker().get()
    print(task.get_name())
    await task
    future = FutureMaker().get()
    print(future.get_name())


asyncio.run(main())
"#,
        "main.py:19: TL001",
    );
}

#[test]
fn nested_functions_see_what_their_captured_locals_may_hold_when_they_run() {
    // Each nested function may run while the local holds the Future: handed out after it,
    // rebound after the `def`, made in a loop, decorated (run at the `def`), or named by
    // another nested function that may run at any time.
    check(
        r#"
#- main.py
import asyncio

def handed_out(loop):
    fut = loop.create_future()

    def cb():
        return fut.get_name()

    return cb

def rebound_after(loop):
    fut = None

    def cb():
        return fut.get_name()

    fut = loop.create_future()
    return cb

def in_a_loop(loop, items):
    cbs = []
    for item in items:
        f = loop.create_future()
        cbs.append(lambda: f.get_name())
    return cbs

def decorated(loop):
    h = loop.create_future()

    @register
    def deco():
        return h.get_name()

    h = asyncio.ensure_future(asyncio.sleep(0))

def named_elsewhere(loop):
    k = loop.create_future()

    def inner():
        return k.get_name()

    def other():
        return inner()

    k = asyncio.ensure_future(asyncio.sleep(0))
    return other

def replaced_before(loop):
    m = loop.create_future()
    m = asyncio.ensure_future(asyncio.sleep(0))

    def fine():
        return m.get_name()

    return fine

def register(f):
    return f
"#,
        "
        main.py:4: TL001
        main.py:17: TL001
        main.py:23: TL001
        main.py:28: TL001
        main.py:34: TL002
        main.py:37: TL001
        main.py:45: TL002
        main.py:50: TL002
        ",
    );
}

#[test]
fn context_variables_hold_what_is_set() {
    check(
        r#"
#- ctx.py
import asyncio
from contextvars import ContextVar

current_task: ContextVar[asyncio.Task] = ContextVar("current_task")
pending = ContextVar("pending", default=None)
#- worker.py
import asyncio
from contextvars import ContextVar
import ctx

async def work():
    return 1

def begin(loop):
    ctx.pending.set(loop.create_future())

def track(var: "ContextVar[asyncio.Task]", loop):
    var.set(loop.run_in_executor(None, print))

def start():
    ctx.current_task.set(asyncio.create_task(work()))
#- main.py run
import asyncio
import contextvars
import ctx
import worker

async def main():
    loop = asyncio.get_running_loop()
    worker.start()
    print(ctx.current_task.get().get_name())
    worker.track(contextvars.ContextVar("mine"), loop)
    token = ctx.current_task.set(asyncio.Future())
    ctx.current_task.reset(token)
    worker.begin(loop)
    ctx.pending.get().get_name()

asyncio.run(main())
"#,
        "
        main.py:11: TL001
        worker.py:9: TL001
        worker.py:12: TL001
        ",
    );
}

#[test]
fn thread_queues_give_back_what_is_put() {
    check(
        r#"
#- main.py run
import asyncio
import queue


def blocking():
    return 1


async def work():
    return 2


class Dispatcher:
    def __init__(self):
        self.pending = queue.Queue()
        self.running: "queue.SimpleQueue[asyncio.Task]" = queue.SimpleQueue()

    def submit(self, loop):
        self.pending.put(loop.run_in_executor(None, blocking))
        self.running.put(asyncio.create_task(work()))

    def track(self, loop):
        self.running.put_nowait(loop.create_future())

    def names(self):
        return [self.running.get().get_name(), self.pending.get_nowait().get_name()]


async def main():
    dispatcher = Dispatcher()
    dispatcher.submit(asyncio.get_running_loop())
    print(dispatcher.names())
    dispatcher.track(asyncio.get_running_loop())


asyncio.run(main())
"#,
        "
        main.py:19: TL001
        main.py:23: TL001
        ",
    );
}

#[test]
fn tuple_positions_and_nested_containers_need_tasks_where_annotated() {
    check(
        r#"
#- jobs.py
import asyncio


class Jobs:
    def __init__(self):
        self.running: dict[str, tuple[asyncio.Task, float]] = {}

    def start(self, loop, name):
        self.running[name] = (loop.run_in_executor(None, print), 1.0)

    def start_task(self, name):
        self.running[name] = (asyncio.create_task(asyncio.sleep(0)), 2.0)


def spawn(loop) -> "tuple[asyncio.Future, asyncio.Task[None]]":
    return loop.create_future(), loop.create_future()


def batch(loop) -> tuple[asyncio.Task, ...]:
    return tuple([asyncio.create_task(asyncio.sleep(0)), asyncio.shield(asyncio.sleep(0))])


def record(out: "list[tuple[str, asyncio.Task]]", loop):
    out.append((str(loop.create_future()), asyncio.ensure_future(asyncio.gather())))
#- main.py run
import asyncio
import jobs


async def main():
    loop = asyncio.get_running_loop()
    j = jobs.Jobs()
    j.start_task("a")
    j.start(loop, "b")
    waiter, handle = jobs.spawn(loop)
    jobs.record([], loop)
    for name, (task, started) in j.running.items():
        print(name, task.get_name(), started)


asyncio.run(main())
"#,
        "
        jobs.py:9: TL001
        jobs.py:16: TL001
        jobs.py:20: TL001
        jobs.py:24: TL001
        ",
    );
}

#[test]
fn unions_that_admit_no_future_need_a_task() {
    check(
        r#"
#- main.py run
import asyncio
from typing import Awaitable, Callable, Optional, Protocol, Union


class Deferred(asyncio.Future):
    pass


class Scheduler:
    def __init__(self):
        self.next: Union[asyncio.Task, asyncio.TimerHandle, None] = None
        self.waiter: Union[Deferred, asyncio.Task] = Deferred()
        self.either: Optional[Union[Awaitable, asyncio.Task]] = None

    def later(self, loop) -> "str | asyncio.Task[None]":
        self.either = loop.create_future()
        return loop.create_future()

    def schedule(self, loop):
        self.next = loop.call_later(1, print)
        self.next = loop.run_in_executor(None, print)

    def pace(self, loop):
        self.timer: "asyncio.TimerHandle | asyncio.Task | None" = loop.call_later(1, print)
        self.timer = asyncio.wrap_future(loop.run_in_executor(None, print))
        self.handler: "Callable[[], None] | asyncio.Task" = asyncio.gather()
        self.stopper: "Cancellable | asyncio.Task" = loop.create_future()


async def main():
    loop = asyncio.get_running_loop()
    s = Scheduler()
    s.schedule(loop)
    s.later(loop)
    if isinstance(s.next, asyncio.Task):
        print(s.next.get_name())
    s.next.cancelling()


class Cancellable(Protocol):
    def cancel(self) -> bool: ...


asyncio.run(main())
"#,
        "
        main.py:17: TL001
        main.py:21: TL001
        main.py:25: TL001
        main.py:26: TL001
        ",
    );
}

#[test]
fn isinstance_narrows_attribute_reads_until_they_are_assigned() {
    check(
        r#"
#- main.py run
import asyncio


class Worker:
    def __init__(self, loop, job):
        self.job = job
        self.loop = loop

    def describe(self):
        if isinstance(self.job, asyncio.Task):
            print(self.job.get_name(), [self.job.get_coro() for _ in range(1)])
        name = self.job.get_name() if isinstance(self.job, asyncio.Task) else "future"
        if not isinstance(self.job, asyncio.Task):
            return name
        self.job.get_stack()
        return name

    def watch(self):
        if isinstance(self.job, asyncio.Task):
            later = lambda: self.job.print_stack()
            for _ in range(2):
                self.job.cancelling()
                self.job = self.loop.run_in_executor(None, print)

    def restart(self):
        if isinstance(self.job, asyncio.Task):
            self.job = self.loop.create_future()
            self.job.uncancel()


class Quiet:
    def __init__(self, job):
        self.job = job

    def show(self):
        if isinstance(self.job, asyncio.Task) and self.job.get_name():
            print([self.job.get_coro() for _ in range(1)])


async def work():
    return 1


async def main():
    loop = asyncio.get_running_loop()
    Worker(loop, loop.create_future()).describe()
    Quiet(loop.run_in_executor(None, print)).show()
    Worker(loop, asyncio.create_task(work())).restart()


asyncio.run(main())
"#,
        "
        main.py:23: TL001
        main.py:27: TL001
        main.py:46: TL001
        ",
    );
}

#[test]
fn a_handler_reads_a_narrowed_attribute_afresh() {
    check(
        r#"
#- main.py run
import asyncio


class Worker:
    def __init__(self, job):
        self.job = job

    def retry(self, loop):
        if isinstance(self.job, asyncio.Task):
            try:
                self.job = loop.create_future()
                raise ValueError
            except ValueError:
                self.job.get_name()


async def work():
    return 1


async def main():
    Worker(asyncio.create_task(work())).retry(asyncio.get_running_loop())


asyncio.run(main())
"#,
        "main.py:11: TL001",
    );
}

#[test]
fn a_future_gives_what_is_set_on_it() {
    check(
        r#"
#- main.py run
import asyncio


class Handoff:
    def __init__(self, loop):
        self.waiter = loop.create_future()

    def hand(self, job):
        self.waiter.set_result(job)

    async def take(self):
        return await self.waiter


async def main():
    loop = asyncio.get_running_loop()
    mine = loop.create_future()
    mine.set_result(asyncio.current_task())
    (await mine).get_name()
    handoff = Handoff(loop)
    handoff.hand(loop.run_in_executor(None, print))
    job = await handoff.take()
    job.get_name()


asyncio.run(main())
"#,
        "main.py:21: TL001",
    );
}

#[test]
fn a_weak_reference_gives_back_its_referent() {
    check(
        r#"
#- main.py run
import asyncio
import weakref


class Cache:
    def __init__(self, loop):
        self.pending = loop.create_future()
        self.ref = weakref.ref(self.pending)

    def describe(self):
        return self.ref().get_name()


async def main():
    print(Cache(asyncio.get_running_loop()).describe())


asyncio.run(main())
"#,
        "main.py:7: TL001",
    );
}

#[test]
fn getattr_of_a_task_only_method_without_a_default() {
    check(
        r#"
#- main.py run
import asyncio


def describe(job):
    fallback = getattr(job, "get_name", lambda: "future")()
    return fallback, getattr(job, "get_name")()


async def main():
    loop = asyncio.get_running_loop()
    print(describe(asyncio.create_task(asyncio.sleep(0))))
    print(describe(loop.create_future()))


asyncio.run(main())
"#,
        "main.py:12: TL001",
    );
}

#[test]
fn predicate_functions_narrow_their_argument() {
    check(
        r#"
#- checks.py
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from typing_extensions import TypeIs


def is_task(obj):
    """Whether obj is a Task."""
    return isinstance(obj, asyncio.Task)


def guarded(obj) -> TypeGuard[asyncio.Task]:
    return hasattr(obj, "get_name")


def task_is(obj) -> TypeIs[asyncio.Task]:
    return isinstance(obj, asyncio.Task)


def plain(obj):
    return asyncio.isfuture(obj) and not isinstance(obj, asyncio.Task)


def finished(obj):
    return obj.done()
#- main.py run
import asyncio

import checks
from checks import finished, guarded, is_task, plain


class Runner:
    def __init__(self, job):
        self.job = job

    def name(self):
        if checks.is_task(self.job):
            return self.job.get_name()
        return "future"


def describe(job):
    if is_task(job):
        print(job.get_name())
    if guarded(job):
        print(job.get_coro())
    if not checks.task_is(job):
        return "future"
    return job.get_name()


def other(job):
    if plain(job):
        return None
    return job.get_name()


def careless(job):
    if finished(job):
        return job.get_name()
    return None


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    print(Runner(loop.create_future()).name(), Runner(task).name())
    print(describe(loop.create_future()), describe(task), other(loop.create_future()), other(task))
    done = loop.create_future()
    done.set_result(None)
    print(careless(task))
    print(careless(done))


asyncio.run(main())
"#,
        "main.py:44: TL001",
    );
}

#[test]
fn predicate_methods_called_on_self_narrow_their_argument() {
    // A method or static method that returns a test of its argument narrows it when called
    // on `self` (unless an override below tests otherwise) or on its class.
    check(
        r#"
#- main.py run
import asyncio


class Registry:
    def __init__(self, jobs):
        self.jobs = jobs

    @staticmethod
    def _is_task(obj):
        return isinstance(obj, asyncio.Task)

    def _has_name(self, obj):
        return hasattr(obj, "get_name")

    def names(self):
        named = [j.get_name() for j in self.jobs if self._is_task(j)]
        for job in self.jobs:
            if Registry._is_task(job):
                named.append(job.get_name())
        return named


class Base:
    def _has_name(self, obj):
        return hasattr(obj, "get_name")

    def describe(self, job):
        if self._has_name(job):
            return job.get_name()
        return None


class Loose(Base):
    def _has_name(self, obj):
        return True


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(0))
    print(Registry([loop.create_future(), task]).names())
    print(Loose().describe(loop.create_future()))


asyncio.run(main())
"#,
        "main.py:42: TL001",
    );
}

#[test]
fn filter_keeps_what_its_function_tests() {
    // `filter` with a function that tests its argument (a lambda, a predicate of the
    // project, `asyncio.iscoroutine`) keeps only what passes the test.
    check(
        r#"
#- main.py run
import asyncio


def is_task(obj):
    return isinstance(obj, asyncio.Task)


async def work():
    return 1


def names(jobs):
    kept = [t.get_name() for t in filter(is_task, jobs)]
    kept += [t.get_name() for t in filter(lambda t: isinstance(t, asyncio.Task), jobs)]
    return kept


def sloppy(jobs):
    return [t.get_name() for t in filter(lambda t: t.done(), jobs)]


def spawn(items):
    return [asyncio.create_task(c) for c in filter(asyncio.iscoroutine, items)]


async def main():
    loop = asyncio.get_running_loop()
    print(names([loop.create_future(), asyncio.create_task(work())]))
    print(spawn([loop.create_future(), work()]))
    done = loop.create_future()
    done.set_result(1)
    print(sloppy([done]))


asyncio.run(main())
"#,
        "main.py:30: TL001",
    );
}

#[test]
fn a_task_only_method_called_in_an_f_string() {
    // Logging is where `get_name` is called most: inside an f-string's interpolation,
    // a format spec's included.
    check(
        r#"
#- app/__init__.py
#- app/jobs.py
import asyncio


def start(loop):
    return asyncio.shield(loop.create_future())


def describe(job, width):
    return f"job {job.get_name():>{width}}"
#- main.py run
import asyncio

from app.jobs import describe, start


async def main():
    job = start(asyncio.get_running_loop())
    print(describe(job, 10))


asyncio.run(main())
"#,
        "app/jobs.py:5: TL001",
    );
}

#[test]
fn a_future_given_the_task_method_it_lacks_has_it() {
    // `register` patches `set_name`/`get_name` onto what lacks them (py-ipv8's task
    // manager): the Future has them afterwards. `unpatched` calls what the Future lacks.
    check(
        r#"
#- main.py run
import asyncio
import types


def get_name(self):
    return self._name


def set_name(self, name):
    self._name = name


def register(task):
    if not hasattr(task, "set_name"):
        task.set_name = types.MethodType(set_name, task)
        task.get_name = types.MethodType(get_name, task)
    task.set_name("job")
    return task.get_name()


def unpatched(task):
    task.set_name("raw")


async def main():
    loop = asyncio.get_running_loop()
    print(register(loop.create_future()))
    task = asyncio.create_task(asyncio.sleep(0))
    print(register(task))
    await task
    unpatched(loop.create_future())


asyncio.run(main())
"#,
        "main.py:31: TL001",
    );
}
