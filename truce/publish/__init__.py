"""Publication: what the mission makes public, and how.

* :mod:`truce.publish.tlog` — the transparency log as static files in the C2SP
  ``tlog-tiles`` layout (tiles, entry bundles, then the signed ``checkpoint``),
  written atomically so a reader never sees a checkpoint whose tiles are missing.
* :mod:`truce.publish.blobs` — the blobs records reference (an agreement's
  geography) at ``blob/<sha256>``, written before the checkpoint covering them.

Example::

    from truce.publish import tlog
    report = tlog.publish(
        "public/log", size=tree.size, get_node=tree.get_node,
        get_entries=store.entries, checkpoint=signed_checkpoint,
    )
"""

from __future__ import annotations

from . import blobs, tlog

__all__ = ["blobs", "tlog"]
