"""Nothing lost (issue 7, point 4; issue 15): a build that fails or is interrupted while writing
leaves each file in dist/ either as the previous build wrote it or as the new one does, never
partial, and never a temporary file (one that a killed build could not delete, the next build
removes); its worker processes never outlive it; the build never writes under items/ or
templates/.

The tests with real processes run ``python -m builder``'s entry point with one hook that holds the
build at a known point (the second file written but not yet renamed; a worker inside its task) and
tells the test so through a file, so that the signal lands there every time, however fast the
machine; every wait is bounded, so that a regression fails instead of hanging."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import TEMPLATE_DIRS, writing
from builder import build as building
from builder.cli import main
from builder.errors import UsageError, WriteError

from projects import SINGLE, make_project

FORMATS = ("qti21", "moodle", "canvas")


@pytest.fixture
def project(tmp_path):
    for module in ("qti21", "moodle", "canvas"):
        pytest.importorskip(f"builder.formats.{module}")
    make_project(tmp_path, {"q1.yaml": SINGLE.format(id="q1"), "q2.yaml": SINGLE.format(id="q2")})
    return tmp_path


def run_build(project: Path) -> dict[str, bytes]:
    out = project / "dist"
    building.build([project / "items"], project, out, formats=FORMATS)
    return snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def change_the_items(project: Path) -> None:
    item = project / "items" / "demo" / "q1.yaml"
    item.write_text(item.read_text().replace("Pick the right one.", "Pick the one that is right."))


def assert_old_or_new(dist: Path, old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Every file is whole, as before or as after; returns the names that are new."""
    now = snapshot(dist)
    assert sorted(now) == sorted(old), f"unexpected files: {sorted(set(now) ^ set(old))}"
    changed = []
    for name, data in now.items():
        assert data in (old[name], new[name]), f"{name} is neither the previous nor the new file"
        if data != old[name]:
            changed.append(name)
    return changed


def new_build(project: Path, tmp_path_factory) -> dict[str, bytes]:
    """What the changed project builds to, built elsewhere (so dist/ keeps the previous build)."""
    other = tmp_path_factory.mktemp("reference")
    building.build([project / "items"], project, other / "dist", formats=FORMATS)
    return snapshot(other / "dist")


def test_failing_rename_after_some_packages_leaves_old_or_new(project, monkeypatch, tmp_path_factory):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    assert all(old[n] != new[n] for n in old if n.endswith((".zip", ".xml")))
    real_replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(writing.os, "replace", failing_replace)
    with pytest.raises(WriteError, match="No space left"):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    changed = assert_old_or_new(project / "dist", old, new)
    assert len(changed) == 2  # two packages were replaced before the third rename failed



def stop_half_way_through_the_second_file(monkeypatch, stop: Callable[[], object]) -> None:
    """The second file the build writes receives half its bytes, then ``stop()`` runs (a real
    signal, or a failing disk) and must raise."""
    real_fdopen, opened = os.fdopen, []

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            stop()
            raise AssertionError("stop() returned; the rest of the file would have been written")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        opened.append(handle)
        return HalfWritten(handle) if len(opened) == 2 else handle

    monkeypatch.setattr(writing.os, "fdopen", fdopen)

def test_sigint_mid_write_leaves_the_previous_file(project, monkeypatch, tmp_path_factory):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    # Python raises KeyboardInterrupt inside os.kill, half-way through the second package.
    stop_half_way_through_the_second_file(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    changed = assert_old_or_new(project / "dist", old, new)
    assert len(changed) == 1  # the first package was written whole; the second kept its old bytes


def test_failure_on_a_first_build_leaves_no_partial_file(project, monkeypatch):
    def failing_replace(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writing.os, "replace", failing_replace)
    with pytest.raises(WriteError, match="Input/output error"):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    assert snapshot(project / "dist") == {}  # no package, and no temporary file either


def _tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_build_never_writes_under_items_or_templates(project):
    watched = [project / "items", *TEMPLATE_DIRS]
    before = [_tree_state(folder) for folder in watched]
    run_build(project)
    assert [_tree_state(folder) for folder in watched] == before


@pytest.mark.parametrize("protected", ["items", "items/demo", "templates"])
def test_out_inside_the_sources_is_refused(project, protected):
    (project / protected).mkdir(parents=True, exist_ok=True)
    before = _tree_state(project / protected)
    with pytest.raises(UsageError, match="the build never writes there"):
        building.build([project / "items"], project, project / protected / "dist", formats=FORMATS)
    assert _tree_state(project / protected) == before


# The entry point of ``python -m builder``, with a hook chosen by LMSPACK_TEST_HOOK that holds the
# build and leaves a file in LMSPACK_TEST_MARKS when it does:
#   slow-write: the second file written is held (30 s) after its bytes are synced, before its rename;
#   slow-worker: every run of work forked off waits 30 s in its worker, which says its pid.
HOOKED_MAIN = """
import os, sys, time
from pathlib import Path
from builder import build as building, parallel, writing

marks = Path(os.environ["LMSPACK_TEST_MARKS"])
hook = os.environ["LMSPACK_TEST_HOOK"]
if hook == "slow-write":
    real_fsync = os.fsync
    def fsync(fd):
        real_fsync(fd)
        held = len(list(marks.iterdir()))
        if held < 2:
            (marks / f"write-{held}").write_text(str(os.getpid()))
        if held == 1:
            time.sleep(30)
    writing.os.fsync = fsync
elif hook in ("slow-worker", "signal-while-forking"):
    building.PARALLEL_THRESHOLD = 1
    parallel.worker_count = lambda: 2
    parent, real_run = os.getpid(), parallel._run
    def run(*args):
        if os.getpid() != parent:
            (marks / f"worker-{os.getpid()}").write_text("")
            time.sleep(30)
        return real_run(*args)
    parallel._run = run
    if hook == "signal-while-forking":  # SIGTERM while the runs are handed out and workers forked
        import concurrent.futures, signal
        real_submit = concurrent.futures.ProcessPoolExecutor.submit
        def submit(self, *args, **kwargs):
            future = real_submit(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGTERM)
            return future
        concurrent.futures.ProcessPoolExecutor.submit = submit
if os.environ.get("LMSPACK_TEST_ONLY") == "pipe":  # as where there is no prctl
    parallel._killed_with_parent = lambda: None
if os.environ.get("LMSPACK_TEST_ONLY") == "prctl":  # prctl alone
    parallel._end_when_closed = lambda lifeline: None
sys.argv[0] = "lmspack"
from builder.cli import console_main
console_main()
"""
WAIT = 20.0  # seconds: far more than any step takes, on the slowest machine


def start_hooked(project: Path, hook: str, *args: str, only: str = "") -> subprocess.Popen[bytes]:
    """The build, run in ``project``, its stderr into stderr.txt there, and the hook's marks in marks/."""
    marks = project / "marks"
    marks.mkdir()
    env = {**os.environ, "LMSPACK_TEST_MARKS": str(marks), "LMSPACK_TEST_HOOK": hook, "LMSPACK_TEST_ONLY": only}
    command = [sys.executable, "-c", HOOKED_MAIN, "build", "--format", "qti21", "--format", "moodle",
               "--format", "canvas", *args]
    # stderr into a file, not a pipe: a worker that outlived the build would hold a pipe open.
    with open(project / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                   start_new_session=True)  # a process group of its own, as a shell's job
    return process


def wait_for_mark(process: subprocess.Popen[bytes], project: Path, name: str) -> Path:
    marks = project / "marks"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = sorted(marks.glob(name))
        if found:
            return found[0]
        if process.poll() is not None:
            pytest.fail(f"the build ended ({process.returncode}) before {name}: {(project / 'stderr.txt').read_text()}")
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"no {name} within {WAIT} s")


def finish(process: subprocess.Popen[bytes], project: Path) -> tuple[int, str]:
    """The build's exit status and what it wrote on stderr, once it has ended."""
    try:
        process.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the build did not end within {WAIT} s of the signal")
    return process.returncode, (project / "stderr.txt").read_text()


def is_running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, dead but not yet reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def checksums(data: bytes) -> dict[str, str]:
    return {name: digest for digest, name in (line.split("  ", 1) for line in data.decode().splitlines())}


def assert_each_file_whole(dist: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every zip opens and passes its CRC checks; every package has the SHA-256 that the previous
    build's or the new build's SHA256SUMS gives it."""
    sums = [checksums(old[building.CHECKSUMS_FILE]), checksums(new[building.CHECKSUMS_FILE])]
    for path in dist.iterdir():
        data = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.testzip() is None, path.name
        if path.name in sums[0]:
            assert hashlib.sha256(data).hexdigest() in (sums[0][path.name], sums[1][path.name]), path.name


def leftovers(dist: Path) -> list[str]:
    return sorted(p.name for p in dist.iterdir() if p.name.endswith(".part"))


STOPPING_SIGNALS = [(signal.SIGTERM, 143, "interrupted by SIGTERM"), (signal.SIGHUP, 129, "interrupted by SIGHUP"),
                    (signal.SIGINT, 130, "interrupted")]


@pytest.mark.parametrize(("signal_number", "exit_code", "said"), STOPPING_SIGNALS,
                         ids=[s.name for s, _, _ in STOPPING_SIGNALS])
def test_a_signal_mid_write_stops_the_build_cleanly(project, tmp_path_factory, signal_number, exit_code, said):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    process = start_hooked(project, "slow-write")
    wait_for_mark(process, project, "write-1")
    assert len(leftovers(project / "dist")) == 1  # the second file is mid-write: its temporary file is there
    process.send_signal(signal_number)
    code, stderr = finish(process, project)
    assert (code, stderr.splitlines()[-1]) == (exit_code, f"{said}; no partial file was left behind")
    assert "Traceback" not in stderr
    assert leftovers(project / "dist") == []
    assert len(assert_old_or_new(project / "dist", old, new)) == 1  # the first package was replaced, whole
    assert_each_file_whole(project / "dist", old, new)


def test_a_build_killed_mid_write_leaves_a_temporary_file_that_the_next_build_removes(project, monkeypatch):
    old = run_build(project)
    process = start_hooked(project, "slow-write")
    wait_for_mark(process, project, "write-1")
    process.kill()
    finish(process, project)
    (left,) = leftovers(project / "dist")  # SIGKILL: nothing could delete it
    assert writing.LEFTOVER.fullmatch(left)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--format", "qti21", "--format", "moodle", "--format", "canvas",
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"removed 1 temporary file left in dist by an interrupted build: {left}"
    assert result.stderr.splitlines()[1:] == []  # --quiet: no warnings
    assert leftovers(project / "dist") == []
    assert snapshot(project / "dist") == old


def test_only_temporary_files_that_nobody_writes_are_removed(tmp_path):
    names = {"dead": ".demo-1.0.0-qti21.zip.k3x_9ab0.part", "live": ".demo-1.0.0-moodle.xml.a1b2c3d4.part"}
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    # Not ours: another name shape, a package, a symbolic link, a folder.
    others = ["demo.zip.abcdefgh.part", ".x.part", ".demo.zip.ABCDEFGH.part", "demo-1.0.0-qti21.zip"]
    for name in others:
        (tmp_path / name).write_bytes(b"keep")
    (tmp_path / ".link.zip.abcdefgh.part").symlink_to(tmp_path / "demo-1.0.0-qti21.zip")
    (tmp_path / ".folder.zip.abcdefgh.part").mkdir()
    # A build running now holds the lock of the file it is writing (in another process or this one:
    # flock locks belong to each opening of the file).
    with open(tmp_path / names["live"], "rb") as live:
        fcntl.flock(live.fileno(), fcntl.LOCK_EX)
        assert writing.remove_leftovers(tmp_path) == [names["dead"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names["live"], *others, ".link.zip.abcdefgh.part", ".folder.zip.abcdefgh.part"])
    assert writing.remove_leftovers(tmp_path) == [names["live"]]  # its writer is gone now
    assert writing.remove_leftovers(tmp_path / "absent") == []


def test_a_temporary_file_removed_before_its_writer_locked_it_is_not_used(tmp_path, monkeypatch):
    """The one moment a live temporary file looks like a leftover: made, not yet locked. A build
    that removes it then must not make the writer write into a file that has no name."""
    real_flock, swept, removed = fcntl.flock, [], []

    def flock_after_a_sweep(fd, operation):
        if not swept:  # the writer's first lock: another build sweeps just before it
            swept.append(fd)
            removed.extend(writing.remove_leftovers(tmp_path))
        real_flock(fd, operation)

    monkeypatch.setattr(writing.fcntl, "flock", flock_after_a_sweep)
    writing.write_atomic(tmp_path / "out.xml", b"<whole/>")
    assert len(removed) == 1 and writing.LEFTOVER.fullmatch(removed[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xml"]
    assert (tmp_path / "out.xml").read_bytes() == b"<whole/>"


def test_where_there_are_no_locks_files_are_written_and_no_leftover_is_removed(tmp_path, monkeypatch):
    """On a file system without flock (some network and FUSE ones) a build still writes; it cannot
    tell a leftover from a file being written, so it removes none."""
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    (tmp_path / ".old.zip.abcdefgh.part").write_bytes(b"partial")
    monkeypatch.setattr(writing.fcntl, "flock", no_locks)
    writing.write_atomic(tmp_path / "out.xml", b"<whole/>")
    assert writing.remove_leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".old.zip.abcdefgh.part", "out.xml"]


@pytest.fixture
def start_worker(project):
    """Starts the build with a worker held in its task: the build and the worker's pid. Whatever
    is left of them is killed after the test, so that a regression leaves no process behind."""
    started: list[int] = []

    def start(only: str = "") -> tuple[subprocess.Popen[bytes], int]:
        process = start_hooked(project, "slow-worker", only=only)
        started.append(process.pid)
        mark = wait_for_mark(process, project, "worker-*")
        started.append(int(mark.name.removeprefix("worker-")))
        return process, started[-1]

    yield start
    for pid in started:
        if is_running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("only", ["", "prctl", "pipe"], ids=["both", "prctl-only", "pipe-only"])
def test_a_worker_ends_with_its_killed_parent(project, start_worker, only):
    """Killed with its parent by Linux (prctl), and anywhere when it sees its pipe to the parent close."""
    process, worker = start_worker(only)
    assert is_running(worker)
    process.kill()
    finish(process, project)
    assert wait_until_gone(worker), "the worker outlived its parent"
    assert not (project / "dist").exists()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(("signal_number", "exit_code", "said"), STOPPING_SIGNALS,
                         ids=[s.name for s, _, _ in STOPPING_SIGNALS])
@pytest.mark.parametrize("to_group", [False, True], ids=["to-parent", "to-group"])
def test_a_signal_while_a_worker_runs_ends_both_at_once(project, start_worker, signal_number, exit_code, said,
                                                         to_group):
    """To the build alone (kill PID), or to its whole process group, workers included (Ctrl-C at a
    terminal, a closed terminal, kill -- -PGID): one message, from the build, and no worker left."""
    process, worker = start_worker()
    if to_group:
        os.killpg(process.pid, signal_number)
    else:
        process.send_signal(signal_number)
    code, stderr = finish(process, project)  # at once, not after the worker's 30 s task
    assert (code, stderr.splitlines()) == (exit_code, [f"{said}; no partial file was left behind"])
    assert wait_until_gone(worker)
    assert not (project / "dist").exists()


def test_a_signal_while_the_workers_are_forked_stops_them_too(project):
    """Signals are held back while the workers are forked (builder.interruption.held_back): one
    that came meanwhile stops the build as soon as they are, workers included, instead of
    waiting for their tasks to end."""
    process = start_hooked(project, "signal-while-forking")
    code, stderr = finish(process, project)
    assert (code, stderr.splitlines()) == (143, ["interrupted by SIGTERM; no partial file was left behind"])
    assert all(wait_until_gone(int(mark.name.removeprefix("worker-")))
               for mark in (project / "marks").glob("worker-*"))
    assert not (project / "dist").exists()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_killed_worker_is_reported_and_nothing_is_written(project, start_worker):
    process, worker = start_worker()
    os.kill(worker, signal.SIGKILL)
    code, stderr = finish(process, project)
    assert (code, stderr.splitlines()) == (1, [
        "error: a worker process of the build ended unexpectedly (killed, or out of memory?); nothing was written"])
    assert not (project / "dist").exists()


def test_the_handlers_are_the_command_s_only_while_it_runs(project, monkeypatch):
    """A program that uses lmspack finds its own handlers after a command, and a signal it
    ignores (as nohup ignores SIGHUP) stays ignored during the command too."""
    def own_handler(number, frame):
        raise AssertionError("not expected")

    during = {}

    def build(*args, **kwargs):
        during.update({number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)})
        raise WriteError("cannot write to dist: test")

    monkeypatch.setattr(building, "build", build)
    monkeypatch.chdir(project)
    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGTERM, own_handler)
        signal.signal(signal.SIGINT, own_handler)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        assert CliRunner().invoke(main, ["build"]).exit_code == 1
        assert during[signal.SIGTERM] is during[signal.SIGINT] and callable(during[signal.SIGTERM])
        assert during[signal.SIGTERM] is not own_handler and during[signal.SIGHUP] == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is own_handler and signal.getsignal(signal.SIGINT) is own_handler
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def test_a_second_signal_ends_the_process_at_once(tmp_path):
    """While the first one's clean-up runs (which may wait for a worker or a disk)."""
    script = (
        "import os, signal, time\n"
        "from builder import interruption\n"
        "with interruption.handled():\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    except interruption.Interrupted:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(30)\n"
    )
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=WAIT, check=False)
    assert (ended.returncode, ended.stderr) == (-signal.SIGTERM, b"")


def test_a_full_disk_mid_write_is_one_line_and_each_file_old_or_new(project, monkeypatch, tmp_path_factory):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    def full_disk() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    stop_half_way_through_the_second_file(monkeypatch, full_disk)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--format", "qti21", "--format", "moodle", "--format", "canvas"])
    monkeypatch.undo()
    assert (result.exit_code, result.stderr) == (1, "error: cannot write to dist: No space left on device\n")
    assert len(assert_old_or_new(project / "dist", old, new)) == 1


@pytest.fixture
def tiny_disk(tmp_path):
    """A 96 kB file system (tmpfs), mounted for the test: a real ENOSPC. Needs root and a kernel
    that lets this process mount."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount_point)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_really_full_disk_is_one_line_and_each_file_old_or_new(project, tiny_disk, monkeypatch, tmp_path_factory):
    dist = tiny_disk / "dist"
    monkeypatch.chdir(project)
    build = ["build", "--format", "qti21", "--format", "moodle", "--format", "canvas", "--out", str(dist), "--quiet"]
    assert CliRunner().invoke(main, build).exit_code == 0
    old = snapshot(dist)
    # The new packages are larger than what is free: the first one or two fit, then the disk is full.
    long_prompt = "Pick the right one. " + " ".join(f"word{i}" for i in range(4000))
    for name in ("q1.yaml", "q2.yaml"):
        item = project / "items" / "demo" / name
        item.write_text(item.read_text().replace("Pick the right one.", long_prompt))
    new = new_build(project, tmp_path_factory)
    result = CliRunner().invoke(main, build)
    assert (result.exit_code, result.stderr) == (1, f"error: cannot write to {dist}: No space left on device\n")
    assert leftovers(dist) == []
    assert_old_or_new(dist, old, new)
    assert_each_file_whole(dist, old, new)
