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
    // The old script start: `ensure_future(main())` before the loop is fetched warns first.
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
        main.py:12: TL017
        ",
    );
}
