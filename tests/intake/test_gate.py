"""The intake gate: every check, and the bad-input suite — each bad input gives
its documented error and leaves the database exactly as it was."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.agreement.test_bad_inputs import CASES
from tests.conftest import Actors, allegation, observation, seeded
from truce.agreement import Agreement, load_agreement
from truce.envelopes import Envelope, canonical_json, sign_payload
from truce.errors import AuthError, Conflict, Error, NotFound, ValidationError
from truce.intake.gate import MAX_RECORD_BYTES
from truce.keys import Signer
from truce.mission import Mission
from truce.records.commitments import Reveal

BAD_AGREEMENTS = Path(__file__).resolve().parents[1] / "agreement" / "bad"


def snapshot(m: Mission) -> tuple[Any, ...]:
    rows = [(r.seq, r.record_id, r.entry) for r in m.store.scan()]
    keys = [(k.keyid, k.status, k.changed_seq) for k in m.store.keys()]
    return (m.store.size(), rows, keys, m.store.counts(), m.store.blob_index())


def env(m: Mission, body: dict[str, Any], signer: Signer) -> bytes:
    return m.sign(m.new_record(body["type"], body), signer).to_json()


def raw_env(m: Mission, record: dict[str, Any], signer: Signer) -> bytes:
    """Sign a record as-is (no schema normalisation), as a hostile client could."""
    record = {"mission": m.settings.id, **record}
    return sign_payload(canonical_json(record), signer).to_json()


def refused(m: Mission, exc_type: type[Error], action: Callable[[], object]) -> Error:
    before = snapshot(m)
    with pytest.raises(exc_type) as info:
        action()
    assert snapshot(m) == before, "a refused submission changed the database"
    return info.value


# -- the bad-input suite -------------------------------------------------------


@pytest.mark.parametrize(("file", "field", "reason"), CASES)
def test_bad_agreement_files(mission: Mission, file: str, field: str, reason: str) -> None:
    err = refused(mission, ValidationError, lambda: mission.load_agreement(BAD_AGREEMENTS / file))
    assert isinstance(err, ValidationError)
    assert err.source is not None and file in err.source
    assert reason in err.reason
    assert err.field == field


def test_agreement_geography_travels_as_blobs(mission: Mission, actors: Actors) -> None:
    other = load_agreement(BAD_AGREEMENTS / "good.yaml")
    _, blobs = other.to_log_document()
    envelope = mission.sign(mission.agreement_record(other), actors.admin)
    data = {sha: blob.data for sha, blob in blobs.items()}
    # Without its blobs: refused, naming the layer whose blob is missing.
    err = refused(mission, ValidationError, lambda: mission.submit([envelope]))
    assert isinstance(err, ValidationError)
    assert err.field == "payload.document.geography.zones[0].source.blob"
    assert "not available" in err.reason
    # A blob no record references is refused, not stored.
    extra = {**data, hashlib.sha256(b"stray").hexdigest(): b"stray"}
    err = refused(mission, ValidationError, lambda: mission.submit([envelope], blobs=extra))
    assert isinstance(err, ValidationError)
    assert err.field == f"blobs[{hashlib.sha256(b'stray').hexdigest()!r}]"
    # Forged bytes under a referenced hash.
    sha = next(iter(data))
    forged = {**data, sha: data[sha] + b" "}
    err = refused(mission, ValidationError, lambda: mission.submit([envelope], blobs=forged))
    assert isinstance(err, ValidationError)
    assert err.field == f"blobs[{sha!r}]"
    # With them: stored in the same transaction as the record.
    (receipt,) = mission.submit([envelope], blobs=data)
    assert {(h, receipt.seq) for h in data} <= set(mission.store.blob_index())
    assert mission.agreement("bad-example").to_document() == other.to_document()
    # A later record may reference blobs already stored without sending them again.
    v2 = Agreement.from_document({**other.to_document(), "version": 2})
    (again,) = mission.submit([mission.sign(mission.agreement_record(v2), actors.admin)])
    assert mission.agreement("bad-example", 2).layer("area").ids == other.layer("area").ids
    assert again.seq == receipt.seq + 1


def test_out_of_range_coordinates(mission: Mission, actors: Actors) -> None:
    bad = observation(location={"kind": "point", "lon": 37.8, "lat": 91.0, "uncertainty_m": 10})
    err = refused(
        mission, ValidationError, lambda: mission.submit([raw_env(mission, bad, actors.monitor)])
    )
    assert isinstance(err, ValidationError)
    assert err.field == "payload.location.lat"


def test_unknown_key(mission: Mission, actors: Actors) -> None:
    stranger = seeded("stranger")
    err = refused(
        mission, AuthError, lambda: mission.submit([env(mission, observation(), stranger)])
    )
    assert "unknown key" in err.message


def test_wrong_key_signature(mission: Mission, actors: Actors) -> None:
    good = Envelope.from_json(env(mission, observation(), actors.monitor))
    other = sign_payload(good.payload, actors.monitor2).signatures[0]
    forged = Envelope(
        good.payload_type, good.payload, (type(other)(actors.monitor.keyid, other.sig),)
    )
    err = refused(mission, AuthError, lambda: mission.submit([forged]))
    assert "does not verify" in err.message


def test_revoked_key(mission: Mission, actors: Actors) -> None:
    mission.revoke_key(actors.monitor.keyid, reason="device lost")
    err = refused(
        mission, AuthError, lambda: mission.submit([env(mission, observation(), actors.monitor)])
    )
    assert "revoked" in err.message


def test_tampered_payload(mission: Mission, actors: Actors) -> None:
    doc = json.loads(env(mission, observation(), actors.monitor))
    payload = base64.b64decode(doc["payload"]).replace(b'"count":2', b'"count":3')
    doc["payload"] = base64.b64encode(payload).decode()
    err = refused(mission, AuthError, lambda: mission.submit([json.dumps(doc).encode()]))
    assert "altered" in err.message


def test_oversize_record(mission: Mission, actors: Actors) -> None:
    big = observation(description="x" * 9000, note="y" * 3999)
    big["evidence"] = [f"{i:064x}" for i in range(100)]
    payload = canonical_json(
        {"mission": mission.settings.id, **big, "padding": "z" * MAX_RECORD_BYTES}
    )
    raw = sign_payload(payload, actors.monitor).to_json()
    err = refused(mission, ValidationError, lambda: mission.submit([raw]))
    assert isinstance(err, ValidationError)
    assert err.field == "payload" and "limit" in err.reason


def test_duplicate_submission(mission: Mission, actors: Actors) -> None:
    raw = env(mission, observation(), actors.monitor)
    (receipt,) = mission.submit([raw])
    err = refused(mission, Conflict, lambda: mission.submit([raw]))
    assert receipt.record_id in err.message
    # The same record signed by another key is the same record.
    again = sign_payload(Envelope.from_json(raw).payload, actors.monitor2).to_json()
    refused(mission, Conflict, lambda: mission.submit([again]))


def test_duplicate_within_a_batch(mission: Mission, actors: Actors) -> None:
    raw = env(mission, observation(), actors.monitor)
    err = refused(mission, Conflict, lambda: mission.submit([raw, raw]))
    assert "envelope [1]" in err.message


# -- batches are all or nothing -------------------------------------------------


def test_batch_with_one_bad_record_stores_nothing(mission: Mission, actors: Actors) -> None:
    good = env(mission, observation(), actors.monitor)
    bad = raw_env(mission, observation(count=0), actors.monitor)
    err = refused(mission, ValidationError, lambda: mission.submit([good, bad]))
    assert isinstance(err, ValidationError)
    assert err.field == "[1].payload.count"


def test_batch_is_stored_in_order_with_consecutive_seqs(mission: Mission, actors: Actors) -> None:
    base = mission.store.size()
    raws = [env(mission, observation(count=i + 1), actors.monitor) for i in range(5)]
    receipts = mission.submit(raws)
    assert [r.seq for r in receipts] == list(range(base, base + 5))
    for raw, r in zip(raws, receipts, strict=True):
        stored = mission.store.get_seq(r.seq)
        assert stored.entry == raw
        assert stored.record_id == Envelope.from_json(raw).record_id


# -- record-level rules ---------------------------------------------------------


def test_record_for_another_mission(mission: Mission, actors: Actors) -> None:
    rec = observation()
    raw = sign_payload(
        canonical_json({"mission": "other-mission", **rec}), actors.monitor
    ).to_json()
    err = refused(mission, ValidationError, lambda: mission.submit([raw]))
    assert isinstance(err, ValidationError) and err.field == "payload.mission"


def test_future_times_are_refused(mission: Mission, actors: Actors) -> None:
    rec = observation(time={"at": "2025-07-01T00:00:00Z", "precision": "minute"})
    err = refused(
        mission, ValidationError, lambda: mission.submit([env(mission, rec, actors.monitor)])
    )
    assert isinstance(err, ValidationError)
    assert err.field == "payload.time.at" and "future" in err.reason


@pytest.mark.parametrize(
    ("signer_name", "body"),
    [
        ("monitor", allegation()),
        ("party_a", observation()),
        ("analyst", observation()),
    ],
)
def test_role_may_not_submit(
    mission: Mission, actors: Actors, signer_name: str, body: dict[str, Any]
) -> None:
    signer = getattr(actors, signer_name)
    err = refused(mission, AuthError, lambda: mission.submit([env(mission, body, signer)]))
    assert "may not submit" in err.message


def test_party_files_only_for_itself(mission: Mission, actors: Actors) -> None:
    (ok,) = mission.submit([env(mission, allegation("A", "B"), actors.party_a)])
    assert ok.kind == "allegation"
    err = refused(
        mission,
        AuthError,
        lambda: mission.submit([env(mission, allegation("B", "A"), actors.party_a)]),
    )
    assert "party A cannot file on behalf of party B" in err.message


def test_allegation_must_cite_an_existing_term(mission: Mission, actors: Actors) -> None:
    body = allegation()
    body["claim"]["term"] = {"id": "moratorium.nuclear", "agreement_version": 1}
    err = refused(
        mission, ValidationError, lambda: mission.submit([env(mission, body, actors.party_a)])
    )
    assert isinstance(err, ValidationError) and err.field == "payload.claim.term.id"
    body["claim"]["term"] = {"id": "moratorium.energy", "agreement_version": 9}
    refused(mission, ValidationError, lambda: mission.submit([env(mission, body, actors.party_a)]))


def test_finding_references(mission: Mission, actors: Actors) -> None:
    (obs,) = mission.submit([env(mission, observation(), actors.monitor)])
    (alg,) = mission.submit([env(mission, allegation(), actors.party_a)])
    finding = {
        "type": "finding",
        "allegations": [alg.record_id],
        "observations": [obs.record_id],
        "term": {"id": "moratorium.energy", "agreement_version": 1},
        "certainty": "probable",
        "outcome": "breach",
        "attribution": {"status": "not_attributed", "reason": "standard of proof not met"},
        "summary": "An impact near the power station was observed.",
        "signed_at": "2025-03-22T10:00:00Z",
    }
    (f,) = mission.submit([env(mission, finding, actors.analyst)])
    assert f.kind == "finding"
    wrong = {**finding, "observations": [alg.record_id], "summary": "wrong kind cited"}
    err = refused(
        mission, ValidationError, lambda: mission.submit([env(mission, wrong, actors.analyst)])
    )
    assert isinstance(err, ValidationError) and err.field == "payload.observations[0]"
    missing = {**finding, "allegations": ["f" * 64], "summary": "missing record cited"}
    err = refused(
        mission, ValidationError, lambda: mission.submit([env(mission, missing, actors.analyst)])
    )
    assert isinstance(err, ValidationError) and err.field == "payload.allegations[0]"


def test_corrections(mission: Mission, actors: Actors) -> None:
    (orig,) = mission.submit([env(mission, observation(), actors.monitor)])
    (new,) = mission.submit([env(mission, observation(count=3), actors.monitor)])

    def correction(reason: str) -> dict[str, Any]:
        return {
            "type": "correction",
            "supersedes": orig.record_id,
            "replacement": new.record_id,
            "reason": reason,
            "signed_at": "2025-03-20T06:00:00Z",
        }

    # Another monitor may not correct it; its author and an analyst may.
    err = refused(
        mission, AuthError, lambda: mission.submit([env(mission, correction("a"), actors.monitor2)])
    )
    assert "original author" in err.message
    mission.submit([env(mission, correction("recount"), actors.monitor)])
    mission.submit([env(mission, correction("analyst review"), actors.analyst)])
    view = mission.show(orig.record_id)
    assert view.corrected and len(view.corrected_by) == 2
    unknown = {**correction("x"), "supersedes": "e" * 64}
    err = refused(
        mission, ValidationError, lambda: mission.submit([env(mission, unknown, actors.analyst)])
    )
    assert isinstance(err, ValidationError) and err.field == "payload.supersedes"


def test_correspondence_reply_must_exist(mission: Mission, actors: Actors) -> None:
    letter = {
        "type": "correspondence",
        "from_party": "A",
        "to_party": "B",
        "subject": "Repair crew",
        "body": "Request for a window.",
        "content": "public",
        "signed_at": "2025-03-22T10:00:00Z",
    }
    (first,) = mission.submit([env(mission, letter, actors.party_a)])
    reply = {**letter, "from_party": "B", "to_party": "A", "thread": first.record_id}
    del reply["content"]
    mission.submit([env(mission, reply, actors.party_b)])
    for field, value in (("thread", "d" * 64), ("in_reply_to", "d" * 64)):
        dangling = {**reply, field: value}
        err = refused(
            mission,
            ValidationError,
            lambda d=dangling: mission.submit([env(mission, d, actors.party_b)]),  # type: ignore[misc]
        )
        assert isinstance(err, ValidationError) and err.field == f"payload.{field}"


# -- sealed fields ----------------------------------------------------------------


def test_sealed_fields_need_their_reveals(mission: Mission, actors: Actors) -> None:
    body = mission.new_record(
        "observation",
        observation(
            observed_by={"source": "patrol", "team": "T-1", "monitor": "m-9"},
            description="From the water tower.",
            sealed=["observed_by.monitor", "description"],
        ),
    )
    envelope, reveals = mission.seal_and_sign(body, actors.monitor)
    rid = envelope.record_id
    by_path = {r.path: r for r in reveals}
    wrong = Reveal("description", "From the church.", by_path["description"].salt)
    cases: list[tuple[dict[str, list[Reveal]], str]] = [
        ({}, "reveals['description']"),  # none sent
        ({rid: [by_path["description"]]}, "reveals['observed_by.monitor']"),  # one missing
        ({rid: [by_path["observed_by.monitor"], wrong]}, "reveals['description']"),  # wrong
        (
            {rid: [*reveals, Reveal("observed_by.team", "T-1", bytes(32))]},
            "reveals['observed_by.team']",
        ),
        ({rid: reveals, "f" * 64: reveals}, f"reveals[{'f' * 64!r}]"),  # no such record
    ]
    for given, field in cases:
        err = refused(
            mission, ValidationError, lambda g=given: mission.submit([envelope], reveals=g)
        )  # type: ignore[misc]
        assert isinstance(err, ValidationError) and err.field == field, (field, err)
        with pytest.raises(ValidationError):
            mission.check([envelope], reveals=given)
    # Signing a record that lists fields to seal needs seal_and_sign (the values must not be lost).
    with pytest.raises(ValidationError) as exc:
        mission.sign(body, actors.monitor)
    assert exc.value.field == "sealed"
    (receipt,) = mission.submit([envelope], reveals={rid: reveals})
    stored = mission.store.get(receipt.record_id)
    assert b"m-9" not in stored.payload and b"water tower" not in stored.entry
    assert {r.path: r.value for r in mission.reveals(rid)} == {
        "description": "From the water tower.",
        "observed_by.monitor": "m-9",
    }


# -- keys -------------------------------------------------------------------------


def test_key_enrolled_and_used_in_one_batch(mission: Mission, actors: Actors) -> None:
    newcomer = seeded("monitor-09")
    enrol = mission.key_record("enrol", newcomer, "monitor")
    raws = [mission.sign(enrol, actors.admin).to_json(), env(mission, observation(), newcomer)]
    receipts = mission.submit(raws)
    assert [r.kind for r in receipts] == ["key", "observation"]
    assert mission.key(newcomer.keyid).status == "active"


def test_key_revoked_earlier_in_the_batch_cannot_sign_later(
    mission: Mission, actors: Actors
) -> None:
    revoke = mission.new_record(
        "key", {"action": "revoke", "keyid": actors.monitor.keyid, "reason": "lost"}
    )
    raws = [
        mission.sign(revoke, actors.admin).to_json(),
        env(mission, observation(), actors.monitor),
    ]
    err = refused(mission, AuthError, lambda: mission.submit(raws))
    assert "envelope [1]" in err.message


def test_only_admin_keys_change_keys(mission: Mission, actors: Actors) -> None:
    rec = mission.key_record("enrol", seeded("monitor-10"), "monitor")
    refused(mission, AuthError, lambda: mission.submit([mission.sign(rec, actors.analyst)]))


def test_rotation_retires_the_old_key(mission: Mission, actors: Actors) -> None:
    signer, path, _ = mission.rotate_key(actors.monitor.keyid, out=mission.directory / "rot.key")
    assert mission.key(actors.monitor.keyid).status == "retired"
    assert mission.key(signer.keyid).status == "active"
    refused(
        mission, AuthError, lambda: mission.submit([env(mission, observation(), actors.monitor)])
    )
    mission.submit([env(mission, observation(), signer)])
    assert path.exists()


def test_first_record_must_be_the_admin_enrolling_itself(tmp_path: Path) -> None:
    from truce.agreement.book import AgreementBook
    from truce.intake.gate import Gate
    from truce.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'x.db'}", create=True)
    gate = Gate(store, "m1", agreements=AgreementBook(store))
    monitor = seeded("monitor-01")
    rec = {
        "type": "key",
        "mission": "m1",
        "signed_at": "2025-01-01T00:00:00Z",
        "action": "enrol",
        "keyid": monitor.keyid,
        "public_key": monitor.public_key_b64,
        "role": "monitor",
        "principal": "monitor-01",
    }
    with pytest.raises(AuthError):
        gate.admit([sign_payload(rec, monitor).to_json()])
    assert store.size() == 0
    admin = seeded("admin")
    rec.update(keyid=admin.keyid, public_key=admin.public_key_b64, role="admin", principal="admin")
    receipts, _ = gate.admit([sign_payload(rec, admin).to_json()])
    assert receipts[0].seq == 0
    store.close()


# -- agreements -----------------------------------------------------------------------


def test_agreement_versions_are_immutable(mission: Mission, actors: Actors) -> None:
    from truce.mission import example_agreement_path

    refused(mission, Conflict, lambda: mission.load_agreement(example_agreement_path()))
    a2, _ = mission.load_agreement(example_agreement_path().with_name("example-agreement-v2.yaml"))
    assert a2.version == 2
    assert mission.agreement(version=1).term("moratorium.energy").radius_km == 5
    assert mission.agreement().term("moratorium.energy").radius_km == 10
    # An older version cannot be loaded after a newer one.
    with pytest.raises((Conflict, ValidationError)):
        mission.load_agreement(example_agreement_path())


def test_payload_bytes_are_stored_as_signed(mission: Mission, actors: Actors) -> None:
    # A validly signed payload that is not in canonical form is stored byte for byte:
    # intake verifies the received bytes and never rewrites them.
    rec = {"mission": mission.settings.id, **observation()}
    payload = json.dumps(rec, indent=1).encode()
    (r,) = mission.submit([sign_payload(payload, actors.monitor)])
    assert mission.store.get(r.record_id).payload == payload


def test_unknown_record_reference_in_show(mission: Mission) -> None:
    with pytest.raises(NotFound):
        mission.show("#99999")
