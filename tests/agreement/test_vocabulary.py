"""The controlled vocabularies: unique, snake_case, and the ones the schema enforces."""

from __future__ import annotations

import re

import pytest

from truce.agreement import vocabulary
from truce.agreement._schema import agreement_schema
from truce.agreement.terms import TERM_CLASSES


@pytest.mark.parametrize(
    "words", [vocabulary.EVENT_CATEGORIES, vocabulary.WEAPON_CLASSES, vocabulary.TERM_TYPES]
)
def test_words_are_unique_snake_case(words: tuple[str, ...]) -> None:
    assert len(set(words)) == len(words)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", w) for w in words)


def test_osce_categories_are_all_there() -> None:
    assert vocabulary.EVENT_CATEGORIES[0] == "explosion"
    assert len(vocabulary.EVENT_CATEGORIES) == 11
    assert {"uav_jamming", "restriction_of_movement", "civilian_casualty"} <= set(
        vocabulary.EVENT_CATEGORIES
    )


def test_weapon_classes() -> None:
    assert len(vocabulary.WEAPON_CLASSES) == 13
    assert {"artillery_100mm_plus", "mlrs", "tank"} <= set(vocabulary.WEAPON_CLASSES)


def test_term_types_sorted_and_registered() -> None:
    assert list(vocabulary.TERM_TYPES) == sorted(vocabulary.TERM_TYPES)
    assert set(TERM_CLASSES) == set(vocabulary.TERM_TYPES)


def test_schema_enums_match_the_vocabulary() -> None:
    defs = agreement_schema()["$defs"]
    assert tuple(defs["events"]["items"]["enum"]) == vocabulary.EVENT_CATEGORIES
    assert tuple(defs["weapon_classes"]["items"]["enum"]) == vocabulary.WEAPON_CLASSES
    assert tuple(defs["term"]["properties"]["type"]["enum"]) == vocabulary.TERM_TYPES
    assert agreement_schema()["properties"]["format"]["const"] == vocabulary.AGREEMENT_FORMAT
