//! TL022: a Task's result set from outside, which Tasks refuse with RuntimeError.

use crate::fixture::check;

#[test]
fn a_task_settled_as_a_future_across_modules() {
    // `Request` keeps what `ensure_future` gave for a coroutine (a Task) and settles it
    // when the answer comes; `fail` is annotated to take a Future, which a Task is to
    // every type checker, and is given a plain Future too. Both raise RuntimeError; the
    // script reaches the first one.
    check(
        r#"
#- app/__init__.py
#- app/requests.py
import asyncio


class Request:
    def __init__(self, send):
        self.done = asyncio.ensure_future(send())

    def answer(self, value):
        self.done.set_result(value)


def fail(waiter: "asyncio.Future[None]", error):
    if not waiter.done():
        waiter.set_exception(error)
#- main.py run
import asyncio

from app.requests import Request, fail


async def send():
    await asyncio.sleep(1)


async def main():
    request = Request(send)
    fail(asyncio.get_running_loop().create_future(), ValueError("unused"))
    await asyncio.sleep(0)
    pending = {"job": asyncio.create_task(send())}
    try:
        request.answer(3)
    finally:
        request.done.cancel()
        fail(pending["job"], ValueError("stopped"))


asyncio.run(main())
"#,
        "
        app/requests.py:6: TL002
        app/requests.py:6: TL022
        main.py:14: TL022
        ",
    );
}

#[test]
fn plain_futures_tests_of_the_kind_and_handled_failures() {
    // A plain Future from the loop or from `ensure_future(fut)` may be settled; a helper
    // that tells Tasks apart (`isinstance`, either way round), a call that handles the
    // RuntimeError, and a method only read (not called) are fine. The script runs cleanly.
    check(
        r#"
#- settle.py
import asyncio


def settle(fut, value):
    if isinstance(fut, asyncio.Task):
        fut.cancel()
    else:
        fut.set_result(value)


def settle_unless_task(fut, value):
    if not isinstance(fut, asyncio.Task):
        fut.set_result(value)


def settle_trying(fut, value):
    try:
        fut.set_result(value)
    except RuntimeError:
        fut.cancel()


def setter(fut):
    return fut.set_result
#- main.py run
import asyncio

from settle import settle, settle_trying, settle_unless_task, setter


async def work():
    await asyncio.sleep(1)


async def main():
    loop = asyncio.get_running_loop()
    plain = asyncio.ensure_future(loop.create_future())
    plain.set_result(1)
    for fut in (loop.create_future(), asyncio.create_task(work())):
        settle(fut, 2)
    task = asyncio.create_task(work())
    settle_unless_task(task, 3)
    settle_trying(task, 4)
    print(setter(task) is not None)


asyncio.run(main())
"#,
        "",
    );
}
