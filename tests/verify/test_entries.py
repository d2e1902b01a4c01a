"""The entry auditor replays the log's own key registry and checks every envelope."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import Actors, observation
from truce.envelopes import canonical_json, sign_payload
from truce.mission import Mission
from truce.verify._errors import MissingFile, VerificationFailed
from truce.verify.entries import EntryAuditor


def _audit(entries: list[bytes]) -> EntryAuditor:
    auditor = EntryAuditor()
    for i, e in enumerate(entries):
        auditor(i, e)
    return auditor


def test_a_real_mission_log_audits_clean(mission: Mission, actors: Actors) -> None:
    mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    mission.revoke_key(actors.monitor2.keyid, reason="lost")
    auditor = _audit(mission.store.entries(0, mission.store.size()))
    assert auditor.kinds["observation"] == 1
    assert auditor.kinds["key"] == 7  # admin + 5 enrolments + 1 revocation
    assert auditor.mission == mission.settings.id


def test_tampering_and_key_misuse_are_named(mission: Mission, actors: Actors) -> None:
    mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    entries = mission.store.entries(0, mission.store.size())
    # A payload changed after signing.
    env = json.loads(entries[-1])
    payload = base64.b64decode(env["payload"]).replace(b'"count":2', b'"count":9')
    env["payload"] = base64.b64encode(payload).decode()
    with pytest.raises(VerificationFailed, match=f"entry {len(entries) - 1}: signature 0"):
        _audit([*entries[:-1], json.dumps(env).encode()])
    # An entry dropped: the next one's signer may be unknown, or the order is off.
    with pytest.raises(VerificationFailed):
        _audit(entries[1:])
    # Entries out of order are refused.
    auditor = EntryAuditor()
    auditor(0, entries[0])
    with pytest.raises(VerificationFailed, match="out of order"):
        auditor(2, entries[2])


def test_a_record_signed_after_revocation_is_refused(mission: Mission, actors: Actors) -> None:
    before = mission.store.size()
    rec = mission.sign(mission.new_record("observation", observation()), actors.monitor).to_json()
    mission.revoke_key(actors.monitor.keyid, reason="lost")
    entries = [*mission.store.entries(0, mission.store.size()), rec]
    assert len(entries) == before + 2
    with pytest.raises(VerificationFailed, match="after it was revoked"):
        _audit(entries)


def test_blobs_cited_by_agreement_records_are_fetched_and_hashed(mission: Mission) -> None:
    entries = mission.store.entries(0, mission.store.size())
    stored = {f"blob/{sha}": mission.store.get_blob(sha) for sha, _ in mission.store.blob_index()}
    fetched: list[str] = []

    def fetch(path: str) -> bytes:
        fetched.append(path)
        data = stored.get(path)
        if data is None:
            raise MissingFile(path)
        return data

    auditor = EntryAuditor(fetch=fetch)
    for i, e in enumerate(entries):
        auditor(i, e)
    assert set(auditor.blobs) == {p.removeprefix("blob/") for p in stored} and len(stored) == 3
    assert sorted(fetched) == sorted(stored)  # each fetched once
    # Without a fetcher, blobs are not checked (and nothing is fetched).
    assert _audit(entries).blobs == {}
    # A changed blob, and a missing one, are named with the field that cites them.
    path = next(iter(stored))
    stored[path] = (stored[path] or b"") + b" "
    bad = EntryAuditor(fetch=fetch)
    bad(0, entries[0])
    with pytest.raises(VerificationFailed, match=r"entry 1: document\.geography\..*not the blob"):
        bad(1, entries[1])
    del stored[path]
    bad = EntryAuditor(fetch=fetch)
    bad(0, entries[0])
    with pytest.raises(VerificationFailed, match=r"entry 1: document\.geography.*missing"):
        bad(1, entries[1])


def test_a_malformed_blob_reference_is_named(mission: Mission, actors: Actors) -> None:
    entries = mission.store.entries(0, 2)
    record = json.loads(base64.b64decode(json.loads(entries[1])["payload"]))
    record["document"]["geography"]["zones"][0]["source"]["blob"]["sha256"] = "Z" * 64
    signed = sign_payload(canonical_json(record), actors.admin).to_json()  # by the admin
    auditor = EntryAuditor(fetch=lambda path: b"")
    auditor(0, entries[0])
    with pytest.raises(VerificationFailed, match=r"zones\[0\]\.source\.blob: a malformed blob"):
        auditor(1, signed)
