//! TL015: `with`/`for` where only `async with`/`async for` works, or the reverse.

use crate::fixture::check;

#[test]
fn locks_and_context_managers_entered_the_wrong_way() {
    // asyncio's lock has no `__enter__` (since 3.9), a thread's lock no `__aenter__`; a
    // project class is judged by what it defines, through its project bases. A class with
    // a base from outside, an `@asynccontextmanager` function and one of each kind are fine.
    check(
        r#"
#- app/sync.py
import asyncio
import contextlib
import threading


class Session:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class Pooled(Session):
    pass


class Both(Session):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Closing(contextlib.AbstractContextManager):
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


@contextlib.asynccontextmanager
async def opened():
    yield


class Cache:
    def __init__(self):
        self.lock = asyncio.Lock()
        self.thread_lock = threading.Lock()

    async def refresh(self):
        async with self.lock, opened(), Session(), Both():
            pass
        with self.thread_lock, Both(), Closing():
            pass
        async with self.thread_lock:
            pass

    async def reload(self):
        with self.lock:
            pass
        with Pooled():
            pass
#- main.py run
import asyncio

from app.sync import Cache


async def main():
    cache = Cache()
    await cache.reload()


asyncio.run(main())
"#,
        "
        app/sync.py:49: TL015
        app/sync.py:53: TL015
        app/sync.py:55: TL015
        ",
    );
}

#[test]
fn generators_iterated_the_wrong_way() {
    // An async generator needs `async for`, a plain one `for`. Through a method, an
    // attribute and another module; comprehensions too. Under a test of what the value
    // supports, either kind is left alone.
    check(
        r#"
#- feed.py
async def events():
    yield 1


def lines():
    yield "a"


async def fetch_all():
    return [1, 2]


class Feed:
    def __init__(self):
        self.source = events

    def stream(self):
        return self.source()
#- main.py run
import asyncio

from feed import Feed, events, fetch_all, lines


async def fine():
    async for event in Feed().stream():
        print(event)
    for line in lines():
        print(line)
    for item in await fetch_all():
        print(item)
    print([event async for event in events()])


async def wrong():
    print([line async for line in lines()])
    async for item in Feed().source():
        print(item)


async def either(source):
    if hasattr(source, "__aiter__"):
        async for item in source:
            print(item)
    else:
        for item in source:
            print(item)


async def main():
    await fine()
    await either(lines())
    for event in Feed().stream():
        print(event)


asyncio.run(main())
"#,
        "
        main.py:17: TL015
        main.py:34: TL015
        ",
    );
}

#[test]
fn an_async_aiter_gives_no_async_iterator() {
    // `__aiter__` must be a plain `def` (since Python 3.5.2): as an `async def` it gives a
    // coroutine, and `async for` refuses it. The same class's `__anext__` is fine async.
    check(
        r#"
#- main.py run
import asyncio


class Countdown:
    def __init__(self, start):
        self.left = start

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.left == 0:
            raise StopAsyncIteration
        self.left -= 1
        return self.left


class Stream(Countdown):
    async def __aiter__(self):
        return self


async def main():
    async for n in Countdown(2):
        print(n)
    async for n in Stream(2):
        print(n)


asyncio.run(main())
"#,
        "main.py:26: TL015",
    );
}

#[test]
fn places_declared_to_take_the_statements_kind_are_left_to_type_checkers() {
    // `Filter` keeps either kind of iterable in an attribute declared as both and picks its
    // strategy by `isinstance`; `each` declares `Iterable`. A type checker sees those; the
    // unannotated attribute `plain` is where only the flow shows the async generator.
    check(
        r#"
#- main.py run
import asyncio
from typing import AsyncIterable, Iterable, Optional, Union


class Filter:
    def __init__(self, iterable):
        self.__iterable: Union[AsyncIterable[int], Iterable[int]] = iterable
        self.plain = iterable
        if isinstance(iterable, AsyncIterable):
            self.items = self.async_items
        else:
            self.items = self.sync_items

    async def sync_items(self):
        for item in self.__iterable:
            yield item

    async def async_items(self):
        async for item in self.__iterable:
            yield item

    def count(self):
        return sum(1 for _ in self.plain)


async def numbers():
    yield 1


def each(items: Optional[Iterable[int]]):
    for item in items or ():
        print(item)


async def main():
    f = Filter(numbers())
    async for x in f.items():
        print(x)
    if False:
        each(numbers())
    f.count()


asyncio.run(main())
"#,
        "main.py:23: TL015",
    );
}

#[test]
fn generator_context_managers_entered_the_wrong_way() {
    // `@contextmanager` makes a manager for `with`, `@asynccontextmanager` one for `async
    // with`; each refuses the other statement. Through a module and a name.
    check(
        r#"
#- app/resources.py
import contextlib


@contextlib.contextmanager
def opened(name):
    yield name


@contextlib.asynccontextmanager
async def session():
    yield "session"
#- main.py run
import asyncio

from app.resources import opened, session


async def main():
    with opened("a") as name:
        print(name)
    async with session() as current:
        print(current)
    manager = opened("b")
    async with manager as name:
        print(name)


async def later():
    with session():
        pass


asyncio.run(main())
"#,
        "
        main.py:12: TL015
        main.py:17: TL015
        ",
    );
}

#[test]
fn a_file_from_open_is_entered_and_iterated_synchronously() {
    // `open()` gives a file: `with` and `for` only (TypeError from 3.11 for `async with`,
    // AttributeError before).
    check(
        r#"
#- main.py run 3.11
import asyncio
import tempfile


async def count_lines(path):
    with open(path) as lines:
        total = sum(1 for _ in lines)
    async with open(path) as again:
        print("never", again)
    return total


async def main():
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
        out.write("a\nb\n")
    print(await count_lines(out.name))


asyncio.run(main())
"#,
        "main.py:8: TL015",
    );
}
