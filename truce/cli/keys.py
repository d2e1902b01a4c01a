"""``truce keys``: create, enrol, list, rotate and revoke signing keys."""

from __future__ import annotations

import base64
import binascii

import click
from rich.table import Table

from truce.cli._app import State, cli, console, emit_json, open_mission, pass_state
from truce.errors import ValidationError
from truce.keys import ROLES

__all__ = ["keys"]


@cli.group()
def keys() -> None:
    """Manage the mission's signing keys (every change is a logged record).

    Example: truce keys new monitor-07 --role monitor
    """


@keys.command("new")
@click.argument("principal")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the key may sign.")
@click.option("--party", help="Party id, for --role party (e.g. A).")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Key file (default keys/PRINCIPAL.key)."
)
@pass_state
def keys_new(state: State, principal: str, role: str, party: str | None, out: str | None) -> None:
    """Generate a key pair, save the private key (mode 0600) and enrol it.

    Example: truce keys new party-a-legal --role party --party A
    """
    with open_mission(state) as m:
        signer, path, receipt = m.new_key(principal, role=role, party=party, out=out)
    console.print(f"enrolled {signer.keyid} ({role}) as #{receipt.seq}; private key: {path}")


@keys.command("enrol")
@click.argument("principal")
@click.option("--public-key", required=True, help="Base64 of the 32-byte Ed25519 public key.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--party", help="Party id, for --role party.")
@pass_state
def keys_enrol(state: State, principal: str, public_key: str, role: str, party: str | None) -> None:
    """Enrol a public key made on the holder's own device.

    Example: truce keys enrol monitor-12 --role monitor --public-key 3q2+7w...=
    """
    try:
        raw = base64.b64decode(public_key, validate=True)
    except binascii.Error as exc:
        raise ValidationError(f"not base64: {exc}", field="--public-key") from None
    if len(raw) != 32:
        raise ValidationError(
            f"an Ed25519 public key is 32 bytes, this is {len(raw)}", field="--public-key"
        )
    with open_mission(state) as m:
        receipt = m.enrol_key(raw, principal=principal, role=role, party=party)
    console.print(f"enrolled {principal} ({role}) as #{receipt.seq}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def keys_list(state: State, as_json: bool) -> None:
    """List enrolled keys with role, holder and status.

    Example: truce keys list --json
    """
    with open_mission(state) as m:
        rows = m.keys()
    if as_json:
        emit_json(
            [
                {
                    "keyid": k.keyid,
                    "principal": k.principal,
                    "role": k.role,
                    "party": k.party,
                    "status": k.status,
                    "public_key": base64.b64encode(k.public_key).decode(),
                    "enrolled_seq": k.enrolled_seq,
                    "changed_seq": k.changed_seq,
                }
                for k in rows
            ]
        )
        return
    table = Table("keyid", "principal", "role", "party", "status", "enrolled")
    for k in rows:
        table.add_row(k.keyid, k.principal, k.role, k.party or "", k.status, f"#{k.enrolled_seq}")
    console.print(table)


@keys.command("revoke")
@click.argument("keyid")
@click.option("--reason", required=True, help="Why (kept in the log).")
@pass_state
def keys_revoke(state: State, keyid: str, reason: str) -> None:
    """Revoke a key: records it signed stay valid, new ones are refused.

    Example: truce keys revoke 3f1c0d... --reason "device lost on patrol"
    """
    with open_mission(state) as m:
        receipt = m.revoke_key(keyid, reason=reason)
    console.print(f"revoked {keyid} as #{receipt.seq}")


@keys.command("rotate")
@click.argument("keyid")
@click.option("--out", type=click.Path(dir_okay=False), help="File for the new private key.")
@pass_state
def keys_rotate(state: State, keyid: str, out: str | None) -> None:
    """Replace a key by a new one with the same role and holder.

    Example: truce keys rotate 3f1c0d...
    """
    with open_mission(state) as m:
        signer, path, receipt = m.rotate_key(keyid, out=out)
    console.print(f"rotated {keyid} -> {signer.keyid} as #{receipt.seq}; private key: {path}")
