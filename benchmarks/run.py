"""Time lmspack on synthetic banks, in fresh processes, and compare with text2qti.

    python benchmarks/run.py                       # 100, 1,000 and 10,000 items, median of 3 runs
    python benchmarks/run.py --sizes 1000 --repeat 1 --check   # what CI runs: completes, packages valid

For each size: `lmspack validate`, `lmspack build --format all`, a rebuild after one item changed,
`lmspack build --format canvas` and text2qti on the same bank (both make Canvas QTI 1.2). Reports
wall time, items per second and peak memory (the child's maximum resident set, from wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parents[1]
# lmspack runs as installed: pip compiles its modules when it installs them, and Python keeps
# them compiled. Some environments (containers, this project's build machine) set
# PYTHONDONTWRITEBYTECODE, which would make every timed run compile lmspack's modules again.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
VALIDATOR = ROOT.parent / "shared" / "tools" / "validate_package.py"


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``command`` in a fresh process; return (wall seconds, peak resident MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit {process.returncode}:\n{error[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def lmspack(*args: str) -> list[str]:
    return [sys.executable, "-m", "builder", *args]


def median_run(command: list[str], cwd: Path, repeat: int, before=None) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        if before:
            before()
        runs.append(timed(command, cwd))
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def bench(size: int, repeat: int, check: bool, work: Path) -> dict[str, object]:
    project = work / f"project-{size}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    quiz_dir = generate(size, project)
    out = project / "dist"
    result: dict[str, object] = {"items": size}

    def clean() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(project / ".lmspack-cache", ignore_errors=True)

    result["validate"] = median_run(lmspack("validate"), project, repeat, clean)
    result["build_all"] = median_run(lmspack("build", "--format", "all", "--quiet"), project, repeat, clean)
    changed = next(quiz_dir.rglob("item-00000.yaml"))
    original = changed.read_text(encoding="utf-8")
    edits = iter(range(10**6))

    def touch_one_item() -> None:
        # The start of the prompt, as an author edits: the item's part in every format, and its
        # title (taken from the prompt) in the QTI manifest, change.
        changed.write_text(original.replace("prompt: |\n  ", f"prompt: |\n  Edit {next(edits)}: ", 1),
                           encoding="utf-8")
        assert changed.read_text(encoding="utf-8") != original

    timed(lmspack("build", "--format", "all", "--quiet"), project)  # warm the cache
    result["rebuild_one_changed"] = median_run(lmspack("build", "--format", "all", "--quiet"), project, repeat,
                                               touch_one_item)
    changed.write_text(original, encoding="utf-8")
    result["build_canvas"] = median_run(lmspack("build", "--format", "canvas", "--quiet"), project, repeat, clean)
    beside = Path(sys.executable).parent / "text2qti"  # the same environment, activated or not
    text2qti = str(beside) if beside.is_file() else shutil.which("text2qti")
    if text2qti:
        result["text2qti"] = median_run([text2qti, f"bench-{size}.md"], project, repeat)
    if check:
        check_packages(out)
    return result


def check_packages(out: Path) -> None:
    timed(lmspack("build", "--format", "all", "--quiet"), out.parent)
    packages = sorted(out.glob("*.zip"))
    # qti21, scorm12, scorm2004, canvas, flashcards, flashcards12 (moodle is .xml, anki .apkg, cards .csv and .txt)
    assert len(packages) == 6, f"expected 6 zip packages in {out}, found {packages}"
    if not VALIDATOR.is_file():
        print(f"note: {VALIDATOR} not found; packages were checked by lmspack's own schemas only")
        return
    run = subprocess.run([sys.executable, str(VALIDATOR), *map(str, packages)], capture_output=True, text=True,
                         check=False)
    if run.returncode != 0:
        raise SystemExit(f"packages failed validate_package.py:\n{run.stdout[-4000:]}")
    print(f"all {len(packages)} packages pass validate_package.py")


def report(results: list[dict[str, object]]) -> str:
    cpu = platform.processor() or platform.machine()
    # Which build of Python, not only its version: a distribution's (built with profile-guided
    # optimisation) runs lmspack's Python code much faster than one built without it (pyenv's default).
    lines = [f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()} "
             f"({os.path.realpath(sys.executable)}, {platform.python_compiler()})",
             "| items | validate | build --format all | items/s | peak MB | rebuild, 1 item changed "
             "| build --format canvas | text2qti | lmspack/text2qti per item |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        size = r["items"]
        build_s, build_mb = r["build_all"]  # type: ignore[misc]
        canvas_s = r["build_canvas"][0]  # type: ignore[index]
        t2q = r.get("text2qti")
        ratio = f"{(canvas_s / size) / (t2q[0] / size):.2f}" if t2q else "n/a"  # type: ignore[index]
        lines.append(f"| {size:,} | {r['validate'][0]:.2f} s | {build_s:.2f} s | {size / build_s:,.0f} "  # type: ignore[index]
                     f"| {max(build_mb, r['validate'][1]):.0f} | {r['rebuild_one_changed'][0]:.2f} s "  # type: ignore[index]
                     f"| {canvas_s:.2f} s | {f'{t2q[0]:.2f} s' if t2q else 'n/a'} | {ratio} |")  # type: ignore[index]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--check", action="store_true", help="also validate every package (CI)")
    parser.add_argument("--json", action="store_true", help="print raw results as JSON")
    parser.add_argument("--work", type=Path, help="folder for generated banks (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lmspack-bench-") as temporary:
        work = args.work or Path(temporary)
        results = [bench(size, args.repeat, args.check, work) for size in args.sizes]
    print(json.dumps(results, indent=2) if args.json else report(results))


if __name__ == "__main__":
    main()
