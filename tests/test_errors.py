"""The exception tree, diagnostics and the one JSON error shape."""

from __future__ import annotations

import json

from truce import errors
from truce.errors import FieldError, InconsistentLog, Pushback, ValidationError


def test_tree_matches_the_docstring() -> None:
    assert issubclass(errors.Pushback, errors.StorageError)
    assert issubclass(errors.InconsistentLog, errors.VerificationError)
    for name in (
        "ValidationError",
        "AuthError",
        "NotFound",
        "Conflict",
        "StorageError",
        "VerificationError",
    ):
        cls = getattr(errors, name)
        assert cls.__bases__ == (errors.Error,), name
        assert name in (errors.__doc__ or "")


def test_validation_error_names_file_field_and_reason() -> None:
    e = ValidationError("must be > 0", field="terms[2].radius_km", source="a.yaml", hint="use km")
    assert str(e) == "a.yaml: terms[2].radius_km: must be > 0"
    text = e.diagnostics()
    assert "field: terms[2].radius_km" in text
    assert "hint: use km" in text
    body = e.to_dict()["error"]
    assert body == {
        "code": "validation_error",
        "message": str(e),
        "source": "a.yaml",
        "field": "terms[2].radius_km",
        "reason": "must be > 0",
        "hint": "use km",
    }
    json.dumps(e.to_dict())


def test_several_field_errors_and_prefixing() -> None:
    e = ValidationError("x", errors=[FieldError("a", "bad"), FieldError("b[1]", "worse")])
    assert e.field == "a"
    assert "(and 1 more)" in e.message
    p = e.prefixed("[3].payload")
    assert [f.field for f in p.errors] == ["[3].payload.a", "[3].payload.b[1]"]
    assert p.to_dict()["error"]["errors"][1] == {"field": "[3].payload.b[1]", "reason": "worse"}
    assert ValidationError("r").prefixed("[0]").field == "[0]"


def test_pushback_and_inconsistent_log_carry_their_evidence() -> None:
    assert Pushback("busy", retry_after=2.5).to_dict()["error"]["retry_after"] == 2.5
    e = InconsistentLog("fork", old_checkpoint="old", new_checkpoint="new", proof=["aa"])
    assert e.details() == {"old_checkpoint": "old", "new_checkpoint": "new", "proof": ["aa"]}
    assert "old_checkpoint: old" in e.diagnostics()


def test_located_prefixes_the_message() -> None:
    e = errors.AuthError("key revoked", keyid="k").located("envelope [2]")
    assert str(e) == "envelope [2]: key revoked"
