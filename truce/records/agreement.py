"""``agreement``: one version of an agreement, carried as data in the log.

The ``document`` is the resolved agreement document; :mod:`truce.agreement`
validates it against its own JSON Schema. Here it is the one free-form object
in any record, checked only so far as the log needs: its ``id`` and
``version`` match the record's, every object key is ASCII (the canonical-JSON
fast check relies on it) and every number is finite.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from truce.records._model import Loc, Problem, raise_problems
from truce.records.common import MissionId
from truce.records.header import RecordHeader

__all__ = ["AgreementVersion"]


class AgreementVersion(RecordHeader):
    """An agreement version: ``document["id"] == agreement_id``, ``document["version"] == version``.

    The document must not be mutated after validation (it is a plain dict).
    """

    type: Literal["agreement"] = "agreement"
    agreement_id: MissionId
    version: int = Field(ge=1, le=1_000_000)
    document: dict[str, Any]

    @property
    def label(self) -> str:
        """``agreement_id@version``, the key the log indexes agreement versions by."""
        return f"{self.agreement_id}@{self.version}"

    @model_validator(mode="after")
    def _document_rules(self) -> Self:
        problems: list[Problem] = []
        doc_id = self.document.get("id")
        if doc_id != self.agreement_id:
            problems.append((("document", "id"), f"must equal agreement_id {self.agreement_id!r}"))
        doc_version = self.document.get("version")
        if type(doc_version) is not int or doc_version != self.version:
            problems.append((("document", "version"), f"must equal version {self.version}"))
        problems.extend(_json_problems(self.document, ("document",)))
        raise_problems("AgreementVersion", problems)
        return self


def _json_problems(root: dict[str, Any], where: Loc, limit: int = 20) -> list[Problem]:
    """Non-ASCII keys and non-finite numbers anywhere in ``root`` (at most ``limit``)."""
    problems: list[Problem] = []
    stack: list[tuple[Loc, Any]] = [(where, root)]
    while stack and len(problems) < limit:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not key.isascii():
                    problems.append(((*loc, key), "object keys must be ASCII"))
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, i), item) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append((loc, "numbers must be finite"))
    return problems
