"""Reports through the facade: build from the mission's own log, render, verify.

A mixin of :class:`truce.mission.Mission`. The report is built from the log's
entries up to the latest checkpoint (integrating first), exactly as anyone
rebuilds it from the published log (:func:`truce.published.published_snapshot`):
so the mission's report and a party's rebuild are the same bytes.

Example::

    data = mission.build_report(ReportSpec("daily", date(2025, 4, 10)))
    html = render_html(data)
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from truce.integrate import TreeHead
from truce.reports.build import LogSnapshot, ReportData, ReportSpec, build_report
from truce.store import Store

__all__ = ["Reporting"]


class Reporting:
    """Build report data from the mission's log at its latest checkpoint."""

    store: Store
    checkpoint: Callable[[], TreeHead]
    integrate: Callable[[], TreeHead]

    def snapshot(self) -> LogSnapshot:
        """The log at the latest checkpoint (integrated first), as reports and open
        data read it — the same entries a party reads from the published log."""
        head = self.integrate()
        return LogSnapshot(
            origin=head.note.split(b"\n", 1)[0].decode("utf-8"),
            size=head.size,
            root=base64.b64encode(head.root).decode("ascii"),
            entries=self.store.entries(0, head.size),
            blob=self.store.get_blob,
        )

    def build_report(self, spec: ReportSpec) -> ReportData:
        """The report data for ``spec`` at the latest checkpoint (integrated first)."""
        return build_report(self.snapshot(), spec)
