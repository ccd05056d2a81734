"""Jobs held by dead workers go back to the queue.

A worker killed mid-job (SIGKILL, a lost machine) leaves its Procrastinate
job `doing`, and its lock keeps any other job for the same id from starting.
Every worker looks, every few seconds, for jobs whose worker has sent no
heartbeat for `stalled_after` seconds, and puts them back to `todo`; the next
free worker runs the job again, and our runner carries on from the checkpoint.

Several workers look at once. Each retry re-checks, under a row lock, that the
job is still `doing` for the same dead worker, so a job is never pulled back
from the live worker that has just taken it up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import procrastinate
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Job

log = logging.getLogger(__name__)

_STILL_STALLED: Final = """
    SELECT id FROM procrastinate_jobs
     WHERE id = %(job_id)s AND status = 'doing'
       AND worker_id IS NOT DISTINCT FROM %(worker_id)s
       FOR UPDATE
"""
_RETRY: Final = f"""
WITH stalled AS ({_STILL_STALLED})
SELECT procrastinate_retry_job_v2(id, now(), NULL, NULL, NULL) FROM stalled
"""
# When another job for the same id already waits, that one will do the work.
_SUPERSEDE: Final = f"""
WITH stalled AS ({_STILL_STALLED})
SELECT procrastinate_finish_job_v1(id, 'failed', false) FROM stalled
"""


async def retry_stalled_jobs(queue: procrastinate.App, stalled_after: float) -> list[int]:
    """Put the jobs of workers silent for `stalled_after` seconds back in the queue."""
    retried: list[int] = []
    for job in await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        if await _retry(queue, job):
            assert job.id is not None
            retried.append(job.id)
    return retried


async def _retry(queue: procrastinate.App, job: Job) -> bool:
    args = {"job_id": job.id, "worker_id": job.worker_id}
    try:
        rows = await queue.connector.execute_query_all_async(_RETRY, **args)
    except UniqueViolation:
        await queue.connector.execute_query_all_async(_SUPERSEDE, **args)
        log.warning("stalled job %s (%s) superseded by a waiting job", job.id, job.call_string)
        return False
    if rows:
        log.warning(
            "job %s (%s) stalled: its worker %s stopped sending heartbeats; queued again",
            job.id, job.call_string, job.worker_id,
        )  # fmt: skip
    return bool(rows)


async def retry_stalled_jobs_forever(
    queue: procrastinate.App, *, interval: float, stalled_after: float
) -> None:
    """The worker's side loop; it outlives database hiccups and ends when cancelled."""
    while True:
        try:
            await retry_stalled_jobs(queue, stalled_after)
        except Exception:
            log.exception("looking for stalled jobs failed; trying again in %ss", interval)
        await asyncio.sleep(interval)
