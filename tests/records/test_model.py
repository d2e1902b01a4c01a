from __future__ import annotations

import pytest
from pydantic import model_validator
from pydantic_core import ValidationError as PydanticValidationError

from truce.records._model import StrictModel, duplicates, raise_problems


class _Pair(StrictModel):
    a: int
    b: int

    @model_validator(mode="after")
    def _differ(self) -> _Pair:
        if self.a == self.b:
            raise_problems("Pair", [(("b",), "must differ from {a}"), ((), "whole")])
        return self


class _Outer(StrictModel):
    pairs: tuple[_Pair, ...]


def test_raise_problems_is_silent_without_problems() -> None:
    raise_problems("X", [])
    assert _Pair(a=1, b=2).b == 2


def test_problems_carry_their_location_into_the_outer_error() -> None:
    with pytest.raises(PydanticValidationError) as info:
        _Outer.model_validate_json('{"pairs": [{"a": 1, "b": 2}, {"a": 3, "b": 3}]}')
    errors = info.value.errors()
    assert [e["loc"] for e in errors] == [("pairs", 1, "b"), ("pairs", 1)]
    # braces in a reason are kept verbatim, not treated as a template
    assert errors[0]["msg"] == "must differ from {a}"


def test_strict_config() -> None:
    with pytest.raises(PydanticValidationError):
        _Pair.model_validate_json('{"a": "1", "b": 2}')
    with pytest.raises(PydanticValidationError):
        _Pair.model_validate_json('{"a": 1, "b": 2, "c": 3}')
    pair = _Pair(a=1, b=2)
    with pytest.raises(PydanticValidationError):
        pair.a = 5  # type: ignore[misc]


def test_duplicates() -> None:
    assert duplicates("xs", []) == []
    assert duplicates("xs", ["a", "b"]) == []
    assert duplicates("xs", ["a", "b", "a", "a"]) == [
        (("xs", 2), "duplicate of an earlier item: 'a'"),
        (("xs", 3), "duplicate of an earlier item: 'a'"),
    ]
