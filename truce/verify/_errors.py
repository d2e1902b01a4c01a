"""The exceptions of :mod:`truce.verify`, kept free of the rest of ``truce``.

``truce.verify`` must be vendorable with ``truce.ledger`` alone, so it cannot
import :mod:`truce.errors`; layers above translate at their boundary
(:class:`VerificationFailed` to ``VerificationError``, :class:`InconsistentLogError`
to ``InconsistentLog``, :class:`FetchError` to ``NotFound``/``StorageError``)::

    VerificationFailed          the log does not verify: .what is at fault, .reason why
    └── InconsistentLogError    two signed checkpoints that cannot both be honest
    FetchError                  a file could not be fetched (network, I/O, too large)
    └── MissingFile             the file does not exist (HTTP 404, no such file)
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["FetchError", "InconsistentLogError", "MissingFile", "VerificationFailed"]


class VerificationFailed(Exception):
    """Something the log serves does not verify.

    ``what`` names the part at fault (``checkpoint``, ``tile/0/x001/042``,
    ``entry 17``...), ``reason`` says exactly why; ``str(err)`` is ``"what: reason"``.
    """

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


class InconsistentLogError(VerificationFailed):
    """Two checkpoints signed by the log that cannot both be true: a split view.

    Carries the evidence anyone can check: both signed checkpoint notes
    (``old_checkpoint``, ``new_checkpoint``, the bytes as served) and the
    consistency ``proof`` computed from the newer log's tiles (empty for a
    rollback or for two different roots at the same size).
    """

    def __init__(
        self,
        what: str,
        reason: str,
        *,
        old_checkpoint: bytes,
        new_checkpoint: bytes,
        proof: Sequence[bytes] = (),
    ) -> None:
        super().__init__(what, reason)
        self.old_checkpoint = old_checkpoint
        self.new_checkpoint = new_checkpoint
        self.proof: list[bytes] = list(proof)


class FetchError(Exception):
    """A file of the log could not be fetched: ``path`` and ``reason``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class MissingFile(FetchError):
    """The file does not exist (no such file, HTTP 404): the like of ``FileNotFoundError``."""

    def __init__(self, path: str, reason: str = "missing") -> None:
        super().__init__(path, reason)
