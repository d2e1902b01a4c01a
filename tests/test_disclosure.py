"""Disclosing a sealed field: a logged act, and a reveal file anyone can check."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import observation
from tests.workflow.conftest import Case, case
from truce.errors import AuthError, NotFound, ValidationError, VerificationError
from truce.published import check_reveal
from truce.workflow.visibility import Reader

__all__ = ["case"]  # fixtures


def _sealed(case: Case) -> str:
    m = case.mission
    body = observation(
        observed_by={"source": "patrol", "team": "T-2", "monitor": "m-41"},
        sealed=["observed_by.monitor", "observed_by.team"],
    )
    return m.submit_record(m.new_record("observation", body), case.actors.monitor).record_id


def _check(case: Case, doc: dict[str, Any], *, log: bool = True) -> Any:
    m = case.mission
    location = str(m.publish_path()) if log else None
    return check_reveal(json.dumps(doc).encode(), m.log_vkey(), location=location)


def test_a_disclosure_is_logged_and_its_reveal_checks_out(case: Case) -> None:
    m = case.mission
    ref = _sealed(case)
    doc = m.disclose(ref, "observed_by.monitor", case.actors.admin, to="Inquiry", reason="asked")
    m.integrate()
    check, found = _check(case, doc)
    assert check.record_id == ref and found.reveal.value == "m-41"
    # The act is in the log, and both parties see it (not the value).
    logged = m.show(doc["disclosure"])
    assert logged.kind == "disclosure" and logged.record["to"] == "Inquiry"
    for party in ("A", "B"):
        seen = m.read(doc["disclosure"], Reader("party", party))
        assert "m-41" not in json.dumps(seen.record)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": "m-42"}, "do not open"),
        ({"salt": "A" * 43 + "="}, "do not open"),
        ({"commitment": "0" * 64}, "commits to"),
        ({"path": "observed_by.team"}, "commits to"),
        ({"record_id": "f" * 64}, "proof is for record"),
    ],
)
def test_a_forged_reveal_fails(case: Case, change: dict[str, str], message: str) -> None:
    m = case.mission
    doc = m.disclose(_sealed(case), "observed_by.monitor", case.actors.admin, to="X", reason="y")
    with pytest.raises(VerificationError, match=message):
        _check(case, doc | change, log=False)


def test_a_reveal_file_that_is_not_one(case: Case) -> None:
    m = case.mission
    for text in (b"[]", b"{", b'{"format": "truce-reveal/1"}'):
        with pytest.raises(ValidationError):
            check_reveal(text, m.log_vkey())


def test_only_an_admin_discloses_and_only_a_sealed_field(case: Case) -> None:
    m = case.mission
    ref = _sealed(case)
    with pytest.raises(AuthError):
        m.disclose(ref, "observed_by.monitor", case.actors.analyst, to="X", reason="y")
    with pytest.raises(NotFound):
        m.disclose(ref, "description", case.actors.admin, to="X", reason="y")
    plain = m.new_record(
        "disclosure", {"record": case.observation, "path": "description", "to": "X", "reason": "y"}
    )
    size = m.store.size()
    with pytest.raises(ValidationError) as exc:
        m.submit_record(plain, case.actors.admin)
    assert exc.value.field == "payload.path" and m.store.size() == size
