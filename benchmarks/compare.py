"""Two lmspack source trees side by side on one bank, in one run: the way a performance device
shows its gain (docs/performance.md), or a change shows its cost.

    git worktree add /tmp/without HEAD        # then remove the device in /tmp/without
    python benchmarks/compare.py . /tmp/without --items 10000 --rounds 5
    python benchmarks/compare.py . /tmp/before --choice-only /tmp/before   # a tree without the newer types
    python benchmarks/compare.py . /tmp/without --items 1000 --media-mb 40  # with pictures in the bank

Each round builds the bank cold (no cache, no dist) with every tree in turn, then rebuilds it
after one item's prompt changed, alternating the trees so that the machine's drift from minute to
minute falls on both alike. Each tree runs as `python -m builder` with its own folder first on
PYTHONPATH, in a fresh process. Where text2qti is installed (benchmarks/run.py), each round also
times it on the same bank, as the yardstick of the machine's speed at the time. Reports the
median wall time of each and its spread, and which packages differ between the trees (none
should, when what differs is a performance device). A tree named with ``--choice-only`` (one that
predates the typed-answer items) builds a bank of choice items only, of the same size; text2qti
then runs on both banks, and the packages are compared only between trees of one bank.
"""

from __future__ import annotations

import argparse
import os
import random
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
    parser.add_argument("--choice-only", type=Path, action="append", default=[],
                        help="a tree (also listed first) that builds the bank of choice items only")
    parser.add_argument("--media-mb", type=int, default=0,
                        help="pictures of this many MB in all (5 MB each, incompressible), each shown by one item")
    options = parser.parse_args()
    choice_only = {tree.resolve() for tree in options.choice_only}
    banks = {bank: make_bank(options.work / f"project-{options.items}-{bank}", options.items, bank == "choice-only",
                             options.media_mb)
             for bank in dict.fromkeys("choice-only" if tree.resolve() in choice_only else "mixed"
                                       for tree in options.trees)}
    bank_of = {tree: "choice-only" if tree.resolve() in choice_only else "mixed" for tree in options.trees}
    cold: dict[Path, list[float]] = {tree: [] for tree in options.trees}
    rebuild: dict[Path, list[float]] = {tree: [] for tree in options.trees}
    beside = Path(sys.executable).parent / "text2qti"
    text2qti = str(beside) if beside.is_file() else shutil.which("text2qti")
    yardstick: dict[str, list[float]] = {bank: [] for bank in banks}
    for round_number in range(options.rounds):
        if text2qti:
            for bank, (project, _, _) in banks.items():
                yardstick[bank].append(timed(None, project, text2qti, f"bench-{options.items}.md"))
        order = options.trees if round_number % 2 == 0 else options.trees[::-1]
        for tree in order:
            project, changed, original = banks[bank_of[tree]]
            changed.write_text(original, encoding="utf-8")
            shutil.rmtree(project / ".lmspack-cache", ignore_errors=True)
            out = f"dist-{options.trees.index(tree)}"
            shutil.rmtree(project / out, ignore_errors=True)
            cold[tree].append(timed(tree, project, "build", "--format", "all", "--quiet", "--out", out))
            changed.write_text(original.replace("prompt: |\n  ", f"prompt: |\n  Edit {round_number}: ", 1),
                               encoding="utf-8")
            rebuild[tree].append(timed(tree, project, "build", "--format", "all", "--quiet", "--out", out))
    print(f"{options.items:,} items, {options.rounds} rounds, median (min-max)")
    for bank, (project, _, _) in banks.items():
        numbers = [n for n, tree in enumerate(options.trees) if bank_of[tree] == bank]
        sums = [(project / f"dist-{n}" / "SHA256SUMS").read_text().splitlines() for n in numbers]
        common = set.intersection(*map(set, sums))
        differing = sorted({line.split()[-1] for lines in sums for line in lines if line not in common})
        print(f"{bank} bank: packages " + (f"that differ between its trees: {', '.join(differing)}" if differing
                                           else "identical between its trees"))
    print("| tree | bank | cold build --format all | rebuild, 1 item changed |")
    print("|---|---|---:|---:|")
    for tree in options.trees:
        print(f"| {tree} | {bank_of[tree]} | {spread(cold[tree])} | {spread(rebuild[tree])} |")
    for bank, times in yardstick.items():
        if times:
            print(f"| text2qti (Canvas only) | {bank} | {spread(times)} | |")


def make_bank(project: Path, items: int, choice_only: bool, media_mb: int) -> tuple[Path, Path, str]:
    """A fresh project holding the bank, the item file the rebuild changes, and its text."""
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    quiz_dir = generate(items, project, choice_only=choice_only)
    changed = next(quiz_dir.rglob("item-00000.yaml"))
    if media_mb:
        add_pictures(quiz_dir, media_mb)
    return project, changed, changed.read_text(encoding="utf-8")


def add_pictures(quiz_dir: Path, media_mb: int) -> None:
    """Pictures of ``media_mb`` MB in all, 5 MB each, of random (incompressible, as a photo's)
    bytes after a PNG signature, each shown at the end of one item's prompt (items 1, 2, ...)."""
    count = max(1, media_mb // 5)
    randomness = random.Random(19)
    (quiz_dir / "pictures").mkdir()
    quiz_yaml = quiz_dir / "quiz.yaml"
    quiz_yaml.write_text(quiz_yaml.read_text(encoding="utf-8") + f"media:\n  max_total_mb: {media_mb + 10}\n",
                         encoding="utf-8")
    for n in range(1, count + 1):
        picture = quiz_dir / "pictures" / f"picture-{n}.png"
        picture.write_bytes(b"\x89PNG\r\n\x1a\n" + randomness.randbytes(5 * 2**20 - 8))
        item = next(quiz_dir.rglob(f"item-{n:05d}.yaml"))
        folder = item.parent.relative_to(quiz_dir)
        path = "/".join([".."] * len(folder.parts) + ["pictures", picture.name])
        text = item.read_text(encoding="utf-8")
        item.write_text(text.replace("prompt: |\n", f"prompt: |\n  ![Picture {n}]({path})\n\n", 1), encoding="utf-8")


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


if __name__ == "__main__":
    main()
