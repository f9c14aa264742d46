import asyncio

from .scheduler import pending_job


class Pool:
    def __init__(self):
        self.jobs = []

    def add(self, job):
        self.jobs.append(job)

    def names(self):
        return [job.get_name() for job in self.jobs]


async def work():
    await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    pool = Pool()
    pool.add(asyncio.ensure_future(work()))
    pool.add(pending_job(loop))
    print(pool.names())
