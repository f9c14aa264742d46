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
    // instance of a class with the attribute, and a Future method (TL018's) are fine.
    check(
        r#"
#- main.py run
import asyncio
import inspect


class Box:
    name = "box"


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
