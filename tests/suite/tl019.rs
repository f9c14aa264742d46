//! TL019: an attribute of a coroutine read where its result was meant.

use crate::fixture::check;

#[test]
fn a_result_read_without_await_across_modules() {
    // `fetch_user` is an `async def` of another module, reached through an unannotated
    // method: the coroutine is what `user` holds, and `user.name` fails (AttributeError),
    // as does `.items()` on `load()` itself.
    check(
        r#"
#- app/__init__.py
#- app/repo.py
import asyncio


class User:
    def __init__(self, name):
        self.name = name


class Repo:
    async def fetch_user(self, user_id):
        await asyncio.sleep(0)
        return User(f"user {user_id}")

    async def load(self):
        return {"a": 1}
#- app/views.py
def lookup(repo, user_id):
    return repo.fetch_user(user_id)


async def greet(repo, user_id):
    user = lookup(repo, user_id)
    return f"hello {user.name}"


async def dump(repo):
    return sorted(repo.load().items())
#- main.py run
import asyncio
from app.repo import Repo
from app.views import dump, greet


async def main():
    print(await greet(Repo(), 1))
    print(await dump(Repo()))


asyncio.run(main())
"#,
        "app/views.py:2: TL019\napp/views.py:11: TL019",
    );
}

#[test]
fn awaited_tested_or_coroutine_attributes_are_fine() {
    // Awaited values, what a coroutine has (`close`, `send`, `cr_frame`, `__name__`), a
    // value tested with `inspect.iscoroutine` or given to a helper that tests kinds, an
    // instance of a class with the attribute, and a Future method (TL018's) are fine, and
    // so is a generator's attribute read by a wrapper that holds the coroutine on purpose.
    check(
        r#"
#- main.py run
import asyncio
import inspect


class Box:
    name = "box"


class Wrapped:
    def __init__(self, coro):
        self._coro = coro

    @property
    def gi_frame(self):
        return self._coro.gi_frame

    def __await__(self):
        return self._coro.__await__()


async def make():
    await asyncio.sleep(0)
    return Box()


def resolve(value):
    if inspect.iscoroutine(value):
        return asyncio.create_task(value)
    return value


async def main():
    box = await make()
    print(box.name)
    coro = make()
    print(coro.__name__, coro.cr_frame is not None)
    coro.close()
    other = make()
    if not inspect.iscoroutine(other):
        print(other.name)
    other.close()
    later = resolve(make())
    print((await later).name)
    print((await Wrapped(make())).name)
    either = make() if box.name else Box()
    if isinstance(either, Box):
        print(either.name)
    else:
        either.close()


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_result_subscripted_or_iterated_without_await() {
    // A subscript of the coroutine, and a `for` or an `async for` over it, are TypeErrors;
    // each call is reported once, at the call. A `case` pattern never matches a coroutine
    // (no error), and the awaited result is fine.
    check(
        r#"
#- store.py
async def load():
    return {"id": 7}


async def rows():
    return [1, 2]


async def lines():
    return ["a"]
#- main.py run
import asyncio
import store


async def main():
    async for line in store.lines():
        print(line)


async def report():
    data = store.load()
    for row in store.rows():
        print(row)
    print(data["id"])
    match store.load():
        case {"id": ident}:
            print(ident)
    print((await store.load())["id"])


asyncio.run(main())
"#,
        "main.py:6: TL019\nmain.py:11: TL019\nmain.py:12: TL019",
    );
}

#[test]
fn a_method_replaced_on_the_instance_is_not_what_runs() {
    // `crawler.arun` is replaced by an async generator that wraps it: `async for` over
    // its call is right, though the class's `arun` is an `async def` (crawl4ai's
    // deep-crawl decorator). A name stored as an attribute anywhere may be replaced so.
    check(
        r#"
#- main.py run
import asyncio


class Crawler:
    async def arun(self, url):
        await asyncio.sleep(0)
        return url


def streaming(original):
    async def wrapped(url):
        yield await original(url)
    return wrapped


async def main():
    crawler = Crawler()
    crawler.arun = streaming(crawler.arun)
    async for page in crawler.arun("a"):
        print(page)


asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn a_field_of_the_class_is_not_a_subclass_property() {
    // `Request` stores its own `stream` (a file); the ASGI subclass replaces it with a
    // property whose stream reads asynchronously, and never runs the base `__init__` that
    // parses the form (falcon). The base's code reads its own field. A mixin that only
    // calls what the class using it defines still reaches that class's `async def`, and so
    // does a class-body placeholder (`on_data = None`) that a subclass's method overrides.
    check(
        r#"
#- web/__init__.py
#- web/request.py
import io


class Request:
    def __init__(self, body):
        self.stream = io.BytesIO(body)
        self._parse_form()

    def _parse_form(self):
        data = self.stream.read(4)
        self.form = data.decode("ascii")


class Loader:
    def load_text(self):
        return self.fetch().decode("ascii")


class Handler:
    on_data = None

    def feed(self, data):
        if self.on_data is not None:
            return self.on_data(data).upper()
#- web/asgi.py
from web import request


class Stream:
    async def read(self, size=None):
        return b"body"


class Request(request.Request):
    def __init__(self, scope):
        self.scope = scope

    @property
    def stream(self):
        return Stream()


class Client(request.Loader):
    async def fetch(self):
        return b"text"


class Reader(request.Handler):
    async def on_data(self, data):
        return data
#- main.py run
import asyncio
from web import asgi, request


async def main():
    print(request.Request(b"a=1&").form)
    print(await asgi.Request({}).stream.read())
    asgi.Client().load_text()


asyncio.run(main())
"#,
        "web/request.py:16: TL019\nweb/request.py:24: TL019",
    );
}

const ALWAYS_TRUE: &str = r#"
#- door.py
import asyncio


class Door:
    async def is_open(self):
        await asyncio.sleep(0)
        return False


async def watch(door):
    if door.is_open():
        print("open: alarm")
    if not await door.is_open():
        print("closed")


def maybe_open(door, wanted):
    if not wanted:
        return None
    return door.is_open()


async def check(door):
    # `None` or a coroutine: the test tells them apart (homeassistant's discovery flows).
    if coro := maybe_open(door, True):
        print("checked", await coro)
#- main.py
import asyncio
from door import Door, check, watch

asyncio.run(watch(Door()))
asyncio.run(check(Door()))
"#;

#[test]
fn a_coroutine_tested_for_its_truth_is_always_true() {
    // `if door.is_open():` takes the branch whatever `is_open` would return: the coroutine
    // is true and never runs (CPython warns it was never awaited). The awaited test is fine,
    // and so is a test of what a helper returns, which may be `None` instead.
    crate::fixture::check(ALWAYS_TRUE, "door.py:11: TL019");
    let stdout = crate::fixture::never_awaited(ALWAYS_TRUE, &["Door.is_open"]);
    assert!(
        stdout.contains("open: alarm") && stdout.contains("closed") && stdout.contains("checked False"),
        "{stdout}"
    );
}

#[test]
fn a_result_used_as_an_operand_unpacked_or_consumed_without_await() {
    // The usual missing awaits of async ORMs and clients, through an unannotated helper of
    // another module: unpacking (`obj, created = get_or_create()`), arithmetic (also
    // augmented), an ordering comparison, `in`, `*` in a call, and the builtins that
    // iterate, measure or convert (`len`, `list`, `sorted`, `sum`, `zip`, `map`, `next`,
    // `int`). The script checks that CPython raises TypeError for each; the last one ends it.
    check(
        r#"
#- app/__init__.py
#- app/repo.py
import asyncio


class Repo:
    async def get_or_create(self, key):
        await asyncio.sleep(0)
        return key, True

    async def count(self):
        return 3

    async def keys(self):
        return ["a", "b"]


def find(repo):
    return repo.keys()
#- app/cases.py
from app.repo import Repo, find

repo = Repo()


async def unpacked():
    obj, created = repo.get_or_create("k")


async def added():
    return repo.count() + 1


async def accumulated():
    total = 0
    total += repo.count()


async def ordered():
    return repo.count() > 2


async def searched():
    return "a" in find(repo)


async def spread():
    print(*find(repo))


async def measured():
    return len(find(repo))


async def listed():
    return list(find(repo)), sorted(repo.keys())


async def summed():
    return sum(repo.keys())


async def zipped():
    return zip(find(repo), [1, 2])


async def mapped():
    return map(str.upper, repo.keys())


async def advanced():
    return next(repo.keys())


async def converted():
    return int(repo.count())
#- main.py run
import asyncio
from app import cases


async def raises_type_error(case):
    try:
        await case()
    except TypeError as error:
        print(case.__name__, "raised TypeError:", error)
    else:
        raise AssertionError(case.__name__ + " raised nothing")


async def main():
    for case in [cases.unpacked, cases.added, cases.accumulated, cases.ordered, cases.searched, cases.spread,
                 cases.measured, cases.listed, cases.summed, cases.zipped, cases.mapped, cases.advanced]:
        await raises_type_error(case)
    await cases.converted()


asyncio.run(main())
"#,
        "app/cases.py:7: TL019\napp/cases.py:11: TL019\napp/cases.py:16: TL019\napp/cases.py:20: TL019\n\
         app/cases.py:36: TL019\napp/cases.py:40: TL019\napp/cases.py:48: TL019\napp/cases.py:52: TL019\n\
         app/cases.py:56: TL019\napp/repo.py:17: TL019",
    );
}

#[test]
fn operands_and_builtins_that_take_a_coroutine_are_fine() {
    // `%` formats any value on its right, `in` takes a coroutine on its left, a tuple of
    // calls pairs values, awaited results and values tested for their kind are fine, a
    // local `len` is not the builtin, a `TypeError` caught around the use is expected, and
    // `==` on what a helper gives (maybe `None`) is left alone.
    check(
        r#"
#- main.py run
import asyncio
import inspect


async def count():
    await asyncio.sleep(0)
    return 3


async def pair():
    return 1, 2


def maybe(wanted):
    return count() if wanted else None


def len(value):
    return 0


async def main():
    coro = count()
    print("made %r" % coro)
    print(coro in [coro], len(coro))
    coro.close()
    a, b = pair(), count()
    a.close()
    b.close()
    x, y = await pair()
    print(x + y + await count())
    other = count()
    if inspect.iscoroutine(other):
        other.close()
    else:
        print(other + 1)
    try:
        print(count() + 1)
    except TypeError:
        print("refused")
    value = maybe(False)
    print(value == None)


asyncio.run(main())
"#,
        "",
    );
}

const COMPARED: &str = r#"
#- main.py
import asyncio


class Job:
    async def state(self):
        print("state ran")
        return "done"


async def main():
    job = Job()
    if job.state() == "done":
        print("finished")
    else:
        print("still running")


asyncio.run(main())
"#;

#[test]
fn a_coroutine_compared_is_never_its_result() {
    // `job.state() == "done"` compares the coroutine: never equal, and `state` never runs.
    crate::fixture::check(COMPARED, "main.py:12: TL019");
    let stdout = crate::fixture::never_awaited(COMPARED, &["Job.state"]);
    assert!(stdout.contains("still running"), "{stdout}");
}

#[test]
fn awaited_by_async_for_or_narrowed_to_an_outside_class_is_fine() {
    // A plain `def __anext__` returns an awaitable that `async for` awaits: the element is
    // the value (this part fails without the solver awaiting it). The shape of pyatv's
    // reader, a parameter annotated `BufferedIOBase | StreamReader` narrowed by
    // `isinstance(source, io.BufferedIOBase)` to the file, whose `read` is no coroutine,
    // stays without findings (the rule that kept pyatv's out, asyncio's coroutines followed
    // only within their function, is shown to matter by the test after this one).
    check(
        r#"
#- stream.py
import asyncio


class Counter:
    def __init__(self):
        self.index = 0

    def __aiter__(self):
        return self

    def __anext__(self):
        if self.index > 2:
            raise StopAsyncIteration()
        return self.fetch()

    async def fetch(self):
        await asyncio.sleep(0)
        self.index += 1
        return self.index


async def total():
    result = 0
    async for value in Counter():
        result = result + value
    return result
#- files.py
import asyncio
import io


class Buffer:
    def __init__(self):
        self.data = b""

    def add(self, data):
        self.data += data
        return len(data)


class Wrapper:
    def __init__(self, reader: io.BufferedIOBase, buffer):
        self.reader = reader
        self.buffer = buffer

    def read(self, size):
        self.buffer.add(self.reader.read(size))
        return self.buffer.data


def open_source(source: "io.BufferedIOBase | asyncio.StreamReader"):
    if isinstance(source, io.BufferedIOBase):
        return Wrapper(source, Buffer())
    return source
#- main.py run
import asyncio
import io
from files import open_source
from stream import total

print(asyncio.run(total()))
print(open_source(io.BufferedReader(io.BytesIO(b"abc"))).read(2))
"#,
        "",
    );
}

#[test]
fn asyncio_coroutines_are_followed_within_their_function() {
    // asyncio's own coroutines (`asyncio.sleep`, `reader.read`) are found from what the
    // receiver is assumed to be, which tests of outside classes narrow where the analysis
    // does not: one used where it is made is reported, one handed to another function is
    // left alone (a known trade-off: `measure` fails too).
    check(
        r#"
#- main.py run
import asyncio


def measure(data):
    return len(data)


async def elsewhere():
    return measure(asyncio.sleep(0, b"abc"))


async def here():
    delay = asyncio.sleep(0, 5)
    return delay + 1


asyncio.run(here())
"#,
        "main.py:13: TL019",
    );
}

#[test]
fn what_an_executor_hands_back_is_what_its_function_returns() {
    // The executor's Future gives what the lambda returns: the coroutine of `fetch`, which
    // the caller subscripts (TypeError). A function the analysis does not follow, and a
    // lambda whose coroutine is awaited afterwards, are fine.
    check(
        r#"
#- main.py run
import asyncio
import json


async def fetch():
    return {"id": 1}


async def main():
    loop = asyncio.get_running_loop()
    data = await loop.run_in_executor(None, json.loads, '{"id": 2}')
    print(data["id"])
    later = await loop.run_in_executor(None, lambda: fetch())
    print((await later)["id"])
    row = await loop.run_in_executor(None, lambda: fetch())
    print(row["id"])


asyncio.run(main())
"#,
        "
        main.py:15: TL019
        ",
    );
}

const EACH_TESTED: &str = r#"
#- checks.py
import asyncio


async def healthy(host):
    await asyncio.sleep(0)
    return False


async def all_healthy(hosts):
    return all(healthy(host) for host in hosts)


async def any_healthy(hosts):
    checks = [healthy(host) for host in hosts]
    return any(checks)


async def really_healthy(hosts):
    return all([await healthy(host) for host in hosts])
#- main.py
import asyncio
from checks import all_healthy, any_healthy, really_healthy


async def main():
    print("all", await all_healthy(["a", "b"]))
    print("any", await any_healthy(["c"]))
    print("really", await really_healthy(["d"]))


asyncio.run(main())
"#;

#[test]
fn coroutines_that_any_or_all_test_are_always_true() {
    // `all(healthy(h) for h in hosts)` is true whatever `healthy` would return: each
    // coroutine is true and never runs. Awaited in a list first, the results are tested.
    crate::fixture::check(EACH_TESTED, "checks.py:10: TL019\nchecks.py:14: TL019");
    let stdout = crate::fixture::never_awaited(EACH_TESTED, &["healthy"]);
    assert!(stdout.contains("all True") && stdout.contains("any True") && stdout.contains("really False"), "{stdout}");
}

#[test]
fn a_coroutine_entered_by_with_or_async_with() {
    // `async with connect()` of an `async def connect()` that returns the connection: the
    // coroutine is no context manager (TypeError from 3.11, AttributeError before).
    check(
        r#"
#- db.py
class Connection:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


async def connect():
    return Connection()
#- main.py run 3.11
import asyncio

from db import connect


async def main():
    async with await connect() as first:
        print("entered", first)
    async with connect() as second:
        print("never", second)


asyncio.run(main())
"#,
        "main.py:9: TL019",
    );
}

#[test]
fn a_call_under_a_switch_on_the_function_s_kind_gives_each_kind_to_its_caller() {
    // `Flow(fn)()` hands back the coroutine of `call` only where `fn` is an `async def`,
    // and runs it where it is not (prefect's flows); the analysis merges every `Flow`, so
    // that coroutine seems to reach `value + 1`.
    check(
        r#"
#- flows.py
import asyncio
import inspect


class Flow:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self):
        async def call():
            result = self.fn()
            if inspect.isawaitable(result):
                result = await result
            return result

        if inspect.iscoroutinefunction(self.fn):
            return call()
        else:
            return asyncio.run(call())
#- main.py run
import asyncio

from flows import Flow


async def fetch():
    return 1


def compute():
    return 2


async def main():
    print(await Flow(fetch)())


value = Flow(compute)()
print(value + 1)
asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn what_an_executor_runs_unfollowed_may_be_anything() {
    // `rows` is a generator function: its executor's Future gives a generator, which the
    // analysis does not follow; `found` may be that, not only the coroutine of `fetch`.
    check(
        r#"
#- main.py run
import asyncio
import sys


def rows():
    yield {"id": 1}


async def fetch():
    return [{"id": 2}]


async def main(fast):
    loop = asyncio.get_running_loop()
    produce = rows if fast else (lambda: fetch())
    found = await loop.run_in_executor(None, produce)
    print(next(iter(found)))


asyncio.run(main(len(sys.argv) < 5))
"#,
        "",
    );
}
