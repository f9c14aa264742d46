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
