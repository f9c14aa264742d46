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

const SYNC_WRAPPERS: &str = r#"
#- main.py run
import asyncio
import inspect
import threading


class Browser:
    async def start(self):
        print("started")

    async def close(self):
        print("closed")

    def reset(self):
        self.close()


class SyncBrowser(Browser):
    """Every coroutine function read from it runs to the end on the wrapper's loop."""

    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self.start()

    def __getattribute__(self, item):
        value = super().__getattribute__(item)
        if inspect.iscoroutinefunction(value):
            loop = super().__getattribute__("_loop")
            return lambda *args, **kwargs: loop.run_until_complete(value(*args, **kwargs))
        return value

    def __exit__(self, *args):
        self.close()
        worker = threading.Thread(target=self.close)
        worker.start()
        worker.join()


browser = SyncBrowser()
browser.__exit__(None, None, None)
browser._loop.close()
"#;

#[test]
fn a_class_with_its_own_getattribute_decides_what_its_methods_are() {
    // `SyncBrowser` runs every coroutine function it gives out: its calls are not
    // coroutines thrown away, nor is the method a thread runs an `async def` (TL009). The
    // base's own call is.
    check(SYNC_WRAPPERS, "main.py:14: TL011");
    let fixture = crate::fixture::parse(SYNC_WRAPPERS);
    let output = crate::fixture::python(&fixture.files, "main.py", None, &[]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("started\nclosed\nclosed") && !stderr.contains("never awaited"), "{stdout}{stderr}");
}

const HANDED_BACK: &str = r#"
#- app/__init__.py
#- app/session.py
class Session:
    async def flush(self):
        print("flush ran")

    async def close(self):
        return self.flush()

    async def refresh(self):
        print("refreshed")

    async def reopen(self):
        return self.refresh()
#- main.py run
import asyncio

from app.session import Session


async def fetch():
    print("fetch ran")
    return 1


async def load():
    return 2


async def main():
    session = Session()
    await session.close()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: fetch())
    # Fine: what comes back is awaited too, or used (TL019's), or is no coroutine.
    await (await session.reopen())
    print(await (await loop.run_in_executor(None, lambda: load())))
    await asyncio.sleep(0)


asyncio.run(main())
"#;

#[test]
fn a_coroutine_handed_back_to_an_await_that_drops_it_never_runs() {
    // `close` returns the coroutine of `flush` instead of awaiting it, and `await
    // session.close()` throws it away; so does the `await` of an executor's Future whose
    // lambda returns `fetch()`.
    check(
        HANDED_BACK,
        "
        app/session.py:6: TL011
        main.py:19: TL011
        ",
    );
    let stdout = never_awaited(HANDED_BACK, &["Session.flush", "fetch"]);
    assert_eq!(stdout, "refreshed\n2\n");
}

const UNREAD: &str = r#"
#- main.py run
import asyncio
import gc
import warnings


async def save():
    print("save ran")


async def notify():
    print("notify ran")


async def load():
    return 1


async def main():
    result = save()
    _ = notify()
    # Fine: read afterwards, or deleted on purpose to see the warning.
    value = load()
    print(await value)
    with warnings.catch_warnings(record=True):
        coro = load()
        del coro
        gc.collect()


asyncio.run(main())
"#;

#[test]
fn a_coroutine_assigned_to_a_name_nothing_reads_never_runs() {
    check(
        UNREAD,
        "
        main.py:19: TL011
        main.py:20: TL011
        ",
    );
    let stdout = never_awaited(UNREAD, &["save", "notify"]);
    assert_eq!(stdout, "1\n");
}

const COLLECTED: &str = r#"
#- main.py run
import asyncio


async def fetch(url):
    print("fetch ran", url)


async def load(url):
    return url


async def main(urls):
    pending = [fetch(url) for url in urls]
    # Fine: gathered, or handed on.
    loading = [load(url) for url in urls]
    print(await asyncio.gather(*loading))
    keep = {load(url) for url in urls}
    await asyncio.gather(*keep)


asyncio.run(main(["a", "b"]))
"#;

#[test]
fn coroutines_collected_in_a_list_nothing_reads_never_run() {
    check(COLLECTED, "main.py:13: TL011");
    let stdout = never_awaited(COLLECTED, &["fetch"]);
    assert_eq!(stdout, "['a', 'b']\n");
}

#[test]
fn a_project_that_never_names_asyncio_is_checked_too() {
    // An application whose framework runs the loop: nothing spells asyncio, but its
    // `async def`s still make coroutines that can be left unawaited.
    const NO_ASYNCIO: &str = r#"
#- app.py
async def save(record):
    print("save ran", record)


async def handle(record):
    save(record)
    return "handled"
#- main.py run
from app import handle

coroutine = handle(1)
try:
    coroutine.send(None)
except StopIteration as stop:
    print("result", stop.value)
"#;
    check(NO_ASYNCIO, "app.py:6: TL011");
    let stdout = never_awaited(NO_ASYNCIO, &["save"]);
    assert!(stdout.contains("result handled"), "{stdout}");
}

#[test]
fn a_branch_for_an_outside_class_holds_no_instance_of_the_project_s_own() {
    // `isinstance(target, Path)` holds of no `Remote`: the project's class derives from
    // nothing outside, so `target.unlink()` there never calls its `async def`.
    check(
        r#"
#- main.py run
import asyncio
import pathlib


class Remote:
    async def unlink(self):
        print("remote unlink ran")


def remove(target):
    if isinstance(target, pathlib.Path):
        target.unlink()
        return None
    return target.unlink()


async def main():
    await remove(Remote())


asyncio.run(main())
"#,
        "",
    );
}

const USED_OR_TESTED: &str = r#"
#- main.py
import asyncio


async def count():
    return 5


async def load():
    print("load ran")
    return None


async def main():
    n = count()
    if n > 3:
        print("many")


async def check():
    job = load()
    assert job is not None
    print("checked")


asyncio.run(check())
"#;

#[test]
fn a_name_used_where_a_coroutine_fails_is_missing_an_await() {
    // `n > 3` uses `n` as a number: TL019's, not a name nothing reads. `job` is only
    // compared: its coroutine is never awaited (and the assertion always holds).
    check(USED_OR_TESTED, "main.py:14: TL019\nmain.py:20: TL011");
    let stdout = never_awaited(USED_OR_TESTED, &["load"]);
    assert!(stdout.contains("checked"), "{stdout}");
}

const PATCHED: &str = r#"
#- app/__init__.py
#- app/api.py
async def fetch(key):
    print("fetch ran", key)
    return key


class Client:
    async def close(self):
        print("close ran")
#- main.py run
from unittest import mock
from unittest.mock import patch

from app import api
from app.api import Client


def replaced_by_a_with():
    with patch("app.api.fetch") as fake:
        fake.return_value = 1
        print("patched", api.fetch("a"))


@patch.object(Client, "close")
def replaced_by_a_decorator(fake):
    Client().close()
    print("closed", fake.called)


replaced_by_a_with()
replaced_by_a_decorator()
api.fetch("b")
"#;

#[test]
fn a_name_a_test_patches_calls_the_mock() {
    // Under `with patch("app.api.fetch")` and `@patch.object(Client, "close")`, the calls
    // run mocks; the last call, outside both, makes a coroutine nothing awaits.
    check(PATCHED, "main.py:22: TL011");
    let stdout = never_awaited(PATCHED, &["fetch"]);
    assert!(stdout.contains("patched") && stdout.contains("closed True"), "{stdout}");
}
