//! TL017: `asyncio.get_event_loop()` where no event loop is running or set.

use crate::fixture::check;

#[test]
fn at_import_and_as_the_script_starts_across_modules() {
    // Run under 3.12 with the warning made an error, as 3.14 makes it one: the client's
    // constructor, called from the script's start, asks for a loop nobody set.
    check(
        r#"
#- client.py
import asyncio


class Client:
    def __init__(self):
        self.loop = asyncio.get_event_loop()

    async def fetch(self):
        return 1


def default_loop():
    return asyncio.get_event_loop()
#- main.py run 3.12
import warnings

warnings.simplefilter("error", DeprecationWarning)

from client import Client, default_loop

if __name__ == "__main__":
    client = Client()
    client.loop.run_until_complete(client.fetch())
"#,
        "client.py:6: TL017",
    );
}

#[test]
fn a_set_loop_a_policy_a_running_loop_or_a_guard_is_fine() {
    // Each of these runs cleanly under 3.12 with DeprecationWarning as an error.
    check(
        r#"
#- setup.py
import asyncio


def make_loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return asyncio.get_event_loop()
#- main.py run 3.12
import asyncio
import warnings

warnings.simplefilter("error", DeprecationWarning)

from setup import make_loop


async def main():
    return asyncio.get_event_loop()


def current_or_none():
    try:
        return asyncio.get_event_loop()
    except (RuntimeError, DeprecationWarning):
        return None


loop = make_loop()
loop.run_until_complete(main())
asyncio.set_event_loop(None)
print(current_or_none())
loop.close()
"#,
        "",
    );
    // A package that sets a loop as it is imported sets it for its modules too.
    check(
        r#"
#- app/__init__.py
import asyncio

asyncio.set_event_loop(asyncio.new_event_loop())
#- app/jobs.py
import asyncio

LOOP = asyncio.get_event_loop()
#- main.py run 3.12
import warnings

warnings.simplefilter("error", DeprecationWarning)

from app.jobs import LOOP

print(LOOP.is_running())
"#,
        "",
    );
    // A project that installs a policy may give every thread a loop; not run (no uvloop here).
    check(
        r#"
#- main.py
import asyncio

import uvloop

uvloop.install()
loop = asyncio.get_event_loop()
"#,
        "",
    );
    check(
        r#"
#- main.py
import asyncio

import nest_asyncio

nest_asyncio.apply()
loop = asyncio.get_event_loop()
"#,
        "",
    );
}

#[test]
fn ensure_future_without_a_loop_asks_for_one_too() {
    // The old script start: `ensure_future(main())` before the loop is fetched warns first;
    // the loop it made is set, so `get_event_loop()` after it finds that one.
    check(
        r#"
#- main.py run 3.13
import asyncio
import warnings

warnings.simplefilter("error", DeprecationWarning)


async def main():
    await asyncio.sleep(0)


task = asyncio.ensure_future(main())
asyncio.get_event_loop().run_until_complete(task)
"#,
        "
        main.py:11: TL002
        main.py:11: TL017
        ",
    );
}

#[test]
fn gather_shield_and_task_of_a_coroutine_ask_for_the_loop_too() {
    // `gather(coro)` and `shield(coro)` ask `get_event_loop()` for a loop to run the coroutine
    // on, as `asyncio.Task(coro)` does; the `try` with only a `finally` runs its body as
    // surely as plain code. Under 3.12 with the warning made an error, the script fails at
    // the first one.
    check(
        r#"
#- jobs.py
import asyncio


async def work():
    return 1


def start_all():
    return asyncio.shield(work())


def wrapped():
    return asyncio.Task(work())
#- main.py run 3.12
import asyncio
import warnings

warnings.simplefilter("error", DeprecationWarning)

from jobs import work


def main():
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(asyncio.gather(work(), work()))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
#- other.py
import asyncio

from jobs import start_all

if __name__ == "__main__":
    first = start_all()
#- third.py
import asyncio

from jobs import wrapped

if __name__ == "__main__":
    task = wrapped()
"#,
        "jobs.py:9: TL017\njobs.py:13: TL017\nmain.py:12: TL017",
    );
}

#[test]
fn gather_of_a_future_takes_its_loop() {
    // `gather(fut, coro)` takes the loop of its first Future: it runs cleanly under 3.12 with
    // the warning made an error.
    check(
        r#"
#- main.py run 3.12
import asyncio
import warnings

warnings.simplefilter("error", DeprecationWarning)


async def work():
    return 1


loop = asyncio.new_event_loop()
first = loop.create_future()
both = asyncio.gather(first, work())
first.set_result(0)
print(loop.run_until_complete(both))
loop.close()
"#,
        "",
    );
}

#[test]
fn only_the_first_ask_of_a_start_warns() {
    // The loop the first ask made up is set: the `gather` and `ensure_future` after it find
    // it. Under 3.12 with the warning made an error, the script fails at the first line.
    check(
        r#"
#- script.py run 3.12
import asyncio
import warnings

warnings.simplefilter("error", DeprecationWarning)


async def work():
    return 1


if __name__ == "__main__":
    loop = asyncio.get_event_loop()
    print(loop.run_until_complete(asyncio.gather(work(), work())))
    print(loop.run_until_complete(asyncio.ensure_future(work())))
"#,
        "script.py:12: TL017\nscript.py:14: TL002",
    );
}
