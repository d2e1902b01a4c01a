"""``truce demo``: build a mission on real geography with a synthetic scenario.

The steps, each through :class:`~truce.mission.Mission` exactly as a real
mission would take them: create the mission with the example agreement; enrol
the monitors', parties' and analyst's keys; sign and store the synthetic
scenario (:mod:`truce.scenario`) in batches; store the evidence files; work
a full verification cycle (:mod:`truce.demo_cases`: allegations from both
parties verified, a finding approved by a second person with both parties'
replies, correspondence, one correction); load version 2 of the agreement so the two versions can be
compared; integrate and publish the log (``public/log``, with the verifier key
in ``public/vkey``); then verify it as a party would, from the published files
alone: the latest checkpoint extends the first one, and a full audit passes;
rule on every event against the agreement version in force; finally, publish
a daily report and an energy-moratorium report (``public/reports``), each
rebuilt from the published log as a party would and found identical.

Determinism: for a given seed, every key, record and signature is the same
on every run and machine (Ed25519 signatures are deterministic, and the demo
derives its keys from the seed). Those keys are **demo keys**: anyone who
knows the seed can sign with them. Never use them for a real mission.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from truce.agreement import Agreement, load_agreement
from truce.demo_cases import CaseworkResult, run_casework
from truce.integrate import TreeHead
from truce.keys import Signer
from truce.ledger.note import Signer as NoteSigner
from truce.mission import Mission, example_agreement_path
from truce.published import AuditResult, LogStatus, audit_log, check_log, rebuild_report
from truce.reports import FORMATS, ReportSpec, render
from truce.scenario import ScenarioConfig, generate

__all__ = ["DemoResult", "demo_signer", "run_demo"]


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    summary: dict[str, Any]
    notes: dict[str, int]
    checkpoint: TreeHead
    #: The published log checked against the first checkpoint, then audited in full.
    status: LogStatus
    audit: AuditResult
    #: Energy-moratorium rulings per site list (``Mission.compliance_summary``).
    compliance: list[dict[str, Any]]
    #: The verification cycle worked on three allegations (:mod:`truce.demo_cases`).
    casework: CaseworkResult
    #: The reports published in ``public/reports`` and their SHA-256, each rebuilt
    #: from the published log and found identical.
    reports: list[tuple[Path, str]]


def demo_signer(seed: int, principal: str) -> Signer:
    """A key derived from the seed — for the demo only: it is not secret."""
    return Signer.from_seed(
        principal, hashlib.sha256(f"truce-demo/{seed}/{principal}".encode()).digest()
    )


def run_demo(
    directory: str | os.PathLike[str],
    *,
    seed: int = 7,
    days: int = 30,
    observations_per_day: int = 140,
    force: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create and fill the demo mission; returns its summary."""
    path = Path(directory)
    agreement = load_agreement(example_agreement_path())
    t0 = agreement.effective - timedelta(days=2)
    admin = demo_signer(seed, "mission-admin")
    mission = Mission.create(
        path,
        mission_id="truce-demo",
        name="Truce demo mission (synthetic data)",
        force=force,
        admin=admin,
        log_key=NoteSigner(
            "truce/truce-demo", hashlib.sha256(f"truce-demo/{seed}/log".encode()).digest()
        ),
        signed_at=t0,
    )
    try:
        with mission as m:
            return _fill(m, path, agreement, admin, seed, days, observations_per_day, on_progress)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)  # never leave a half-built demo behind
        raise


def _fill(
    m: Mission,
    path: Path,
    agreement: Agreement,
    admin: Signer,
    seed: int,
    days: int,
    observations_per_day: int,
    on_progress: Callable[[int, int], None] | None,
) -> DemoResult:
    t0 = agreement.effective - timedelta(days=2)
    first_seen = m.checkpoint().note  # the checkpoint a party saw when the mission began
    scenario = generate(
        agreement,
        ScenarioConfig(seed=seed, days=days, observations_per_day=observations_per_day),
    )
    signers: dict[str, Signer] = {}
    key_records = []
    for actor in scenario.actors:
        signer = demo_signer(seed, actor.principal)
        signer.save(path / "keys" / f"{actor.principal}.key")
        signers[actor.principal] = signer
        key_records.append(
            (
                m.key_record(
                    "enrol", signer, actor.role, actor.party, signed_at=t0 + timedelta(hours=1)
                ),
                admin,
            )
        )
    m.submit_records(key_records)

    items = [(m.new_record(body["type"], body), signers[who]) for body, who in scenario.records]
    total = len(items)
    done = 0
    batch = 250
    # Monitors seal their pseudonyms: the log carries commitments, the mission the values.
    m.sealing_entropy = hashlib.sha256(f"truce-demo/{seed}/salts".encode()).digest()
    ids: list[str] = []
    for i in range(0, total, batch):
        chunk = items[i : i + batch]
        ids += [r.record_id for r in m.submit_records(chunk, batch_size=batch)]
        done += len(chunk)
        if on_progress:
            on_progress(done, total)

    evidence_dir = path / "evidence"
    evidence_dir.mkdir(exist_ok=True)
    for f in scenario.files:
        (evidence_dir / f.sha256).write_bytes(f.content)

    # The casework: verification, findings, replies, correspondence, a correction.
    original = next(
        rid
        for rid, (b, _) in zip(ids, scenario.records, strict=True)
        if b["type"] == "observation" and b.get("sealed")
    )
    m.compliance_run()  # the ranking of candidate observations uses its rulings
    casework = run_casework(
        m,
        signers,
        agreement.effective + timedelta(days=days),
        original,
        entropy=hashlib.sha256(f"truce-demo/{seed}/sealing".encode()).digest(),
    )
    v2 = example_agreement_path().with_name("example-agreement-v2.yaml")
    v2_agreement = load_agreement(v2)
    m.submit_agreement(
        v2_agreement, admin=admin, signed_at=agreement.effective + timedelta(days=days - 2)
    )
    head = m.integrate()  # also publishes the log in public/log
    vkey = m.log_vkey()
    (path / "public" / "vkey").write_text(vkey + "\n", encoding="utf-8")
    # What a party does with the published files alone: check the latest
    # checkpoint against the first one it saw, then audit everything.
    log_dir = str(m.publish_path())
    status = check_log(log_dir, vkey, since=first_seen)
    audit = audit_log(log_dir, vkey)
    audit.raise_for_problems()
    m.compliance_run()
    compliance = m.compliance_summary("term", term_id="moratorium.energy")
    reports = _publish_reports(m, path, agreement, days, log_dir, vkey)
    return DemoResult(
        path, m.summary(), scenario.notes, head, status, audit, compliance, casework, reports
    )


def _publish_reports(
    m: Mission, path: Path, agreement: Agreement, days: int, log_dir: str, vkey: str
) -> list[tuple[Path, str]]:
    """A daily report for the day after the scenario (when the casework approved
    its finding) and an energy-moratorium report over the whole scenario, in
    HTML, Markdown and JSON under ``public/reports``; each is rebuilt from the
    published log and compared."""
    local_start = agreement.effective.astimezone(agreement.time_zone).date()
    last = local_start + timedelta(days=days - 1)
    after = last + timedelta(days=1)
    specs = {
        f"daily-{after.isoformat()}": ReportSpec("daily", after),
        f"moratorium-{last.isoformat()}": ReportSpec("thematic", last, days=days),
    }
    out_dir = path / "public" / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, str]] = []
    for name, spec in specs.items():
        data = m.build_report(spec)
        for fmt in FORMATS:
            text = render(data, fmt)
            target = out_dir / f"{name}.{fmt}"
            target.write_text(text, encoding="utf-8")
            rebuild_report(text, log_dir, vkey)  # what a party does with the file
            written.append((target, hashlib.sha256(text.encode("utf-8")).hexdigest()))
    return written
