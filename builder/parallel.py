"""Both cores for large builds: run a function over many inputs in forked worker processes.

Fork, so that workers start with everything the parent has loaded (modules, compiled schemas, the
model) instead of rebuilding it; results and the workers' new cache entries come back pickled,
through a file in memory (/dev/shm) where there is one: a package of tens of MB crosses a pipe in
64 KB pieces, three times slower. Small jobs stay in the parent, where a worker would cost more
than it saves."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from builder import cache

In = TypeVar("In")
Out = TypeVar("Out")

_work: tuple[Callable[..., object], Sequence[object]] | None = None


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool,
                chunks: int | None = None, progress: Callable[[int, int], None] | None = None,
                cost: Callable[[In], float] | None = None,
                received: Callable[[Out], Any] | None = None) -> list[Any]:
    """``[function(x) for x in inputs]``, in workers when ``parallel`` and there are two cores.

    Inputs are split into ``chunks`` contiguous runs (default: one per input), each run is one task.
    With ``cost`` (an estimate of each input's time), the costliest runs start first, so that no
    worker is left with a long task when the others are done; results keep the order of ``inputs``.
    ``received`` is applied here to each result as it arrives, while the workers go on (to read
    back what a worker sent as bytes, say)."""
    global _work
    workers = min(worker_count(), len(inputs))
    keep = received or (lambda result: result)
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
    results_by_run: list[list[Any]] = [[] for _ in runs]
    _work = (function, inputs)
    try:
        context = multiprocessing.get_context("fork")
        with _files_in_memory(len(runs)) as files, \
                concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            costs = [sum(cost(inputs[i]) for i in run) if cost else 0.0 for run in runs]
            order = sorted(range(len(runs)), key=lambda i: -costs[i])  # a stable sort: ties keep their order
            futures = {pool.submit(_run, runs[i].start, runs[i].stop, files[i] if files else None): i
                       for i in order}
            done = 0
            for future in concurrent.futures.as_completed(futures):
                sent = future.result()
                index = futures[future]
                if isinstance(sent, int):  # in its file: read, and the memory given back at once
                    sent = os.pread(files[index], sent, 0)
                    os.ftruncate(files[index], 0)
                results, entries = pickle.loads(sent)
                results_by_run[index] = [keep(result) for result in results]
                active = cache.active()
                if active is not None:
                    active.pending.update(entries)
                done += len(results)
                if progress:
                    progress(done, len(inputs))
    finally:
        _work = None
    return [result for run in results_by_run for result in run]


def _run(start: int, stop: int, file: int | None) -> bytes | int:
    """Run inputs ``start`` to ``stop``: their results and the new cache entries, pickled, written
    to ``file`` (then its length is returned) or, without one or when it is full, as bytes."""
    assert _work is not None
    function, inputs = _work
    results = [function(inputs[i]) for i in range(start, stop)]
    active = cache.active()
    sent = pickle.dumps((results, active.take_pending() if active is not None else {}), pickle.HIGHEST_PROTOCOL)
    if file is None:
        return sent
    try:
        os.pwrite(file, sent, 0)
    except OSError:  # /dev/shm full (a container's is often 64 MB): through the pipe after all
        os.ftruncate(file, 0)
        return sent
    return len(sent)


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
