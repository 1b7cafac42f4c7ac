"""Both cores for large builds: run a function over many inputs in this process and forked
worker processes (one per other core), each run of inputs done once: the workers take runs from
the costliest end, this process from the cheapest, so neither waits for the other and what this
process makes never crosses between processes.

Fork, so that workers start with everything the parent has loaded (modules, compiled schemas, the
model) instead of rebuilding it; their results and new cache entries come back pickled, through a
file in memory (/dev/shm) where there is one: a package of tens of MB crosses a pipe in 64 KB
pieces, three times slower. Small jobs stay in the parent, where a worker would cost more than it
saves.

A worker never outlives the build: it is killed with its parent (Linux: PR_SET_PDEATHSIG), and
anywhere it ends when the parent's end of a pipe it watches closes, which happens when the parent
exits, however it exits, or stops the work early (an error, an interruption). It leaves signals
to the parent (builder.interruption). A worker that dies (killed, out of memory) is reported as a
WorkerError, never waited for: the runs are claimed under a lock that the system releases when its
holder dies.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import mmap
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar, overload

from builder import cache, interruption
from builder.errors import WorkerError

if TYPE_CHECKING:
    from ctypes import Array, c_byte

In = TypeVar("In")
Out = TypeVar("Out")
Kept = TypeVar("Kept")

_work: tuple[Callable[..., object], Sequence[object], Array[c_byte], int] | None = None
"""What the workers run, and the shared claims: one byte per run, and the fd of a file whose
(POSIX, per-process) lock guards them."""


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@overload
def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool,
                chunks: int | None = None, progress: Callable[[int, int], None] | None = None,
                cost: Callable[[In], float] | None = None, received: None = None) -> list[Out]: ...


@overload
def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool,
                chunks: int | None = None, progress: Callable[[int, int], None] | None = None,
                cost: Callable[[In], float] | None = None, *, received: Callable[[Out], Kept]) -> list[Kept]: ...


def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool,
                chunks: int | None = None, progress: Callable[[int, int], None] | None = None,
                cost: Callable[[In], float] | None = None,
                received: Callable[[Out], Kept] | None = None) -> list[Out] | list[Kept]:
    """``[function(x) for x in inputs]``, on every core when ``parallel`` and there are two.

    Inputs are split into ``chunks`` contiguous runs (default: one per input), each run is one task.
    With ``cost`` (an estimate of each input's time), the workers take the costliest runs first and
    this process the cheapest, so that neither is left with a long task when the other is done;
    results keep the order of ``inputs``. ``received`` is applied here to each result, a worker's
    as it arrives (to read back what the function returned as bytes, say)."""
    if received is None:
        return _map_ordered(function, inputs, parallel, chunks, progress, cost, _as_it_is)
    return _map_ordered(function, inputs, parallel, chunks, progress, cost, received)


def _as_it_is(value: Out) -> Out:
    return value


def _map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool, chunks: int | None,
                 progress: Callable[[int, int], None] | None, cost: Callable[[In], float] | None,
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
    count = chunks or len(inputs)
    size = -(-len(inputs) // count)
    runs = [range(start, min(start + size, len(inputs))) for start in range(0, len(inputs), size)]
    results_by_run: list[list[Kept]] = [[] for _ in runs]
    costs = [sum(cost(inputs[i]) for i in run) if cost else 0.0 for run in runs]
    order = sorted(range(len(runs)), key=lambda i: -costs[i])  # a stable sort: ties keep their order
    context = multiprocessing.get_context("fork")
    # Which runs are taken: by the workers from the costliest end, by this process from the other.
    claimed: Array[c_byte] = context.RawArray("b", len(runs))
    done = 0

    def finished(index: int, results: list[Out]) -> None:
        nonlocal done
        results_by_run[index] = [keep(result) for result in results]
        done += len(results)
        if progress:
            progress(done, len(inputs))

    # Each worker keeps the read end: it sees the end of the pipe when the parent's write end closes.
    lifeline_read, lifeline_write = os.pipe()
    try:
        with tempfile.TemporaryFile() as claim_lock, _files_in_memory(len(runs)) as files, \
                concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_start_worker,
                                                       initargs=(os.getpid(), lifeline_read, lifeline_write)) as pool:
            _work = (function, inputs, claimed, claim_lock.fileno())
            with interruption.held_back():  # the workers are forked here: none handles a signal as we do
                futures = {pool.submit(_run, i, runs[i].start, runs[i].stop, files[i] if files else None): i
                           for i in order}

            def collect(future: concurrent.futures.Future[bytes | int | None]) -> None:
                index = futures.pop(future)
                sent = future.result()
                if sent is None:  # taken by this process
                    return
                if isinstance(sent, int):  # in its file: read in place, and the memory given back at once
                    with mmap.mmap(files[index], sent, access=mmap.ACCESS_READ) as view:
                        results, entries = pickle.loads(view)
                    os.ftruncate(files[index], 0)
                else:
                    results, entries = pickle.loads(sent)
                active = cache.active()
                if active is not None:
                    active.pending.update(entries)
                finished(index, results)

            try:
                for index in reversed(order):
                    if _claim(index):
                        finished(index, [function(inputs[i]) for i in runs[index]])
                        active = cache.active()
                        if active is not None:
                            active.forget_pieces()  # as a worker drops its own
                    for future in [future for future in futures if future.done()]:
                        collect(future)
                for future in concurrent.futures.as_completed(list(futures)):
                    collect(future)
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


def _claim(index: int) -> bool:
    """Take run ``index`` unless the other side has: True when this process is to run it."""
    import fcntl  # here: POSIX only, as fork is; the rest of the module is imported everywhere

    assert _work is not None
    _, _, claimed, lock = _work
    fcntl.lockf(lock, fcntl.LOCK_EX)
    try:
        if claimed[index]:
            return False
        claimed[index] = 1
        return True
    finally:
        fcntl.lockf(lock, fcntl.LOCK_UN)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(parent: int, lifeline_read: int, lifeline_write: int) -> None:
    """In a worker, first thing: end with the parent, and leave signals to it."""
    os.close(lifeline_write)
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


def _run(index: int, start: int, stop: int, file: int | None) -> bytes | int | None:
    """In a worker: run inputs ``start`` to ``stop`` (run ``index``) unless the parent has taken
    them (None). Their results and the new cache entries, pickled, written to ``file`` (then its
    length is returned) or, without one or when it is full, as bytes."""
    assert _work is not None
    function, inputs, _, _ = _work
    if not _claim(index):
        return None
    results = [function(inputs[i]) for i in range(start, stop)]
    active = cache.active()
    sent = (results, active.take_pending() if active is not None else {})
    if file is not None:
        try:
            return _written(file, sent)
        except OSError:  # /dev/shm full (a container's is often 64 MB): through the pipe after all
            os.ftruncate(file, 0)
    return pickle.dumps(sent, pickle.HIGHEST_PROTOCOL)


def _written(file: int, value: object) -> int:
    """``value`` pickled into ``file`` from its start; its length. Pickled straight into the file:
    a package of tens of MB is not copied into a pickle first."""
    with open(os.dup(file), "wb") as out:
        out.seek(0)
        pickle.dump(value, out, pickle.HIGHEST_PROTOCOL)
        return out.tell()


@contextlib.contextmanager
def _files_in_memory(count: int) -> Iterator[list[int]]:
    """``count`` open files in /dev/shm, already unlinked (nothing is left behind, whatever
    happens), made before the workers fork so that they share them; none where there is no
    /dev/shm."""
    with contextlib.ExitStack() as stack:
        try:
            files = [stack.enter_context(tempfile.TemporaryFile(dir="/dev/shm")).fileno() for _ in range(count)]
        except OSError:
            files = []
        yield files
