"""``disclosure``: the logged act of revealing a sealed field.

The values of sealed fields are kept by the mission apart from the log
(:mod:`truce.records.commitments`). Handing one out — to a court, an inquiry,
a party under an agreed procedure — is itself a signed entry in the log, made
with an admin key: who received which field of which record, and why. The
parties see every disclosure; nobody, the admin included, reads a sealed value
outside the mission without one (DESIGN §1).
"""

from __future__ import annotations

from typing import Literal

from truce.records.common import Name, RecordRef, Text
from truce.records.header import RecordHeader
from truce.records.observation import SealablePath

__all__ = ["Disclosure"]


class Disclosure(RecordHeader):
    """Field ``path`` of record ``record`` revealed to ``to``, for ``reason``."""

    type: Literal["disclosure"] = "disclosure"
    record: RecordRef
    path: SealablePath
    to: Name
    reason: Text
