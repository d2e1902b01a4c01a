"""``reply``: a party's reply to an approved finding (right of reply).

Both parties may reply to every approved finding, once each, until the
deadline its approval set; replies are published beside the finding.
"""

from __future__ import annotations

from typing import Literal

from truce.records.common import LongText, Party, RecordRef
from truce.records.correspondence import LanguageTag
from truce.records.header import RecordHeader

__all__ = ["Reply"]


class Reply(RecordHeader):
    """``party``'s reply to the approved ``finding``."""

    type: Literal["reply"] = "reply"
    finding: RecordRef
    party: Party
    body: LongText
    language: LanguageTag | None = None
