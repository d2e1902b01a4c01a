"""``Mission``: the one facade that the CLI, the HTTP API, the web pages and the tests call.

A mission lives in a directory::

    truce.toml        settings: mission id and name, store URL, admin key path
    truce.db          the SQLite store (default; PostgreSQL by URL later)
    keys/mission.key  the mission's admin key (mode 0600; never in the database)

Example::

    >>> from truce.mission import Mission
    >>> m = Mission.create("my-mission")            # doctest: +SKIP
    >>> m.summary()["records"]                       # doctest: +SKIP
    2

Everything that changes state goes through :meth:`Mission.submit` (signed
envelopes), so a record signed on a device, by the CLI, or by the demo takes
the same path through :class:`~truce.intake.gate.Gate`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truce.agreement import Agreement, AgreementDiff, diff, load_agreement
from truce.agreement.book import AgreementBook, VersionInfo
from truce.casework import Casework
from truce.channel import Channel
from truce.compliance import engine as compliance_engine
from truce.compliance.engine import RunReport
from truce.disclosure import Disclosing
from truce.errors import StorageError, ValidationError
from truce.intake.gate import Gate, Receipt
from truce.integrate import Integrator, StoreTree, TreeHead
from truce.keys import KeyHolder, Signer, load_log_signer, load_signer, write_private
from truce.ledger import merkle
from truce.ledger.note import Signer as NoteSigner
from truce.publish import tlog
from truce.publish.blobs import publish_blobs
from truce.publish.tlog import PublishReport
from truce.reporting import Reporting
from truce.settings import SETTINGS_FILE, MissionSettings
from truce.store import KeyState, Store, open_store
from truce.submitting import Submitting
from truce.verify.record import RecordProof
from truce.views import Reading, RecordView, assessment_dict

__all__ = ["Mission", "MissionSettings", "RecordView", "example_agreement_path"]

#: What a mission directory may hold; ``force`` removes only a directory of these.
_MISSION_FILES = frozenset(
    {SETTINGS_FILE, "truce.db", "truce.db-wal", "truce.db-shm", "keys", "evidence", "public"}
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")


def example_agreement_path() -> Path:
    """The example agreement shipped with the package (real geography, example terms)."""
    return Path(__file__).parent / "data" / "example-agreement.yaml"


def _utc_iso(dt: datetime) -> str:
    text = dt.astimezone(UTC).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z")


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9.-]+", "-", name.lower()).strip("-.")
    slug = slug[:63] or "mission"
    return slug if len(slug) >= 2 else f"{slug}-mission"


class Mission(Submitting, Casework, Channel, Disclosing, Reporting, Reading):
    """A monitoring mission: its store, its agreement versions, its keys.

    The verification workflow's operations (allegation steps, links, findings,
    approvals, replies, corrections, histories, coverage) come from
    :class:`truce.casework.Casework`; correspondence, report releases and the
    parties' access log from :class:`truce.channel.Channel`; sealed values and
    their disclosure from :class:`truce.disclosure.Disclosing`.
    """

    def __init__(
        self,
        directory: Path,
        settings: MissionSettings,
        store: Store,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.store = store
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.agreements = AgreementBook(store)
        self._gate = Gate(
            store, settings.id, agreements=self.agreements, clock=lambda: self.clock()
        )
        self._keys_cache: dict[str, KeyState] = {}
        #: Header fields every new record gets unless it sets them (e.g. a
        #: training exercise marks everything ``synthetic``).
        self.record_defaults: dict[str, Any] = {}
        #: When set, the salts of sealed fields are derived from it and the record
        #: (reproducible demos); otherwise they are random. Never set for real work.
        self.sealing_entropy: bytes | None = None
        self._integrator: Integrator | None = None

    # -- lifecycle ------------------------------------------------------------

    @classmethod
    def create(
        cls,
        directory: str | os.PathLike[str],
        *,
        agreement: str | os.PathLike[str] | None = None,
        mission_id: str | None = None,
        name: str | None = None,
        force: bool = False,
        clock: Callable[[], datetime] | None = None,
        admin: Signer | None = None,
        log_key: NoteSigner | None = None,
        signed_at: datetime | None = None,
    ) -> Mission:
        """Create a mission: settings, store, admin key (self-enrolled), first agreement.

        Refuses a non-empty directory; with ``force``, replaces an existing
        mission (a directory holding only mission files). On any error, nothing
        is left behind.
        """
        path = Path(directory)
        mission_id = mission_id or _slug(path.resolve().name)
        if not _ID_RE.match(mission_id):
            raise ValidationError(
                "must be 2-63 characters of a-z, 0-9, '.' and '-', starting with a letter or digit",
                field="mission_id",
            )
        agreement_obj = load_agreement(agreement or example_agreement_path())
        if (path / SETTINGS_FILE).exists():
            if not force:
                raise ValidationError(
                    f"{path} already holds a mission",
                    field="directory",
                    hint="use --force to replace it",
                )
            foreign = sorted(p.name for p in path.iterdir() if p.name not in _MISSION_FILES)
            if foreign:
                raise ValidationError(
                    f"{path} holds files that are not part of a mission "
                    f"({', '.join(foreign[:5])}); refusing to remove it",
                    field="directory",
                )
            shutil.rmtree(path)
        elif path.exists() and any(path.iterdir()):
            raise ValidationError(f"{path} exists and is not empty", field="directory")
        created_dir = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        try:
            settings = MissionSettings(
                id=mission_id,
                name=name or mission_id,
                store="sqlite:///truce.db",
                admin_key="keys/mission.key",
            )
            admin = admin or Signer.generate("mission-admin")
            admin.save(path / settings.admin_key)
            log_key = log_key or NoteSigner.generate(settings.log_origin)
            if log_key.name != settings.log_origin:
                raise ValidationError(
                    f"the log key is named {log_key.name!r}; it must be the log origin "
                    f"{settings.log_origin!r}",
                    field="log_key",
                )
            write_private(path / settings.log_key, log_key.skey + "\n")
            (path / SETTINGS_FILE).write_text(settings.to_toml(), encoding="utf-8")
            store = open_store(_store_url(path, settings.store), create=True)
            store.set_meta("mission_id", mission_id)
            mission = cls(path, settings, store, clock=clock)
            mission.submit_record(
                mission.key_record("enrol", admin, "admin", signed_at=signed_at), admin
            )
            mission.submit_agreement(agreement_obj, admin=admin, signed_at=signed_at)
            mission.integrate()
            return mission
        except BaseException:
            if created_dir:
                shutil.rmtree(path, ignore_errors=True)
            else:
                for child in path.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            raise

    @classmethod
    def open(
        cls, directory: str | os.PathLike[str], *, clock: Callable[[], datetime] | None = None
    ) -> Mission:
        path = Path(directory)
        settings = MissionSettings.read(path)
        store = open_store(_store_url(path, settings.store))
        stored_id = store.get_meta("mission_id")
        if stored_id != settings.id:
            store.close()
            raise ValidationError(
                f"settings say mission {settings.id!r} but the store holds {stored_id!r}",
                field="mission.id",
                source=str(path / SETTINGS_FILE),
            )
        return cls(path, settings, store, clock=clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Mission:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keys -------------------------------------------------------------------

    def admin_signer(self) -> Signer:
        """The mission's admin key (from the path in the settings, or ``env:VAR``)."""
        spec = self.settings.admin_key
        return load_signer(spec if spec.startswith("env:") else self.directory / spec)

    def key(self, keyid: str) -> KeyState:
        return self.store.key(keyid)

    def keys(self) -> list[KeyState]:
        return self.store.keys()

    def enrol_key(
        self,
        public_key: bytes,
        *,
        principal: str,
        role: str,
        party: str | None = None,
        admin: Signer | None = None,
    ) -> Receipt:
        """Enrol a public key (generated on the holder's device) with a role."""
        holder = KeyHolder(principal, public_key)
        record = self.key_record("enrol", holder, role, party)
        return self.submit_record(record, admin or self.admin_signer())

    def new_key(
        self,
        principal: str,
        *,
        role: str,
        party: str | None = None,
        out: str | os.PathLike[str] | None = None,
        admin: Signer | None = None,
    ) -> tuple[Signer, Path, Receipt]:
        """Generate a key, save it (0600), and enrol it; the file is removed if enrolment fails."""
        signer = Signer.generate(principal)
        path = Path(out) if out else self.directory / "keys" / f"{principal}.key"
        signer.save(path)
        try:
            receipt = self.enrol_key(
                signer.public_key, principal=principal, role=role, party=party, admin=admin
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return signer, path, receipt

    def revoke_key(self, keyid: str, *, reason: str, admin: Signer | None = None) -> Receipt:
        record = self.new_record(
            "key", {"action": "revoke", "keyid": self.store.key(keyid).keyid, "reason": reason}
        )
        return self.submit_record(record, admin or self.admin_signer())

    def rotate_key(
        self, keyid: str, *, out: str | os.PathLike[str] | None = None, admin: Signer | None = None
    ) -> tuple[Signer, Path, Receipt]:
        """Replace an active key by a new one with the same role, principal and party."""
        old = self.store.key(keyid)
        signer = Signer.generate(old.principal)
        path = (
            Path(out)
            if out
            else self.directory / "keys" / f"{old.principal}.{signer.keyid[:8]}.key"
        )
        signer.save(path)
        try:
            record = self.key_record("rotate", signer, old.role, old.party, replaces=old.keyid)
            receipt = self.submit_record(record, admin or self.admin_signer())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return signer, path, receipt

    def key_record(
        self,
        action: str,
        holder: Signer | KeyHolder,
        role: str,
        party: str | None = None,
        *,
        replaces: str | None = None,
        signed_at: datetime | None = None,
    ) -> dict[str, Any]:
        """An unsigned key record (enrol or rotate) for ``holder``'s public key."""
        body: dict[str, Any] = {
            "action": action,
            "keyid": holder.keyid,
            "public_key": holder.public_key_b64,
            "role": role,
            "principal": holder.principal,
        }
        if party is not None:
            body["party"] = party
        if replaces is not None:
            body["replaces"] = replaces
        return self.new_record("key", body, signed_at=signed_at)

    # -- the log ----------------------------------------------------------------

    def log_signer(self) -> NoteSigner:
        """The checkpoint-signing key (never in the database)."""
        spec = self.settings.log_key
        return load_log_signer(spec if spec.startswith("env:") else self.directory / spec)

    def log_vkey(self) -> str:
        """The verifier key string parties use to check checkpoints (C2SP signed-note)."""
        return str(self.log_signer().vkey)

    def integrate(self) -> TreeHead:
        """Fold stored entries into the Merkle tree, sign a checkpoint if anything is
        new, and publish the log when the mission has a ``publish_dir``."""
        head = self._integrate()
        if self.settings.publish_dir:
            self._publish(self.publish_path(), head, repair=False)
        return head

    def _integrate(self) -> TreeHead:
        if self._integrator is None:
            self._integrator = Integrator(
                self.store, self.settings.log_origin, self.log_signer(), clock=self.clock
            )
        return self._integrator.integrate()

    def publish_path(self, directory: str | os.PathLike[str] | None = None) -> Path:
        """Where :meth:`publish` writes: ``directory``, else the ``publish_dir`` setting."""
        if directory is not None:
            return Path(directory)
        if not self.settings.publish_dir:
            raise ValidationError(
                "this mission has no publish_dir setting; name a directory",
                field="publish_dir",
            )
        return self.directory / self.settings.publish_dir

    def publish(
        self, directory: str | os.PathLike[str] | None = None, *, repair: bool = False
    ) -> PublishReport:
        """Integrate, then publish the log as static files (C2SP tlog-tiles) with the
        blobs its records reference, checkpoint last (:mod:`truce.publish`).

        ``repair`` re-creates any published file that has gone missing.
        """
        return self._publish(self.publish_path(directory), self._integrate(), repair=repair)

    def _publish(self, target: Path, head: TreeHead, *, repair: bool) -> PublishReport:
        def reader(sha: str) -> Callable[[], bytes]:
            def read() -> bytes:
                data = self.store.get_blob(sha)
                if data is None:
                    raise StorageError(f"blob {sha} is indexed but missing from the store")
                return data

            return read

        # A report released at a later instant is not published before it (parity).
        held = self.unreleased_reports()
        index = self.store.blob_index(head.size)
        publish_blobs(target, [(sha, reader(sha)) for sha, _ in index if sha not in held])
        tree = StoreTree(self.store)
        return tlog.publish(
            target,
            size=head.size,
            get_node=tree.get_node,
            get_entries=self.store.entries,
            checkpoint=head.note,
            repair=repair,
        )

    def checkpoint(self) -> TreeHead:
        """The latest signed checkpoint (NotFound before the first integration)."""
        size, root, note = self.store.checkpoint()
        return TreeHead(size, root, note)

    def prove(self, ref: str) -> dict[str, Any]:
        """An inclusion proof of one record in the latest checkpoint (integrating first),
        as a record proof file anyone can check (:mod:`truce.verify.record`)."""
        stored = self.store.resolve(ref)
        head = self.checkpoint()
        if stored.seq >= head.size:
            head = self.integrate()
        proof = StoreTree(self.store).inclusion_proof(stored.seq, head.size)
        leaf = merkle.leaf_hash(stored.entry)
        merkle.verify_inclusion(leaf, stored.seq, head.size, proof, head.root)
        return RecordProof(stored.seq, head.size, stored.entry, tuple(proof), head.note).to_dict()

    # -- compliance ---------------------------------------------------------------

    def compliance_run(
        self,
        *,
        since: int | None = None,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> RunReport:
        """Evaluate events against the agreement version in force when each happened
        (incrementally; in full after a new agreement version) and store the results."""
        return compliance_engine.run(
            self.store, self.agreements, since=since, full=full, progress=progress
        )

    def assessments(
        self,
        *,
        term_id: str | None = None,
        status: str | None = None,
        list_id: str | None = None,
        record: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Stored assessments matching every filter, in log order, as dicts with the record."""
        record_id = None if record is None else self.store.resolve(record).record_id
        rows = self.store.assessments(
            term_id=term_id, status=status, list_id=list_id, record_id=record_id, limit=limit
        )
        return [{"seq": a.seq, "record_id": a.record_id, **assessment_dict(a)} for a in rows]

    def compliance_summary(
        self, by: str = "term", *, term_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Status counts per term and site list, and per ``term``, ``day`` or ``region``."""
        return compliance_engine.summarise(self.store.assessments(term_id=term_id), by)

    # -- agreements ---------------------------------------------------------------

    def agreement_record(
        self, agreement: Agreement, *, signed_at: datetime | None = None
    ) -> dict[str, Any]:
        """An unsigned agreement-version record: the resolved document, its
        geography as blob references (:meth:`Agreement.to_log_document`)."""
        document, _ = agreement.to_log_document()
        return self.new_record(
            "agreement",
            {"agreement_id": agreement.id, "version": agreement.version, "document": document},
            signed_at=signed_at,
        )

    def submit_agreement(
        self,
        agreement: Agreement,
        *,
        admin: Signer | None = None,
        signed_at: datetime | None = None,
    ) -> Receipt:
        """Sign and store an agreement version with its geography blobs, in one transaction."""
        _, blobs = agreement.to_log_document()
        record = self.agreement_record(agreement, signed_at=signed_at)
        envelope = self.sign(record, admin or self.admin_signer())
        (receipt,) = self.submit([envelope], blobs={k: b.data for k, b in blobs.items()})
        return receipt

    def load_agreement(
        self, path: str | os.PathLike[str], *, admin: Signer | None = None
    ) -> tuple[Agreement, Receipt]:
        """Load a new agreement version from YAML; older versions stay as they are."""
        agreement = load_agreement(path)
        return agreement, self.submit_agreement(agreement, admin=admin)

    def agreement(self, agreement_id: str | None = None, version: int | None = None) -> Agreement:
        return self.agreements.require(agreement_id, version)

    def agreement_versions(self) -> list[VersionInfo]:
        return self.agreements.versions()

    def agreement_diff(
        self, old: int, new: int, *, agreement_id: str | None = None
    ) -> AgreementDiff:
        return diff(self.agreement(agreement_id, old), self.agreement(agreement_id, new))

    # -- records ------------------------------------------------------------------

    def new_record(
        self, kind: str, body: Mapping[str, Any], *, signed_at: datetime | None = None
    ) -> dict[str, Any]:
        """A record dict with the header filled in: type, mission, signed_at."""
        record = dict(body)
        record["type"] = kind
        record["mission"] = self.settings.id
        record.setdefault("signed_at", _utc_iso(signed_at or self.clock()))
        for name, value in self.record_defaults.items():
            record.setdefault(name, value)
        return record

    def _signer_of(self, keyid: str) -> KeyState:
        state = self._keys_cache.get(keyid)
        if state is None or state.status == "active":
            state = self.store.key(keyid)
            self._keys_cache[keyid] = state
        return state

    def summary(self) -> dict[str, Any]:
        """Counts per record type, keys per role, agreement versions."""
        counts = self.store.counts()
        roles: dict[str, int] = {}
        keys = self.store.keys()
        for k in keys:
            if k.status == "active":
                roles[k.role] = roles.get(k.role, 0) + 1
        return {
            "mission": self.settings.id,
            "records": self.store.size(),
            "by_type": dict(sorted(counts.items())),
            "synthetic": self.store.synthetic_count(),
            "active_keys_by_role": dict(sorted(roles.items())),
            "agreements": [f"{v.agreement_id}@{v.version}" for v in self.agreements.versions()],
        }


def _store_url(directory: Path, url: str) -> str:
    """Resolve a relative ``sqlite:///file.db`` against the mission directory."""
    if url.startswith("sqlite:///"):
        rel = url[len("sqlite:///") :]
        if not os.path.isabs(rel):
            return "sqlite:///" + str((directory / rel).resolve())
    return url
