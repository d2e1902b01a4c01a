"""Checkpoints: the C2SP ``tlog-checkpoint`` text of a log's tree head, in a signed note.

A checkpoint's note text is the origin (the log's identity), the tree size in
decimal and the base64 RFC 6962 root hash, one per line, then optional extension
lines, each line ending in a newline::

    example.com/behind-the-sofa
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

Example::

    cp = Checkpoint("example.org/log", 3, root)
    signed = sign_checkpoint(cp, signer)
    assert open_checkpoint(signed, "example.org/log", [signer.verifier]) == cp

Parsing is strict (sizes without leading zeros, a 32-byte root in canonical padded
base64, non-empty lines), so ``Checkpoint.from_text(t).to_text() == t`` for every
accepted ``t``. Source: https://c2sp.org/tlog-checkpoint (C2SP/C2SP
``tlog-checkpoint.md``). Imports nothing from the rest of ``truce``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import note as _note

__all__ = [
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "CheckpointError",
    "open_checkpoint",
    "sign_checkpoint",
]

#: Bytes in an RFC 6962 SHA-256 root hash.
HASH_SIZE = 32

#: Largest tree size a checkpoint may carry (Go and the witness protocol use uint64).
MAX_TREE_SIZE = (1 << 64) - 1

_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x1f]")


class CheckpointError(ValueError):
    """A checkpoint is malformed, is not from the expected log, or lacks its signature.

    ``field`` names the part at fault (``origin``, ``size``, ``root_hash``,
    ``extensions[i]``, ``text`` or ``signature``).
    """

    def __init__(self, reason: str, *, field: str) -> None:
        super().__init__(f"checkpoint {field}: {reason}")
        self.reason = reason
        self.field = field


def _check_line(line: str, field: str) -> None:
    if not line:
        raise CheckpointError("must not be empty", field=field)
    if _CONTROL.search(line):
        raise CheckpointError("must not contain newlines or control characters", field=field)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError("must be valid UTF-8", field=field) from None


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and extension lines.

    Construction validates every field, so a ``Checkpoint`` always formats to a
    note text that parses back to itself.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CheckpointError("must be an integer", field="size")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"must be between 0 and {MAX_TREE_SIZE}", field="size")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"must be {HASH_SIZE} bytes", field="root_hash")
        extensions = tuple(self.extensions)
        for i, line in enumerate(extensions):
            _check_line(line, f"extensions[{i}]")
        object.__setattr__(self, "extensions", extensions)

    def to_text(self) -> str:
        """The note text: origin, size, base64 root and extension lines, each + newline."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def from_text(cls, text: str | bytes) -> Checkpoint:
        """Parse a checkpoint note text (bytes must be UTF-8).

        Raises :class:`CheckpointError` naming the field unless the text is at least
        three non-empty lines each ending in a newline: a non-empty origin, a size in
        ASCII decimal without leading zeros (``0`` for the empty tree) that fits in 64
        bits, a 32-byte root hash in canonical padded base64, then non-empty extension
        lines.
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise CheckpointError("must be valid UTF-8", field="text") from None
        if not text.endswith("\n"):
            raise CheckpointError("must end with a newline", field="text")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("needs origin, size and root hash lines", field="text")
        origin, size_text, root_text, *extensions = lines
        _check_line(origin, "origin")
        if not _SIZE.fullmatch(size_text):
            raise CheckpointError(
                f"{size_text!r} is not a decimal number without leading zeros", field="size"
            )
        size = int(size_text)
        if size > MAX_TREE_SIZE:
            raise CheckpointError(f"must be at most {MAX_TREE_SIZE}", field="size")
        root = _decode_root(root_text)
        return cls(origin, size, root, tuple(extensions))


def _decode_root(text: str) -> bytes:
    try:
        root = base64.b64decode(text, validate=True)
    except ValueError:
        root = None
    if root is None or base64.b64encode(root).decode("ascii") != text:
        raise CheckpointError(f"{text!r} is not canonical padded base64", field="root_hash")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"must be {HASH_SIZE} bytes, not {len(root)}", field="root_hash")
    return root


def sign_checkpoint(cp: Checkpoint, signer: _note.NoteSigner) -> bytes:
    """The signed note of ``cp`` with one signature line by ``signer``."""
    return _note.sign(cp.to_text(), [signer])


def open_checkpoint(
    msg: bytes,
    origin: str,
    verifiers: Iterable[_note.NoteVerifier],
    *,
    others: Iterable[_note.NoteVerifier] = (),
) -> Checkpoint:
    """Verify a signed checkpoint from the log ``origin`` and return it.

    ``verifiers`` are the log's own keys (several during a key rotation): at least
    one of them must have signed. ``others`` (e.g. witnesses) are verified too — a
    bad signature by any known key rejects the note — but do not make a checkpoint
    authentic on their own. Signatures of unknown keys are ignored.

    Raises a :class:`~truce.ledger.note.NoteError` if the note does not verify, and
    :class:`CheckpointError` if no log key signed it, its text is not a checkpoint
    or its origin is not ``origin``.
    """
    log_keys = list(verifiers)
    opened = _note.open(msg, [*log_keys, *others])
    log_ids = {(v.name, v.key_id) for v in log_keys}
    if not any((s.name, s.key_id) in log_ids for s in opened.sigs):
        raise CheckpointError("is not signed by the log's key", field="signature")
    cp = Checkpoint.from_text(opened.text)
    if cp.origin != origin:
        raise CheckpointError(f"{cp.origin!r} is not the expected {origin!r}", field="origin")
    return cp
