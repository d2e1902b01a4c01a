"""The authorisation matrix: every role x every operation, from the one table in truce.roles.

Each operation is done through the facade by a key of each role: submitted
records go through :meth:`Mission.check` (intake, storing nothing), reads
through the facade's read methods. Allowed means no AuthError (a later rule of
the operation may still refuse the particular record); denied means AuthError.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Actors, allegation, enrol_actors, new_mission, observation, seeded
from tests.records import _examples as ex
from tests.workflow.conftest import Case, approved_finding, draft, make_case
from truce.errors import AuthError, Error
from truce.keys import ROLES, Signer
from truce.records import RECORD_TYPES, format_utc
from truce.roles import MAY_SUBMIT, OPERATIONS, check_may_submit
from truce.workflow.visibility import Reader


def test_table_covers_every_role_and_record_type() -> None:
    assert set(MAY_SUBMIT) == set(ROLES)
    kinds = {op.kind for op in OPERATIONS if op.kind is not None}
    assert kinds == set(RECORD_TYPES)  # every record type has its operation
    assert len({op.name for op in OPERATIONS}) == len(OPERATIONS)
    for op in OPERATIONS:
        assert op.roles <= set(ROLES), op.name


def test_separation_of_duties() -> None:
    for role, kinds in MAY_SUBMIT.items():
        assert not {"allegation", "finding"} <= kinds, role  # who files never rules
        assert not {"finding", "approval"} <= kinds, role  # who drafts never approves
    assert not {"allegation", "finding", "approval"} & MAY_SUBMIT["monitor"]


@pytest.mark.parametrize(("role", "kind"), list(itertools.product(ROLES, sorted(RECORD_TYPES))))
def test_check_may_submit_follows_the_table(role: str, kind: str) -> None:
    if kind in MAY_SUBMIT[role]:
        check_may_submit(role, kind, keyid="0" * 32)
    else:
        with pytest.raises(AuthError) as exc:
            check_may_submit(role, kind, keyid="0" * 32)
        assert exc.value.keyid == "0" * 32


def _bodies(case: Case, role: str) -> dict[str, dict[str, Any]]:
    """A record of each kind that a key of ``role`` could sign (party keys are party A)."""
    own = case.allegation if role == "party" else case.observation
    return {
        "observation": observation(signed_at="2025-03-20T07:00:00Z"),
        "coverage": ex.patrol_track(),
        "evidence": ex.evidence(),
        "allegation": allegation(signed_at="2025-03-21T09:00:00Z"),
        "allegation_step": {"allegation": case.allegation, "state": "acknowledged"},
        "verification_task": {
            "allegation": case.allegation,
            "task": "camera_review",
            "detail": "Review camera C-12.",
        },
        "finding": {
            "allegations": [case.allegation],
            "term": {"id": "moratorium.energy", "agreement_version": 1},
            "certainty": "possible",
            "outcome": "breach",
            "attribution": {"status": "not_attributed", "reason": "unknown"},
            "summary": "Matrix draft.",
        },
        "approval": {"finding": _draft(case), "decision": "approved", "reply_window_days": 7},
        "reply": {"finding": _approved(case), "party": "A", "body": "Noted."},
        "correction": {"supersedes": own, "reason": "matrix"},
        "correspondence": ex.correspondence_opener(from_party="A", to_party="B"),
        "acknowledgement": {"message": _letter(case), "party": "A"},
        "link": {
            "allegation": case.allegation,
            "observation": case.observation,
            "reason": "Same place and time.",
        },
        "release": {
            "report": _report(case),
            "title": "Daily report",
            "media_type": "text/markdown",
            "size": len(REPORT),
            "release_at": format_utc(case.mission.clock() + timedelta(hours=1)),
            "parties": ["A", "B"],
        },
        "access": {"party": "A", "action": "read", "items": [case.allegation]},
        "disclosure": {
            "record": _sealed(case),
            "path": "observed_by.monitor",
            "to": "Board of inquiry",
            "reason": "matrix",
        },
        "key": ex.key_enrol(),
        "agreement": ex.agreement(),
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    """One mission for the whole matrix: submissions go through ``check`` (nothing
    is stored) and the records the reads need are made once, on first use."""
    mission = new_mission(tmp_path_factory.mktemp("roles") / "m")
    yield make_case(mission, enrol_actors(mission))
    mission.close()


def _draft(case: Case) -> str:
    """One draft finding waiting for approval (made on first use)."""
    if "draft" not in case.made:
        case.made["draft"] = draft(case)
    return case.made["draft"]


def _approved(case: Case) -> str:
    """One approved finding (made on first use)."""
    if "approved" not in case.made:
        case.made["approved"] = approved_finding(case)
    return case.made["approved"]


REPORT = b"# Daily report\n\nSynthetic.\n"


def _sealed(case: Case) -> str:
    """An observation whose monitor is sealed (made on first use)."""
    if "sealed" not in case.made:
        body = observation(
            observed_by={"source": "patrol", "monitor": "m-1"},
            sealed=["observed_by.monitor"],
            signed_at="2025-03-20T07:30:00Z",
        )
        m = case.mission
        case.made["sealed"] = m.submit_record(
            m.new_record("observation", body), case.actors.monitor
        ).record_id
    return case.made["sealed"]


def _letter(case: Case) -> str:
    """A public message from party B to party A (made on first use)."""
    if "letter" not in case.made:
        letter = ex.correspondence_opener(from_party="B", to_party="A", signed_at=None)
        body = {k: v for k, v in letter.items() if k not in ("type", "mission", "signed_at")}
        case.made["letter"] = case.mission.submit_record(
            case.mission.new_record("correspondence", body), case.actors.party_b
        ).record_id
    return case.made["letter"]


def _report(case: Case) -> str:
    """A report released to both parties (made on first use); its SHA-256."""
    if "report" not in case.made:
        m = case.mission
        m.release_report(
            REPORT,
            "Daily report",
            case.approver,
            release_at=m.clock(),
            parties=["A", "B"],
            media_type="text/markdown",
        )
        case.made["report"] = hashlib.sha256(REPORT).hexdigest()
    return case.made["report"]


def _signer(case: Case, role: str) -> Signer:
    a: Actors = case.actors
    known = {
        "admin": a.admin,
        "monitor": a.monitor,
        "analyst": a.analyst,
        "approver": case.approver,
        "party": a.party_a,
    }
    if role in known:
        return known[role]
    signer = seeded(f"{role}-matrix")
    if f"key:{role}" not in case.made:
        case.mission.enrol_key(signer.public_key, principal=signer.principal, role=role)
        case.made[f"key:{role}"] = signer.keyid
    return signer


def _reader(role: str) -> Reader:
    return Reader(role, "A" if role == "party" else None)


def _read(case: Case, name: str, reader: Reader) -> Callable[[], object]:
    """The facade call behind each read operation."""
    m = case.mission
    reads: dict[str, Callable[[], object]] = {
        "workflow.read": lambda: m.notifications("A", reader=reader),
        "workflow.queue": lambda: list(m.allegation_states(reader=reader)),
        "allegation.candidates": lambda: m.link_candidates(case.allegation, reader=reader),
        "correspondence.read": lambda: m.thread(_letter(case), reader),
        "report.read": lambda: m.report(_report(case), reader),
        "access.read": lambda: m.accesses(reader=reader),
        "coverage.read": lambda: m.coverage(reader=reader, days=[date(2025, 3, 20)]),
    }
    return reads[name]


@pytest.mark.parametrize(
    ("role", "op"),
    list(itertools.product(ROLES, OPERATIONS)),
    ids=[f"{r}-{o.name}" for r, o in itertools.product(ROLES, OPERATIONS)],
)
def test_authorisation_matrix(case: Case, role: str, op: Any) -> None:
    m = case.mission
    action: Callable[[], object]
    if op.kind is not None:
        signer = _signer(case, role)
        body = _bodies(case, role)[op.kind]
        record = m.new_record(op.kind, {k: v for k, v in body.items() if k != "type"})
        action = lambda: m.check([m.sign(record, signer)])  # noqa: E731
    elif op.name == "record.read":
        target = _approved(case)
        action = lambda: m.read(target, _reader(role))  # noqa: E731
    else:
        action = _read(case, op.name, _reader(role))
    size = m.store.size()
    if role in op.roles:
        try:
            action()
        except AuthError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{role} was refused {op.name}: {exc}")
        except Error:
            pass  # allowed; a rule of the operation refused this particular record
    else:
        with pytest.raises(AuthError):
            action()
    if op.kind is not None:
        assert m.store.size() == size  # check() stores nothing
