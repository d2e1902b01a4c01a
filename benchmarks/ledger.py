"""Ledger benchmark: Merkle proofs, publication to tlog-tiles and full audit (issue 4).

Measures, in one run (one core, except fsck's hashing workers in (c)):
  (a) inclusion and consistency proofs with ``truce.ledger.MemoryTree`` at 1M and
      10M leaves (random 32-byte leaf hashes): generation and verification,
      median and p99 over random proofs (target < 1 ms each); next to the peer
      ``pymerkle`` (``InmemoryTree``, RFC 6962 prefixes on, SHA-256) doing the
      same operations at the largest size it builds within the time budget; the
      roots of both trees over the same entries are compared;
  (b) integration: entries/s from entries (~600 bytes) to a published C2SP
      tlog-tiles directory with a signed checkpoint (tree build + sign + publish),
      for the whole log and for an incremental +10k step;
  (c) full third-party audit: ``truce.verify.fsck`` over that directory in
      entries/s, with its default worker processes (one per CPU) and with
      ``workers=1`` (one process), next to the bare SHA-256 rate (one
      ``hashlib`` leaf hash per entry over the same entries, one core); each
      is the median of 3 interleaved runs; target >= 500k entries/s;
  (d) memory of the 10M-leaf ``MemoryTree`` (its node store, and the rise of the
      process's peak RSS while building it).
The peer's trees are built last, after (b) and (c): they leave a fragmented heap of
~450 MB behind, which would make forking fsck's workers slower than in an auditor's
own process.

Usage: .venv/bin/python benchmarks/ledger.py [--quick] [--sizes N,N] [--proofs N]
       [--publish N] [--peer-budget S] [--audit-runs N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from truce.ledger import MemoryTree, leaf_hash, verify_consistency, verify_inclusion
from truce.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from truce.ledger.note import Signer, Verifier
from truce.publish import tlog
from truce.verify import FsckReport, directory_fetcher, fsck

ORIGIN = "bench.example.org/truce-ledger"
TARGET_PROOF_MS = 1.0
TARGET_AUDIT = 500_000
ENTRY_SIZE = 600


def _random_hashes(n: int, seed: int) -> Iterator[bytes]:
    """``n`` reproducible random 32-byte values, generated in chunks (no big list)."""
    rng = random.Random(seed)
    chunk = 65_536
    done = 0
    while done < n:
        k = min(chunk, n - done)
        buf = rng.randbytes(32 * k)
        yield from (buf[i : i + 32] for i in range(0, 32 * k, 32))
        done += k


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _stats(samples_ns: list[int]) -> tuple[float, float]:
    """Median and p99 in milliseconds."""
    s = sorted(samples_ns)
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    return statistics.median(s) / 1e6, p99 / 1e6


def _pairs(size: int, count: int, seed: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Random (index, tree size) and (old size, new size) challenges for a tree of ``size``."""
    rng = random.Random(seed)
    incl = []
    cons = []
    for _ in range(count):
        n = rng.randint(1, size)
        incl.append((rng.randrange(n), n))
        m, n2 = sorted(rng.sample(range(1, size + 1), 2))
        cons.append((m, n2))
    return incl, cons


Row = tuple[str, int, str, float, float]  # impl, size, operation, median ms, p99 ms


def bench_ours(tree: MemoryTree, proofs: int, seed: int) -> list[Row]:
    size = tree.size
    incl, cons = _pairs(size, proofs, seed)
    roots = {n: tree.root(n) for pair in incl + cons for n in pair if n > 0}
    gen: list[int] = []
    ver: list[int] = []
    for index, n in incl:
        t = time.perf_counter_ns()
        proof = tree.inclusion_proof(index, n)
        gen.append(time.perf_counter_ns() - t)
        leaf = tree.get_node(0, index)
        t = time.perf_counter_ns()
        verify_inclusion(leaf, index, n, proof, roots[n])
        ver.append(time.perf_counter_ns() - t)
    cgen: list[int] = []
    cver: list[int] = []
    for m, n in cons:
        t = time.perf_counter_ns()
        proof = tree.consistency_proof(m, n)
        cgen.append(time.perf_counter_ns() - t)
        t = time.perf_counter_ns()
        verify_consistency(m, n, roots[m], roots[n], proof)
        cver.append(time.perf_counter_ns() - t)
    return [
        ("ours", size, "inclusion: generate", *_stats(gen)),
        ("ours", size, "inclusion: verify", *_stats(ver)),
        ("ours", size, "consistency: generate", *_stats(cgen)),
        ("ours", size, "consistency: verify", *_stats(cver)),
    ]


def bench_pymerkle(pm: Any, proofs: int, seed: int) -> list[Row]:
    # pymerkle ships no type information (no py.typed marker).
    from pymerkle import verify_consistency as pm_vc  # type: ignore[import-untyped]
    from pymerkle import verify_inclusion as pm_vi

    size = pm.get_size()
    incl, cons = _pairs(size, proofs, seed)
    roots = {n: pm.get_root(n) for pair in incl + cons for n in pair if n > 0}
    gen: list[int] = []
    ver: list[int] = []
    for index, n in incl:  # pymerkle counts leaves from one
        t = time.perf_counter_ns()
        pproof = pm.prove_inclusion(index + 1, n)
        gen.append(time.perf_counter_ns() - t)
        leaf = pm.get_leaf(index + 1)
        t = time.perf_counter_ns()
        pm_vi(leaf, roots[n], pproof, index=index + 1, size=n)
        ver.append(time.perf_counter_ns() - t)
    cgen: list[int] = []
    cver: list[int] = []
    for m, n in cons:
        t = time.perf_counter_ns()
        pproof = pm.prove_consistency(m, n)
        cgen.append(time.perf_counter_ns() - t)
        t = time.perf_counter_ns()
        pm_vc(roots[m], roots[n], pproof, prior_size=m, later_size=n)
        cver.append(time.perf_counter_ns() - t)
    return [
        ("pymerkle", size, "inclusion: generate", *_stats(gen)),
        ("pymerkle", size, "inclusion: verify", *_stats(ver)),
        ("pymerkle", size, "consistency: generate", *_stats(cgen)),
        ("pymerkle", size, "consistency: verify", *_stats(cver)),
    ]


def peer_trees(
    sizes: list[int], budget: float, seed: int
) -> tuple[Any, int, float, float, bool | None, list[str]]:
    """Build pymerkle trees of growing size until one exceeds ``budget`` seconds.

    Returns the largest tree built within budget, its size, its build time, our
    build time over the same entries, whether both roots agree, and notes.
    """
    notes: list[str] = []
    try:
        from pymerkle import InmemoryTree
    except ImportError:
        return None, 0, 0.0, 0.0, None, ["pymerkle is not installed: peer skipped"]
    best: tuple[Any, int, float, float, bool | None] = (None, 0, 0.0, 0.0, None)
    for n in sizes:
        data = list(_random_hashes(n, seed + n))
        pm = InmemoryTree(algorithm="sha256")  # security (RFC 6962 0x00/0x01 prefixes) on
        t = time.perf_counter()
        for d in data:
            pm.append_entry(d)
        pm_build = time.perf_counter() - t
        t = time.perf_counter()
        ours = MemoryTree(leaf_hash(d) for d in data)
        our_build = time.perf_counter() - t
        agree = pm.get_root() == ours.root()
        if pm_build > budget:
            notes.append(f"pymerkle {n:,}: build {pm_build:.1f} s > budget {budget:.0f} s")
            break
        best = (pm, n, pm_build, our_build, agree)
        # Extrapolate before trying a size that cannot fit.
        if sizes.index(n) + 1 < len(sizes):
            nxt = sizes[sizes.index(n) + 1]
            if pm_build * nxt / n > budget:
                notes.append(
                    f"pymerkle {nxt:,}: not tried (extrapolated build "
                    f"{pm_build * nxt / n:.0f} s > budget {budget:.0f} s)"
                )
                break
    return (*best, notes)


def bench_publish(
    n: int, step: int, seed: int
) -> tuple[dict[str, float], list[bytes], Path, tempfile.TemporaryDirectory[str]]:
    rng = random.Random(seed)
    entries = [rng.randbytes(ENTRY_SIZE - 50 + rng.randrange(101)) for _ in range(n + step)]
    signer = Signer(ORIGIN, bytes(range(32)))
    tmp = tempfile.TemporaryDirectory(prefix="truce-ledger-bench-")
    out = Path(tmp.name) / "log"
    tree = MemoryTree()

    def integrate(lo: int, hi: int) -> None:
        tree.extend(leaf_hash(e) for e in entries[lo:hi])
        note = sign_checkpoint(Checkpoint(ORIGIN, hi, tree.root(hi)), signer)
        tlog.publish(
            out,
            size=hi,
            get_node=tree.get_node,
            get_entries=lambda a, b: entries[a:b],
            checkpoint=note,
        )

    t = time.perf_counter()
    integrate(0, n)
    whole = time.perf_counter() - t
    t = time.perf_counter()
    integrate(n, n + step)
    incr = time.perf_counter() - t
    disk = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    res = {
        "whole_rate": n / whole,
        "whole_s": whole,
        "incr_rate": step / incr,
        "incr_s": incr,
        "disk_mb": disk / 1e6,
        "mean_entry": sum(map(len, entries)) / len(entries),
    }
    return res, entries, out, tmp


def _median_run(reports: list[FsckReport]) -> FsckReport:
    """The report of the median throughput among ``reports``."""
    return sorted(reports, key=lambda r: r.entries_per_second)[len(reports) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: 100k leaves everywhere")
    ap.add_argument("--sizes", default=None, help="MemoryTree sizes (default 1000000,10000000)")
    ap.add_argument("--proofs", type=int, default=2_000, help="random proofs per measure")
    ap.add_argument("--publish", type=int, default=None, help="entries to publish (default 200k)")
    ap.add_argument("--step", type=int, default=10_000, help="incremental integration step")
    ap.add_argument("--peer-sizes", default=None, help="pymerkle sizes to try, in order")
    ap.add_argument("--peer-budget", type=float, default=60.0, help="pymerkle build budget, s")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--audit-runs", type=int, default=3, help="runs of (c), median reported")
    args = ap.parse_args()

    if args.quick:
        sizes, peer_sizes, n_pub, proofs = [100_000], [100_000], 100_000, min(args.proofs, 500)
    else:
        sizes = [1_000_000, 10_000_000]
        peer_sizes = [100_000, 1_000_000, 10_000_000]
        n_pub, proofs = 200_000, args.proofs
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    if args.peer_sizes:
        peer_sizes = [int(s) for s in args.peer_sizes.split(",")]
    if args.publish is not None:
        n_pub = args.publish
    started = time.perf_counter()
    rows: list[Row] = []
    builds: list[tuple[int, float]] = []
    memory = ""

    # (a) + (d): ours, largest size first so the peak-RSS rise is the tree's own
    # (its node store is returned to the system when it is deleted).
    for n in sorted(sizes, reverse=True):
        rss0 = _maxrss_bytes()
        t = time.perf_counter()
        tree = MemoryTree(_random_hashes(n, args.seed))
        builds.append((n, time.perf_counter() - t))
        if n == max(sizes):
            store = sum(len(level) for level in tree._levels)  # exact node-store bytes
            memory = (
                f"MemoryTree of {n:,} leaves: node store {store / 2**20:,.0f} MiB "
                f"({store / n:.1f} bytes/leaf); peak RSS rise while building "
                f"{(_maxrss_bytes() - rss0) / 2**20:,.0f} MiB"
            )
        rows += bench_ours(tree, proofs, args.seed)
        del tree

    # (b) integration into tiles + signed checkpoint.
    pub, entries, out, tmp = bench_publish(n_pub, args.step, args.seed)
    with tmp:
        total = len(entries)
        # (c) bare SHA-256 leaf hashing of the same entries, then fsck (default workers,
        # then one process), interleaved so that drifts of the machine hit all three.
        vkey = Signer(ORIGIN, bytes(range(32))).vkey
        bares: list[float] = []
        runs: dict[int | None, list[FsckReport]] = {None: [], 1: []}
        sha = hashlib.sha256
        for _ in range(max(1, args.audit_runs)):
            t = time.perf_counter()
            for e in entries:
                sha(b"\x00" + e).digest()
            bares.append(total / (time.perf_counter() - t))
            for workers, reports in runs.items():
                reports.append(fsck(directory_fetcher(out), ORIGIN, [vkey], workers=workers))
        note = (out / "checkpoint").read_bytes()
        t = time.perf_counter()
        reps = 200
        verifier = Verifier.from_vkey(vkey)
        for _ in range(reps):
            open_checkpoint(note, ORIGIN, [verifier])
        cp_verify_ms = (time.perf_counter() - t) / reps * 1e3

    # (a) peer, last: its million-object tree leaves a fragmented heap behind (~450 MB
    # resident), which would make every later fork (fsck's hashing workers) dearer than
    # in a party's own audit process.
    pm, pm_n, pm_build, our_build, agree, notes = peer_trees(
        peer_sizes, args.peer_budget, args.seed
    )
    if pm is not None:
        rows += bench_pymerkle(pm, proofs, args.seed)
        del pm

    for report in runs[None] + runs[1]:
        if not report.ok or report.entries != total:
            print(f"fsck failed on a freshly published log: {report.problems[:3]}", file=sys.stderr)
            return 2
    bare = statistics.median(bares)
    report = _median_run(runs[None])
    single = _median_run(runs[1])
    audit, audit1 = report.entries_per_second, single.entries_per_second

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(f"proofs per measure: {proofs} random challenges (random sizes and indices)")
    print("tree build (random leaf hashes): " + "; ".join(f"{n:,} in {s:.1f} s" for n, s in builds))
    if pm_n:
        verdict = "equal" if agree else "DIFFER"
        print(
            f"peer pymerkle {pm_n:,} leaves: build {pm_build:.1f} s vs ours {our_build:.1f} s "
            f"over the same entries ({pm_build / our_build:.1f}x); roots {verdict}"
        )
    for line in notes:
        print(f"peer note: {line}")
    print()
    print("| implementation | leaves | operation | median ms | p99 ms | ratio pymerkle/ours |")
    print("|---|---:|---|---:|---:|---:|")
    ours_at = {(op, n): med for impl, n, op, med, _ in rows if impl == "ours"}
    for impl, n, op, med, p99 in rows:
        ratio = ""
        if impl == "pymerkle":
            ref = min((k for k in ours_at if k[0] == op), key=lambda k: abs(k[1] - n))
            ratio = f"{med / ours_at[ref]:.1f}x (vs ours at {ref[1]:,})"
        print(f"| {impl} | {n:,} | {op} | {med:.4f} | {p99:.4f} | {ratio} |")
    print()
    print(
        f"integration ({n_pub:,} entries of mean {pub['mean_entry']:.0f} bytes, "
        f"{pub['disk_mb']:.0f} MB published):"
    )
    print()
    print("| measure | entries/s | seconds | ratio to bare SHA-256 |")
    print("|---|---:|---:|---:|")
    print(f"| bare SHA-256 leaf hash (hashlib), {total:,} entries | {bare:,.0f} | | 1.00 |")
    print(
        f"| ours: integrate + sign + publish, whole log ({n_pub:,}) | {pub['whole_rate']:,.0f} "
        f"| {pub['whole_s']:.2f} | {pub['whole_rate'] / bare:.2f} |"
    )
    print(
        f"| ours: integrate + sign + publish, +{args.step:,} step | {pub['incr_rate']:,.0f} "
        f"| {pub['incr_s']:.2f} | {pub['incr_rate'] / bare:.2f} |"
    )
    print(
        f"| ours: fsck full audit, {report.entries:,} entries, {report.workers} hashing "
        f"worker processes (default) | {audit:,.0f} | {report.seconds:.2f} | {audit / bare:.2f} |"
    )
    print(
        f"| ours: fsck full audit, {single.entries:,} entries, workers=1 (one process) "
        f"| {audit1:,.0f} | {single.seconds:.2f} | {audit1 / bare:.2f} |"
    )
    print()
    print(
        f"signatures: checkpoint signature verification {cp_verify_ms:.3f} ms (once per audit; "
        "included in fsck). Entry signature envelopes are not checked: the entries are "
        "synthetic bytes, so fsck runs without entry_check (no EntryAuditor)."
    )
    print(
        f"audit runs: {len(bares)}, medians shown; bare SHA-256 "
        + ", ".join(f"{b:,.0f}" for b in bares)
        + "; fsck default "
        + ", ".join(f"{r.entries_per_second:,.0f}" for r in runs[None])
        + "; fsck workers=1 "
        + ", ".join(f"{r.entries_per_second:,.0f}" for r in runs[1])
    )
    print(f"memory: {memory}")
    print()
    worst = max(
        (p99 for impl, _, _, _, p99 in rows if impl == "ours"),
        default=float("inf"),
    )
    proof_ok = worst < TARGET_PROOF_MS
    audit_ok = audit >= TARGET_AUDIT
    print(
        f"target proofs < {TARGET_PROOF_MS:g} ms (p99, generate and verify, every size): "
        f"{'met' if proof_ok else 'MISSED'} (worst p99 {worst:.3f} ms)"
    )
    print(
        f"target fsck >= {TARGET_AUDIT:,} entries/s: {'met' if audit_ok else 'MISSED'} "
        f"({audit:,.0f}; bare SHA-256 {bare:,.0f})"
    )
    print(f"total run time {time.perf_counter() - started:.0f} s")
    return 0 if proof_ok and audit_ok else 1


if __name__ == "__main__":
    sys.exit(main())
