"""A party's checks of the mission's published log, without the mission's database.

The pure verifier (:mod:`truce.verify`) raises its own exceptions so that a
party can vendor it alone; this module is its boundary with the rest of Truce:
it opens a published log by location (a directory or an ``http(s)://`` URL),
reads verifier keys, runs the checks and translates every verifier exception
into :mod:`truce.errors` — a split view becomes :class:`~truce.errors.InconsistentLog`
carrying both signed checkpoints and the proof.

* :func:`check_log` — the routine check: the latest checkpoint is signed by the
  log's key, its tiles reproduce its root and it extends the checkpoint the
  party saw last (``since``).
* :func:`audit_log` — the full audit (``fsck``): every entry bundle re-hashed,
  every tile and the root re-derived, every entry's signed envelope checked
  against keys replayed from the log, every geography blob hashed.
* :func:`check_record` — a record proof file (``truce log prove``) checked
  offline and, given the log, against the published log.

Example::

    vkey = read_vkey("mission.vkey")
    status = check_log("public/log", vkey, since=Path("last.checkpoint").read_bytes())
    audit_log("public/log", vkey).raise_for_problems()
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from truce.disclosure import RevealFile, parse_reveal_file, sealed_commitment
from truce.envelopes import Envelope
from truce.errors import InconsistentLog, NotFound, ValidationError, VerificationError
from truce.ledger import merkle
from truce.ledger.note import NoteError, Verifier
from truce.ledger.tiles import TileError, blob_path
from truce.reports import build_report, parameters, render
from truce.reports.build import LogSnapshot
from truce.verify import (
    EntryAuditor,
    Fetcher,
    FetchError,
    FsckReport,
    InconsistentLogError,
    LogClient,
    MissingFile,
    Problem,
    SignedCheckpoint,
    VerificationFailed,
    directory_fetcher,
    fsck,
    http_fetcher,
)
from truce.verify.record import RecordCheck, RecordProof, verify_record_proof

__all__ = [
    "AuditResult",
    "LogStatus",
    "audit_log",
    "check_log",
    "check_record",
    "check_reveal",
    "open_fetcher",
    "origin_of",
    "published_snapshot",
    "read_vkey",
    "rebuild_report",
    "translated",
]


@contextlib.contextmanager
def translated(location: str) -> Iterator[None]:
    """Translate the verifier's exceptions raised inside into :mod:`truce.errors`."""
    try:
        yield
    except InconsistentLogError as exc:
        raise InconsistentLog(
            f"{location}: {exc}",
            old_checkpoint=exc.old_checkpoint.decode("utf-8", "replace"),
            new_checkpoint=exc.new_checkpoint.decode("utf-8", "replace"),
            proof=[base64.b64encode(h).decode("ascii") for h in exc.proof],
            hint="keep both checkpoints: together they prove the log showed two histories",
        ) from None
    except VerificationFailed as exc:
        raise VerificationError(f"{location}: {exc}") from None
    except MissingFile as exc:
        raise NotFound("published file", f"{location}/{exc.path}") from None
    except FetchError as exc:
        raise VerificationError(f"{location}: cannot read {exc}") from None


def open_fetcher(location: str) -> Fetcher:
    """A fetcher for a published log: an ``http(s)://`` URL or a directory."""
    if location.startswith(("http://", "https://")):
        return http_fetcher(location)
    path = Path(location)
    if not path.is_dir():
        raise NotFound("published log directory", location)
    return directory_fetcher(path)


def read_vkey(value: str) -> str:
    """A verifier key: the ``vkey`` string itself, or a file holding it.

    Raises ValidationError (field ``vkey``) if neither is a valid C2SP note key.
    """
    text = value.strip()
    candidate = Path(value)
    if "+" not in text or candidate.is_file():
        try:
            text = candidate.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValidationError(
                f"{value!r} is neither a vkey nor a readable file: {exc.strerror or exc}",
                field="vkey",
            ) from None
    try:
        Verifier.from_vkey(text)
    except NoteError as exc:
        raise ValidationError(f"not a verifier key: {exc}", field="vkey") from None
    return text


def origin_of(vkey: str) -> str:
    """The log origin a vkey signs checkpoints for: the key's name (C2SP convention)."""
    return Verifier.from_vkey(vkey).name


@dataclass(frozen=True)
class LogStatus:
    """The outcome of :func:`check_log`."""

    location: str
    checkpoint: SignedCheckpoint
    #: The checkpoint the party saw before (``since``), proven to be a prefix.
    previous: SignedCheckpoint | None


def check_log(location: str, vkey: str, *, since: bytes | None = None) -> LogStatus:
    """Verify the latest checkpoint of the log at ``location``, and that it extends ``since``.

    Raises VerificationError (bad signature, tiles that do not reproduce the
    root...), InconsistentLog (a rollback or a fork of ``since``) or NotFound.
    """
    fetch = open_fetcher(location)
    with translated(location):
        client = LogClient(fetch, origin_of(vkey), [vkey], known=since)
        previous = client.known  # verified (signature, origin) when given
        return LogStatus(location, client.checkpoint(), previous)


@dataclass(frozen=True)
class AuditResult:
    """The outcome of :func:`audit_log`: the verifier's report and what the entries held."""

    location: str
    report: FsckReport
    kinds: dict[str, int]
    keys: int
    blobs: int

    def problems(self) -> list[Problem]:
        """The faults found, those of the log's files (checkpoint, tiles, bundles)
        first: a damaged bundle also makes its entries' signatures fail, and the
        file is the cause."""
        return sorted(self.report.problems, key=lambda p: p.what.startswith("entry "))

    def raise_for_problems(self) -> None:
        """VerificationError naming the first fault (and how many more), if any."""
        problems = self.problems()
        if problems:
            more = self.report.problem_count - 1
            tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            raise VerificationError(f"{self.location}: {problems[0]}{tail}")


def audit_log(location: str, vkey: str, *, since: bytes | None = None) -> AuditResult:
    """Audit the whole published log (see the module docstring); faults are in the result.

    Raises only for an unusable location or key; every fault of the log is a
    problem of the report (:meth:`AuditResult.raise_for_problems`).
    """
    fetch = open_fetcher(location)
    auditor = EntryAuditor(fetch=fetch)
    with translated(location):
        report = fsck(fetch, origin_of(vkey), [vkey], entry_check=auditor, since=since)
    return AuditResult(location, report, dict(auditor.kinds), len(auditor.keys), len(auditor.blobs))


def check_record(proof_text: bytes, vkey: str, *, location: str | None = None) -> RecordCheck:
    """Check a record proof file offline, and against the log at ``location`` if given."""
    where = location or "record proof"
    with translated(where):
        proof = RecordProof.from_json(proof_text)
        client = None
        if location is not None:
            client = LogClient(open_fetcher(location), origin_of(vkey), [vkey])
        return verify_record_proof(proof, origin_of(vkey), [vkey], client=client)


def check_reveal(
    text: bytes, vkey: str, *, location: str | None = None
) -> tuple[RecordCheck, RevealFile]:
    """Check a reveal file (:mod:`truce.disclosure`): its record proof (offline, and
    against the log at ``location`` if given), then that the value and salt open
    the commitment the signed record holds for the field. VerificationError if
    anything does not hold; ValidationError if the file is malformed."""
    found = parse_reveal_file(text)
    check = check_record(json.dumps(found.proof).encode("utf-8"), vkey, location=location)
    if check.record_id != found.record_id:
        raise VerificationError(
            f"the proof is for record {check.record_id[:12]}, not {found.record_id[:12]}"
        )
    entry = base64.b64decode(str(found.proof.get("entry_base64", "")))
    payload = Envelope.from_json(entry).payload
    signed = sealed_commitment(payload, found.reveal.path)
    if signed != found.commitment:
        raise VerificationError(
            f"the signed record commits to {signed[:12]}… for {found.reveal.path}, "
            f"not {found.commitment[:12]}…"
        )
    try:
        found.reveal.check(signed)
    except ValidationError:
        raise VerificationError(
            f"the value and salt do not open the commitment {signed[:12]}… that record "
            f"{found.record_id[:12]} signed for {found.reveal.path}"
        ) from None
    return check, found


def published_snapshot(location: str, vkey: str, *, size: int | None = None) -> LogSnapshot:
    """The published log as a report builder reads it: the first ``size`` entries
    (all, by default) of the latest signed checkpoint, each checked against it,
    and its blobs, each checked against its SHA-256. The root is that of the
    first ``size`` entries, computed here from the checked entries."""
    with translated(location):
        fetch = open_fetcher(location)
        client = LogClient(fetch, origin_of(vkey), [vkey])
        latest = client.checkpoint()
        count = latest.size if size is None else size
        if not 0 < count <= latest.size:
            raise VerificationError(
                f"{location}: the published log has {latest.size} entries, not {count}"
            )
        entries = [client.entry(i, latest) for i in range(count)]
    root = merkle.root([merkle.leaf_hash(e) for e in entries])

    def blob(sha256: str) -> bytes | None:
        try:
            data = fetch(blob_path(sha256))
        except (MissingFile, FetchError, TileError):
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    return LogSnapshot(
        origin_of(vkey), count, base64.b64encode(root).decode("ascii"), entries, blob
    )


@dataclass(frozen=True)
class Rebuilt:
    """A report rebuilt from the published log and found identical."""

    size: int
    root: str
    sha256: str


def rebuild_report(text: str, location: str, vkey: str) -> Rebuilt:
    """Rebuild the report ``text`` states it is (its kind, period and checkpoint)
    from the published log and compare byte for byte; VerificationError naming
    the first difference if they differ."""
    fmt, spec, size, root = parameters(text)
    snapshot = published_snapshot(location, vkey, size=size)
    if snapshot.root != root:
        raise VerificationError(
            f"the report states checkpoint root {root} at size {size}; the published log's "
            f"first {size} entries hash to {snapshot.root}"
        )
    again = render(build_report(snapshot, spec), fmt)
    if again != text:
        line = next(
            (
                i
                for i, (a, b) in enumerate(
                    zip(again.splitlines(), text.splitlines(), strict=False), 1
                )
                if a != b
            ),
            min(len(again.splitlines()), len(text.splitlines())) + 1,
        )
        raise VerificationError(
            f"the report differs from its rebuild from the published log (first at line {line})"
        )
    return Rebuilt(size, root, hashlib.sha256(text.encode("utf-8")).hexdigest())
