//! TL012: an event loop run where one is already running.

use crate::fixture::check;

#[test]
fn a_sync_helper_that_runs_a_loop_fails_under_a_coroutine() {
    check(
        r#"
#- app/__init__.py
#- app/pages.py
import asyncio


async def fetch(url):
    await asyncio.sleep(0)
    return url.upper()


async def fetch_many(urls):
    return await asyncio.gather(*[fetch(url) for url in urls])


def fetch_all(urls):
    return asyncio.run(fetch_many(urls))
#- main.py run
import asyncio

from app.pages import fetch_all


async def handler(urls):
    return fetch_all(urls)


asyncio.run(handler(["a", "b"]))
"#,
        "app/pages.py:14: TL012",
    );
}

#[test]
fn running_the_loop_from_a_coroutine_fails() {
    check(
        r#"
#- main.py run
import asyncio


async def ping():
    return "pong"


async def main():
    loop = asyncio.get_event_loop()
    print(loop.run_until_complete(ping()))


asyncio.run(main())
"#,
        "main.py:10: TL012",
    );
}

#[test]
fn loops_run_where_none_is_running_are_fine() {
    check(
        r#"
#- app.py
import asyncio
import os
import unittest


async def ping():
    return "pong"


def sync_or_async():
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(ping())
    return ping()


def in_a_thread():
    return asyncio.run(ping())


async def main():
    await sync_or_async()
    await asyncio.to_thread(in_a_thread)
    await asyncio.get_running_loop().run_in_executor(None, in_a_thread)


async def forked():
    # The child process has no running loop.
    if os.fork() == 0:
        asyncio.new_event_loop().run_until_complete(ping())
        os._exit(0)


class LoopTest(unittest.TestCase):
    def test_a_loop_within_a_loop(self):
        async def runner(loop):
            loop.run_forever()

        inner, outer = asyncio.new_event_loop(), asyncio.new_event_loop()
        with self.assertRaises(RuntimeError):
            outer.run_until_complete(runner(inner))
#- main.py run
import asyncio

from app import main, ping

asyncio.run(main())
loop = asyncio.new_event_loop()
print(loop.run_until_complete(ping()))
loop.close()
"#,
        "",
    );
}

#[test]
fn nest_asyncio_makes_loops_reentrant() {
    check(
        r#"
#- main.py
import asyncio

import nest_asyncio

nest_asyncio.apply()


async def ping():
    return "pong"


async def main():
    return asyncio.run(ping())
"#,
        "",
    );
}
