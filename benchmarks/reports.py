"""Reports benchmark: a daily report for ~10,000 events, and a 1,000,000-row export (issue 7).

Measures, in one run on one core:

  * the daily report of a SYNTHETIC demo mission whose one scenario day holds
    about 10,000 observations (``truce demo`` machinery, seeded; none is real):
    building the report data from the log's entries (parse every entry, rule the
    period's events against the agreement, coverage), and rendering it to
    self-contained HTML (with its SVG map and chart) and to Markdown;
  * the open-data export (``truce.publish.opendata.write_export``, CSV) of
    1,000,000 observation rows, next to the peer: a plain ``csv.writer`` loop
    writing the same columns from the same records — the floor for any CSV
    writer in Python; and the peak memory of each over 100,000 rows
    (tracemalloc), to show the export streams (its peak does not grow with rows).

Targets: daily report HTML <= 2 s (the PDF target waits for the PDF renderer).

Usage: .venv/bin/python benchmarks/reports.py [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time as clock
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

from truce.demo import run_demo
from truce.mission import Mission
from truce.publish.opendata import write_export
from truce.records import Observation, Record, parse_record
from truce.reports import ReportSpec, build_report, render


class _Sink(io.TextIOBase):
    """A text stream that counts characters and keeps none (what a file costs aside)."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def _timed(label: str, fn: object) -> tuple[float, object]:
    start = clock.perf_counter()
    out = fn()  # type: ignore[operator]
    took = clock.perf_counter() - start
    print(f"  {label}: {took:.2f} s")
    return took, out


def report_benchmark(per_day: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"building a 3-day demo mission with ~{per_day:,} observations a day ...")
        result = run_demo(Path(tmp) / "m", days=3, observations_per_day=per_day)
        with Mission.open(result.directory) as m:
            agreement = m.agreement()
            days = Counter(
                datetime.fromisoformat(str(s.event_time).replace("Z", "+00:00"))
                .astimezone(agreement.time_zone)
                .date()
                for s in m.store.scan(kinds=["observation"])
            )
            busiest = max(sorted(days), key=lambda d: days[d])
            spec = ReportSpec("daily", busiest, cutoff=time(23, 59))
            snapshot = m.snapshot()
            entries = list(snapshot.entries)
            snapshot = type(snapshot)(
                snapshot.origin, snapshot.size, snapshot.root, entries, snapshot.blob
            )
            print(f"log: {snapshot.size:,} entries")
            build_s, data = _timed("build report data", lambda: build_report(snapshot, spec))
            assert isinstance(data, dict)
            print(f"  events in the period: {data['counts']['total']:,}")
            html_s, html = _timed("render HTML (map + chart)", lambda: render(data, "html"))
            _timed("render Markdown", lambda: render(data, "md"))
            assert isinstance(html, str)
            total = build_s + html_s
            print(f"  HTML report, built and rendered: {total:.2f} s ({len(html):,} bytes)")
            print(f"target HTML <= 2 s: {'MET' if total <= 2 else 'MISSED'} ({total:.2f} s)")
            return total


def _records(n: int, sample: list[tuple[str, Record]]) -> Iterator[tuple[str, Record]]:
    """``n`` observation rows: the sample's records under distinct ids."""
    for i in range(n):
        rid, record = sample[i % len(sample)]
        yield f"{i:016x}{rid[16:]}", record


def _plain(records: Iterator[tuple[str, Record]], out: io.TextIOBase) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id", "category", "subtype", "count", "lon", "lat", "start"])
    for rid, r in records:
        assert isinstance(r, Observation)
        p = r.location.estimate() if hasattr(r.location, "estimate") else r.location
        writer.writerow(
            [rid, r.category, r.subtype or "", r.count, p.lon, p.lat, r.time.interval()[0]]
        )


def export_benchmark(rows: int, sample: list[tuple[str, Record]]) -> None:
    print(f"\nexport of {rows:,} observation rows (CSV), one core:")
    sink = _Sink()
    start = clock.perf_counter()
    losses = write_export("csv", _Two(rows, sample), sink)
    ours = clock.perf_counter() - start
    peer_sink = _Sink()
    start = clock.perf_counter()
    _plain(_records(rows, sample), peer_sink)
    peer = clock.perf_counter() - start
    print("| measure | rows/s | ratio to peer |")
    print("|---|---:|---:|")
    print(f"| peer: plain csv.writer loop | {rows / peer:,.0f} | 1.00 |")
    print(
        f"| ours: write_export('csv') (loss report, no sealed field) | {rows / ours:,.0f} | "
        f"{peer / ours:.2f} |"
    )
    print(
        f"  rows written: {losses.rows:,}; output {sink.chars / 1e6:.0f} MB (ours), "
        f"{peer_sink.chars / 1e6:.0f} MB (peer)"
    )
    for n in (10_000, 100_000):
        tracemalloc.start()
        write_export("csv", _Two(n, sample), _Sink())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  peak Python memory, ours, {n:,} rows: {peak / 2**20:.1f} MiB")


class _Two:
    """Re-iterable rows (the export reads its input twice: corrections, then rows)."""

    def __init__(self, n: int, sample: list[tuple[str, Record]]) -> None:
        self.n, self.sample = n, sample

    def __iter__(self) -> Iterator[tuple[str, Record]]:
        return _records(self.n, self.sample)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="~800 events, 100,000 rows")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    per_day = 2_000 if args.quick else 25_000  # the busiest day then holds ~10,000 events
    rows = 100_000 if args.quick else args.rows
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    report_benchmark(per_day)
    with tempfile.TemporaryDirectory() as tmp:
        result = run_demo(Path(tmp) / "s", days=1, observations_per_day=200)
        with Mission.open(result.directory) as m:
            sample = [
                (s.record_id, parse_record(s.payload))
                for s in m.store.scan(kinds=["observation"], limit=200)
            ]
    export_benchmark(rows, sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
