//! TL020: asyncio locks, events, semaphores and queues made at import time.

use crate::fixture::check;

#[test]
fn objects_made_at_import_bind_the_loop_of_import_time() {
    // Under 3.9 (the declared floor is 3.8) an `Event` made by a constructor called at
    // import time belongs to the default loop, and waiting on it in `asyncio.run`'s loop
    // raises RuntimeError. A module-level lock, a queue subclass, a semaphore made through
    // `super().__init__` and one in a class body are found too; what coroutines make, what a
    // helper only coroutines call makes, what a version guard keeps from 3.8 and 3.9, and
    // what a module imported only inside a coroutine makes, are not.
    check(
        r#"
#- pyproject.toml
[project]
name = "registry"
requires-python = ">=3.8"
#- state.py
import asyncio
import sys

class Registry:
    def __init__(self):
        self.ready = asyncio.Event()

class Jobs(asyncio.Queue):
    pass

class Limit(asyncio.Semaphore):
    def __init__(self, size):
        super().__init__(size)
        self.size = size

class Pool:
    gate = asyncio.BoundedSemaphore(4)

REGISTRY = Registry()
LOCK = asyncio.Lock()
JOBS = Jobs()
LIMIT = Limit(2)
if sys.version_info >= (3, 10):
    LATER = asyncio.Condition()

def make_lock():
    return asyncio.Lock()

async def fresh():
    return make_lock(), asyncio.Event(), Registry()
#- plugin.py
import asyncio

PLUGIN_LOCK = asyncio.Lock()
#- main.py run 3.9
import asyncio
from state import REGISTRY, fresh

async def main():
    import plugin
    await fresh()
    async with plugin.PLUGIN_LOCK:
        pass
    asyncio.get_running_loop().call_soon(REGISTRY.ready.set)
    await REGISTRY.ready.wait()

asyncio.run(main())
"#,
        "
        state.py:6: TL020
        state.py:13: TL020
        state.py:17: TL020
        state.py:20: TL020
        state.py:21: TL020
        ",
    );
}

const STATE: &str = "import asyncio

READY = asyncio.Event()

async def main():
    asyncio.get_running_loop().call_soon(READY.set)
    await READY.wait()
";

/// The project of `STATE` that declares `requires` and has `main` (with its `#- main.py`
/// line) as its script.
fn registry(requires: &str, main: &str) -> String {
    format!(
        "\n#- pyproject.toml\n[project]\nname = \"registry\"\nrequires-python = \"{requires}\"\n#- state.py\n{STATE}{main}"
    )
}

#[test]
fn no_finding_on_pythons_that_bind_on_first_use() {
    check(
        &registry(">=3.10", "#- main.py run 3.10\nimport asyncio\nfrom state import main\n\nasyncio.run(main())\n"),
        "",
    );
}

#[test]
fn no_finding_where_the_program_runs_the_loop_of_import_time() {
    // The program runs the very loop `get_event_loop()` gave at import time (TL017 still
    // says that this lookup is deprecated), and under 3.9 the script runs.
    let main =
        "import asyncio\nfrom state import main\n\nloop = asyncio.get_event_loop()\nloop.run_until_complete(main())\n";
    check(&registry(">=3.8", &format!("#- main.py\n{main}")), "main.py:4: TL017");
    let files = [("state.py".to_string(), STATE.to_string()), ("main.py".to_string(), main.to_string())];
    let output = crate::fixture::python(&files, "main.py", Some("3.9"), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn futures_made_at_import_bind_the_loop_of_import_time_in_every_version() {
    // A `Future` asks `get_event_loop()` for its loop in every version (TL017 says that
    // the lookup is deprecated too): awaited in `asyncio.run`'s loop under 3.12 it raises
    // RuntimeError. One made in a coroutine is fine.
    check(
        r#"
#- pyproject.toml
[project]
name = "signals"
requires-python = ">=3.12"
#- main.py run 3.12
import asyncio

DONE = asyncio.Future()

async def main():
    fresh = asyncio.Future()
    fresh.set_result(0)
    await fresh
    asyncio.get_running_loop().call_soon(DONE.set_result, 1)
    print(await DONE)

asyncio.run(main())
"#,
        "
        main.py:3: TL017
        main.py:3: TL020
        ",
    );
}
