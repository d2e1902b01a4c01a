"""The shared event vocabulary: one definition behind records and agreement terms."""

from __future__ import annotations

import json
from importlib import resources

import truce.agreement.vocabulary as agreement_vocabulary
import truce.records.vocabulary as records_vocabulary
from truce.vocabulary import EVENT_CATEGORIES, EVENT_SUBTYPES, WEAPON_CLASSES


def test_one_definition_everywhere() -> None:
    for module in (agreement_vocabulary, records_vocabulary):
        assert module.EVENT_CATEGORIES is EVENT_CATEGORIES
        assert module.WEAPON_CLASSES is WEAPON_CLASSES


def test_subtypes_belong_to_known_categories() -> None:
    assert set(EVENT_SUBTYPES) <= set(EVENT_CATEGORIES)
    assert len(set(EVENT_CATEGORIES)) == len(EVENT_CATEGORIES)
    assert len(set(WEAPON_CLASSES)) == len(WEAPON_CLASSES)


def test_agreement_schema_enumerates_the_same_words() -> None:
    text = resources.files("truce.agreement").joinpath("schema.json").read_text()
    json.loads(text)
    for word in (*EVENT_CATEGORIES, *WEAPON_CLASSES):
        assert f'"{word}"' in text, word
