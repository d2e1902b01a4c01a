"""Signed notes: known answers from the spec and the Go reference, round trips, tampering.

Vectors are copied verbatim from:

- golang/mod ``sumdb/note/note_test.go`` (commit 02c991387e35f9e4c0a9b7ce137717055f8d716d):
  the PeterNeumann / EnochRoot keys and signed notes, TestNewVerifier, TestNewSigner,
  TestSign, TestVerifierList, TestOpen.
- C2SP/C2SP ``signed-note.md``: the quasimodo.example/salvatore example note.
- golang/go ``src/cmd/go/internal/modfetch/key.go``: the sum.golang.org verifier key.
- transparency-dev/formats ``log/note_test.go``: Go-generated key pairs and a real
  sum.golang.org signed tree head (TestSumDBNoteParsing).
- google/trillian-examples ``witness/golang/cmd/addrwitness/README.md``: a real
  sum.golang.org tree head carrying an extra witness signature.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.ledger import note
from truce.ledger.note import (
    AmbiguousKeyError,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    Note,
    NoteError,
    Signature,
    Signer,
    UnverifiedNoteError,
    Verifier,
)

# --- golang/mod sumdb/note/note_test.go ---------------------------------------------------

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2"
    "pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5"
    "ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER = Signature(
    "PeterNeumann",
    0xC74F20A3,
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
)
ENOCH = Signature(
    "EnochRoot",
    0xAF0CFE78,
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
)

# --- golang/go src/cmd/go/internal/modfetch/key.go ----------------------------------------

SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"

# --- transparency-dev/formats log/note_test.go --------------------------------------------

FORMATS_KEY_PAIRS = [
    (
        "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs",
        "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
    ),
    (
        "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH",
        "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
    ),
    (
        "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj",
        "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
    ),
    (
        "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots",
        "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
    ),
]
SUMDB_TREE = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4n"
    "PRYfvimWEPWL+o3GeoWwOoAw=\n"
)

# --- google/trillian-examples witness/golang/cmd/addrwitness/README.md --------------------

WITNESSED_TREE = (
    "go.sum database tree\n"
    "15067302\n"
    "gJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=\n"
    "\n"
    "— sum.golang.org Az3grp1rvWOs5NKlr/xR4GLN/CDyzzakmt1o61uSxYKpK1SerqOP2ClbX/peKUZjYny"
    "omH5Xz7GZG3TpB7OeKn4E2ww=\n"
    "— test.example.com qTGhC/xIPQ0AXKHK6Y+9ypRfuvMZWPjRXM8NiOg5M1WREn07VQXyuIXM3NRNav3ie"
    "VFLUqDRK77PWDmL6w8w84UqeAw=\n"
)

# --- C2SP/C2SP signed-note.md -------------------------------------------------------------

C2SP_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed è subito sera.\n"
    "\n"
    "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONr"
    "MouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)

PETER_V = Verifier.from_vkey(PETER_VKEY)
ENOCH_V = Verifier.from_vkey(ENOCH_VKEY)


# Key strings -------------------------------------------------------------------------------


def test_new_verifier_parses_the_go_key() -> None:
    assert PETER_V.name == "PeterNeumann"
    assert PETER_V.key_id == 0xC74F20A3
    assert PETER_V.vkey == PETER_VKEY


def _manglings(key: str) -> list[str]:
    """Every proper substring and every one-byte increment (Go's TestNewVerifier)."""
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    out = [s for s in out if s != key]
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_new_verifier_rejects_every_mangling() -> None:
    for bad in _manglings(PETER_VKEY):
        with pytest.raises(KeyFormatError):
            Verifier.from_vkey(bad)
    # wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(KeyFormatError):
            Verifier.from_vkey(bad)


def test_new_verifier_error_messages_follow_go() -> None:
    with pytest.raises(KeyFormatError, match=r"^unknown verifier algorithm$"):
        Verifier.from_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(KeyFormatError, match=r"^invalid verifier hash$"):
        Verifier.from_vkey(PETER_VKEY.replace("c74f20a3", "c74f20a4"))
    with pytest.raises(KeyFormatError, match=r"^malformed verifier id$"):
        Verifier.from_vkey("PeterNeumann+c74f20a3")


def test_new_signer_parses_the_go_key_and_derives_its_verifier() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert signer.skey == PETER_SKEY
    assert signer.vkey == PETER_VKEY


def test_new_signer_rejects_every_mangling() -> None:
    for bad in _manglings(PETER_SKEY):
        with pytest.raises(KeyFormatError):
            Signer.from_skey(bad)


@pytest.mark.parametrize(("vkey", "skey"), FORMATS_KEY_PAIRS)
def test_go_generated_key_pairs_match(vkey: str, skey: str) -> None:
    signer = Signer.from_skey(skey)
    assert signer.vkey == vkey
    assert Verifier.from_vkey(vkey) == signer.verifier


def test_sum_golang_org_vkey() -> None:
    verifier = Verifier.from_vkey(SUMDB_VKEY)
    assert verifier.name == "sum.golang.org"
    assert verifier.key_id == 0x033DE0AE
    assert verifier.vkey == SUMDB_VKEY


def test_the_vkey_quoted_in_the_brief_is_not_a_valid_key() -> None:
    # A mistyped variant of SUMDB_VKEY: its key decodes to 38 bytes, not 1 + 32.
    with pytest.raises(KeyFormatError):
        Verifier.from_vkey(
            "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ppq+Wp/3FNF7tO9ydP3eos="
        )


def test_key_id_is_the_truncated_sha256_of_name_newline_alg_key() -> None:
    key = base64.b64decode("Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
    assert note.key_id("sum.golang.org", key[0], key[1:]) == 0x033DE0AE
    assert note.key_id("sum.golang.org", 0x04, key[1:]) != 0x033DE0AE


def test_signer_repr_hides_the_seed() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    assert "AYEKFALV" not in repr(signer)
    assert repr(signer.seed) not in repr(signer)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("sum.golang.org", True),
        ("example.com/log42", True),
        ("Señor-1", True),
        ("\x1c", True),  # not a space for Go's unicode.IsSpace (Python's isspace says it is)
        ("", False),
        ("a+b", False),
        ("bad name", False),
        ("tab\tname", False),
        ("nbsp\xa0name", False),
        ("ideographic\u3000space", False),
        ("line\u2028sep", False),
        ("surrogate\ud800", False),
    ],
)
def test_key_names(name: str, valid: bool) -> None:
    assert note.is_valid_name(name) is valid


def test_constructors_reject_bad_names_and_sizes() -> None:
    with pytest.raises(KeyFormatError):
        Verifier("a b", bytes(32))
    with pytest.raises(KeyFormatError):
        Verifier("ok", bytes(31))
    with pytest.raises(KeyFormatError):
        Signer("ok", bytes(33))


# Sign ---------------------------------------------------------------------------------------


def test_sign_matches_go_byte_for_byte() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    want = (TEXT + "\n" + PETER_SIG).encode()
    assert note.sign(TEXT, [signer]) == want
    assert note.sign(Note(TEXT), [signer]) == want
    # An existing signature by the same key is replaced by the new one.
    stale = Signature("PeterNeumann", 0xC74F20A3, "BADSIGN=")
    assert note.sign(Note(TEXT, sigs=(stale,)), [signer]) == want


def test_sign_adds_to_existing_signatures() -> None:
    opened = note.open((TEXT + "\n" + PETER_SIG).encode(), [PETER_V])
    enoch = Signer.generate("EnochRoot")
    both = note.sign(opened, [enoch])
    assert both.startswith((TEXT + "\n" + PETER_SIG).encode())
    reopened = note.open(both, [PETER_V, enoch.verifier])
    assert [s.name for s in reopened.sigs] == ["PeterNeumann", "EnochRoot"]
    # The doubly signed example of note.go's package documentation opens with both keys.
    doubly = note.open((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), [PETER_V, ENOCH_V])
    assert doubly.sigs == (PETER, ENOCH)


def test_sign_rejects_bad_input_like_go() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    with pytest.raises(MalformedNoteError, match=r"^malformed note$"):
        note.sign("abc", [signer])
    with pytest.raises(MalformedNoteError):
        note.sign(Note(TEXT, sigs=(Signature("a+b", 0, "ABCD"),)), [])
    with pytest.raises(MalformedNoteError):
        note.sign(Note(TEXT, sigs=(Signature("PeterNeumann", 0xC74F20A3, "BADHASH="),)), [])


def test_sign_rejects_text_nobody_could_open() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    for text in ("tab\there\n", "cr\r\n", "nul\x00\n", "surrogate \ud800\n"):
        with pytest.raises(MalformedNoteError):
            note.sign(text, [signer])


class _RenamedSigner:
    """A signer whose name is invalid (Go's badSigner)."""

    name = "bad name"
    key_id = 1

    def sign(self, msg: bytes) -> bytes:
        return bytes(64)


class _FailingSigner:
    """A signer that fails (Go's errSigner)."""

    name = "ok"
    key_id = 1

    def sign(self, msg: bytes) -> bytes:
        raise RuntimeError("surprise!")


def test_sign_with_bad_signers() -> None:
    with pytest.raises(NoteError, match=r"^invalid signer$"):
        note.sign(TEXT, [_RenamedSigner()])
    with pytest.raises(RuntimeError, match="surprise!"):
        note.sign(TEXT, [_FailingSigner()])


# Open ---------------------------------------------------------------------------------------


def test_open_one_verified_one_unknown() -> None:
    opened = note.open((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), [PETER_V])
    assert opened.text == TEXT
    assert opened.sigs == (PETER,)
    assert opened.unverified_sigs == (ENOCH,)


def test_open_both_verified() -> None:
    opened = note.open((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), [PETER_V, ENOCH_V])
    assert opened.sigs == (PETER, ENOCH)
    assert opened.unverified_sigs == ()


def test_open_without_known_keys_is_unverified() -> None:
    with pytest.raises(UnverifiedNoteError, match=r"^note has no verifiable signatures$") as err:
        note.open((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), [])
    assert err.value.note.sigs == ()
    assert err.value.note.unverified_sigs == (PETER, ENOCH)


def test_open_with_duplicated_verifier() -> None:
    with pytest.raises(AmbiguousKeyError, match=r"^ambiguous key EnochRoot\+af0cfe78$"):
        note.open((TEXT + "\n" + ENOCH_SIG).encode(), [ENOCH_V, PETER_V, ENOCH_V])
    # An unused duplicate does not matter.
    note.open((TEXT + "\n" + PETER_SIG).encode(), [ENOCH_V, PETER_V, ENOCH_V])


def test_open_signature_count_limit() -> None:
    at_limit = (TEXT + "\n" + PETER_SIG * 100).encode()
    assert note.open(at_limit, [PETER_V]).sigs == (PETER,)
    for verifiers in ([PETER_V], []):
        with pytest.raises(MalformedNoteError):
            note.open((TEXT + "\n" + PETER_SIG * 101).encode(), verifiers)


def test_open_invalid_signature_rejects_the_note() -> None:
    sig = PETER_SIG.encode()
    tampered = TEXT.encode() + b"\n" + sig[:60] + b"ABCD" + sig[60:]
    with pytest.raises(
        InvalidSignatureError, match=r"^invalid signature for key PeterNeumann\+c74f20a3$"
    ):
        note.open(tampered, [PETER_V])


def test_open_drops_duplicates() -> None:
    enoch = ENOCH_SIG.encode()
    msg = (
        (TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG).encode()
        + enoch[:60]
        + b"ABCD"
        + enoch[60:]
    )
    enoch_abcd = Signature(
        "EnochRoot",
        0xAF0CFE78,
        "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n"
        + "ABCD"
        + "2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
    )
    opened = note.open(msg, [PETER_V])
    assert opened.sigs == (PETER,)
    assert opened.unverified_sigs == (ENOCH, enoch_abcd)


@pytest.mark.parametrize(
    "msg",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        b"\x01" + (TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (
            TEXT
            + "\n"
            + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
            + "qfqdngotpRZb6KE6RyyBwJnAM="
        ).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        # not in Go's list, same rules: short signature, bad base64, hyphen for em dash
        (TEXT + "\n— PeterNeumann x08gow==\n").encode(),  # 4 bytes: no room for a signature
        (TEXT + "\n— PeterNeumann x08go/Z\n").encode(),  # not padded base64
        (TEXT + "\n" + PETER_SIG.replace("—", "-")).encode(),
        (TEXT + "\n" + PETER_SIG.replace("Neumann ", "Neumann  ")).encode(),
        b"\xed\xa0\x80" + (TEXT + "\n" + PETER_SIG).encode(),  # a UTF-8 encoded surrogate
    ],
)
def test_open_rejects_malformed_notes(msg: bytes) -> None:
    with pytest.raises(MalformedNoteError, match=r"^malformed note$"):
        note.open(msg, [PETER_V])


def test_open_c2sp_example_keeps_empty_lines_in_the_text() -> None:
    with pytest.raises(UnverifiedNoteError) as err:
        note.open(C2SP_NOTE.encode(), [PETER_V])
    parsed = err.value.note
    assert parsed.text == (
        "Ognuno sta solo sul cuor della terra\n"
        "trafitto da un raggio di sole:\n\ned è subito sera.\n"
    )
    (sig,) = parsed.unverified_sigs
    assert sig.name == "quasimodo.example/salvatore"
    assert sig.key_id == int.from_bytes(base64.b64decode(sig.b64)[:4], "big")


def test_open_real_sum_golang_org_tree_head() -> None:
    opened = note.open(SUMDB_TREE.encode(), [Verifier.from_vkey(SUMDB_VKEY)])
    assert opened.text == (
        "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    )
    assert [(s.name, s.key_id) for s in opened.sigs] == [("sum.golang.org", 0x033DE0AE)]


def test_open_ignores_an_unknown_witness_signature() -> None:
    opened = note.open(WITNESSED_TREE.encode(), [Verifier.from_vkey(SUMDB_VKEY)])
    assert [s.name for s in opened.sigs] == ["sum.golang.org"]
    assert [s.name for s in opened.unverified_sigs] == ["test.example.com"]


def test_a_changed_text_fails_the_real_signature() -> None:
    tampered = SUMDB_TREE.replace("6476701", "6476702").encode()
    with pytest.raises(InvalidSignatureError):
        note.open(tampered, [Verifier.from_vkey(SUMDB_VKEY)])


def test_same_name_other_key_is_unknown_not_invalid() -> None:
    impostor = Signer.generate("PeterNeumann")
    opened = note.open((TEXT + "\n" + PETER_SIG).encode(), [PETER_V, impostor.verifier])
    assert opened.sigs == (PETER,)


# Properties ---------------------------------------------------------------------------------

names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="+"),
    min_size=1,
    max_size=20,
).filter(note.is_valid_name)
lines = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
texts = st.lists(lines, min_size=1, max_size=5).map(lambda ls: "".join(f"{x}\n" for x in ls))
seeds = st.binary(min_size=32, max_size=32)


@given(name=names, seed=seeds)
def test_key_strings_round_trip(name: str, seed: bytes) -> None:
    signer = Signer(name, seed)
    assert Signer.from_skey(signer.skey) == signer
    assert Verifier.from_vkey(signer.vkey) == signer.verifier


@settings(max_examples=50)
@given(
    text=texts,
    keys=st.lists(st.tuples(names, seeds), min_size=1, max_size=4, unique_by=lambda k: k[0]),
    known=st.integers(min_value=1, max_value=4),
)
def test_sign_open_round_trip(text: str, keys: list[tuple[str, bytes]], known: int) -> None:
    signers = [Signer(name, seed) for name, seed in keys]
    msg = note.sign(text, signers)
    trusted = signers[:known]
    opened = note.open(msg, [s.verifier for s in trusted])
    assert opened.text == text
    assert [s.name for s in opened.sigs] == [s.name for s in trusted]
    assert [s.name for s in opened.unverified_sigs] == [s.name for s in signers[known:]]
    assert note.sign(opened, []) == msg  # re-encoding keeps every signature


@settings(max_examples=50)
@given(text=texts, seed=seeds, data=st.data())
def test_any_changed_byte_of_the_text_is_rejected(
    text: str, seed: bytes, data: st.DataObject
) -> None:
    signer = Signer("example.org/log", seed)
    msg = bytearray(note.sign(text, [signer]))
    text_len = len(text.encode())
    position = data.draw(st.integers(min_value=0, max_value=text_len - 1))
    msg[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    with pytest.raises(NoteError):
        note.open(bytes(msg), [signer.verifier])


def test_a_signature_with_non_zero_padding_bits_is_refused() -> None:
    """One signature, one spelling: a re-spelt signature does not open (stricter than Go)."""
    signer = note.Signer.generate("example.com/log")
    signed = note.sign("hello\n", [signer])
    # 68 signature bytes are 92 base64 characters ending in one "=": the character
    # before it carries 2 unused bits, so flipping its lowest bit keeps the bytes.
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    pos = signed.rindex(b"=") - 1
    value = alphabet.index(signed[pos : pos + 1]) ^ 1
    respelt = signed[:pos] + alphabet[value : value + 1] + signed[pos + 1 :]
    old_b64 = signed.split(b" ")[-1].strip()
    new_b64 = respelt.split(b" ")[-1].strip()
    assert base64.b64decode(old_b64) == base64.b64decode(new_b64)
    assert note.open(signed, [signer.verifier]).text == "hello\n"
    with pytest.raises(note.NoteError):
        note.open(respelt, [signer.verifier])
