"""Checkpoints: spec examples, strict parsing, signing and opening, round trips.

Vectors are copied verbatim from:

- C2SP/C2SP ``tlog-checkpoint.md``: the example.com/behind-the-sofa checkpoint.
- golang/mod ``sumdb/tlog/note_test.go``: TestFormatTree / TestParseTree.
- transparency-dev/formats ``log/checkpoint_test.go`` (TestUnmarshalLogState) and
  ``log/note_test.go`` (key pairs, TestParseCheckpoint, TestSumDBNoteParsing).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.ledger import note
from truce.ledger.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    sign_checkpoint,
)
from truce.ledger.note import (
    InvalidSignatureError,
    NoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
)

# C2SP/C2SP tlog-checkpoint.md
C2SP_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
C2SP_SIGNED = (
    C2SP_TEXT
    + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)

# golang/mod sumdb/tlog/note_test.go
GO_TREE = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"

# transparency-dev/formats log/note_test.go
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_TREE = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4n"
    "PRYfvimWEPWL+o3GeoWwOoAw=\n"
)
LOG_SKEY = "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ"
KNOWN1_SKEY = "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci"
KNOWN2_SKEY = "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+"
UNKNOWN_SKEY = "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU"

ROOT = hashlib.sha256(b"the view from the tree tops is great!").digest()
ROOT_B64 = base64.b64encode(ROOT).decode()


def test_c2sp_example_parses_and_formats_back() -> None:
    cp = Checkpoint.from_text(C2SP_TEXT)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert cp.to_text() == C2SP_TEXT


def test_c2sp_signed_example_is_unverified_without_its_key() -> None:
    # The spec does not publish the key, so the note opens only as unverified.
    with pytest.raises(UnverifiedNoteError) as err:
        open_checkpoint(C2SP_SIGNED.encode(), "example.com/behind-the-sofa", [])
    assert err.value.note.text == C2SP_TEXT
    (sig,) = err.value.note.unverified_sigs
    assert sig.name == "example.com/behind-the-sofa"


def test_go_sumdb_tree_format() -> None:
    record_hash = hashlib.sha256(b"\x00hello world").digest()  # tlog.RecordHash
    cp = Checkpoint("go.sum database tree", 123456789012, record_hash)
    assert cp.to_text() == GO_TREE
    assert Checkpoint.from_text(GO_TREE) == cp
    assert Checkpoint.from_text(GO_TREE.encode()) == cp


@pytest.mark.parametrize(
    ("text", "field"),
    [
        # golang/mod sumdb/tlog/note_test.go badTrees (origin aside)
        (
            "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "size",
        ),
        (
            "go.sum database tree\n123456789012\n"
            "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
            "root_hash",
        ),
        # transparency-dev/formats log/checkpoint_test.go invalid cases
        ("Head\n9944\n", "text"),
        (f"\n9944\n{ROOT_B64}\n", "origin"),
        (f"Log\n123\n{ROOT_B64}", "text"),
        (f"Log\nbananas\n{ROOT_B64}\n", "size"),
        (f"Log\n-34\n{ROOT_B64}\n", "size"),
        (f"Log\n3438945738945739845734895735\n{ROOT_B64}\n", "size"),
        ("Log\n123\nThisIsn'tBase64\n", "root_hash"),
        # ... whose 7-byte "bananas" root the C2SP format rejects (RFC 6962 roots are 32 bytes)
        ("Log\n123\nYmFuYW5hcw==\n", "root_hash"),
        # and the strict rules of tlog-checkpoint
        (f"Log\n007\n{ROOT_B64}\n", "size"),
        (f"Log\n00\n{ROOT_B64}\n", "size"),
        (f"Log\n+5\n{ROOT_B64}\n", "size"),
        (f"Log\n 5\n{ROOT_B64}\n", "size"),
        (f"Log\n\u0665\n{ROOT_B64}\n", "size"),  # ARABIC-INDIC DIGIT FIVE
        (f"Log\n\n{ROOT_B64}\n", "size"),
        (f"Log\n{MAX_TREE_SIZE + 1}\n{ROOT_B64}\n", "size"),
        (f"Log\n5\n{ROOT_B64.rstrip('=')}\n", "root_hash"),
        (f"Log\n5\n{ROOT_B64[:-2]}h=\n", "root_hash"),  # non-zero padding bits
        (f"Log\n5\n {ROOT_B64}\n", "root_hash"),
        (f"Log\n5\n{ROOT_B64}\n\n", "extensions[0]"),
        (f"Log\n5\n{ROOT_B64}\nfine\n\n", "extensions[1]"),
        (f"Log\n5\n{ROOT_B64}\nbad\textension\n", "extensions[0]"),
        (f"Log\r\n5\n{ROOT_B64}\n", "origin"),
        (b"Log\xff\n5\n" + ROOT_B64.encode() + b"\n", "text"),
    ],
)
def test_from_text_rejects(text: str | bytes, field: str) -> None:
    with pytest.raises(CheckpointError) as err:
        Checkpoint.from_text(text)
    assert err.value.field == field


def test_from_text_accepts_the_edges() -> None:
    assert Checkpoint.from_text(f"Log\n0\n{ROOT_B64}\n").size == 0
    assert Checkpoint.from_text(f"Log\n{MAX_TREE_SIZE}\n{ROOT_B64}\n").size == MAX_TREE_SIZE
    # Origins are opaque: spaces and "+" are only discouraged.
    assert Checkpoint.from_text(f"a log+1 \n1\n{ROOT_B64}\n").origin == "a log+1 "
    cp = Checkpoint.from_text(f"Log\n9944\n{ROOT_B64}\nlots\nof\nlines\n")
    assert cp.extensions == ("lots", "of", "lines")
    assert cp.to_text() == f"Log\n9944\n{ROOT_B64}\nlots\nof\nlines\n"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"origin": ""}, "origin"),
        ({"origin": "a\nb"}, "origin"),
        ({"size": -1}, "size"),
        ({"size": MAX_TREE_SIZE + 1}, "size"),
        ({"size": True}, "size"),
        ({"root_hash": bytes(31)}, "root_hash"),
        ({"root_hash": "00" * 32}, "root_hash"),
        ({"extensions": ("ok", "")}, "extensions[1]"),
        ({"extensions": ("two\nlines",)}, "extensions[0]"),
    ],
)
def test_constructor_validates(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"origin": "Log", "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(CheckpointError) as err:
        Checkpoint(**args)
    assert err.value.field == field


def test_open_real_sum_golang_org_checkpoint() -> None:
    verifier = Verifier.from_vkey(SUMDB_VKEY)
    cp = open_checkpoint(SUMDB_TREE.encode(), "go.sum database tree", [verifier])
    assert cp.size == 6476701
    assert cp.origin == "go.sum database tree"
    assert base64.b64encode(cp.root_hash).decode() == "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
    with pytest.raises(CheckpointError) as err:
        open_checkpoint(SUMDB_TREE.encode(), "Go rocks but I might have the wrong ID", [verifier])
    assert err.value.field == "origin"


LOG = Signer.from_skey(LOG_SKEY)
KNOWN1 = Signer.from_skey(KNOWN1_SKEY)
KNOWN2 = Signer.from_skey(KNOWN2_SKEY)
UNKNOWN = Signer.from_skey(UNKNOWN_SKEY)
BODY = Checkpoint("TestParseCheckpoint", 42, ROOT).to_text()
HAT = "if this is a valid checkpoint then I'll eat my hat\n"


@pytest.mark.parametrize(
    ("origin", "body", "signers", "accepted"),
    [
        # transparency-dev/formats log/note_test.go TestParseCheckpoint, with a 32-byte root
        ("TestParseCheckpoint", BODY, [], False),
        ("TestParseCheckpoint", BODY, [LOG], True),
        (
            "TestParseCheckpoint",
            "if this is a valid checkpoint then I'll eat my hat\n",
            [LOG],
            False,
        ),
        ("TestParseCheckpoint", BODY, [LOG, KNOWN1], True),
        ("TestParseCheckpoint", BODY, [LOG, KNOWN1, UNKNOWN], True),
        ("TestParseCheckpoint", BODY, [LOG, KNOWN1, KNOWN2], True),
        ("TestParseCheckpoint", BODY, [LOG, KNOWN1, KNOWN1], True),
        ("TestParseCheckpoint", BODY, [KNOWN2, LOG, KNOWN1], True),
        ("TestParseCheckpoint", BODY, [LOG, KNOWN1, KNOWN2, UNKNOWN], True),
        ("TestParseCheckpoint", BODY, [KNOWN1, KNOWN2], False),
        ("this is not the logID you are looking for", BODY, [LOG, KNOWN1, KNOWN2, UNKNOWN], False),
    ],
)
def test_open_checkpoint_needs_the_log_signature_and_origin(
    origin: str, body: str, signers: list[Signer], accepted: bool
) -> None:
    msg = note.sign(body, signers)
    others = [KNOWN1.verifier, KNOWN2.verifier]
    if accepted:
        cp = open_checkpoint(msg, origin, [LOG.verifier], others=others)
        assert cp == Checkpoint.from_text(BODY)
    else:
        with pytest.raises((CheckpointError, NoteError)):
            open_checkpoint(msg, origin, [LOG.verifier], others=others)


def test_open_checkpoint_rejects_a_bad_witness_signature() -> None:
    msg = sign_checkpoint(Checkpoint("TestParseCheckpoint", 42, ROOT), LOG)
    zero_sig = base64.b64encode(KNOWN1.key_id.to_bytes(4, "big") + bytes(64)).decode()
    forged = msg + f"— Known {zero_sig}\n".encode()
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(forged, "TestParseCheckpoint", [LOG.verifier], others=[KNOWN1.verifier])
    # Unknown to this client, the same line is ignored.
    assert open_checkpoint(forged, "TestParseCheckpoint", [LOG.verifier]).size == 42


def test_open_checkpoint_accepts_any_of_the_log_keys() -> None:
    old, new = LOG, Signer.generate("Log")
    cp = Checkpoint("Log", 7, ROOT, ("extension",))
    keys = [old.verifier, new.verifier]
    assert open_checkpoint(sign_checkpoint(cp, new), "Log", keys) == cp
    assert open_checkpoint(sign_checkpoint(cp, old), "Log", keys) == cp


# Properties ---------------------------------------------------------------------------------

line_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=25)
checkpoints = st.builds(
    Checkpoint,
    origin=line_text,
    size=st.integers(min_value=0, max_value=MAX_TREE_SIZE),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(line_text, max_size=3).map(tuple),
)


@given(cp=checkpoints)
def test_text_round_trip(cp: Checkpoint) -> None:
    assert Checkpoint.from_text(cp.to_text()) == cp
    assert Checkpoint.from_text(cp.to_text().encode()) == cp


@given(text=st.text(st.sampled_from("ab0129\n=+/ -x"), max_size=60))
def test_parse_is_exact_or_rejects(text: str) -> None:
    try:
        cp = Checkpoint.from_text(text)
    except CheckpointError:
        return
    assert cp.to_text() == text


@settings(max_examples=30)
@given(cp=checkpoints, seed=st.binary(min_size=32, max_size=32), data=st.data())
def test_sign_open_round_trip_and_tampering(
    cp: Checkpoint, seed: bytes, data: st.DataObject
) -> None:
    signer = Signer("example.org/log", seed)
    msg = sign_checkpoint(cp, signer)
    assert open_checkpoint(msg, cp.origin, [signer.verifier]) == cp
    text_len = len(cp.to_text().encode())
    tampered = bytearray(msg)
    tampered[data.draw(st.integers(0, text_len - 1))] ^= data.draw(st.integers(1, 255))
    with pytest.raises((NoteError, CheckpointError)):
        open_checkpoint(bytes(tampered), cp.origin, [signer.verifier])
