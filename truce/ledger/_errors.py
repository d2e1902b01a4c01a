"""The one exception of :mod:`truce.ledger`, kept free of the rest of ``truce``.

``truce.ledger`` must be vendorable on its own (a party copies it to check the
mission's log without trusting our code base), so it cannot import
:mod:`truce.errors`. Layers above translate :class:`ProofError` into
``truce.errors.VerificationError`` (or ``ValidationError`` for bad arguments)
at their boundary.
"""

from __future__ import annotations

__all__ = ["ProofError"]


class ProofError(ValueError):
    """A Merkle proof, tree size, index, node or hash is invalid.

    ``str(err)`` (also :attr:`reason`) says exactly what is wrong, e.g.
    ``"wrong proof length: got 3 hashes, want 4 for index 5 in a tree of size 11"``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
