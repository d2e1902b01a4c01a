"""Integration: entries into the Merkle tree, signed checkpoints that only extend."""

from __future__ import annotations

import pytest

import truce.integrate as integrate_mod
from tests.conftest import Actors, observation
from truce.errors import NotFound, StorageError
from truce.integrate import Integrator, StoreTree
from truce.ledger import merkle
from truce.ledger.checkpoint import open_checkpoint
from truce.ledger.note import Signer as NoteSigner
from truce.ledger.note import Verifier
from truce.mission import Mission


def _verifier(m: Mission) -> Verifier:
    return Verifier.from_vkey(m.log_vkey())


def test_checkpoints_cover_every_entry_and_extend_each_other(
    mission: Mission, actors: Actors
) -> None:
    first = mission.integrate()
    assert first.size == mission.store.size()
    assert mission.integrate() == first  # nothing new: nothing signed
    for i in range(5):
        mission.submit_record(
            mission.new_record("observation", observation(count=i + 1)), actors.monitor
        )
    second = mission.integrate()
    assert second.size == first.size + 5
    cp = open_checkpoint(second.note, mission.settings.log_origin, [_verifier(mission)])
    assert (cp.size, cp.root_hash) == (second.size, second.root)
    tree = StoreTree(mission.store)
    leaves = [merkle.leaf_hash(e) for e in mission.store.entries(0, second.size)]
    assert merkle.root(leaves) == second.root
    merkle.verify_consistency(
        first.size,
        second.size,
        first.root,
        second.root,
        tree.consistency_proof(first.size, second.size),
    )
    for i in range(second.size):
        merkle.verify_inclusion(
            leaves[i], i, second.size, tree.inclusion_proof(i, second.size), second.root
        )


def test_large_backlogs_are_integrated_in_steps(
    mission: Mission, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(integrate_mod, "MAX_STEP", 3)
    before = mission.checkpoint().size
    mission.submit_records(
        [
            (mission.new_record("observation", observation(count=i + 1)), actors.monitor)
            for i in range(7)
        ]
    )
    head = mission.integrate()
    assert head.size == mission.store.size()
    sizes = [
        mission.store.checkpoint(s)[0] for s in range(before, head.size + 1) if _has(mission, s)
    ]
    assert len(sizes) >= 3  # several checkpoints, each a prefix of the next


def _has(m: Mission, size: int) -> bool:
    try:
        m.store.checkpoint(size)
    except NotFound:
        return False
    return True


def test_refuses_to_sign_a_tree_that_does_not_extend_the_last_checkpoint(
    mission: Mission, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = mission.integrate()
    mission.submit_record(mission.new_record("observation", observation()), actors.monitor)

    class Forged(StoreTree):
        """A store whose already-integrated nodes were rewritten behind the mission's back."""

        def get_node(self, level: int, index: int) -> bytes:
            real = super().get_node(level, index)
            if (level, index) in self._pending:
                return real
            return bytes(b ^ 0xFF for b in real)

    monkeypatch.setattr(integrate_mod, "StoreTree", Forged)
    integrator = Integrator(mission.store, mission.settings.log_origin, mission.log_signer())
    with pytest.raises(StorageError, match="not consistent"):
        integrator.integrate()
    assert mission.checkpoint() == head


def test_prove_returns_a_proof_that_verifies(mission: Mission, actors: Actors) -> None:
    r = mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    proof = mission.prove(r.record_id)
    assert proof["index"] == r.seq
    assert proof["size"] > r.seq
    assert proof["checkpoint"].startswith(mission.settings.log_origin + "\n")


def test_a_checkpoint_signed_by_another_key_does_not_open(mission: Mission) -> None:
    head = mission.integrate()
    stranger = NoteSigner.generate(mission.settings.log_origin)
    with pytest.raises(ValueError, match=r"verif|sign"):
        open_checkpoint(head.note, mission.settings.log_origin, [stranger.verifier])
