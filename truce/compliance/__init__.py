"""Compliance: every event checked against the agreement version in force.

* :mod:`truce.compliance.events` — observations and allegations' claimed events
  as columns of numpy arrays;
* :mod:`truce.compliance.geodesy` — vectorised geodesic distances (WGS84
  ellipsoid, metres) to sites, lines and zone boundaries, and zone lookup;
* :mod:`truce.compliance.evaluate` — the rulings (``breach``,
  ``possible_breach``, ``no_breach``) per term and site list, with explanations
  as data;
* :mod:`truce.compliance.engine` — runs it over a mission's log, incrementally
  or in full, and stores the assessments.

Example::

    from truce.mission import Mission
    with Mission.open("truce-demo") as m:
        m.compliance_run()
        m.assessments(term_id="moratorium.energy", status="breach")
"""

from __future__ import annotations

__all__: list[str] = []
