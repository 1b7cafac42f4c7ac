"""Stopping a command cleanly when it is told to: Ctrl-C (SIGINT), ``kill`` (SIGTERM) or a closed
terminal (SIGHUP) all end it the same way, as an ``Interrupted`` exception raised in the main
thread, so that every ``finally`` and ``except BaseException`` on the way out runs (a temporary
file being written is deleted, builder.writing) before the command exits with 128 + the signal's
number (130, 143, 129), as shells report a process a signal ended.

The handlers are installed only for the duration of a command (``handled``) and the previous ones
put back, so a program that uses lmspack as a library keeps its own. A second signal while the
first is being handled ends the process at once, as the signal would have without us: what it
leaves (a temporary file in dist/) the next build removes (builder.writing.remove_leftovers)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """The command was told to stop by ``signal_number``. A KeyboardInterrupt, so that whatever
    handles Ctrl-C handles SIGTERM and SIGHUP the same way."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number


def exit_code_of(stop: KeyboardInterrupt) -> int:
    """128 + the signal that stopped us; a plain KeyboardInterrupt is Ctrl-C (130)."""
    return stop.exit_code if isinstance(stop, Interrupted) else 128 + signal.SIGINT


def described(stop: KeyboardInterrupt) -> str:
    """"interrupted", naming the signal unless it is Ctrl-C's."""
    if isinstance(stop, Interrupted) and stop.signal_number != signal.SIGINT:
        return f"interrupted by {signal.Signals(stop.signal_number).name}"
    return "interrupted"


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise Interrupted for the duration, then the previous handlers
    are back. A signal that was ignored when we started (``nohup``, a background job of a script)
    stays ignored. Outside the main thread Python cannot install handlers: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping: list[int] = []

    def interrupt(number: int, frame: FrameType | None) -> None:
        if stopping:  # told twice: no more waiting for the clean-up
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        stopping.append(number)
        raise Interrupted(number)

    previous = {number: signal.getsignal(number) for number in SIGNALS}
    for number, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            # None: a handler installed outside Python, which cannot be put back; the default is.
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def ignored_in_worker() -> None:
    """In a forked worker process: a signal to the whole process group (Ctrl-C at a terminal, a
    closed terminal, a service manager stopping the group) is for the parent to handle, which
    then ends its workers; a worker that handled it too would print a traceback of its own, or
    die first and be reported as a failure rather than an interruption. A worker never outlives
    its parent (builder.parallel)."""
    for number in SIGNALS:
        signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """The signals blocked for the duration (delivered after it): processes forked meanwhile start
    with them blocked, until ignored_in_worker has set their handlers and unblocks them
    (``unblock``). Where signals cannot be blocked, nothing changes."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def unblock() -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
