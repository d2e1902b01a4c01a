"""``truce allegation``, ``finding``, ``correct``, ``coverage``, ``history``: the casework.

The command line is the mission's own console (it opens the mission's
database), so it reads as the mission does; each write is signed with --key
and checked by intake like any other record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
from rich.markup import escape
from rich.table import Table

from truce.cli._app import (
    State,
    cli,
    console,
    emit_json,
    emit_json_lines,
    open_mission,
    pass_state,
    read_json_object,
)
from truce.keys import load_signer
from truce.records import OUTCOME_REASONS, SEALABLE_PATHS, STEP_STATES, TASK_KINDS
from truce.workflow.coverage import CoverageSettings
from truce.workflow.findings import DEFAULT_REPLY_WINDOW_DAYS
from truce.workflow.visibility import Reader

__all__ = ["allegation", "correct", "coverage", "finding", "history", "reveal"]

_MISSION = Reader("analyst")
CERTAINTIES = ("confirmed", "probable", "possible")
FINDING_OUTCOMES = ("breach", "no_breach", "undetermined")
_KEY = click.option("--key", "key", required=True, help="Private key file, or env:VARIABLE.")


@cli.group()
def allegation() -> None:
    """Follow allegations: received → acknowledged → under_verification → outcome.

    Example: truce allegation list --state received
    """


@allegation.command("list")
@click.option("--state", "wanted", type=click.Choice(["received", *STEP_STATES]))
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def allegation_list(state: State, wanted: str | None, as_json: bool) -> None:
    """The queue: every allegation with its parties and where it stands.

    Example: truce allegation list --state under_verification
    """
    with open_mission(state) as m:
        rows = [r for r in m.allegation_states(reader=_MISSION) if wanted in (None, r["state"])]
    if as_json:
        emit_json_lines(rows)
        return
    table = Table("allegation", "party", "against", "category", "state")
    for row in rows:
        mark = " \\[synthetic]" if row["synthetic"] else ""
        table.add_row(
            row["record_id"][:12],
            row["party"],
            row["against"],
            row["category"],
            f"{row['state']}{mark}",
        )
    console.print(table)


@allegation.command("step")
@click.argument("ref")
@click.argument("to", type=click.Choice(STEP_STATES))
@click.option("--reason", type=click.Choice(OUTCOME_REASONS), help="Why (negative outcomes).")
@click.option("--finding", "finding_ref", help="The approved finding (confirmed).")
@click.option("--comment", help="A comment kept with the step.")
@_KEY
@pass_state
def allegation_step(
    state: State,
    ref: str,
    to: str,
    reason: str | None,
    finding_ref: str | None,
    comment: str | None,
    key: str,
) -> None:
    """Move an allegation to its next state (illegal steps are refused).

    Example: truce allegation step 3f2a9c acknowledged --key keys/analyst-01.key
    """
    with open_mission(state) as m:
        r = m.step_allegation(
            ref, to, load_signer(key), reason=reason, finding=finding_ref, comment=comment
        )
    console.print(f"stored allegation_step #{r.seq} {r.record_id}")


@allegation.command("task")
@click.argument("ref")
@click.argument("task", type=click.Choice(TASK_KINDS))
@click.argument("detail")
@click.option("--due", type=click.DateTime(), help="Deadline (UTC), for an evidence request.")
@_KEY
@pass_state
def allegation_task(state: State, ref: str, task: str, detail: str, due: object, key: str) -> None:
    """Record a verification task for an allegation under verification.

    Example: truce allegation task 3f2a9c camera_review "Review camera C-12" --key k.key
    """
    when = due.replace(tzinfo=UTC) if isinstance(due, datetime) else None
    with open_mission(state) as m:
        r = m.add_task(ref, task, detail, load_signer(key), due=when)
    console.print(f"stored verification_task #{r.seq} {r.record_id}")


@allegation.command("candidates")
@click.argument("ref")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def allegation_candidates(state: State, ref: str, limit: int, as_json: bool) -> None:
    """Observations that may match an allegation, ranked by place, time, type and
    the compliance engine's rulings, each with the reasons.

    Example: truce allegation candidates 3f2a9c --limit 5
    """
    with open_mission(state) as m:
        rows = m.link_candidates(ref, reader=_MISSION, limit=limit)
    if as_json:
        emit_json_lines(rows)
        return
    if not rows:
        console.print("no candidate observations within the distance and time limits")
    for row in rows:
        mark = " [green](linked)[/]" if row["linked"] else ""
        console.print(f"[bold]{row['observation'][:12]}[/] score {row['score']:.3f}{mark}")
        for reason in row["reasons"]:
            console.print(f"    {escape(reason)}")


@allegation.command("link")
@click.argument("ref")
@click.argument("observation")
@click.option("--reason", required=True, help="Why the observation bears on the allegation.")
@click.option("--score", type=click.FloatRange(0, 1), help="The candidate's score, if ranked.")
@_KEY
@pass_state
def allegation_link(
    state: State, ref: str, observation: str, reason: str, score: float | None, key: str
) -> None:
    """Confirm a link between an allegation and an observation (an analyst's call).

    Example: truce allegation link 3f2a9c 9be01d --reason "same impact, 1.2 km" --key k.key
    """
    with open_mission(state) as m:
        r = m.link(ref, observation, load_signer(key), reason=reason, score=score)
    console.print(f"stored link #{r.seq} {r.record_id}")


@cli.command("correct")
@click.argument("ref")
@click.option("--reason", required=True, help="Why the record is corrected.")
@click.option(
    "--replacement",
    type=click.File("r", encoding="utf-8"),
    help="JSON file: the corrected record (same type). Without it the record is withdrawn.",
)
@_KEY
@pass_state
def correct(state: State, ref: str, reason: str, replacement: IO[str] | None, key: str) -> None:
    """Supersede a record with a correction; the original stays in the log and its history.

    Example: truce correct 3f2a9c --reason "recounted" --replacement fixed.json --key k.key
    """
    body = read_json_object(replacement, "--replacement") if replacement else None
    with open_mission(state) as m:
        receipts = m.correct(ref, load_signer(key), reason=reason, replacement=body)
    for r in receipts:
        console.print(f"stored {r.kind} #{r.seq} {r.record_id}")


@cli.command("reveal")
@click.argument("ref")
@click.argument("path", type=click.Choice(SEALABLE_PATHS))
@click.option("--to", "to", required=True, help="Who receives the value (logged).")
@click.option("--reason", required=True, help="Why (logged).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the reveal file here.")
@_KEY
@pass_state
def reveal(
    state: State, ref: str, path: str, to: str, reason: str, out: str | None, key: str
) -> None:
    """Disclose a sealed field: logs who receives it and why (an admin key), then
    writes a reveal file that `truce verify reveal` checks against the log.

    Example: truce reveal 3f2a9c observed_by.monitor --to "Inquiry" --reason "..." --key k
    """
    with open_mission(state) as m:
        doc = m.disclose(ref, path, load_signer(key), to=to, reason=reason)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8")
    console.print(f"logged disclosure {doc['disclosure']}; reveal file {escape(out)}")


@cli.group()
def coverage() -> None:
    """Where and when the mission could see, and the access restrictions it met.

    Example: truce coverage summary --days 7
    """


@coverage.command("summary")
@click.option("--days", type=click.IntRange(1, 3660), help="Only the last N days with records.")
@click.option("--sight-m", type=float, default=5000.0, show_default=True, help="Patrol sight.")
@click.option(
    "--band-m", type=float, default=15000.0, show_default=True, help="Contact-area half-width."
)
@click.option("--json", "as_json", is_flag=True, help="The summary as JSON.")
@pass_state
def coverage_summary(
    state: State, days: int | None, sight_m: float, band_m: float, as_json: bool
) -> None:
    """Per local day: share of the contact area and of the protected sites seen,
    camera hours, patrols, and restrictions (denied / conditional / delayed).

    Example: truce coverage summary --days 3 --json
    """
    settings = CoverageSettings(patrol_sight_m=sight_m, contact_band_m=band_m)
    with open_mission(state) as m:
        found = m.coverage(reader=_MISSION, settings=settings)
    out = found.to_dict()
    if days is not None:
        out["days"] = out["days"][-days:]
    if as_json:
        emit_json(out)
        return
    console.print(
        f"contact area {out['contact_km2']:,.0f} km² (±{band_m / 1000:g} km of the line), "
        f"{out['sites_total']} protected sites"
    )
    table = Table("day", "area seen", "sites seen", "cameras", "patrols", "restrictions")
    for d in out["days"]:
        r = d["restrictions"]
        kinds = ", ".join(f"{n} {k}" for k, n in r["by_kind"].items() if n)
        sites = "—" if d["site_share"] is None else f"{d['site_share']:.0%}"
        table.add_row(
            d["date"],
            f"{d['area_share']:.0%}",
            f"{sites} ({d['sites_seen']}/{d['sites_total']})",
            f"{d['cameras']} ({d['camera_hours']:.0f} h)",
            f"{d['patrols']} ({d['patrol_km']:.0f} km)",
            kinds or "none",
        )
    console.print(table)


@cli.group()
def finding() -> None:
    """Draft, approve (four eyes) and reply to findings.

    Example: truce finding notifications --party A
    """


@finding.command("draft")
@click.option("--allegation", "allegations", multiple=True, help="Cited allegation (repeat).")
@click.option("--observation", "observations", multiple=True, help="Cited observation (repeat).")
@click.option("--term", required=True, help="TERM@VERSION, e.g. moratorium.energy@1.")
@click.option(
    "--certainty", type=click.Choice(["confirmed", "probable", "possible"]), required=True
)
@click.option(
    "--outcome", type=click.Choice(["breach", "no_breach", "undetermined"]), required=True
)
@click.option("--summary", required=True, help="What the mission found.")
@click.option("--attributed-to", help="Party the act is attributed to (needs --basis).")
@click.option("--basis", help="How the evidentiary standard is met.")
@click.option("--not-attributed", help="Why the act is not attributed.")
@_KEY
@pass_state
def finding_draft(
    state: State,
    allegations: tuple[str, ...],
    observations: tuple[str, ...],
    term: str,
    certainty: str,
    outcome: str,
    summary: str,
    attributed_to: str | None,
    basis: str | None,
    not_attributed: str | None,
    key: str,
) -> None:
    """Draft a finding; another person must approve it before it counts.

    Example: truce finding draft --allegation 3f2a9c --term moratorium.energy@1
    --certainty probable --outcome breach --summary "..." --not-attributed "..." --key k.key
    """
    term_id, _, version = term.partition("@")
    if not version.isdigit():
        raise click.BadParameter("give TERM@VERSION, e.g. moratorium.energy@1", param_hint="--term")
    with open_mission(state) as m:
        r = m.draft_finding(
            load_signer(key),
            term=(term_id, int(version)),
            certainty=certainty,
            outcome=outcome,
            summary=summary,
            allegations=allegations,
            observations=observations,
            attributed_to=attributed_to,
            basis=basis,
            not_attributed=not_attributed,
        )
    console.print(f"stored finding #{r.seq} {r.record_id}")
    console.print("a draft until another person approves it")


@finding.command("approve")
@click.argument("ref")
@click.option(
    "--reply-days",
    type=click.IntRange(1, 90),
    help=f"Days both parties have to reply (default {DEFAULT_REPLY_WINDOW_DAYS}).",
)
@_KEY
@pass_state
def finding_approve(state: State, ref: str, reply_days: int | None, key: str) -> None:
    """Approve a drafted finding: both parties are notified now, with one reply deadline.

    Example: truce finding approve 7be01d --reply-days 7 --key keys/approver-01.key
    """
    with open_mission(state) as m:
        r = m.decide_finding(ref, load_signer(key), reply_window_days=reply_days)
        found = m.history(ref).finding
    reply_by = found.to_dict()["reply_by"] if found else None
    console.print(f"stored approval #{r.seq} {r.record_id}")
    console.print(f"both parties notified; replies until {reply_by}")


@finding.command("return")
@click.argument("ref")
@click.argument("reason")
@_KEY
@pass_state
def finding_return(state: State, ref: str, reason: str, key: str) -> None:
    """Return a drafted finding to its drafter, saying why.

    Example: truce finding return 7be01d "Cite the camera footage" --key k.key
    """
    with open_mission(state) as m:
        r = m.decide_finding(ref, load_signer(key), returned=reason)
    console.print(f"stored approval #{r.seq} {r.record_id}")
    console.print("returned to the drafter")


@finding.command("reply")
@click.argument("ref")
@click.argument("text")
@click.option("--party", required=True, help="The replying party (the key's party).")
@_KEY
@pass_state
def finding_reply(state: State, ref: str, text: str, party: str, key: str) -> None:
    """A party's reply to an approved finding, before the deadline.

    Example: truce finding reply 7be01d "We deny the strike." --party B --key keys/party-b.key
    """
    with open_mission(state) as m:
        r = m.reply_to_finding(ref, load_signer(key), text, party=party)
    console.print(f"stored reply #{r.seq} {r.record_id}")


@finding.command("notifications")
@click.option("--party", required=True, help="The party notified.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@pass_state
def finding_notifications(state: State, party: str, as_json: bool) -> None:
    """Approved findings as a party is notified of them (the same instants for both).

    Example: truce finding notifications --party A
    """
    with open_mission(state) as m:
        rows = m.notifications(party, reader=_MISSION)
    if as_json:
        emit_json_lines(rows)
        return
    table = Table("finding", "notified at", "reply by", "replied")
    for row in rows:
        table.add_row(row["finding"][:12], row["notified_at"], row["reply_by"], str(row["replied"]))
    console.print(table)


@cli.command("history")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="The history as JSON.")
@pass_state
def history(state: State, ref: str, as_json: bool) -> None:
    """A record's full history: corrections, steps, tasks, findings, approvals, replies.

    Example: truce history 3f2a9c
    """
    with open_mission(state) as m:
        found = m.history(ref)
    if as_json:
        emit_json(found.to_dict())
        return
    head = f"{found.kind} {found.record_id}"
    if found.state:
        head += f" — {found.state}"
    if found.finding:
        f = found.finding.to_dict()
        head += f" — {f['status']}" + (f", replies until {f['reply_by']}" if f["reply_by"] else "")
    if found.corrected_by:
        head += " — corrected"
    console.print(escape(head))
    for e in found.events:
        mark = " (withdrawn)" if e.withdrawn else ""
        console.print(
            escape(f"  #{e.seq} {e.relation:<16} {e.signed_at} {e.signer}: {e.summary}{mark}")
        )
