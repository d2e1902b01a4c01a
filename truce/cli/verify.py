"""``truce verify``: a party checks the published log and record proofs, no database needed."""

from __future__ import annotations

import base64
from pathlib import Path

import click
from rich.markup import escape

from truce.cli._app import cli, console, emit_json
from truce.errors import ValidationError
from truce.published import (
    audit_log,
    check_log,
    check_record,
    check_reveal,
    read_vkey,
    rebuild_report,
)

__all__ = ["print_audit", "read_file", "verify"]

_SHOWN = 20  # problems printed by an audit; the count says how many more


def read_file(path: str, field: str) -> bytes:
    """The bytes of ``path``; ValidationError naming ``field`` if it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {path!r}: {exc.strerror or exc}", field=field) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cli.group(invoke_without_command=True)
@click.option("--log", "location", metavar="URL_OR_DIR", help="The published log.")
@click.option("--vkey", metavar="VKEY", help="The log's verifier key, or a file holding it.")
@click.option(
    "--since",
    metavar="FILE",
    help="A checkpoint seen before: prove the log only grew since.",
)
@click.option("--save", metavar="FILE", help="Write the verified checkpoint to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def verify(
    ctx: click.Context,
    location: str | None,
    vkey: str | None,
    since: str | None,
    save: str | None,
    as_json: bool,
) -> None:
    """Check the published log: its checkpoint is signed by the mission's log key,
    its tiles reproduce the signed root, and it extends the checkpoint you saw last.

    A rollback or a fork ends with the evidence of a split view (both checkpoints
    and the proof) and exit code 8. Needs only the published files and the vkey.

    Example: truce verify --log public/log --vkey public/vkey --since seen --save seen
    """
    if ctx.invoked_subcommand is not None:
        return
    if location is None or vkey is None:
        missing = "--log" if location is None else "--vkey"
        raise ValidationError(f"{missing} is required", field=missing.lstrip("-"))
    key = read_vkey(vkey)
    previous = None if since is None else read_file(since, "since")
    status = check_log(location, key, since=previous)
    cp = status.checkpoint
    if save is not None:
        Path(save).write_bytes(cp.note)
    if as_json:
        emit_json(
            {
                "log": location,
                "origin": cp.origin,
                "size": cp.size,
                "root": _b64(cp.root_hash),
                "checkpoint": cp.note.decode("utf-8"),
                "since_size": None if status.previous is None else status.previous.size,
                "ok": True,
            }
        )
        return
    console.print(f"checkpoint: {cp.origin}, size {cp.size:,}, root {_b64(cp.root_hash)}")
    console.print("  signed by the log key; the published tiles reproduce its root")
    if status.previous is not None:
        grown = cp.size - status.previous.size
        console.print(
            f"  extends the checkpoint in {since} (size {status.previous.size:,}): "
            f"{grown:,} entries appended, none changed"
        )
    if save is not None:
        console.print(f"  saved to {save}")


@verify.command("record")
@click.argument("file", metavar="FILE")
@click.option("--vkey", required=True, metavar="VKEY", help="The log's verifier key or its file.")
@click.option("--log", "location", metavar="URL_OR_DIR", help="Also check the published log.")
def verify_record(file: str, vkey: str, location: str | None) -> None:
    """Check a record proof file (from `truce log prove`): the record's entry is in
    the signed checkpoint; with --log, that checkpoint is part of the published log.

    Example: truce verify record proof.json --vkey public/vkey --log public/log
    """
    check = check_record(read_file(file, "file"), read_vkey(vkey), location=location)
    cp = check.checkpoint
    console.print(
        f"record {check.record_id} is entry {check.index:,} of {cp.origin} "
        f"at size {cp.size:,} (root {_b64(cp.root_hash)})"
    )
    if check.latest is not None:
        console.print(
            f"  the published log (size {check.latest.size:,}) extends that checkpoint "
            "and holds the same entry"
        )


@verify.command("reveal")
@click.argument("file", metavar="FILE")
@click.option("--vkey", required=True, metavar="VKEY", help="The log's verifier key or its file.")
@click.option("--log", "location", metavar="URL_OR_DIR", help="Also check the published log.")
def verify_reveal(file: str, vkey: str, location: str | None) -> None:
    """Check a reveal file (from `truce reveal`): the record is in the signed log,
    and the value and salt open the commitment that record signed for the field.

    Example: truce verify reveal reveal.json --vkey public/vkey --log public/log
    """
    check, found = check_reveal(read_file(file, "file"), read_vkey(vkey), location=location)
    cp = check.checkpoint
    console.print(
        f"record {check.record_id} is entry {check.index:,} of {cp.origin} at size {cp.size:,}"
    )
    console.print(
        escape(
            f"  its sealed {found.reveal.path} is {found.reveal.value!r}: the value and salt "
            f"open the commitment {found.commitment[:16]}… it signed"
        )
    )
    if check.latest is not None:
        console.print(f"  the published log (size {check.latest.size:,}) holds the same entry")


@verify.command("report")
@click.argument("file", metavar="FILE")
@click.option("--log", "location", required=True, metavar="URL_OR_DIR", help="The published log.")
@click.option("--vkey", required=True, metavar="VKEY", help="The log's verifier key or its file.")
def verify_report(file: str, location: str, vkey: str) -> None:
    """Rebuild a report (JSON, Markdown or HTML) from the published log and compare
    it byte for byte: the same checkpoint, period and kind must give the same file.

    Example: truce verify report day.html --log public/log --vkey public/vkey
    """
    text = read_file(file, "file").decode("utf-8")
    found = rebuild_report(text, location, read_vkey(vkey))
    console.print(
        f"{file}: rebuilt from {location} at size {found.size:,} (root {found.root}): "
        f"identical, sha256 {found.sha256}"
    )


def print_audit(location: str, vkey: str, since: bytes | None) -> None:
    """Run the full audit and print its outcome; VerificationError on any fault."""
    result = audit_log(location, vkey, since=since)
    report = result.report
    for problem in result.problems()[:_SHOWN]:
        console.print(f"[red]problem[/] {escape(str(problem))}")
    if report.problem_count > _SHOWN:
        console.print(f"[red]... and {report.problem_count - _SHOWN:,} more problems[/]")
    rate = f"{report.entries_per_second:,.0f} entries/s"
    console.print(
        f"audited {report.entries:,} of {report.size:,} entries in {report.seconds:.2f} s "
        f"({rate}): {report.bundles:,} entry bundles, {report.tiles:,} tiles"
    )
    if result.kinds:
        kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(result.kinds.items()))
        console.print(f"  entries: {kinds}; {result.keys} keys replayed; {result.blobs} blobs")
    result.raise_for_problems()
    console.print("  every entry, signature, blob, tile and the signed root verify")
