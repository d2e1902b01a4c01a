"""Mission and record commands: init, record, sign, submit, list, show, export, status."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml
from rich.markup import escape as esc
from rich.table import Table

from truce.cli._app import (
    State,
    cli,
    console,
    emit_json,
    emit_json_lines,
    open_mission,
    pass_state,
)
from truce.envelopes import Envelope
from truce.errors import ValidationError
from truce.keys import Signer, load_signer
from truce.mission import Mission
from truce.records import RECORD_TYPES
from truce.records.commitments import Reveal

__all__ = ["RECORD_KINDS"]

#: Record types a person files from the command line (keys and agreements have their own groups).
RECORD_KINDS = tuple(kind for kind in RECORD_TYPES if kind not in ("key", "agreement"))


def _read_documents(file: str) -> list[dict[str, Any]]:
    """One record or a list of records from a JSON or YAML file ('-' = stdin)."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(f"cannot read {file}: {reason}", field="--file") from None
    try:
        doc = yaml.safe_load(text) if file.endswith((".yaml", ".yml")) else json.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ValidationError(f"cannot parse: {exc}", source=file) from None
    docs = doc if isinstance(doc, list) else [doc]
    for i, d in enumerate(docs):
        if not isinstance(d, dict):
            raise ValidationError("a record must be a mapping", field=f"[{i}]", source=file)
    return docs


def _sign(
    m: Mission, kind: str | None, doc: dict[str, Any], signer: Signer, i: int, n: int, file: str
) -> tuple[Envelope, list[Reveal]]:
    """Sign one record of a file, sealing the fields it lists under ``sealed``;
    an error names the record (``[i]``) and the file."""
    try:
        return m.seal_and_sign(m.new_record(kind, doc) if kind else doc, signer)
    except ValidationError as exc:
        raise exc.prefixed(f"[{i}].payload" if n > 1 else "payload", source=file) from None


def _signed_line(envelope: Envelope, reveals: list[Reveal]) -> str:
    """One line of `truce sign` output: the envelope, or — when the record seals
    fields — ``{"envelope": ..., "reveals": [...]}`` so the values reach the mission."""
    if not reveals:
        return envelope.to_json().decode("ascii")
    wrapped = {
        "envelope": json.loads(envelope.to_json()),
        "reveals": [r.to_dict() for r in reveals],
    }
    return json.dumps(wrapped, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _read_signed(text: str) -> tuple[list[bytes], dict[str, list[Reveal]]]:
    """Envelopes (and the reveals of sealed records) from `truce sign` output lines."""
    raws: list[bytes] = []
    reveals: dict[str, list[Reveal]] = {}
    lines = [line for line in text.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and "envelope" in obj:
            raw = json.dumps(obj["envelope"]).encode("utf-8")
            items = obj.get("reveals")
            if not isinstance(items, list):
                raise ValidationError("must be a list", field=f"[{n}].reveals")
            rid = Envelope.from_json(raw).record_id
            reveals[rid] = [
                Reveal.from_dict(x, field=f"[{n}].reveals[{j}]") for j, x in enumerate(items)
            ]
            raws.append(raw)
        else:
            raws.append(line.encode("utf-8"))
    return raws, reveals


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--agreement",
    type=click.Path(exists=True, dir_okay=False),
    help="Agreement YAML (default: the example).",
)
@click.option("--id", "mission_id", help="Mission id (default: from the directory name).")
@click.option("--name", help="Human-readable mission name.")
@click.option("--force", is_flag=True, help="Replace an existing mission in DIRECTORY.")
def init(
    directory: str, agreement: str | None, mission_id: str | None, name: str | None, force: bool
) -> None:
    """Create a mission: database, admin key (0600), and the agreement.

    Example: truce init my-mission --agreement examples/agreement.yaml
    """
    m = Mission.create(
        directory, agreement=agreement, mission_id=mission_id, name=name, force=force
    )
    with m:
        a = m.agreement()
        console.print(f"created mission {m.settings.id!r} in {directory}")
        console.print(f"agreement {a.id} version {a.version}: {len(a.terms)} terms")
        console.print(f"admin key: {Path(directory) / m.settings.admin_key} (keep it safe)")


@cli.command("record")
@click.argument("kind", type=click.Choice(RECORD_KINDS))
@click.option("--file", "file", required=True, help="JSON or YAML record(s); '-' reads stdin.")
@click.option("--key", "key", required=True, help="Private key file, or env:VARIABLE.")
@pass_state
def record(state: State, kind: str, file: str, key: str) -> None:
    """Sign records of one type with KEY and store them (all or nothing).

    The header (type, mission, signed_at) is filled in; the file holds the rest.

    Example: truce record observation --file obs.yaml --key keys/monitor-01.key
    """
    signer = load_signer(key)
    docs = _read_documents(file)
    with open_mission(state) as m:
        signed = [_sign(m, kind, d, signer, i, len(docs), file) for i, d in enumerate(docs)]
        sealed = {env.record_id: reveals for env, reveals in signed if reveals}
        receipts = m.submit([env for env, _ in signed], reveals=sealed)
    for r in receipts:
        console.print(f"stored {r.kind} #{r.seq} {r.record_id}")


@cli.command("sign")
@click.argument("file")
@click.option("--key", "key", required=True, help="Private key file, or env:VARIABLE.")
@click.option("--kind", type=click.Choice(RECORD_KINDS), help="Fill in the header for this type.")
@pass_state
def sign(state: State, file: str, key: str, kind: str | None) -> None:
    """Sign record(s) without storing them: prints one envelope per line.

    For devices that sign offline and submit later with `truce submit`. A record
    that lists fields under ``sealed`` is signed with commitments in their place;
    its line then also carries the values and salts for the mission.

    Example: truce sign obs.json --kind observation --key keys/monitor-01.key > obs.env
    """
    signer = load_signer(key)
    docs = _read_documents(file)
    with open_mission(state) as m:
        for i, d in enumerate(docs):
            click.echo(_signed_line(*_sign(m, kind, d, signer, i, len(docs), file)))


@cli.command("submit")
@click.argument("file")
@click.option("--check", is_flag=True, help="Validate only; store nothing.")
@pass_state
def submit(state: State, file: str, check: bool) -> None:
    """Store signed envelopes (one per line, as `truce sign` prints them), all or nothing.

    Example: truce submit obs.env
    """
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    raws, reveals = _read_signed(text)
    with open_mission(state) as m:
        if check:
            admitted = m.check(raws, reveals=reveals)
            console.print(f"{len(admitted)} envelope(s) valid; nothing stored")
            return
        receipts = m.submit(raws, reveals=reveals)
    for r in receipts:
        console.print(f"stored {r.kind} #{r.seq} {r.record_id}")


@cli.command("list")
@click.option("--type", "kinds", multiple=True, help="Only these record types (repeatable).")
@click.option("--since", type=int, default=0, help="From this sequence number on.")
@click.option(
    "--limit", type=int, default=50, show_default=True, help="At most this many (0 = all)."
)
@click.option("--latest", is_flag=True, help="Newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines output.")
@pass_state
def list_(
    state: State, kinds: tuple[str, ...], since: int, limit: int, latest: bool, as_json: bool
) -> None:
    """List records: sequence number, type, signer, summary.

    Example: truce list --type allegation --limit 10
    """
    with open_mission(state) as m:
        views = m.records(
            kinds=list(kinds) or None, since_seq=since, limit=limit or None, descending=latest
        )
        if as_json:
            emit_json_lines(v.to_dict() for v in views)
            return
        table = Table("#", "id", "type", "signer", "summary")
        for v in views:
            mark = " [yellow](corrected)[/]" if v.corrected else ""
            table.add_row(
                str(v.seq), v.record_id[:10], v.kind, esc(v.signer), esc(v.summary) + mark
            )
    console.print(table)


@cli.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def show(state: State, ref: str, as_json: bool) -> None:
    """Show one record by id, unique id prefix, or #SEQ, with its signature and corrections.

    Example: truce show '#42'
    """
    with open_mission(state) as m:
        v = m.show(ref)
        latest = m.latest(v.record_id) if v.corrected else v.record_id
    if as_json:
        emit_json(v.to_dict())
        return
    console.print(f"[bold]{v.kind} #{v.seq}[/] {v.record_id}")
    console.print(
        f"signed by {esc(v.signer)} ({v.role}{', party ' + v.party if v.party else ''}) "
        f"at {v.signed_at}"
    )
    console.print(f"accepted {v.accepted_at}")
    if v.synthetic:
        console.print("[bold yellow]SYNTHETIC[/] — generated data, not a real observation")
    for c in v.corrected_by:
        console.print(f"[yellow]corrected by {c}[/]")
    if latest != v.record_id:
        now = f"the current version is {latest}" if latest else "it is withdrawn"
        console.print(f"[yellow]this version is superseded: {now}[/]")
    console.print(v.summary, markup=False)
    for a in v.compliance:
        where = f" [{a['list']}]" if a["list"] else ""
        console.print(
            f"compliance {a['agreement']} {a['term']}{where}: {a['status']}", markup=False
        )
    emit_json(v.record)


@cli.command("export")
@click.option("--out", type=click.Path(dir_okay=False), help="File (default: stdout).")
@click.option("--type", "kinds", multiple=True, help="Only these record types.")
@pass_state
def export(state: State, out: str | None, kinds: tuple[str, ...]) -> None:
    """Export every record as JSON Lines: record, signed envelope, sequence number.

    Example: truce export --out records.jsonl
    """
    with open_mission(state) as m:
        if out is None:
            m.export(sys.stdout, kinds=list(kinds) or None)
            return
        with open(out, "w", encoding="utf-8") as fh:
            n = m.export(fh, kinds=list(kinds) or None)
    click.echo(f"wrote {n} records to {out}", err=True)


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def status(state: State, as_json: bool) -> None:
    """Summarise the mission: records per type, keys per role, agreement versions.

    Example: truce status
    """
    with open_mission(state) as m:
        s = m.summary()
    if as_json:
        emit_json(s)
        return
    print_summary(s)


def print_summary(s: dict[str, Any]) -> None:
    table = Table("record type", "count", title=f"mission {s['mission']}")
    for kind, n in s["by_type"].items():
        table.add_row(kind, str(n))
    table.add_row("[bold]total[/]", f"[bold]{s['records']}[/]")
    console.print(table)
    console.print(f"synthetic records: {s['synthetic']}")
    console.print(
        "active keys: " + ", ".join(f"{r} {n}" for r, n in s["active_keys_by_role"].items())
    )
    console.print("agreement versions: " + ", ".join(s["agreements"]))
