"""Strict YAML reading: duplicate keys, syntax errors, unsafe tags, size limits."""

from __future__ import annotations

import pytest

from truce.agreement import _yaml
from truce.agreement._yaml import load_yaml
from truce.errors import ValidationError


def test_plain_document() -> None:
    assert load_yaml("a: 1\nb: [x, {c: 2025-03-11}]\n", source="f") == {
        "a": 1,
        "b": ["x", {"c": __import__("datetime").date(2025, 3, 11)}],
    }


def test_duplicate_key_names_the_field_and_lines() -> None:
    text = "terms:\n  - id: a\n    radius_km: 1\n    radius_km: 2\n"
    with pytest.raises(ValidationError) as info:
        load_yaml(text, source="x.yaml")
    err = info.value
    assert err.field == "terms[0].radius_km"
    assert "duplicate key 'radius_km' at line 4 (first at line 3)" in err.reason
    assert err.source == "x.yaml"


def test_duplicate_top_level_key() -> None:
    with pytest.raises(ValidationError) as info:
        load_yaml("id: a\nversion: 1\nid: b\n", source="x.yaml")
    assert info.value.field == "id"


def test_same_key_in_different_mappings_is_fine() -> None:
    assert load_yaml("a: {id: 1}\nb: {id: 2}\n", source="f") == {"a": {"id": 1}, "b": {"id": 2}}


def test_merge_keys_and_aliases_are_allowed() -> None:
    text = "base: &p {start: 1, end: 2}\nx:\n  <<: *p\n  end: 3\ny: *p\n"
    data = load_yaml(text, source="f")
    assert data["x"] == {"start": 1, "end": 3}
    assert data["y"] == {"start": 1, "end": 2}


def test_syntax_error_reports_line_and_column() -> None:
    with pytest.raises(ValidationError) as info:
        load_yaml("a: [1, 2\nb: 3\n", source="bad.yaml")
    assert info.value.field == ""
    assert "YAML syntax error at line" in info.value.reason
    assert "column" in info.value.reason


def test_unsafe_tags_are_rejected() -> None:
    with pytest.raises(ValidationError, match="YAML"):
        load_yaml("a: !!python/object/apply:os.system ['true']\n", source="f")


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_document(text: str) -> None:
    with pytest.raises(ValidationError, match="empty document"):
        load_yaml(text, source="f")


def test_several_documents_are_rejected() -> None:
    with pytest.raises(ValidationError, match="YAML"):
        load_yaml("a: 1\n---\nb: 2\n", source="f")


def test_alias_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_yaml, "MAX_NODES", 10_000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(ValidationError, match="more than 10000 nodes"):
        load_yaml("\n".join(lines) + "\n", source="f")


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_yaml, "MAX_YAML_BYTES", 10)
    with pytest.raises(ValidationError, match="larger than"):
        load_yaml("a: 123456789\n", source="f")
