//! Suppression comments.

use crate::fixture::check;

#[test]
fn suppressions_by_code_bare_and_noqa() {
    check(
        r#"
#- main.py
import asyncio

async def work():
    return 1

async def main(loop):
    a = loop.create_future()  # tasklens: ignore[TL001]
    b = loop.create_future()  # tasklens: ignore
    c = loop.create_future()  # noqa: TL001, E501
    d = loop.create_future()  # tasklens: ignore[TL002]
    e = loop.create_future()  # noqa: E501
    for job in (a, b, c, d, e):
        job.get_name()
    asyncio.ensure_future(work())  # noqa
"#,
        "
        main.py:10: TL001
        main.py:11: TL001
        ",
    );
}

#[test]
fn ruff_suppressions_and_scopes() {
    // `# ruff: ignore[...]` (trailing, or on its own line for the next line), rule names,
    // `disable`/`enable` ranges and `file-ignore`; ruff's RUF006 is our TL005.
    check(
        r#"
#- main.py
import asyncio


async def work():
    return 1


def spawn():
    asyncio.create_task(work())  # ruff: ignore[asyncio-dangling-task]
    # ruff: ignore[RUF006]
    asyncio.create_task(work())
    # tasklens: ignore[dangling-task]
    asyncio.create_task(work())
    # ruff: disable[RUF006]
    asyncio.create_task(work())
    asyncio.create_task(work())
    # ruff: enable[RUF006]
    asyncio.create_task(work())
    asyncio.create_task(work())  # ruff: ignore[unused-import]
#- other.py
# ruff: file-ignore[asyncio-dangling-task]
import asyncio


async def work():
    return 1


def spawn():
    asyncio.create_task(work())
    asyncio.ensure_future(work())
"#,
        "
        main.py:18: TL005
        main.py:19: TL005
        other.py:11: TL002
        ",
    );
}
