"""The digest workers: a process pool whose workers have the NLP model loaded, run at a lower
CPU priority, follow their parent out, log through it, and can be ended when one is stuck.

Split from :mod:`briefings.pipeline` (which decides what to build); this module owns the
processes that build it.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

log = logging.getLogger(__name__)


#: Workers run at a lower CPU priority: a build is background work, and the bot that started it
#: (or anything else on the machine) must keep answering promptly while it runs.
WORKER_NICENESS = 10


def _lower_priority(pid: int) -> None:
    """Make process ``pid`` (0: this one) run at :data:`WORKER_NICENESS` at least."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, pid) < WORKER_NICENESS:
            os.setpriority(os.PRIO_PROCESS, pid, WORKER_NICENESS)


class _BackgroundProcess(SpawnProcess):
    """A spawned worker, lowered in priority the moment it exists: its start-up (interpreter,
    imports, then the model) is a second of full CPU per worker."""

    def start(self) -> None:
        super().start()
        if self.pid is not None:
            _lower_priority(self.pid)


class _BackgroundContext(SpawnContext):
    """Spawns :class:`_BackgroundProcess` workers and remembers them, so a pool can end its
    workers itself, a stuck one included (``ProcessPoolExecutor`` has no public way to)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[_BackgroundProcess] = []

    # A factory in place of the class attribute: what the pool calls is the same.
    def Process(self, *args: Any, **kwargs: Any) -> _BackgroundProcess:  # type: ignore[override]
        process = _BackgroundProcess(*args, **kwargs)
        self.started.append(process)
        return process


def _exit_with_parent() -> None:
    """End this worker when the process that started it ends, however it ends.

    A worker waits for work on its call queue, and the queue it was handed holds the writing
    end of that pipe too, so it never sees end-of-file: after a ``SIGKILL`` (or the OOM killer)
    of the bot, the worker would wait forever, holding the model (about 125 MB).  The parent's
    sentinel becomes ready when the parent is gone, whatever killed it.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)  # nothing to flush or clean: the parent that wanted results is gone

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _log_to_parent(queue: Any, level: int) -> None:
    """Send this worker's log records to the process that started it.

    A spawned worker has no log handler of its own: its warnings went to Python's last-resort
    handler on stderr, past the bot's redacting filter.  Through the queue they are logged by
    the parent's loggers, with its handlers and filters.
    """
    queue.cancel_join_thread()  # never wait at exit for a parent that stopped reading
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(level)


def _forward_records(queue: Any) -> None:
    """In the parent: log each record a worker sent, until ``None`` or the queue breaks."""
    while True:
        try:
            record = queue.get()
        except Exception:  # a worker ended mid-message, or the queue was closed
            return
        if record is None:
            return
        logging.getLogger(record.name).handle(record)


def _warm_worker(log_queue: Any = None, level: int = logging.WARNING) -> None:
    """Pool initializer: follow the parent, load the model once, before the first file."""
    from briefings.text.nlp import load_nlp

    if log_queue is not None:
        _log_to_parent(log_queue, level)
    _exit_with_parent()
    _lower_priority(0)  # in case the parent could not
    load_nlp()


class DigestPool(ProcessPoolExecutor):
    """A process pool whose workers have the NLP model loaded, and which can end them.

    ``shutdown(wait=True)`` waits for the task a worker runs, forever if that worker is stuck
    (a read that never returns, a runaway computation); :meth:`kill_workers` does not wait.
    """

    def __init__(self, workers: int) -> None:
        self._digest_context = _BackgroundContext()
        self.workers = workers
        #: Pools a build started in place of this one after a deadline: ended with it.
        self.successors: list[DigestPool] = []
        self._log_queue = self._digest_context.Queue()
        self._log_queue.cancel_join_thread()
        threading.Thread(
            target=_forward_records, args=(self._log_queue,), name="digest-logs", daemon=True
        ).start()
        super().__init__(
            workers,
            mp_context=self._digest_context,
            initializer=_warm_worker,
            initargs=(self._log_queue, logging.getLogger().getEffectiveLevel()),
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As ``ProcessPoolExecutor.shutdown``; then the thread logging the workers' records
        ends (daemon: a worker ended mid-message cannot keep the process alive)."""
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        with contextlib.suppress(Exception):
            self._log_queue.put_nowait(None)

    def kill_workers(self, grace: float = 0.0) -> None:
        """Stop taking work, let the workers finish for up to ``grace`` seconds, then end
        them (SIGKILL: a stopped or stuck process ignores gentler signals).  Every future not
        finished then fails with ``BrokenProcessPool``; the pool cannot be used again."""
        self.shutdown(wait=False, cancel_futures=True)
        processes = list(self._digest_context.started)
        processes += [p for pool in self.successors for p in pool._digest_context.started]
        for pool in self.successors:
            pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(5)


def make_pool(workers: int | None = None) -> DigestPool:
    """A process pool whose workers have the NLP model loaded (spawned: safe beside threads)
    and run at a lower CPU priority."""
    return DigestPool(workers or max(1, min(os.cpu_count() or 1, 8)))


#: How long a new pool's first worker may take to start (interpreter, imports, the model).
POOL_START_SECONDS = 300.0


def started(pool: DigestPool) -> bool:
    """Wait until a worker of ``pool`` is up (the model loaded), so that its start does not
    count against the next file's deadline; False if none starts in time."""
    try:
        pool.submit(os.getpid).result(timeout=POOL_START_SECONDS)
    except Exception:  # a timeout, or a pool that broke while starting
        log.exception("the digest workers did not start")
        return False
    return True


def pool_broken(executor: Executor | None) -> bool:
    """True when ``executor`` is a process pool that can no longer run work (a worker died or
    was ended after a deadline): the owner should replace it."""
    return isinstance(executor, ProcessPoolExecutor) and bool(getattr(executor, "_broken", False))
