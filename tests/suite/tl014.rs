//! TL014: a call's result handed over where a function to call back is meant.

use crate::fixture::{check, never_awaited};

#[test]
fn a_call_given_to_run_in_executor_runs_at_once_and_its_none_is_called() {
    // `save("b")` runs in the event loop's thread, and the executor calls its None. Given
    // the function (with its arguments apart, or in a partial) is fine, and so is a call
    // that gives a function: a factory, a lambda's maker, a function from outside, and a
    // method whose body is only `pass` (a hook a subclass may fill in with a factory). A
    // method that does something is reported.
    check(
        r#"
#- store.py
import functools


def save(path):
    print("saving", path)


def saver(path):
    return lambda: save(path)


class Store:
    def flush(self):
        print("flushing")

    def flusher(self):
        pass


def later(path):
    return functools.partial(save, path)
#- main.py run
import asyncio
import os

from store import Store, later, save, saver


async def main():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, save, "a")
    await loop.run_in_executor(None, saver("a"))
    await loop.run_in_executor(None, later("a"))
    await loop.run_in_executor(None, Store().flush)
    await asyncio.to_thread(os.getcwd)
    await loop.run_in_executor(None, save("b"))


def flush_later():
    loop, store = asyncio.get_running_loop(), Store()
    loop.call_soon(store.flusher())
    loop.call_soon(store.flush())


asyncio.run(main())
"#,
        "
        main.py:14: TL014
        main.py:20: TL014
        ",
    );
}

#[test]
fn coroutines_given_to_the_loop_as_callbacks_never_run() {
    // The loop calls the coroutine object: TypeError, logged by its exception handler
    // (so the script does not fail), and the `async def`'s body never runs. A `try` that catches TypeError and an
    // `async def` under a decorator from outside the project are left alone.
    const FIXTURE: &str = r#"
#- main.py
import asyncio
import contextlib


async def refresh():
    print("refresh ran")


@contextlib.asynccontextmanager
async def session():
    yield


def tick():
    print("tick ran")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(refresh())
    loop.call_later(0, tick)
    try:
        loop.call_soon(session())
    except TypeError:
        pass
    await asyncio.sleep(0.05)


asyncio.run(main())
"#;
    check(FIXTURE, "main.py:20: TL014");
    let stdout = never_awaited(FIXTURE, &["refresh"]);
    assert!(stdout.contains("tick ran"), "{stdout}");
}

#[test]
fn threads_given_a_call_run_it_in_the_calling_thread() {
    // `Thread(target=work())` runs `work` at once and the thread gets None; `Timer` and
    // an executor's `submit` get the coroutine of an `async def`. What a call gives that
    // is unknown (a function from outside) is left alone.
    check(
        r#"
#- main.py
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor


def work():
    print(threading.current_thread().name)


async def poll():
    print("poll ran")


def start(make_target):
    threading.Thread(target=work()).start()
    threading.Thread(target=make_target()).start()
    threading.Timer(1, poll()).start()
    with ThreadPoolExecutor() as pool:
        pool.submit(poll())
        pool.submit(work)
"#,
        "
        main.py:15: TL014
        main.py:17: TL014
        main.py:19: TL014
        ",
    );
}

#[test]
fn handlers_registered_with_a_call_fail_when_registered() {
    // `add_signal_handler` refuses a coroutine at once; `atexit.register` refuses None.
    check(
        r#"
#- main.py run
import asyncio
import atexit
import signal


def cleanup():
    print("cleanup")


class Service:
    async def stop(self):
        print("stopping")

    def reload(self):
        print("reloading")

    async def run(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        atexit.register(cleanup)
        loop.add_signal_handler(signal.SIGTERM, self.stop())


async def main():
    await Service().run()
    atexit.register(cleanup())


asyncio.run(main())
"#,
        "
        main.py:21: TL014
        main.py:26: TL014
        ",
    );
}

#[test]
fn none_given_to_filter_or_as_a_sort_key_means_no_function() {
    // `filter(None, xs)` keeps the true elements and `sorted(xs, key=None)` compares the
    // elements themselves: a call that gives None there is not a mistake of this kind.
    check(
        r#"
#- main.py run
import asyncio


def pick():
    print("pick")


async def main():
    print(list(filter(pick(), [0, 1])), sorted([2, 1], key=pick()))


asyncio.run(main())
"#,
        "",
    );
}
