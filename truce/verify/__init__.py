"""The verifier: check the mission's published log without trusting the mission.

Pure except for its fetchers, it depends only on :mod:`truce.ledger` and the
standard library, so a party can vendor ``truce/ledger`` and ``truce/verify``
alone (``tests/verify/test_isolation.py`` checks it).

* :mod:`truce.verify.fetch` — read a published C2SP ``tlog-tiles`` log from a
  directory or over HTTP(S);
* :mod:`truce.verify.log` — :class:`LogClient`: verify checkpoints, entries,
  inclusion and consistency (rollback or fork → :class:`InconsistentLogError`
  with both signed checkpoints and the proof);
* :mod:`truce.verify.audit` — :func:`fsck`: re-derive every tile and the root
  from the entry bundles and name every fault;
* :mod:`truce.verify.entries` — :class:`EntryAuditor`: check every entry's
  signed envelope against the key registry replayed from the log itself
  (pass it to ``fsck`` as ``entry_check``).

Example::

    from truce.verify import LogClient, directory_fetcher, fsck
    fetch = directory_fetcher("public/log")
    client = LogClient(fetch, "mission.example/log", [vkey], known=last_seen_note)
    cp = client.checkpoint()
    client.prove_inclusion(entry, 41, cp)
    fsck(fetch, "mission.example/log", [vkey]).raise_for_problems()
"""

from __future__ import annotations

from truce.verify._errors import FetchError, InconsistentLogError, MissingFile, VerificationFailed
from truce.verify.audit import EntryCheck, FsckReport, Problem, fsck
from truce.verify.entries import EntryAuditor
from truce.verify.fetch import DEFAULT_MAX_BYTES, Fetcher, directory_fetcher, http_fetcher
from truce.verify.log import LogClient, SignedCheckpoint, load_verifiers

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EntryAuditor",
    "EntryCheck",
    "FetchError",
    "Fetcher",
    "FsckReport",
    "InconsistentLogError",
    "LogClient",
    "MissingFile",
    "Problem",
    "SignedCheckpoint",
    "VerificationFailed",
    "directory_fetcher",
    "fsck",
    "http_fetcher",
    "load_verifiers",
]
