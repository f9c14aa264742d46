//! TL011: a coroutine made by a call on a line of its own and never awaited.

use crate::fixture::{check, never_awaited};

const FORGOTTEN_AWAITS: &str = r#"
#- app/__init__.py
#- app/client.py
import asyncio


class Client:
    def __init__(self):
        self.closed = asyncio.Event()

    async def close(self):
        print("close ran")
        self.closed.set()

    async def stop(self):
        self.close()
        self.closed.wait()
        await asyncio.sleep(0)


async def flush(client):
    print("flush ran")
#- main.py run
import asyncio

from app import client as client_module
from app.client import Client


def shutdown(client):
    client_module.flush(client)


async def main():
    client = Client()
    await client.stop()
    shutdown(client)
    asyncio.sleep(0)
    asyncio.wait_for(client.stop(), 1)
    print("main ended", client.closed.is_set())


asyncio.run(main())
"#;

#[test]
fn calls_of_async_defs_on_lines_of_their_own_are_never_awaited() {
    check(
        FORGOTTEN_AWAITS,
        "
        app/client.py:13: TL011
        app/client.py:14: TL011
        main.py:8: TL011
        main.py:15: TL011
        main.py:16: TL011
        ",
    );
    let stdout = never_awaited(FORGOTTEN_AWAITS, &["Client.close", "Event.wait", "flush", "sleep", "wait_for"]);
    assert!(stdout.contains("main ended False"), "{stdout}");
}

#[test]
fn awaited_kept_switched_and_plain_overrides_are_fine() {
    check(
        r#"
#- app.py
import asyncio
import inspect


class Base:
    async def close(self):
        pass

    def shutdown(self):
        # A subclass closes synchronously.
        self.close()


class Sync(Base):
    def close(self):
        pass


async def work():
    pass


def hook(callback):
    # Whatever a caller gives: the mistake would be where an `async def` is given.
    callback()


class Job:
    def __init__(self, func):
        self.func = func

    def run(self):
        self.func()


def either(close):
    if inspect.iscoroutinefunction(close):
        return asyncio.run(close())
    close()


def twin(is_sync):
    if not is_sync:
        work()
    if True:
        pass
    else:
        work()


def wire():
    Base().shutdown()
    hook(work)
    Job(work).run()
    either(work)
    twin(False)
#- main.py run
import asyncio

from app import work


async def main():
    await work()
    task = asyncio.create_task(work())
    coro = work()
    await coro
    await task


asyncio.run(main())
"#,
        "",
    );
}

const QUEUE_PUTS: &str = r#"
#- main.py run
import asyncio


class Feed:
    def __init__(self):
        self.queue = asyncio.Queue()

    def on_message(self, message):
        self.queue.put(message)

    async def relay(self, message):
        self.queue.put(message)
        self.queue.put_nowait(message)
        await self.queue.put(message)


async def main():
    feed = Feed()
    feed.on_message("a")
    await feed.relay("b")
    print("queued", feed.queue.qsize())


asyncio.run(main())
"#;

#[test]
fn an_asyncio_queue_put_never_awaited_puts_nothing() {
    // In plain code the advice is `put_nowait`, which needs no `await`.
    check(
        QUEUE_PUTS,
        "
        main.py:9: TL011
        main.py:12: TL011
        ",
    );
    let stdout = never_awaited(QUEUE_PUTS, &["Queue.put"]);
    assert!(stdout.contains("queued 2"), "{stdout}");
}
