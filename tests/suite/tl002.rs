//! TL002: `ensure_future` where only coroutines reach the argument.

use crate::fixture::check;

#[test]
fn coroutine_argument_directly_and_through_parameters() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def spawn(coro):
    return asyncio.ensure_future(coro)

async def main():
    asyncio.ensure_future(work())
    await spawn(work())
    await spawn(asyncio.sleep(0))

asyncio.run(main())
"#,
        "
        main.py:7: TL002
        main.py:10: TL002
        main.py:10: TL005
        ",
    );
}

#[test]
fn normalising_calls_stay() {
    check(
        r#"
#- main.py run
import asyncio

class Later:
    def __await__(self):
        return asyncio.sleep(0).__await__()

async def work():
    return 1

def normalise(x):
    return asyncio.ensure_future(x)

async def main():
    await normalise(work())
    await normalise(asyncio.get_running_loop().create_future() if False else work())
    await normalise(Later())

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn escaping_callbacks_make_parameters_unknown() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def schedule(coro):
    return asyncio.ensure_future(coro)

async def main():
    loop = asyncio.get_running_loop()
    await schedule(work())
    loop.call_soon(print, schedule)

asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn result_reaching_a_task_sink_is_mentioned() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

async def main():
    task = asyncio.ensure_future(work())
    print(task.get_name())
    await task

asyncio.run(main())
"#,
        "main.py:7: TL002",
    );
}
