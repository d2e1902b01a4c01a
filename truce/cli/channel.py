"""``truce correspond``, ``truce release``, ``truce access``: the parties' channel and parity.

Reads made with a party's key (``--key``) are that party's reads: they open
bodies sealed to it and are logged where the other party sees them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from truce.cli._app import State, cli, console, emit_json, emit_json_lines, open_mission, pass_state
from truce.keys import Signer, load_signer
from truce.mission import Mission
from truce.records import CONTENT_RULES
from truce.workflow.visibility import Reader

__all__ = ["access", "correspond", "release"]

_MISSION = Reader("analyst")
_KEY = click.option("--key", "key", required=True, help="Private key file, or env:VARIABLE.")


def _as(m: Mission, signer: Signer | None) -> Reader:
    """The reader a key stands for (the mission's own console without one)."""
    if signer is None:
        return _MISSION
    state = m.key(signer.keyid)
    return Reader(state.role, state.party, state.keyid)


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


@cli.group()
def correspond() -> None:
    """Correspondence between the parties through the mission: threads, receipts, deadlines.

    Example: truce correspond threads
    """


@correspond.command("send")
@click.option("--from", "from_party", required=True, help="The writing party (the key's).")
@click.option("--to", "to_party", required=True, help="The other party.")
@click.option("--subject", required=True)
@click.option("--body", help="The text (or --body-file).")
@click.option("--body-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--thread", help="Write in this thread (its first message's id).")
@click.option("--in-reply-to", help="The message answered (in the same thread).")
@click.option(
    "--content",
    type=click.Choice(CONTENT_RULES),
    help="Who may read a new thread's content: public, mission (sealed to both parties "
    "and the mission) or parties (sealed to the parties only).",
)
@click.option("--reply-by", type=click.DateTime(), help="Deadline for the answer (UTC).")
@click.option("--language", help="Language tag, e.g. en, uk, ru.")
@_KEY
@pass_state
def correspond_send(
    state: State,
    from_party: str,
    to_party: str,
    subject: str,
    body: str | None,
    body_file: Path | None,
    thread: str | None,
    in_reply_to: str | None,
    content: str | None,
    reply_by: datetime | None,
    language: str | None,
    key: str,
) -> None:
    """Open a thread (give --content) or write in one (give --thread).

    Example: truce correspond send --from A --to B --subject Hi --body Hi --content parties --key k
    """
    if (body is None) == (body_file is None):
        raise click.UsageError("give --body or --body-file")
    text = body if body is not None else Path(body_file or "").read_text(encoding="utf-8")
    with open_mission(state) as m:
        r = m.correspond(
            load_signer(key),
            from_party,
            to_party,
            subject,
            text,
            thread=thread,
            in_reply_to=in_reply_to,
            content=content,
            reply_by=_utc(reply_by),
            language=language,
        )
    console.print(f"stored correspondence #{r.seq} {r.record_id}")


@correspond.command("ack")
@click.argument("message")
@click.option("--party", required=True, help="The addressee (the key's party).")
@_KEY
@pass_state
def correspond_ack(state: State, message: str, party: str, key: str) -> None:
    """Acknowledge receipt of a message (the addressee only, once).

    Example: truce correspond ack 3f2a9c --party B --key keys/party-b-office.key
    """
    with open_mission(state) as m:
        r = m.acknowledge(message, load_signer(key), party=party)
    console.print(f"stored acknowledgement #{r.seq} {r.record_id}")


@correspond.command("threads")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def correspond_threads(state: State, as_json: bool) -> None:
    """Every thread's metadata: parties, content rule, messages, receipts, deadlines.

    Example: truce correspond threads --json
    """
    with open_mission(state) as m:
        rows = m.threads(reader=_MISSION)
    if as_json:
        emit_json_lines(rows)
        return
    table = Table("thread", "parties", "content", "subject", "messages", "unacked", "awaiting")
    for t in rows:
        waiting = ", ".join(
            f"{w['from']} by {w['reply_by']}" + (" (overdue)" if w["overdue"] else "")
            for w in t["awaiting_reply"]
        )
        table.add_row(
            t["thread"][:12],
            " ↔ ".join(t["parties"]),
            t["content"],
            escape(t["subject"]),
            str(t["messages"]),
            str(t["unacknowledged"]),
            waiting or "—",
        )
    console.print(table)


@correspond.command("show")
@click.argument("thread")
@click.option("--key", help="A party's key: read as that party, opening bodies sealed to it.")
@click.option("--json", "as_json", is_flag=True, help="The thread as JSON.")
@pass_state
def correspond_show(state: State, thread: str, key: str | None, as_json: bool) -> None:
    """A thread's messages; sealed bodies open only with a key they were sealed to.

    Example: truce correspond show 3f2a9c --key keys/party-a-office.key
    """
    signer = load_signer(key) if key else None
    with open_mission(state) as m:
        found = m.thread(thread, _as(m, signer), signer=signer)
    if as_json:
        emit_json(found)
        return
    console.print(
        escape(f"{found['subject']} — {' ↔ '.join(found['parties'])}, content {found['content']}")
    )
    for msg in found["items"]:
        ack = f", acknowledged {msg['acknowledged_at']}" if msg["acknowledged_at"] else ""
        due = f", reply by {msg['reply_by']}" if msg["reply_by"] else ""
        late = " (overdue)" if msg["overdue"] else ""
        console.print(escape(f"  {msg['sent_at']} {msg['from']} → {msg['to']}{ack}{due}{late}"))
        body = msg["body"] if msg["body"] is not None else "[sealed: not for this reader]"
        console.print(f"    {escape(body)}")


@cli.group()
def release() -> None:
    """Release a report to the parties at one instant; list releases.

    Example: truce release list
    """


@release.command("report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True)
@click.option("--at", "at", type=click.DateTime(), required=True, help="Release instant (UTC).")
@click.option("--party", "parties", multiple=True, required=True, help="Recipient (repeat).")
@click.option("--media-type", default="text/html", show_default=True)
@_KEY
@pass_state
def release_report(
    state: State,
    file: Path,
    title: str,
    at: datetime,
    parties: tuple[str, ...],
    media_type: str,
    key: str,
) -> None:
    """Release FILE to every --party at the instant --at (an approver's key).

    Example: truce release report r.md --title Day --at 2025-04-17T17:30 --party A --party B --key k
    """
    with open_mission(state) as m:
        r = m.release_report(
            file.read_bytes(),
            title,
            load_signer(key),
            release_at=at.replace(tzinfo=UTC),
            parties=parties,
            media_type=media_type,
        )
    console.print(f"stored release #{r.seq} {r.record_id}")


@release.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def release_list(state: State, as_json: bool) -> None:
    """Every release: report, recipients, the one release instant, whether it is out.

    Example: truce release list --json
    """
    with open_mission(state) as m:
        rows = m.releases(reader=_MISSION)
    if as_json:
        emit_json_lines(rows)
        return
    for r in rows:
        out = "released" if r["released"] else "not yet released"
        console.print(
            escape(
                f"{r['report'][:12]} {r['title']!r} to {', '.join(r['parties'])} "
                f"at {r['release_at']} ({out})"
            )
        )


@cli.command("access")
@click.option("--party", help="Only this party's reads.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def access(state: State, party: str | None, as_json: bool) -> None:
    """The log of the parties' reads: who read what, when (each party sees the other's).

    Example: truce access --party A
    """
    with open_mission(state) as m:
        rows = m.accesses(reader=_MISSION, party=party)
    if as_json:
        emit_json_lines(rows)
        return
    for r in rows:
        items = ", ".join(i[:12] for i in r["items"][:5])
        more = f" (+{len(r['items']) - 5})" if len(r["items"]) > 5 else ""
        console.print(f"#{r['seq']} {r['at']} party {r['party']} {r['action']}: {items}{more}")
