"""Both cores for large builds: run a function over many inputs in forked worker processes (one
per core), the inputs split into runs, one task each, the results in the order of the inputs.

Fork, so that workers start with everything the parent has loaded (modules, compiled schemas, the
model) instead of rebuilding it; their results, and the cache entries they made, come back pickled
through the pool's pipes. Small jobs stay in the parent, where a worker would cost more than it
saves.

A worker never outlives the build: it is killed with its parent (Linux: PR_SET_PDEATHSIG), and
anywhere it ends when the parent's end of a pipe it watches closes, which happens when the parent
exits, however it exits, or stops the work early (an error, an interruption). It leaves signals
to the parent (builder.interruption). A worker that dies (killed, out of memory) is reported as a
WorkerError, never waited for.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar, cast, overload

from builder import interruption
from builder.cache import Cache, Entry
from builder.errors import WorkerError

In = TypeVar("In")
Out = TypeVar("Out")
Kept = TypeVar("Kept")

_work: tuple[Callable[..., object], Sequence[object], Cache | None] | None = None
"""What the workers run, and the cache whose new entries they hand back."""


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@overload
def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool, chunks: int | None = None,
                progress: Callable[[int, int], None] | None = None, cache: Cache | None = None,
                received: None = None) -> list[Out]: ...


@overload
def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool, chunks: int | None = None,
                progress: Callable[[int, int], None] | None = None, cache: Cache | None = None, *,
                received: Callable[[Out], Kept]) -> list[Kept]: ...


def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool, chunks: int | None = None,
                progress: Callable[[int, int], None] | None = None, cache: Cache | None = None,
                received: Callable[[Out], Kept] | None = None) -> list[Out] | list[Kept]:
    """``[function(x) for x in inputs]``, on every core when ``parallel`` and there are two.

    Inputs are split into ``chunks`` contiguous runs (default: one per input), each run one task,
    handed out in order. What the workers put in ``cache`` is added to it here. ``received`` is
    applied here to each result, a worker's as it arrives (to read back what the function returned
    as bytes, say)."""
    if received is None:
        return _map_ordered(function, inputs, parallel, chunks, progress, cache, _as_it_is)
    return _map_ordered(function, inputs, parallel, chunks, progress, cache, received)


def _as_it_is(value: Out) -> Out:
    return value


def _map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool, chunks: int | None,
                 progress: Callable[[int, int], None] | None, cache: Cache | None,
                 keep: Callable[[Out], Kept]) -> list[Kept]:
    global _work
    workers = min(worker_count(), len(inputs))
    if not parallel or workers < 2:
        results = []
        for done, value in enumerate(inputs, 1):
            results.append(keep(function(value)))
            if progress:
                progress(done, len(inputs))
        return results
    size = -(-len(inputs) // (chunks or len(inputs)))
    runs = [(start, min(start + size, len(inputs))) for start in range(0, len(inputs), size)]
    results_by_run: list[list[Kept]] = [[] for _ in runs]
    done = 0
    # Each worker keeps the read end: it sees the end of the pipe when the parent's write end closes.
    lifeline_read, lifeline_write = os.pipe()
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                                    initargs=(os.getpid(), lifeline_read, lifeline_write)) as pool:
            _work = (function, inputs, cache)
            try:
                # The workers are forked here: none handles a signal as we do. A signal held back
                # meanwhile is raised as this block ends, and stops the workers as any other.
                with interruption.held_back():
                    futures = {pool.submit(_run, start, stop): index for index, (start, stop) in enumerate(runs)}
                for future in concurrent.futures.as_completed(futures):
                    made, entries = future.result()  # what ``function`` returned, in a worker
                    if cache is not None:
                        cache.pending.update(entries)
                    results_by_run[futures[future]] = [keep(cast(Out, result)) for result in made]
                    done += len(made)
                    if progress:
                        progress(done, len(inputs))
            except BaseException:
                # The workers end now, not after their tasks; the pool then fails what they had
                # (cancelling it first would make the pool's thread fail with a traceback instead).
                os.close(lifeline_write)
                lifeline_write = -1
                raise
    except BrokenProcessPool:
        raise WorkerError("a worker process of the build ended unexpectedly (killed, or out of memory?); "
                          "nothing was written") from None
    finally:
        _work = None
        for end in (lifeline_read, lifeline_write):
            if end >= 0:
                os.close(end)
    return [result for run in results_by_run for result in run]


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(parent: int, lifeline_read: int, lifeline_write: int) -> None:
    """In a worker, first thing: end with the parent, and leave signals to it."""
    os.close(lifeline_write)
    if _work is not None and _work[2] is not None:
        _work[2].forked()
    interruption.ignored_in_worker()
    interruption.unblock()  # blocked by the parent around the fork (interruption.held_back)
    _killed_with_parent()
    if os.getppid() != parent:  # the parent died before the line above: nobody would kill us
        os._exit(1)
    threading.Thread(target=_end_when_closed, args=(lifeline_read,), name="lmspack-lifeline", daemon=True).start()


def _killed_with_parent() -> None:
    """Linux: this process gets SIGKILL when the thread that forked it (the parent's main thread,
    where the pool forks its workers) ends."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # only here: a few milliseconds that the parent's start-up need not pay

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl in this libc: the lifeline pipe alone ends the worker
        pass


def _end_when_closed(lifeline: int) -> None:
    """In a worker's own thread: wait for the end of the lifeline pipe (nobody ever writes to it),
    which comes when every write end is closed: the parent exited or gave up the work. Then end
    the whole process, whatever its main thread is doing."""
    while True:
        try:
            if not os.read(lifeline, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os._exit(1)


def _run(start: int, stop: int) -> tuple[list[object], dict[str, Entry]]:
    """In a worker: the results of inputs ``start`` to ``stop``, and the cache entries made meanwhile."""
    assert _work is not None
    function, inputs, cache = _work
    results = [function(inputs[i]) for i in range(start, stop)]
    return results, cache.take_pending() if cache is not None else {}
