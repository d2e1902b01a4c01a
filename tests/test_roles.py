"""The role table: every role x record type, from the one table in truce.roles."""

from __future__ import annotations

import pytest

from truce.errors import AuthError
from truce.keys import ROLES
from truce.records import RECORD_TYPES
from truce.roles import MAY_SUBMIT, check_may_submit

EXPECTED_ALLOWED = {
    ("admin", "key"),
    ("admin", "agreement"),
    ("monitor", "observation"),
    ("monitor", "coverage"),
    ("monitor", "evidence"),
    ("monitor", "correction"),
    ("intake", "observation"),
    ("intake", "coverage"),
    ("intake", "evidence"),
    ("analyst", "finding"),
    ("analyst", "correction"),
    ("analyst", "evidence"),
    ("approver", "finding"),
    ("approver", "correction"),
    ("party", "allegation"),
    ("party", "correspondence"),
    ("party", "evidence"),
    ("party", "correction"),
}


def test_table_covers_every_role_and_known_types() -> None:
    assert set(MAY_SUBMIT) == set(ROLES)
    for kinds in MAY_SUBMIT.values():
        assert kinds <= set(RECORD_TYPES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", sorted(RECORD_TYPES))
def test_matrix(role: str, kind: str) -> None:
    if (role, kind) in EXPECTED_ALLOWED:
        check_may_submit(role, kind, keyid="0" * 32)
    else:
        with pytest.raises(AuthError) as exc:
            check_may_submit(role, kind, keyid="0" * 32)
        assert exc.value.keyid == "0" * 32


def test_no_role_both_files_allegations_and_rules_on_them() -> None:
    # Separation of duties: whoever files claims never drafts findings, and monitors do neither.
    for role, kinds in MAY_SUBMIT.items():
        assert not {"allegation", "finding"} <= kinds, role
    assert "allegation" not in MAY_SUBMIT["monitor"]
    assert "finding" not in MAY_SUBMIT["monitor"]
