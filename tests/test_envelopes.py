"""Canonical JSON and DSSE envelopes: round trips, PAE, the canonical fast path."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from truce.envelopes import (
    MAX_PAYLOAD_BYTES,
    MAX_SIGNATURES,
    RECORD_PAYLOAD_TYPE,
    Envelope,
    canonical_json,
    load_canonical,
    pae,
    record_id,
    sign_payload,
)
from truce.errors import ValidationError
from truce.keys import Signer, verify_signature

SIGNER = Signer.from_seed("tester", bytes(range(32)))

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def test_pae_matches_the_dsse_spec_example() -> None:
    # DSSE protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_canonical_json_is_rfc8785() -> None:
    # RFC 8785 §3.2.2: property sorting and number serialisation.
    assert (
        canonical_json({"b": 1, "a": [1e21, 1e-7, 0.5, -0.0]}) == b'{"a":[1e+21,1e-7,0.5,0],"b":1}'
    )


@given(json_values)
def test_check_canonical_accepts_exactly_jcs(value: Any) -> None:
    raw = rfc8785.dumps(value)
    assert rfc8785.dumps(load_canonical(raw)) == raw
    # Any other serialisation that differs from JCS is refused.
    for other in (json.dumps(value, indent=1), json.dumps(value, sort_keys=True)):
        if other.encode() != raw:
            with pytest.raises(ValidationError, match="canonical"):
                load_canonical(other.encode())


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":1e-05}',
        b'{"a":1E+21}',
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b'{"a":1.0}',
        b'{"a":-0.0}',
        b'{"a":"\\u00e4"}',
        b'{"a":9007199254740993}',
        b'{"\xef\xbc\xa1":1,"\xf0\x9f\x98\x80":2}',
        b"not json",
    ],
)
def test_check_canonical_refuses_non_canonical_forms(raw: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        load_canonical(raw)
    assert exc.value.field == "payload"


@given(json_values)
def test_sign_then_parse_round_trip(value: Any) -> None:
    env = sign_payload({"v": value}, SIGNER)
    again = Envelope.from_json(env.to_json())
    assert again == env
    assert again.to_json() == env.to_json()
    assert verify_signature(SIGNER.public_key, again.signed_bytes(), again.signatures[0].sig)
    assert again.record_id == record_id(canonical_json({"v": value}))


def test_envelope_json_is_itself_canonical() -> None:
    env = sign_payload({"x": "ä", "n": 1}, SIGNER)
    raw = env.to_json()
    assert raw == rfc8785.dumps(json.loads(raw))


def test_tampered_payload_does_not_verify() -> None:
    env = sign_payload({"count": 1}, SIGNER)
    forged = Envelope(env.payload_type, env.payload.replace(b"1", b"2"), env.signatures)
    assert not verify_signature(SIGNER.public_key, forged.signed_bytes(), env.signatures[0].sig)


def test_signature_binds_the_payload_type() -> None:
    env = sign_payload({"count": 1}, SIGNER)
    other = Envelope("application/other", env.payload, env.signatures)
    assert not verify_signature(SIGNER.public_key, other.signed_bytes(), env.signatures[0].sig)


def _env(**over: Any) -> bytes:
    env = sign_payload({"a": 1}, SIGNER).to_dict()
    env.update(over)
    return json.dumps(env).encode()


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (b"not json", "envelope", "not valid JSON"),
        (b"[]", "envelope", "JSON object"),
        (_env(extra=1), "extra", "unknown field"),
        (_env(payloadType=""), "payloadType", "payloadType"),
        (_env(payload="***"), "payload", "base64"),
        (_env(signatures=[]), "signatures", "non-empty"),
        (_env(signatures=[{"keyid": "X", "sig": ""}]), "signatures[0].keyid", "hex"),
        (
            _env(signatures=[{"keyid": "0" * 32, "sig": base64.b64encode(b"x").decode()}]),
            "signatures[0].sig",
            "64 bytes",
        ),
    ],
)
def test_malformed_envelopes_name_the_field(raw: bytes, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Envelope.from_json(raw)
    assert exc.value.field == field
    assert reason in exc.value.reason


def test_oversize_payload_is_refused() -> None:
    big = base64.b64encode(b"x" * (MAX_PAYLOAD_BYTES + 1)).decode()
    raw = _env(payload=big)
    with pytest.raises(ValidationError) as exc:
        Envelope.from_json(raw)
    assert "limit" in exc.value.reason


def test_default_payload_type() -> None:
    assert sign_payload({"a": 1}, SIGNER).payload_type == RECORD_PAYLOAD_TYPE


def test_the_largest_envelope_fits_a_log_entry() -> None:
    # C2SP tlog-tiles entry bundles prefix each entry with a uint16 length.
    signers = [Signer.generate(f"s{i}") for i in range(MAX_SIGNATURES)]
    payload = canonical_json({"type": "x", "pad": "z" * (MAX_PAYLOAD_BYTES - 21)})
    assert len(payload) == MAX_PAYLOAD_BYTES
    entry = sign_payload(payload, signers).to_json()
    assert len(entry) <= 0xFFFF
    assert Envelope.from_json(entry).payload == payload
