"""Two lmspack source trees side by side on one bank, in one run: the way a performance device
shows its gain (docs/performance.md), or a change shows its cost.

    git worktree add /tmp/without HEAD        # then remove the device in /tmp/without
    python benchmarks/compare.py . /tmp/without --items 10000 --rounds 5

Each round builds the bank cold (no cache, no dist) with every tree in turn, then rebuilds it
after one item's prompt changed, alternating the trees so that the machine's drift from minute to
minute falls on both alike. Each tree runs as `python -m builder` with its own folder first on
PYTHONPATH, in a fresh process. Where text2qti is installed (benchmarks/run.py), each round also
times it on the same bank, as the yardstick of the machine's speed at the time. Reports the
median wall time of each and its spread, and which packages differ between the trees (none
should, when what differs is a performance device).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate


def timed(tree: Path | None, project: Path, *args: str) -> float:
    """``lmspack ARGS`` from the source tree ``tree`` (None: ARGS is another command), in seconds."""
    # As an installed lmspack runs: modules compiled once (some containers set PYTHONDONTWRITEBYTECODE).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    command = list(args)
    if tree is not None:
        env["PYTHONPATH"] = str(tree.resolve())
        command = [sys.executable, "-m", "builder", *args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, env=env, check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {' '.join(command)} failed with exit {done.returncode}:\n"
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", type=Path, nargs="+", help="lmspack source trees (folders holding builder/)")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/lmspack-compare"))
    options = parser.parse_args()
    project = options.work / f"project-{options.items}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    quiz_dir = generate(options.items, project)
    changed = next(quiz_dir.rglob("item-00000.yaml"))
    original = changed.read_text(encoding="utf-8")
    cold: dict[Path, list[float]] = {tree: [] for tree in options.trees}
    rebuild: dict[Path, list[float]] = {tree: [] for tree in options.trees}
    beside = Path(sys.executable).parent / "text2qti"
    text2qti = str(beside) if beside.is_file() else shutil.which("text2qti")
    yardstick: list[float] = []
    for round_number in range(options.rounds):
        if text2qti:
            yardstick.append(timed(None, project, text2qti, f"bench-{options.items}.md"))
        order = options.trees if round_number % 2 == 0 else options.trees[::-1]
        for tree in order:
            changed.write_text(original, encoding="utf-8")
            shutil.rmtree(project / ".lmspack-cache", ignore_errors=True)
            out = f"dist-{options.trees.index(tree)}"
            shutil.rmtree(project / out, ignore_errors=True)
            cold[tree].append(timed(tree, project, "build", "--format", "all", "--quiet", "--out", out))
            changed.write_text(original.replace("prompt: |\n  ", f"prompt: |\n  Edit {round_number}: ", 1),
                               encoding="utf-8")
            rebuild[tree].append(timed(tree, project, "build", "--format", "all", "--quiet", "--out", out))
    sums = [(project / f"dist-{n}" / "SHA256SUMS").read_text().splitlines() for n in range(len(options.trees))]
    common = set.intersection(*map(set, sums))
    differing = sorted({line.split()[-1] for lines in sums for line in lines if line not in common})
    print(f"{options.items:,} items, {options.rounds} rounds, median (min-max); packages "
          + (f"that differ between the trees: {', '.join(differing)}" if differing else "identical"))
    print("| tree | cold build --format all | rebuild, 1 item changed |")
    print("|---|---:|---:|")
    for tree in options.trees:
        print(f"| {tree} | {spread(cold[tree])} | {spread(rebuild[tree])} |")
    if yardstick:
        print(f"| text2qti (Canvas only) | {spread(yardstick)} | |")


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


if __name__ == "__main__":
    main()
