import asyncio


def schedule(work):
    """Schedule `work`, a coroutine or something already scheduled."""
    return asyncio.ensure_future(work)


def pending_job(loop):
    """A job that finishes when someone sets its result."""
    fut = loop.create_future()
    return schedule(fut)
