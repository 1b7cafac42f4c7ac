"""Time `lmspack check` on hostile-shaped and ordinary packages at N and 10N entries, in fresh processes.

    python benchmarks/check.py                 # every case, median of 3 runs
    python benchmarks/check.py --repeat 1 --cases xml-base moodle-files

Issue #15's "done when": 10x the entries costs at most about 10x the time. Each case is
generated at N and 10N (the shapes the outside attack used: xml:base on every <file>, one
resource identifier repeated, a Moodle element holding thousands of <text> and <file>, a
resource dependency chain; and an ordinary lmspack-built QTI 2.1 package), checked by
`python -m builder check` in a fresh process, and reported with wall time, peak memory (the
child's maximum resident set, from wait4) and the ratio of the 10N time to the N time. Exit
status 1 (findings) is expected for the hostile cases; 2, 3 or an internal-error finding fail the
benchmark.
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
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL_SCHEMAS = ROOT.parent / "shared" / "schemas"
# As in run.py: lmspack runs as installed, compiled modules kept.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

HEAD = ('<?xml version="1.0"?>\n<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M">\n'
        "<organizations/>\n<resources>\n"
        '<resource identifier="Q" type="imsqti_item_xmlv2p1" href="q.xml"><file href="q.xml"/></resource>\n')
ITEM = ('<?xml version="1.0"?>\n<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q" '
        'title="q" adaptive="false" timeDependent="false"><itemBody><p>Hi</p></itemBody></assessmentItem>\n')


def _package(path: Path, resources: str, extra: dict[str, str] | None = None) -> Path:
    # Stored, not deflated: a manifest of one line repeated compresses over 100 times and would be
    # refused as a zip bomb before anything is measured.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", HEAD + resources + "</resources>\n</manifest>\n")
        archive.writestr("q.xml", ITEM)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return path


def xml_base(n: int, work: Path) -> Path:
    """n <file> elements, each with an xml:base (half leading outside the package)."""
    files = "\n".join(f'<file xml:base="{"../" if i % 2 else ""}d{i}/" href="x.txt"/>' for i in range(n))
    return _package(work / f"xml-base-{n}.zip", f'<resource identifier="B" type="webcontent">\n{files}\n</resource>\n')


def duplicate_ids(n: int, work: Path) -> Path:
    """n resources sharing one identifier: n - 1 duplicate-identifier errors, and xs:ID refusals."""
    resources = "".join('<resource identifier="R" type="webcontent" href="q.xml"><file href="q.xml"/></resource>\n'
                        for _ in range(n))
    return _package(work / f"duplicate-ids-{n}.zip", resources)


def moodle_files(n: int, work: Path) -> Path:
    """One Moodle question text holding n <text> and n <file> elements (one reference missing each)."""
    parts = "".join(f'<text>@@PLUGINFILE@@/f{i}.png @@PLUGINFILE@@/g{i}.png</text>'
                    f'<file name="f{i}.png" path="/" encoding="base64">AA==</file>\n' for i in range(n))
    path = work / f"moodle-files-{n}.xml"
    path.write_text('<?xml version="1.0"?>\n<quiz><question type="description"><name><text>Q</text></name>'
                    f'<questiontext format="html">\n{parts}</questiontext></question></quiz>\n', encoding="utf-8")
    return path


def dependency_chain(n: int, work: Path) -> Path:
    """n resources, each depending on the next; every href is listed only by the last one."""
    chain = "".join(f'<resource identifier="C{i}" type="webcontent" href="c.txt">'
                    f'<dependency identifierref="C{i + 1}"/></resource>\n' for i in range(n))
    chain += f'<resource identifier="C{n}" type="webcontent"><file href="c.txt"/></resource>\n'
    return _package(work / f"dependency-chain-{n}.zip", chain, {"c.txt": "c"})


def qti_package(n: int, work: Path) -> Path:
    """An ordinary QTI 2.1 package of n items, built by lmspack from the benchmark bank."""
    project = work / f"bank-{n}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    generate(n, project)
    subprocess.run(lmspack("build", "--format", "qti21", "--quiet"), cwd=project, env=CHILD_ENV, check=True,
                   stdout=subprocess.DEVNULL)
    (package,) = (project / "dist").glob("*.zip")
    return package


# name -> (generator, N, extra check arguments)
CASES: dict[str, tuple[Callable[[int, Path], Path], int, tuple[str, ...]]] = {
    "xml-base": (xml_base, 10_000, ()),
    "duplicate-ids": (duplicate_ids, 2_000, ()),
    "duplicate-ids --schemas": (duplicate_ids, 2_000, ("--schemas", str(OFFICIAL_SCHEMAS))),
    "moodle-files": (moodle_files, 2_000, ()),
    "dependency-chain": (dependency_chain, 2_000, ()),
    "qti21-package": (qti_package, 1_000, ()),
}


def lmspack(*args: str) -> list[str]:
    return [sys.executable, "-m", "builder", *args]


def timed(command: list[str]) -> tuple[float, float]:
    """Run ``command`` in a fresh process; return (wall seconds, peak resident MB)."""
    with tempfile.TemporaryFile() as output:  # a file, not a pipe: wait4 can wait without reading
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=CHILD_ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace")
    if code not in (0, 1) or "[internal-error]" in text:
        raise SystemExit(f"{' '.join(command)} failed with exit {code}:\n{text[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def bench(name: str, repeat: int, work: Path) -> dict[str, object]:
    generator, size, extra = CASES[name]
    result: dict[str, object] = {"case": name}
    for label, n in (("n", size), ("10n", size * 10)):
        target = generator(n, work)
        runs = [timed(lmspack("check", *extra, str(target))) for _ in range(repeat)]
        result[label] = {"entries": n, "seconds": statistics.median(r[0] for r in runs),
                         "peak_mb": max(r[1] for r in runs)}
    result["ratio"] = result["10n"]["seconds"] / result["n"]["seconds"]  # type: ignore[index]
    return result


def report(results: list[dict[str, object]]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}; "
             f"{time.strftime('%Y-%m-%d', time.gmtime())}",
             "| case | N | time | peak MB | 10N | time | peak MB | time 10N / N |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        small, large = r["n"], r["10n"]
        lines.append(f"| {r['case']} | {small['entries']:,} | {small['seconds']:.2f} s | {small['peak_mb']:.0f} "  # type: ignore[index]
                     f"| {large['entries']:,} | {large['seconds']:.2f} s | {large['peak_mb']:.0f} "  # type: ignore[index]
                     f"| {r['ratio']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--json", action="store_true", help="print raw results as JSON")
    parser.add_argument("--work", type=Path, help="folder for generated inputs (default: a temporary one)")
    args = parser.parse_args()
    cases = [c for c in args.cases if "--schemas" not in c or OFFICIAL_SCHEMAS.is_dir()]
    with tempfile.TemporaryDirectory(prefix="lmspack-check-bench-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        results = [bench(case, args.repeat, work) for case in cases]
    print(json.dumps(results, indent=2) if args.json else report(results))


if __name__ == "__main__":
    main()
