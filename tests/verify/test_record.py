"""Record proof files: round trip, offline check, check against the published log."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verify._logs import ORIGIN, OTHER_SIGNER, SIGNER, Log, build_log
from truce.ledger import inclusion_proof
from truce.verify import InconsistentLogError, LogClient, VerificationFailed, directory_fetcher
from truce.verify.record import RECORD_PROOF_FORMAT, RecordProof, verify_record_proof

N = 300


def envelope(i: int) -> bytes:
    payload = base64.b64encode(json.dumps({"type": "observation", "n": i}).encode()).decode()
    return json.dumps({"payload": payload, "payloadType": "x", "signatures": []}).encode()


@pytest.fixture(scope="module")
def log() -> Log:
    log = Log()
    log.append([envelope(i) for i in range(N)])
    return log


def proof_of(log: Log, index: int, size: int = N) -> RecordProof:
    path = inclusion_proof(index, size, log.tree.get_node)
    return RecordProof(index, size, log.entries[index], tuple(path), log.sign(size))


def test_round_trip_and_offline_check(log: Log) -> None:
    proof = proof_of(log, 41)
    doc = proof.to_dict()
    assert doc["format"] == RECORD_PROOF_FORMAT
    assert doc["entry"]["payloadType"] == "x"
    assert len(doc["record_id"]) == 64
    again = RecordProof.from_json(proof.to_json())
    assert again == proof
    check = verify_record_proof(again, ORIGIN, [SIGNER.vkey])
    assert (check.index, check.checkpoint.size, check.latest) == (41, N, None)
    assert check.record_id == doc["record_id"]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, N - 1), st.data())
def test_any_changed_byte_of_the_entry_or_proof_fails(
    log: Log, index: int, data: st.DataObject
) -> None:
    proof = proof_of(log, index)
    entry = bytearray(proof.entry)
    entry[data.draw(st.integers(0, len(entry) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(VerificationFailed, match=f"entry {index}"):
        verify_record_proof(
            RecordProof(index, N, bytes(entry), proof.proof, proof.checkpoint),
            ORIGIN,
            [SIGNER.vkey],
        )
    k = data.draw(st.integers(0, len(proof.proof) - 1))
    path = [bytearray(h) for h in proof.proof]
    path[k][data.draw(st.integers(0, 31))] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(VerificationFailed):
        verify_record_proof(
            RecordProof(index, N, proof.entry, tuple(bytes(h) for h in path), proof.checkpoint),
            ORIGIN,
            [SIGNER.vkey],
        )


def test_wrong_index_or_key_fails(log: Log) -> None:
    proof = proof_of(log, 7)
    moved = RecordProof(8, N, proof.entry, proof.proof, proof.checkpoint)
    with pytest.raises(VerificationFailed, match="entry 8: not included"):
        verify_record_proof(moved, ORIGIN, [SIGNER.vkey])
    with pytest.raises(VerificationFailed, match="checkpoint"):
        verify_record_proof(proof, ORIGIN, [OTHER_SIGNER.vkey])
    other = RecordProof(7, N - 1, proof.entry, proof.proof, proof.checkpoint)
    with pytest.raises(VerificationFailed, match="size"):
        verify_record_proof(other, ORIGIN, [SIGNER.vkey])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(format="other/1"), "format"),
        (lambda d: d.update(index=-1), "index"),
        (lambda d: d.update(entry_base64="@@"), "entry_base64"),
        (lambda d: d.update(record_id="0" * 64), "record_id does not match"),
        (lambda d: d.update(root="AAAA"), "root does not match"),
        (lambda d: d["entry"].update(payloadType="y"), "entry does not match"),
        (lambda d: d.update(proof="x"), "proof must be a list"),
    ],
)
def test_doctored_files_are_refused(log: Log, change: object, reason: str) -> None:
    doc = proof_of(log, 3).to_dict()
    change(doc)  # type: ignore[operator]
    with pytest.raises(VerificationFailed, match=reason):
        RecordProof.from_json(json.dumps(doc))
    with pytest.raises(VerificationFailed, match="not JSON"):
        RecordProof.from_json(b"{")


def test_against_the_published_log(tmp_path: Path, log: Log) -> None:
    early = proof_of(log, 5, size=100)
    log.publish(tmp_path, size=N)
    client = LogClient(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey])
    check = verify_record_proof(early, ORIGIN, [SIGNER.vkey], client=client)
    assert check.latest is not None and check.latest.size == N
    assert check.checkpoint.size == 100


def test_a_proof_from_a_forked_log_is_evidence_of_a_split_view(tmp_path: Path) -> None:
    public = build_log(50, seed=1)
    public.publish(tmp_path)
    private = Log()  # same key, another history shown to someone else
    private.append([envelope(i) for i in range(60)])
    path = inclusion_proof(2, 60, private.tree.get_node)
    proof = RecordProof(2, 60, private.entries[2], tuple(path), private.sign(60))
    client = LogClient(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey])
    with pytest.raises(InconsistentLogError) as info:
        verify_record_proof(proof, ORIGIN, [SIGNER.vkey], client=client)
    assert info.value.old_checkpoint == proof.checkpoint
