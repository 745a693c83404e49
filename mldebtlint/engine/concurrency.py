"""Per-file work in a process pool that keeps every core busy.

Files are handed out largest first in small chunks, so no worker is left
parsing one huge file while the others sit idle at the end; results come back
in the original order. Settings and the rule set are sent to each worker once
(the pool initializer), not with every file.

Ctrl-C: workers ignore SIGINT (a terminal sends it to the whole process
group); the main process gets the KeyboardInterrupt, terminates the workers
at once instead of waiting for their running files, and re-raises.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from mldebtlint.core.config import Settings
from mldebtlint.core.types import FileResult
from mldebtlint.engine.filepass import FileTask, RuleSet, analyze_file_digest

# Starting a pool costs tens of milliseconds: not worth it for a few files.
MIN_FILES_FOR_POOL = 8

Outcome = tuple[FileResult, "str | None"]
_worker_state: tuple[Settings, RuleSet] | None = None


def plan_jobs(requested: int | None, count: int) -> int:
    jobs = requested or os.cpu_count() or 1
    return 1 if count < MIN_FILES_FOR_POOL else max(1, min(jobs, count))


def _init_worker(settings: Settings, rules: RuleSet) -> None:
    global _worker_state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides
    _worker_state = (settings, rules)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back SIGINT while the pool forks its workers and threads.

    A KeyboardInterrupt raised inside a fork hook is printed and swallowed
    ("Exception ignored in ..."), and the run would go on. Blocked, the signal
    waits, and it is delivered (and raised here) as soon as the pool is up.
    Threads and workers started meanwhile inherit the mask, so only the main
    thread ever takes it.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now: cancel queued files, kill the running ones."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1)


def _work(task: FileTask) -> Outcome:
    assert _worker_state is not None
    return _analyze_one(task, *_worker_state)


def _analyze_one(task: FileTask, settings: Settings, rules: RuleSet) -> Outcome:
    """``analyze_file_digest`` with the cyclic garbage collector held back until the file is done.

    A file's syntax tree ends up in reference cycles (rules, their context and
    bound visitor methods): left to the collector's own schedule it is moved
    through the older generations while the file is analysed and freed only
    by full collections, which traverse every earlier file's garbage too
    (about 10% of a cold run). Collecting the youngest generation once per
    file frees it in one pass, and memory stays bounded by one file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return analyze_file_digest(task, settings, rules)
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()


def _size(task: FileTask) -> int:
    try:
        return os.path.getsize(task.path)
    except OSError:
        return 0


def analyze_many(
    tasks: list[FileTask],
    settings: Settings,
    rules: RuleSet,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """``analyze_file_digest`` of every task, in order, on ``jobs`` processes."""
    total = len(tasks)
    if jobs <= 1 or total < MIN_FILES_FOR_POOL:
        outcomes = []
        for index, task in enumerate(tasks, start=1):
            outcomes.append(_analyze_one(task, settings, rules))
            if progress:
                progress(index, total)
        return outcomes
    # Import the rules and libcst once here: forked workers inherit them
    # instead of each importing them again.
    rules.python_rules()
    import mldebtlint.engine.batched  # noqa: F401

    order = sorted(range(total), key=lambda index: -_size(tasks[index]))
    chunksize = max(1, min(8, total // (jobs * 16)))
    results: list[Outcome | None] = [None] * total
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings, rules))
    try:
        with _sigint_deferred():
            mapped = pool.map(_work, (tasks[index] for index in order), chunksize=chunksize)
        for done, (index, outcome) in enumerate(zip(order, mapped), start=1):
            results[index] = outcome
            if progress:
                progress(done, total)
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown()
    return results  # type: ignore[return-value]
