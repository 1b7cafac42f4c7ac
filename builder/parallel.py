"""Both cores for large builds: run a function over many inputs in forked worker processes.

Fork, so that workers start with everything the parent has loaded (modules, compiled schemas, the
model) instead of rebuilding it; results and the workers' new cache entries come back pickled.
Small jobs stay in the parent, where a worker would cost more than it saves."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from builder import cache

In = TypeVar("In")
Out = TypeVar("Out")

_work: tuple[Callable[..., object], Sequence[object]] | None = None


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_ordered(function: Callable[[In], Out], inputs: Sequence[In], parallel: bool,
                chunks: int | None = None, progress: Callable[[int, int], None] | None = None,
                cost: Callable[[In], float] | None = None) -> list[Out]:
    """``[function(x) for x in inputs]``, in workers when ``parallel`` and there are two cores.

    Inputs are split into ``chunks`` contiguous runs (default: one per input), each run is one task.
    With ``cost`` (an estimate of each input's time), the costliest runs start first, so that no
    worker is left with a long task when the others are done; results keep the order of ``inputs``."""
    global _work
    workers = min(worker_count(), len(inputs))
    if not parallel or workers < 2:
        results = []
        for done, value in enumerate(inputs, 1):
            results.append(function(value))
            if progress:
                progress(done, len(inputs))
        return results
    count = chunks or len(inputs)
    size = -(-len(inputs) // count)
    runs = [range(start, min(start + size, len(inputs))) for start in range(0, len(inputs), size)]
    results_by_run: list[list[Out]] = [[] for _ in runs]
    _work = (function, inputs)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            costs = [sum(cost(inputs[i]) for i in run) if cost else 0.0 for run in runs]
            order = sorted(range(len(runs)), key=lambda i: -costs[i])  # a stable sort: ties keep their order
            futures = {pool.submit(_run, runs[i].start, runs[i].stop): i for i in order}
            done = 0
            for future in concurrent.futures.as_completed(futures):
                results, entries = future.result()
                results_by_run[futures[future]] = results
                active = cache.active()
                if active is not None:
                    active.pending.update(entries)
                done += len(results)
                if progress:
                    progress(done, len(inputs))
    finally:
        _work = None
    return [result for run in results_by_run for result in run]


def _run(start: int, stop: int) -> tuple[list[object], dict[str, bytes]]:
    assert _work is not None
    function, inputs = _work
    results = [function(inputs[i]) for i in range(start, stop)]
    active = cache.active()
    return results, active.take_pending() if active is not None else {}
