"""The agreement versions a mission holds, read back from its log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from truce.agreement.book import AgreementBook
from truce.errors import NotFound
from truce.mission import Mission, example_agreement_path


def test_versions_latest_and_cache(mission: Mission) -> None:
    book = AgreementBook(mission.store)
    assert book.ids() == ["ua-energy-ceasefire"]
    assert book.latest("ua-energy-ceasefire") == 1
    first = book.get("ua-energy-ceasefire", 1)
    assert first is not None
    assert book.get("ua-energy-ceasefire", 1) is first  # parsed once
    assert book.get("ua-energy-ceasefire", 2) is None
    mission.load_agreement(example_agreement_path().with_name("example-agreement-v2.yaml"))
    # The same book sees versions appended after it was created.
    assert [v.version for v in book.versions()] == [1, 2]
    assert book.require().version == 2
    assert book.require(version=1) is first
    # A stored version round-trips to the same document it was loaded from.
    assert first.to_document() == mission.agreement(version=1).to_document()


def test_require_and_in_force(mission: Mission) -> None:
    book = AgreementBook(mission.store)
    with pytest.raises(NotFound):
        book.require("no-such-agreement")
    with pytest.raises(NotFound):
        book.require(version=7)
    effective = book.require().effective
    assert book.in_force("ua-energy-ceasefire", effective) is not None
    assert book.in_force("ua-energy-ceasefire", datetime(2000, 1, 1, tzinfo=UTC)) is None
