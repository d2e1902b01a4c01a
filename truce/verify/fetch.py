"""Fetchers: how the verifier reads a published log, from a directory or over HTTP(S).

A :data:`Fetcher` maps a path relative to the log prefix (``checkpoint``,
``tile/0/x001/042``, ``tile/entries/007.p/12``) to the file's bytes. It raises
:class:`~truce.verify.MissingFile` when the file does not exist and
:class:`~truce.verify.FetchError` for anything else that prevents reading it
(I/O or network failure, a file over the size cap, a path that is not a plain
relative path). Any callable with that contract works, e.g. one over an object
store or a test double.

Example::

    fetch = http_fetcher("https://log.example.org/mission/")
    note = fetch("checkpoint")

Only the standard library is used (``urllib.request`` for HTTP), so the verifier
can be vendored alone. HTTP follows C2SP ``tlog-tiles``' client advice: it
accepts ``gzip`` and ``identity`` content encodings and decompresses under the
same size cap.
"""

from __future__ import annotations

import errno
import http.client
import os
import re
import stat
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

from truce.verify._errors import FetchError, MissingFile

__all__ = ["DEFAULT_MAX_BYTES", "Fetcher", "directory_fetcher", "http_fetcher"]

#: ``fetch(path) -> bytes``; raises MissingFile if absent, FetchError otherwise.
Fetcher = Callable[[str], bytes]

#: Default cap on one file: a full entry bundle is at most 256 * (2 + 65535) bytes.
DEFAULT_MAX_BYTES = 32 << 20

_SAFE_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_CHUNK = 1 << 20


def _check_path(path: object) -> str:
    """``path`` if it is a plain relative path (no ``..``, ``.``, ``//``, leading ``/``)."""
    if not isinstance(path, str) or not _SAFE_PATH.fullmatch(path):
        raise FetchError(str(path), "not a plain relative path of the log")
    if any(part in (".", "..") for part in path.split("/")):
        raise FetchError(path, "must not contain '.' or '..' components")
    return path


def directory_fetcher(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Fetcher:
    """A fetcher reading the log published in the local directory ``path``.

    Paths are resolved inside ``path`` only: ``..`` components are refused, a
    directory reached through a symbolic link that leads outside ``path`` is
    refused, and the file itself must not be a symbolic link. Files larger than
    ``max_bytes`` are refused. (Directories are resolved once and remembered: the
    directory is the reader's own copy, not a hostile file system.)
    """
    root = os.path.realpath(path)
    inside: set[str] = set()

    def fetch(rel: str) -> bytes:
        rel = _check_path(rel)
        parent = rel.rpartition("/")[0]
        target = os.path.join(root, rel)
        if parent not in inside:
            real = os.path.realpath(os.path.join(root, parent))
            if real != root and not real.startswith(root + os.sep):
                raise FetchError(rel, f"leads outside {root} (symbolic link)")
            if len(inside) > 100_000:
                inside.clear()
            inside.add(parent)
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            raise MissingFile(rel) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FetchError(rel, "is a symbolic link") from None
            raise FetchError(rel, f"cannot read {target}: {exc.strerror or exc}") from None
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise MissingFile(rel, "missing (a directory is there)")
            return _read_fd(fd, rel, st.st_size, max_bytes)
        except OSError as exc:
            raise FetchError(rel, f"cannot read {target}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)

    return fetch


def _read_fd(fd: int, rel: str, size: int, cap: int) -> bytes:
    """Read ``fd`` to its end; refuse more than ``cap`` bytes.

    ``size`` is the size ``fstat`` reported: the first read asks for one byte
    more (so the file is normally read with one exactly sized allocation, not a
    1 MiB buffer per file), a second one-byte read confirms the end, and a file
    that grew meanwhile is read on in chunks.
    """
    if size > cap:
        raise FetchError(rel, f"larger than the {cap}-byte cap")
    chunks: list[bytes] = []
    total = 0
    want = size + 1
    while chunk := os.read(fd, want):
        total += len(chunk)
        if total > cap:
            raise FetchError(rel, f"larger than the {cap}-byte cap")
        chunks.append(chunk)
        want = 1 if len(chunk) < want else _CHUNK  # short read: most likely the end
    return b"".join(chunks)


class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs (urllib would also follow ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-HTTP URL", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def http_fetcher(
    base_url: str, timeout: float = 10, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Fetcher:
    """A fetcher reading the log published under the HTTP(S) prefix ``base_url``.

    ``base_url`` must be an ``http`` or ``https`` URL without query or fragment
    (a missing trailing slash is added). Each request times out after
    ``timeout`` seconds; HTTP 404 and 410 raise :class:`MissingFile`, any other
    failure :class:`FetchError`; redirects are followed to http(s) URLs only;
    a body (after gzip decoding) over ``max_bytes`` is refused. Raises
    ``ValueError`` at once for an unusable ``base_url``.
    """
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{base_url!r} is not an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise ValueError(f"{base_url!r}: a log prefix has no query or fragment")
    prefix = base_url if base_url.endswith("/") else base_url + "/"
    opener = urllib.request.build_opener(_SameSchemeRedirects())

    def fetch(rel: str) -> bytes:
        rel = _check_path(rel)
        request = urllib.request.Request(
            prefix + urllib.parse.quote(rel, safe="/"),
            headers={"Accept-Encoding": "gzip, identity", "User-Agent": "truce-verify"},
        )
        try:
            with opener.open(request, timeout=timeout) as response:
                encoding = (response.headers.get("Content-Encoding") or "identity").lower()
                body = _read_capped(response, rel, max_bytes)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 410):
                raise MissingFile(rel, f"HTTP {exc.code}") from None
            raise FetchError(rel, f"HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchError(rel, f"cannot fetch {request.full_url}: {reason}") from None
        if encoding == "gzip":
            return _gunzip(body, rel, max_bytes)
        if encoding != "identity":
            raise FetchError(rel, f"unsupported Content-Encoding {encoding!r}")
        return body

    return fetch


def _read_capped(stream: IO[bytes], rel: str, cap: int) -> bytes:
    """Read ``stream`` to the end; refuse more than ``cap`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > cap:
            raise FetchError(rel, f"larger than the {cap}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(body: bytes, rel: str, max_bytes: int) -> bytes:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(rel, f"bad gzip body: {exc}") from None
    if len(out) > max_bytes or decoder.unconsumed_tail:
        raise FetchError(rel, f"larger than the {max_bytes}-byte cap once decompressed")
    if not decoder.eof:
        raise FetchError(rel, "truncated gzip body")
    return out
