"""Key files, signers, key ids and the key registry rules."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from truce.errors import AuthError, Conflict, NotFound, ValidationError
from truce.keys import Signer, apply_key_event, keyid_for, load_signer, verify_signature
from truce.store import KeyState


def test_key_file_round_trip_with_mode_0600(tmp_path: Path) -> None:
    s = Signer.generate("monitor-01")
    path = s.save(tmp_path / "k" / "monitor.key")
    assert (path.stat().st_mode & 0o777) == 0o600
    loaded = load_signer(path)
    assert (loaded.keyid, loaded.principal) == (s.keyid, "monitor-01")
    assert "seed" not in repr(loaded)


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    s = Signer.generate("a")
    s.save(tmp_path / "a.key")
    with pytest.raises(Conflict):
        Signer.generate("b").save(tmp_path / "a.key")
    assert load_signer(tmp_path / "a.key").keyid == s.keyid


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    path = Signer.generate("a").save(tmp_path / "a.key")
    os.chmod(path, 0o640)
    with pytest.raises(AuthError, match="accessible by others") as exc:
        load_signer(path)
    assert exc.value.hint == f"chmod 600 {path}"


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Signer.from_seed("env-user", b"\x01" * 32)
    monkeypatch.setenv("TRUCE_TEST_KEY", s.to_file_json())
    assert load_signer("env:TRUCE_TEST_KEY").keyid == s.keyid
    monkeypatch.setenv("TRUCE_TEST_KEY", base64.b64encode(b"\x01" * 32).decode())
    assert load_signer("env:TRUCE_TEST_KEY").keyid == s.keyid
    with pytest.raises(NotFound):
        load_signer("env:TRUCE_NO_SUCH_VARIABLE")


def test_edited_key_file_is_refused(tmp_path: Path) -> None:
    path = Signer.generate("a").save(tmp_path / "a.key")
    text = path.read_text().replace('"keyid": "', '"keyid": "0')
    path.write_text(text)
    with pytest.raises(ValidationError) as exc:
        load_signer(path)
    assert exc.value.field in ("keyid", "key")


def test_keyid_is_sha256_prefix_and_checks_length() -> None:
    assert keyid_for(b"\x00" * 32) == "66687aadf862bd776c8fc18b8e9f8e20"
    with pytest.raises(ValidationError):
        keyid_for(b"short")


def test_verify_signature_rejects_garbage() -> None:
    s = Signer.generate("a")
    sig = s.sign(b"m")
    assert verify_signature(s.public_key, b"m", sig)
    assert not verify_signature(s.public_key, b"n", sig)
    assert not verify_signature(b"\x00" * 31, b"m", sig)
    assert not verify_signature(s.public_key, b"m", sig[:-1])


def _state(s: Signer, status: str = "active", role: str = "monitor") -> KeyState:
    return KeyState(s.keyid, s.public_key, role, s.principal, None, status, 1, 1)  # type: ignore[arg-type]


def _apply(action: str, s: Signer, lookup: dict[str, KeyState], **kw: object) -> list[KeyState]:
    args: dict[str, object] = {
        "action": action,
        "keyid": s.keyid,
        "public_key": s.public_key,
        "role": "monitor",
        "principal": s.principal,
        "party": None,
        "replaces": None,
        "seq": 9,
        "lookup": lookup,
    }
    args.update(kw)
    return apply_key_event(**args)  # type: ignore[arg-type]


def test_registry_rules() -> None:
    a, b = Signer.generate("m"), Signer.generate("m")
    (enrolled,) = _apply("enrol", a, {})
    assert (enrolled.status, enrolled.enrolled_seq) == ("active", 9)
    with pytest.raises(Conflict):
        _apply("enrol", a, {a.keyid: enrolled})
    with pytest.raises(ValidationError, match="does not match"):
        _apply("enrol", a, {}, keyid=b.keyid)
    old, new = _apply("rotate", b, {a.keyid: enrolled}, replaces=a.keyid)
    assert (old.keyid, old.status, new.keyid, new.status) == (a.keyid, "retired", b.keyid, "active")
    with pytest.raises(ValidationError, match="keeps the role"):
        _apply("rotate", b, {a.keyid: enrolled}, replaces=a.keyid, role="analyst")
    (revoked,) = _apply("revoke", a, {a.keyid: enrolled}, public_key=None)
    assert (revoked.status, revoked.changed_seq) == ("revoked", 9)
    with pytest.raises(Conflict):
        _apply("revoke", a, {a.keyid: revoked})
    with pytest.raises(ValidationError):
        _apply("revoke", a, {})
