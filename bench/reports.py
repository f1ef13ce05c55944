"""Benchmark of the exports: the time and the peak memory (tracemalloc) to build the Excel
workbook and the Word report of a directive, from the database to the file's bytes, for
30 units × 25 tasks and 1000 × 50.

    .venv/bin/python bench/reports.py              # about a minute
    .venv/bin/python bench/reports.py --repeat 5   # more runs per measurement

The databases are bench/matrix.py's (same units, tasks, statuses, evidence links), built in a
temporary directory. Times are the median of --repeat runs after one warm-up run (the first
pays for imports and matplotlib's font cache); memory is measured in one more run under
tracemalloc, which slows Python down, so it is not timed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matrix import build_database, settings  # noqa: E402  (bench/matrix.py)

from portal import create_app  # noqa: E402
from portal.deadlines import today  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matrix.model import completion_over_time, matrix  # noqa: E402
from portal.reports import official, pictures, spreadsheet  # noqa: E402
from portal.reports.queries import details, signing  # noqa: E402

SIZES = [(30, 25), (1000, 50)]
AIMS = {(30, 25): 1.0, (1000, 50): 10.0}  # seconds, per file


def build_xlsx(directive_id: int) -> bytes:
    m = matrix(directive_id, today())
    out = io.BytesIO()
    found = details(directive_id)
    spreadsheet.write_xlsx(m, spreadsheet.whole(m, found), found.findings, out)
    return out.getvalue()


def build_docx(directive_id: int) -> bytes:
    m = matrix(directive_id, today())
    drawn = pictures.report_pictures(m, completion_over_time(m))
    return official.write_docx(m, details(directive_id), drawn, signing())


def build_csv(directive_id: int) -> bytes:
    return spreadsheet.write_csv(matrix(directive_id, today()), details(directive_id))


BUILDERS = {"xlsx": build_xlsx, "docx": build_docx, "csv": build_csv}


def measure(app, directive_id: int, build, repeat: int) -> tuple[list[float], int, int]:
    """Seconds of each run, peak traced bytes of one more run, and the file's size."""
    times = []
    with app.test_request_context():
        data = build(directive_id)  # warm-up
        db.session.remove()
        for _ in range(repeat):
            start = time.perf_counter()
            build(directive_id)
            times.append(time.perf_counter() - start)
            db.session.remove()
        tracemalloc.start()
        build(directive_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
    return times, peak, len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as temp:
        for units, tasks in SIZES:
            root = Path(temp) / f"{units}x{tasks}"
            root.mkdir()
            config = settings(root)
            print(f"building {units} × {tasks} ...", file=sys.stderr, flush=True)
            directive_id = build_database(config, units, tasks)
            app = create_app(config)
            for name, build in BUILDERS.items():
                times, peak, size = measure(app, directive_id, build, args.repeat)
                results[(units, tasks, name)] = (statistics.median(times), peak, size)
                print(f"  {name}: {statistics.median(times):.2f} s", file=sys.stderr, flush=True)
            with app.app_context():
                db.engine.dispose()

    print(f"\n{'size':>10} {'file':>5} {'items':>7} {'median s':>9} {'peak MB':>8} "
          f"{'file KB':>8} {'peak B/item':>11}")
    for (units, tasks, name), (seconds, peak, size) in results.items():
        items = units * tasks
        print(f"{units:>4} × {tasks:<3} {name:>5} {items:>7} {seconds:>9.2f} "
              f"{peak / 1e6:>8.1f} {size / 1024:>8.0f} {peak / items:>11.0f}")

    failed = []
    small, large = SIZES
    growth = (large[0] * large[1]) / (small[0] * small[1])
    print(f"\naims: xlsx and docx under {AIMS[small]:.0f} s at {small[0]} × {small[1]} and "
          f"{AIMS[large]:.0f} s at {large[0]} × {large[1]}; peak memory growing no faster than "
          f"the items (× {growth:.0f})")
    for name in ("xlsx", "docx"):
        for size in SIZES:
            seconds = results[(*size, name)][0]
            verdict = "ok" if seconds < AIMS[size] else "MISSED"
            if verdict != "ok":
                failed.append(f"{name} {size}")
            print(f"  {name} {size[0]} × {size[1]}: {seconds:.2f} s  {verdict}")
        ratio = results[(*large, name)][1] / results[(*small, name)][1]
        verdict = "ok" if ratio <= growth else "MISSED"
        if verdict != "ok":
            failed.append(f"{name} memory")
        print(f"  {name} memory: × {ratio:.1f} for × {growth:.0f} items  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
