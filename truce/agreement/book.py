"""The agreement versions loaded into a mission, read from its store.

Each version is an ``agreement`` record in the log (subject ``ID@VERSION``);
nothing here edits one. Documents are parsed on first use and cached: a
version never changes once stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from truce.agreement.model import Agreement
from truce.errors import NotFound, StorageError, ValidationError
from truce.store import Store

__all__ = ["AgreementBook", "VersionInfo"]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """Where a version sits in the log."""

    agreement_id: str
    version: int
    record_id: str
    seq: int
    signed_at: str


class AgreementBook:
    """Read access to the agreement versions in a store, with a parse cache."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._index: dict[tuple[str, int], VersionInfo] = {}
        self._indexed_to = 0
        self._parsed: dict[tuple[str, int], Agreement] = {}

    def _refresh(self) -> None:
        size = self._store.size()
        if size == self._indexed_to:
            return
        for r in self._store.scan(kinds=["agreement"], since_seq=self._indexed_to):
            aid, _, v = (r.subject or "").rpartition("@")
            if not aid or not v.isdigit():
                raise StorageError(f"agreement record #{r.seq} has a malformed subject")
            self._index[(aid, int(v))] = VersionInfo(aid, int(v), r.record_id, r.seq, r.signed_at)
        self._indexed_to = size

    def versions(self, agreement_id: str | None = None) -> list[VersionInfo]:
        """All loaded versions (of one agreement, or all), oldest first."""
        self._refresh()
        out = [i for k, i in self._index.items() if agreement_id in (None, k[0])]
        return sorted(out, key=lambda i: i.seq)

    def ids(self) -> list[str]:
        self._refresh()
        return sorted({k[0] for k in self._index})

    def latest(self, agreement_id: str) -> int | None:
        versions = [i.version for i in self.versions(agreement_id)]
        return max(versions) if versions else None

    def get(self, agreement_id: str, version: int) -> Agreement | None:
        """The parsed agreement version, or None when it was never loaded."""
        key = (agreement_id, version)
        if key in self._parsed:
            return self._parsed[key]
        self._refresh()
        info = self._index.get(key)
        if info is None:
            return None
        payload = json.loads(self._store.get(info.record_id).payload)
        try:
            agreement = Agreement.from_document(
                payload["document"],
                source=f"agreement record #{info.seq}",
                blobs=self._store.get_blob,
            )
        except ValidationError as exc:
            raise StorageError(
                f"stored agreement {agreement_id}@{version} no longer loads: {exc}"
            ) from exc
        self._parsed[key] = agreement
        return agreement

    def require(self, agreement_id: str | None = None, version: int | None = None) -> Agreement:
        """A version by id/number; defaults: the only agreement id, its latest version."""
        ids = self.ids()
        if not ids:
            raise NotFound(
                "agreement", agreement_id or "(any)", hint="load one: truce agreement load FILE"
            )
        if agreement_id is None:
            if len(ids) > 1:
                raise ValidationError(
                    f"this mission has several agreements ({', '.join(ids)}); name one",
                    field="agreement",
                )
            agreement_id = ids[0]
        if version is None:
            version = self.latest(agreement_id)
        found = self.get(agreement_id, version) if version is not None else None
        if found is None:
            raise NotFound("agreement version", f"{agreement_id}@{version}")
        return found

    def in_force(self, agreement_id: str, at: datetime) -> Agreement | None:
        """The newest version whose ``effective`` time is at or before ``at``."""
        best: Agreement | None = None
        for info in self.versions(agreement_id):
            a = self.get(info.agreement_id, info.version)
            if a is not None and a.effective <= at and (best is None or a.version > best.version):
                best = a
        return best
