//! TL003: `asyncio.create_task` where no event loop is running.

use crate::fixture::check;

#[test]
fn import_time_calls_through_helpers_across_modules() {
    check(
        r#"
#- server.py
import asyncio

async def serve():
    return 1

def start():
    return asyncio.create_task(serve())

def boot():
    return start()
#- main.py run
import asyncio
from server import boot

tasks = []
tasks.append(boot())
"#,
        "
        server.py:7: TL003
        ",
    );
}

#[test]
fn module_level_and_class_bodies() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def loop_task():
    return asyncio.get_running_loop().create_task(work())

class Worker:
    task = asyncio.create_task(work())
    other = loop_task()
"#,
        "
        main.py:7: TL003
        main.py:10: TL003
        ",
    );
}

#[test]
fn helpers_called_from_coroutines_and_not_running_loops_are_fine() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

def spawn():
    return asyncio.create_task(work())

async def main():
    await spawn()

loop = asyncio.new_event_loop()
early = loop.create_task(work())
loop.run_until_complete(early)
loop.run_until_complete(main())
loop.close()

if __name__ == "__main__":
    asyncio.run(main())
"#,
        "",
    );
}

#[test]
fn calls_guarded_by_state_inside_functions_are_not_followed() {
    check(
        r#"
#- main.py run
import asyncio

async def work():
    return 1

class App:
    def __init__(self):
        self.running = False
        self.tasks = []

    def add(self, coro):
        if self.running:
            self.tasks.append(asyncio.create_task(coro))
        else:
            self.tasks.append(coro)

app = App()
app.add(work())
asyncio.run(app.tasks.pop())
"#,
        "",
    );
}

#[test]
fn a_decorator_runs_when_the_module_is_imported() {
    check(
        r#"
#- main.py run
import asyncio

def start_in_background(fn):
    asyncio.create_task(fn())
    return fn

def register(fn):
    return fn

@register
async def quiet():
    return 1

@start_in_background
async def ticker():
    await asyncio.sleep(0)
"#,
        "
        main.py:4: TL003
        main.py:4: TL005
        ",
    );
}
