"""Signed notes: C2SP ``signed-note`` with Ed25519, byte for byte as Go's ``sumdb/note``.

A note is UTF-8 text ending in a newline, a blank line, then one signature line
per key: em dash (U+2014), space, key name, space, ``base64(key ID || signature)``
(the signature line below is cut in two to fit here; in a note it is one line)::

    If you think cryptography is the answer to your problem,
    then you don't know what your problem is.

    — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2
    pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=

Keys travel as strings: a verifier key (``vkey``) ``<name>+<hex key ID>+<base64(0x01 ||
public key)>`` and a signer key ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>``.
The key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` read big-endian.

Example::

    signer = Signer.generate("example.org/log")
    msg = sign("hello\\n", [signer])
    assert open(msg, [signer.verifier]).text == "hello\\n"

:func:`open` follows the spec and Go's ``note.Open``: signatures from unknown keys
are kept as unverified and ignored, a known key whose signature fails rejects the
whole note, and a note without a verified signature is rejected.

Sources: https://c2sp.org/signed-note (C2SP/C2SP ``signed-note.md``) and
golang.org/x/mod ``sumdb/note/note.go``. This module imports nothing from the rest
of ``truce`` so that a party can vendor ``truce/ledger`` alone.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import nacl.exceptions
import nacl.signing

__all__ = [
    "ALG_ED25519",
    "MAX_SIGNATURES",
    "AmbiguousKeyError",
    "InvalidSignatureError",
    "KeyFormatError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "is_valid_name",
    "key_id",
    "open",
    "sign",
]

#: Signature type identifier byte of Ed25519 in signed-note.
ALG_ED25519 = 0x01

#: More signatures than this make :func:`open` reject a note (as Go does; the spec
#: requires accepting at least 16).
MAX_SIGNATURES = 100

_SIG_PREFIX = "— ".encode()
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
#: Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property.
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class NoteError(ValueError):
    """Base of every error of this module."""


class MalformedNoteError(NoteError):
    """The note (or a signature line or pre-filled signature) is not well formed."""

    def __init__(self) -> None:
        super().__init__("malformed note")


class KeyFormatError(NoteError):
    """A verifier or signer key string is malformed, of unknown type or has a wrong ID."""


class AmbiguousKeyError(NoteError):
    """Several verifiers share the key name and ID of a signature."""

    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(f"ambiguous key {name}+{key_id:08x}")
        self.name = name
        self.key_id = key_id


class InvalidSignatureError(NoteError):
    """A signature from a known key does not verify: the whole note is rejected."""

    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(f"invalid signature for key {name}+{key_id:08x}")
        self.name = name
        self.key_id = key_id


class UnverifiedNoteError(NoteError):
    """The note parsed but no known key signed it; ``note`` holds what was parsed."""

    def __init__(self, note: Note) -> None:
        super().__init__("note has no verifiable signatures")
        self.note = note


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid key name: non-empty UTF-8 without spaces or ``+``."""
    if not name or "+" in name or any(c in _SPACES for c in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates are not UTF-8
        return False
    return True


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """The key ID ``SHA-256(name || 0x0A || alg || public_key)[:4]`` as a big-endian int."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str) -> bytes | None:
    """Canonical standard padded base64 (RFC 4648 §4, §3.5), or None otherwise.

    Stricter than Go's note package: non-zero padding bits are refused, so one
    signature has exactly one spelling and a signed note cannot be altered by
    re-spelling a signature that still verifies.
    """
    if not _B64.fullmatch(text):
        return None
    raw = base64.b64decode(text)
    if base64.b64encode(raw).decode("ascii") != text:
        return None
    return raw


def _chop(text: str, sep: str) -> tuple[str, str]:
    before, _, after = text.partition(sep)
    return before, after


def _parse_key(text: str, kind: str) -> tuple[str, int, bytes]:
    """Split ``<name>+<hex id>+<base64 key>`` (Go's NewVerifier/NewSigner syntax)."""
    name, rest = _chop(text, "+")
    hex_id, key64 = _chop(rest, "+")
    key = _b64decode(key64)
    if not _HEX8.fullmatch(hex_id) or key is None or not key or not is_valid_name(name):
        raise KeyFormatError(f"malformed {kind} id")
    return name, int(hex_id, 16), key


class NoteVerifier(Protocol):
    """What :func:`open` needs of a key: its name, its ID and a verification."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Whether ``sig`` (without the 4-byte key ID) is a valid signature of ``msg``."""
        ...


class NoteSigner(Protocol):
    """What :func:`sign` needs of a key: its name, its ID and a signing function."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, msg: bytes) -> bytes:
        """The signature of ``msg`` (without the 4-byte key ID)."""
        ...


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 note verifier key; ``vkey`` is its string form."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)
    _key: nacl.signing.VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise KeyFormatError(f"invalid key name {self.name!r}")
        if len(self.public_key) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, ALG_ED25519, self.public_key))
        object.__setattr__(self, "_key", nacl.signing.VerifyKey(self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<hex key ID>+<base64(0x01 || public key)>`` (Go's NewVerifier).

        Raises :class:`KeyFormatError` unless the string is exactly that form, the key
        ID matches the name and key, and the key is a 32-byte Ed25519 key.
        """
        name, kid, key = _parse_key(vkey, "verifier")
        if kid != key_id(name, key[0], key[1:]):
            raise KeyFormatError("invalid verifier hash")
        if key[0] != ALG_ED25519:
            raise KeyFormatError("unknown verifier algorithm")
        if len(key) != 33:
            raise KeyFormatError("malformed verifier id")
        return cls(name, key[1:])

    @property
    def vkey(self) -> str:
        """The verifier key string, as Go's NewEd25519VerifierKey formats it."""
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Whether ``sig`` is a valid Ed25519 signature of ``msg`` by this key."""
        if len(sig) != 64:
            return False
        try:
            self._key.verify(msg, sig)
        except (nacl.exceptions.CryptoError, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """An Ed25519 note signer key (secret); ``skey`` is its string form."""

    name: str
    seed: bytes = field(repr=False)
    key_id: int = field(init=False)
    verifier: Verifier = field(init=False, repr=False, compare=False)
    _key: nacl.signing.SigningKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes")
        signing_key = nacl.signing.SigningKey(self.seed)
        verifier = Verifier(self.name, bytes(signing_key.verify_key))
        object.__setattr__(self, "_key", signing_key)
        object.__setattr__(self, "verifier", verifier)
        object.__setattr__(self, "key_id", verifier.key_id)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key named ``name`` (Go's GenerateKey)."""
        return cls(name, bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`` (Go's NewSigner).

        Raises :class:`KeyFormatError` unless the string is exactly that form with a
        32-byte Ed25519 seed whose public key matches the key ID.
        """
        private, rest = _chop(skey, "+")
        key_word, rest = _chop(rest, "+")
        if private != "PRIVATE" or key_word != "KEY":
            raise KeyFormatError("malformed signer id")
        name, kid, key = _parse_key(rest, "signer")
        if key[0] != ALG_ED25519:
            raise KeyFormatError("unknown signer algorithm")
        if len(key) != 33:
            raise KeyFormatError("malformed signer id")
        signer = cls(name, key[1:])
        if signer.key_id != kid:
            raise KeyFormatError("invalid signer hash")
        return signer

    @property
    def skey(self) -> str:
        """The signer key string (secret), as Go's GenerateKey formats it."""
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    @property
    def vkey(self) -> str:
        """The verifier key string of this key."""
        return self.verifier.vkey

    def sign(self, msg: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``msg``."""
        return self._key.sign(msg).signature


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the base64 text as it appeared."""

    name: str
    key_id: int
    b64: str


@dataclass(frozen=True)
class Note:
    """A note text (ending in a newline) with its verified and unverified signatures."""

    text: str
    sigs: tuple[Signature, ...] = ()
    unverified_sigs: tuple[Signature, ...] = ()


def _text_bytes(text: str) -> bytes:
    """The UTF-8 bytes of a note text, which must end in a newline and be signable."""
    if not text.endswith("\n") or _CONTROL.search(text):
        raise MalformedNoteError
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedNoteError from None


def sign(note: Note | str, signers: Iterable[NoteSigner]) -> bytes:
    """Sign a note text with ``signers`` and return the encoded note (Go's ``note.Sign``).

    The existing signatures of ``note`` (verified, then unverified) come first, except
    those by a key that is signing again, then one new line per signer in order.
    Raises :class:`MalformedNoteError` if the text does not end in a newline or holds
    control characters other than newline (Go would emit a note nobody can open), or
    if a pre-filled signature is malformed; :class:`NoteError` for a signer with an
    invalid name or key ID.
    """
    if isinstance(note, str):
        note = Note(note)
    text = _text_bytes(note.text)
    have: set[tuple[str, int]] = set()
    new_lines: list[str] = []
    for signer in signers:
        name, kid = signer.name, signer.key_id
        if not is_valid_name(name) or not 0 <= kid < 1 << 32:
            raise NoteError("invalid signer")
        have.add((name, kid))
        encoded = base64.b64encode(kid.to_bytes(4, "big") + signer.sign(text)).decode()
        new_lines.append(f"— {name} {encoded}\n")
    out = [note.text, "\n"]
    for sig in (*note.sigs, *note.unverified_sigs):
        if not is_valid_name(sig.name):
            raise MalformedNoteError
        if (sig.name, sig.key_id) in have:
            continue
        raw = _b64decode(sig.b64)
        if raw is None or len(raw) < 4 or int.from_bytes(raw[:4], "big") != sig.key_id:
            raise MalformedNoteError
        out.append(f"— {sig.name} {sig.b64}\n")
    out.extend(new_lines)
    return "".join(out).encode("utf-8")


def open(msg: bytes, verifiers: Iterable[NoteVerifier]) -> Note:
    """Parse a signed note and verify it against ``verifiers`` (Go's ``note.Open``).

    Returns the note with its verified signatures (``sigs``) and the signatures of
    unknown keys (``unverified_sigs``, ignored). Repeated signatures are dropped.
    Raises :class:`MalformedNoteError` for anything not in the note syntax (including
    more than :data:`MAX_SIGNATURES` lines), :class:`AmbiguousKeyError` if several
    verifiers match a signature, :class:`InvalidSignatureError` if a signature by a
    known key does not verify and :class:`UnverifiedNoteError` if no known key signed.
    """
    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    try:
        decoded = msg.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNoteError from None
    if _CONTROL.search(decoded):
        raise MalformedNoteError
    split = msg.rfind(b"\n\n")
    if split < 0:
        raise MalformedNoteError
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block.endswith(b"\n"):
        raise MalformedNoteError
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    seen_unverified: set[bytes] = set()
    for count, line in enumerate(block[:-1].split(b"\n"), start=1):
        if not line.startswith(_SIG_PREFIX):
            raise MalformedNoteError
        body = line[len(_SIG_PREFIX) :]
        name, b64 = _chop(body.decode("utf-8"), " ")
        raw = _b64decode(b64)
        if raw is None or not is_valid_name(name) or len(raw) < 5:
            raise MalformedNoteError
        if count > MAX_SIGNATURES:
            raise MalformedNoteError
        kid = int.from_bytes(raw[:4], "big")
        signature = Signature(name, kid, b64)
        candidates = known.get((name, kid))
        if candidates is None:
            if body not in seen_unverified:
                seen_unverified.add(body)
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(name, kid)
        if (name, kid) in seen:
            continue
        seen.add((name, kid))
        if not candidates[0].verify(text, raw[4:]):
            raise InvalidSignatureError(name, kid)
        verified.append(signature)
    note = Note(text.decode("utf-8"), tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note
