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
