//! TL007: suppressions and casts that hide a Future-into-Task bug.

use crate::fixture::check;

#[test]
fn type_checker_suppressions_and_casts_on_real_flows() {
    check(
        r#"
#- main.py run
import asyncio
import typing

async def work():
    return 1

def names(jobs):
    return [job.get_name() for job in jobs]  #type:ignore[attr-defined]

async def main():
    loop = asyncio.get_running_loop()
    fine = typing.cast("asyncio.Task[int]", asyncio.create_task(work()))
    count: int = "3"  # type: ignore[assignment]
    fut = loop.create_future()
    fut.set_result(None)
    masked = typing.cast(asyncio.Task, fut)
    print(fine.get_name(), count)
    await fine
    names([fine])
    print(masked.get_name())  # pyright: ignore[reportAttributeAccessIssue]
    names([masked])

asyncio.run(main())
"#,
        "
        main.py:8: TL007
        main.py:14: TL001
        main.py:16: TL007
        main.py:20: TL007
        ",
    );
}

#[test]
fn casts_under_another_name() {
    // `cast` imported as another name is still typing's cast; a function of the project
    // named `cast` is not.
    check(
        r#"
#- main.py run
import asyncio
from typing import cast as as_type

def cast(kind, value):
    return value

async def main():
    loop = asyncio.get_running_loop()
    handle = as_type(asyncio.Task, loop.create_future())
    other = cast(asyncio.Task, loop.create_future())
    print(handle.done(), other.done())
    print(handle.get_name())

asyncio.run(main())
"#,
        "
        main.py:9: TL007
        main.py:9: TL001
        ",
    );
}

#[test]
fn suppressions_hiding_flows_from_other_modules() {
    check(
        r#"
#- jobs.py
import asyncio

def pending():
    return asyncio.get_running_loop().create_future()
#- main.py run
import asyncio
from jobs import pending

async def main():
    job = pending()
    print(job.get_name())  # ty: ignore[unresolved-attribute]

asyncio.run(main())
"#,
        "
        jobs.py:4: TL001
        main.py:6: TL007
        ",
    );
}

#[test]
fn suppressions_where_the_type_checker_reports_the_handover() {
    check(
        r#"
#- main.py run
import asyncio

def spawn(loop) -> "asyncio.Task[int]":
    return loop.create_future()  # type: ignore[return-value]

def keep(task: asyncio.Task) -> None:
    print(task.get_name())

async def main():
    loop = asyncio.get_running_loop()
    keep(asyncio.gather())  # pyright: ignore[reportArgumentType]
    spawn(loop)

asyncio.run(main())
"#,
        "
        main.py:4: TL001
        main.py:4: TL007
        main.py:11: TL001
        main.py:11: TL007
        ",
    );
}
