//! Name resolution across a project: every import form reaches the definition.

use crate::fixture::check;

const PRODUCER: &str = r#"
import asyncio

def pending():
    return asyncio.get_running_loop().create_future()
"#;

fn project(main: &str, extra: &str) -> String {
    format!(
        "#- pkg/__init__.py\nfrom .core import pending\n__all__ = ['pending']\n#- pkg/core.py\n{PRODUCER}{extra}\n#- main.py run\n{main}"
    )
}

#[test]
fn absolute_relative_and_reexported_imports() {
    let main = r#"
import asyncio
import pkg.core
import pkg as p
from pkg import pending
from pkg.core import pending as direct
from pkg.sub import relay

async def main():
    jobs = [pkg.core.pending(), p.pending(), pending(), direct(), relay()]
    for job in jobs:
        job.get_name()

asyncio.run(main())
"#;
    let fixture = project(
        main,
        "#- pkg/sub.py\nfrom . import core\nfrom .core import pending\n\ndef relay():\n    return core.pending() or pending()\n",
    );
    check(&fixture, "pkg/core.py:5: TL001");
}

#[test]
fn star_imports_honour_dunder_all() {
    let main = r#"
import asyncio
from pkg import *
from pkg.hidden import *

async def main():
    pending().get_name()
    secret().get_name()

asyncio.run(main())
"#;
    let extra = "#- pkg/hidden.py\nimport asyncio\n__all__ = []\n\ndef secret():\n    return asyncio.get_running_loop().create_future()\n";
    // `secret` is not exported, so `secret()` is an unresolved name; the run fails
    // with NameError before reaching it, so the script is not run here.
    let fixture = project(main, extra).replace("#- main.py run", "#- main.py");
    check(&fixture, "pkg/core.py:5: TL001");
}

#[test]
fn src_layout_and_namespace_packages() {
    check(
        r#"
#- src/app/__init__.py
#- src/app/make.py
import asyncio

def make():
    return asyncio.Future()
#- ns/tools/use.py
from app.make import make

def use():
    make().get_name()
"#,
        "src/app/make.py:4: TL001",
    );
}

#[test]
fn namespace_packages_above_a_regular_package() {
    // `otel/` and `otel/instr/` hold no Python files: they are namespace packages, so the
    // regular package below them is `otel.instr.asyncio`, not a top-level `asyncio` that
    // would hide the standard library's (and its `TaskGroup`).
    check(
        r#"
#- plugins/otel-asyncio/src/otel/instr/asyncio/__init__.py
import asyncio

def pending():
    return asyncio.get_running_loop().create_future()
#- plugins/otel-asyncio/src/main.py run
import asyncio
from otel.instr.asyncio import pending

async def work():
    await asyncio.sleep(0)

async def main():
    async with asyncio.TaskGroup() as group:
        group.create_task(work())
    fut = pending()
    fut.set_result(None)
    fut.get_name()

asyncio.run(main())
"#,
        "plugins/otel-asyncio/src/otel/instr/asyncio/__init__.py:4: TL001",
    );
}

#[test]
fn import_cycles_terminate() {
    check(
        r#"
#- a.py
from b import g

def f():
    return g()
#- b.py
import asyncio
from a import f

def g():
    return asyncio.Future()

def h():
    f().get_name()
"#,
        "b.py:5: TL001",
    );
}

#[test]
fn types_imported_by_alternatives() {
    // A name that one of several imports binds (a version test, `try`/`except
    // ImportError`), also re-exported by another module, is each of them as a type:
    // `Awaitable` admits a caller's Future (no TL002), `Task` is a sink and a guard.
    let fixture = r#"#- compat.py
import sys

if sys.version_info >= (3, 9):
    from collections.abc import Awaitable as Awaitable
else:
    from typing import Awaitable as Awaitable
#- main.py run
from __future__ import annotations
import asyncio
import compat

try:
    from asyncio import Task
except ImportError:
    from asyncio.tasks import Task


async def wait_for(fut: compat.Awaitable[int]):
    fut = asyncio.ensure_future(fut)
    return await fut


def make() -> Task:
    return asyncio.get_running_loop().create_future()


def describe(job):
    if isinstance(job, Task):
        return job.get_name()
    return repr(job)


async def work():
    return 1


async def main():
    await wait_for(work())
    print(describe(asyncio.get_running_loop().create_future()))
    make().get_name()

asyncio.run(main())
"#;
    check(fixture, "main.py:17: TL001");
}

#[test]
fn namespace_distributions_resolve_their_full_names() {
    // `acme/` has no `__init__.py`: it is a namespace package of the `acme-jobs`
    // distribution, so `acme.jobs.pool` is the module's name.
    check(
        r#"
#- pyproject.toml
[project]
name = "acme-jobs"
#- acme/jobs/__init__.py
#- acme/jobs/pool.py
import asyncio

def submit(loop):
    return loop.run_in_executor(None, print, "job")
#- main.py run
import asyncio
from acme.jobs.pool import submit

async def main():
    job = submit(asyncio.get_running_loop())
    print(job.get_name())

asyncio.run(main())
"#,
        "acme/jobs/pool.py:4: TL001",
    );
}

#[test]
fn a_package_module_named_like_the_standard_library_does_not_shadow_it() {
    // `zeroconf/asyncio.py` next to `zeroconf/_core.py`: in Python 3, `import asyncio` in
    // `_core.py` is the standard library's, while `import helpers` may still be a
    // sibling (a script's directory is on `sys.path`).
    check(
        r#"
#- pkg/__init__.py
#- pkg/asyncio.py
from ._core import Core

class AsyncCore:
    def __init__(self):
        self.core = Core()
#- pkg/_core.py
import asyncio

class Core:
    def register(self):
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return asyncio.ensure_future(fut)

    async def start(self):
        return asyncio.ensure_future(self.broadcast())

    async def broadcast(self):
        await asyncio.sleep(0)
#- main.py run
import asyncio
from pkg.asyncio import AsyncCore

async def main():
    core = AsyncCore().core
    await (await core.start())
    print(core.register().get_name())

asyncio.run(main())
"#,
        "
        pkg/_core.py:5: TL001
        pkg/_core.py:10: TL002
        ",
    );
}

#[test]
fn a_test_gets_what_the_fixture_of_its_parameter_gives() {
    // pytest hands a test (or a fixture) what the fixture named like its parameter
    // returns or first yields: its own module's, else the nearest `conftest`'s. A function
    // that is not a test, and a parameter with a default, get nothing from fixtures.
    check(
        r#"
#- app.py
import asyncio

class Client:
    async def fetch(self):
        return 1

    def schedule(self):
        return asyncio.create_task(self.fetch())

class Other:
    def fetch(self):
        return asyncio.get_running_loop().create_future()
#- conftest.py
import pytest
from app import Other

@pytest.fixture
def client():
    return Other()
#- tests/conftest.py
import pytest
from app import Client

@pytest.fixture
def client():
    return Client()

@pytest.fixture
async def session(client):
    yield client
#- tests/test_app.py
import asyncio
import pytest
from app import Client

@pytest.fixture(name="named")
def make_named():
    return Client()

async def test_fetch(client, session, named):
    first = await asyncio.ensure_future(client.fetch())
    second = await asyncio.ensure_future(session.fetch())
    return first, second, await asyncio.ensure_future(named.fetch())

async def test_drop(client):
    client.schedule()

def check(client):
    return asyncio.ensure_future(client.fetch())

async def test_default(client=None):
    return asyncio.ensure_future(client.fetch())
"#,
        "
        app.py:8: TL005
        tests/test_app.py:10: TL002
        tests/test_app.py:11: TL002
        tests/test_app.py:12: TL002
        ",
    );
}
