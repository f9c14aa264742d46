//! TL023: a done-callback that reads its Task's outcome without asking whether it was
//! cancelled.

use crate::fixture::check;

#[test]
fn done_callbacks_that_read_a_cancelled_tasks_outcome() {
    // A function, a bound method (whose `except Exception:` does not catch CancelledError),
    // a partial and a lambda, registered from another module. The script cancels the
    // Tasks; the loop reports what the callbacks raised, and the script raises the first.
    check(
        r#"
#- app/__init__.py
#- app/callbacks.py
workers = set()


def on_done(task):
    if task.exception() is not None:
        print("failed", task.exception())
    workers.discard(task)


def tagged(tag, task):
    print(tag, task.result())


class Pool:
    def __init__(self):
        self.jobs = set()

    def forget(self, job):
        self.jobs.discard(job)
        try:
            job.result()
        except Exception:
            print("job failed")
#- main.py run
import asyncio
import functools

from app.callbacks import Pool, on_done, tagged, workers

failures = []


def record(loop, context):
    failures.append(context.get("exception"))


async def forever():
    await asyncio.sleep(10)


async def main():
    asyncio.get_running_loop().set_exception_handler(record)
    task = asyncio.create_task(forever())
    workers.add(task)
    task.add_done_callback(on_done)
    task.add_done_callback(functools.partial(tagged, "x"))
    task.add_done_callback(lambda t: print(t.exception()))
    pool = Pool()
    job = asyncio.get_running_loop().create_task(forever())
    job.add_done_callback(pool.forget)
    await asyncio.sleep(0)
    task.cancel()
    job.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)


asyncio.run(main())
if failures:
    raise failures[0]
"#,
        "
        app/callbacks.py:5: TL023
        app/callbacks.py:11: TL023
        app/callbacks.py:21: TL023
        main.py:23: TL023
        ",
    );
}

#[test]
fn callbacks_that_ask_first_and_outcomes_read_elsewhere() {
    // Callbacks that test `cancelled()`, catch `CancelledError` or `BaseException`; a
    // function called with a Task it awaited (not a done-callback); a helper that registers
    // callbacks for every caller's Future, so that the one given only plain Futures sees the
    // Task too; a Future's own callback; a Task whose coroutine catches its cancellation and
    // ends normally, cancelled. The script runs cleanly.
    check(
        r#"
#- main.py run
import asyncio


def checked(task):
    if not task.cancelled() and task.exception() is not None:
        print("failed")


def caught(task):
    try:
        print(task.result())
    except asyncio.CancelledError:
        print("cancelled")


def guarded(task):
    try:
        task.result()
    except BaseException:
        pass


def report(task):
    print(task.result())


def on_write(fut):
    print("written", fut.exception())


def on_task(task):
    if task.cancelled():
        return
    print(task.result())


def when_done(fut, callback):
    fut.add_done_callback(callback)


async def work():
    return 1


async def patient():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        return "stopped"


def finished(task):
    print(task.result())


async def main():
    waiting = asyncio.create_task(patient())
    waiting.add_done_callback(finished)
    await asyncio.sleep(0)
    waiting.cancel()
    task = asyncio.create_task(work())
    for callback in (checked, caught, guarded):
        task.add_done_callback(callback)
    when_done(task, on_task)
    write = asyncio.get_running_loop().create_future()
    when_done(write, on_write)
    write.set_result(None)
    await task
    report(task)
    await asyncio.sleep(0)


asyncio.run(main())
"#,
        "",
    );
}
