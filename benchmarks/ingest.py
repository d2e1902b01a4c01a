"""Ingest benchmark: signed records verified and stored per second on SQLite.

Measures, in one run on one core:
  * the ceiling: bare Ed25519 verifications/s (libsodium via PyNaCl, the
    library intake uses) over the same signed messages; and, for reference,
    OpenSSL via ``cryptography`` on the same messages;
  * ours, non-batch: one envelope per ``Mission.submit`` call (one durable
    transaction, fsync, per record);
  * ours, batch: ``Mission.submit`` with batches of 500 envelopes.
Every figure includes everything intake does: envelope parsing, key lookup,
signature verification, canonical-JSON check, schema validation, reference
checks and the durable SQLite commit. Target: batch >= 50% of the ceiling.

Usage: .venv/bin/python benchmarks/ingest.py [--records N] [--single N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from truce.agreement import load_agreement
from truce.demo import demo_signer
from truce.keys import verify_signature
from truce.mission import Mission, example_agreement_path
from truce.scenario import ScenarioConfig, generate


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--records", type=int, default=10_000, help="envelopes for the batch run")
    ap.add_argument("--single", type=int, default=1_000, help="envelopes for the non-batch run")
    ap.add_argument("--batch-size", type=int, default=500)
    args = ap.parse_args()

    agreement = load_agreement(example_agreement_path())
    days = max(1, (args.records + args.single) // 200 + 1)
    scenario = generate(agreement, ScenarioConfig(seed=1, days=days, observations_per_day=400))
    obs = [(b, w) for b, w in scenario.records if b["type"] == "observation"]
    need = args.records + args.single
    if len(obs) < need:
        print(f"scenario too small: {len(obs)} < {need}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        t0 = agreement.effective - timedelta(days=2)
        admin = demo_signer(1, "mission-admin")
        m = Mission.create(Path(tmp) / "m", mission_id="bench", admin=admin, signed_at=t0)
        signers = {a.principal: demo_signer(1, a.principal) for a in scenario.actors}
        m.submit_records(
            [
                (m.key_record("enrol", s, "monitor", signed_at=t0), admin)
                for p, s in signers.items()
                if p.startswith("monitor")
            ]
        )
        envs = [m.sign(m.new_record("observation", b), signers[w]) for b, w in obs[:need]]
        raws = [e.to_json() for e in envs]
        enrolled = m.keys()
        keys = {k.keyid: k.public_key for k in enrolled}
        payload_bytes = sum(len(e.payload) for e in envs) / len(envs)

        # Ceiling: bare verification of the same messages.
        msgs = [
            (keys[e.signatures[0].keyid], e.signed_bytes(), e.signatures[0].sig)
            for e in envs[: args.records]
        ]
        t = time.perf_counter()
        for pk, msg, sig in msgs:
            if not verify_signature(pk, msg, sig):
                raise SystemExit("ceiling: a signature failed")
        ceiling = len(msgs) / (time.perf_counter() - t)

        ossl = [(Ed25519PublicKey.from_public_bytes(pk), msg, sig) for pk, msg, sig in msgs]
        t = time.perf_counter()
        for pk2, msg, sig in ossl:
            pk2.verify(sig, msg)
        openssl = len(ossl) / (time.perf_counter() - t)

        # Ours, non-batch.
        single = raws[args.records :]
        t = time.perf_counter()
        for raw in single:
            m.submit([raw])
        nonbatch = len(single) / (time.perf_counter() - t)

        # Ours, batch.
        batch_raws = raws[: args.records]
        t = time.perf_counter()
        for i in range(0, len(batch_raws), args.batch_size):
            m.submit(batch_raws[i : i + args.batch_size])
        batch = len(batch_raws) / (time.perf_counter() - t)

        stored = m.store.counts().get("observation", 0)
        m.close()
        if stored != need:
            raise SystemExit(f"stored {stored} observations, expected {need}")
        db = Path(tmp) / "m" / "truce.db"
        size_mb = sum(f.stat().st_size for f in db.parent.glob("truce.db*")) / 1e6

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(
        f"records: {args.records} batch (batch size {args.batch_size}), {args.single} non-batch; "
        f"mean payload {payload_bytes:.0f} bytes; database {size_mb:.1f} MB"
    )
    print()
    print("| measure | records/s | ratio to ceiling |")
    print("|---|---:|---:|")
    print(f"| ceiling: bare Ed25519 verify (libsodium/PyNaCl) | {ceiling:,.0f} | 1.00 |")
    print(
        f"| peer: bare Ed25519 verify (OpenSSL/cryptography) | {openssl:,.0f} "
        f"| {openssl / ceiling:.2f} |"
    )
    print(
        f"| ours, batch: verify + validate + durable store | {batch:,.0f} | {batch / ceiling:.2f} |"
    )
    print(
        f"| ours, non-batch: one durable commit per record | {nonbatch:,.0f} "
        f"| {nonbatch / ceiling:.2f} |"
    )
    print()
    verdict = "met" if batch / ceiling >= 0.5 else "MISSED"
    print(f"target batch >= 50% of ceiling: {verdict} ({batch / ceiling:.0%})")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
