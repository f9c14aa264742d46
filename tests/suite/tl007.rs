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
    return [job.get_name() for job in jobs]  # type: ignore[attr-defined]

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
