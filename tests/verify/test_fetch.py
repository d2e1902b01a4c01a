"""Fetchers: a local directory and HTTP(S), with path, size and scheme limits."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.verify._logs import serve
from truce.verify import FetchError, MissingFile, directory_fetcher, http_fetcher


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "tile/0").mkdir(parents=True)
    (tmp_path / "tile/0/000").write_bytes(b"\x01" * 64)
    (tmp_path / "checkpoint").write_bytes(b"origin\n1\n")
    return tmp_path


def test_directory_fetcher_reads_files(site: Path) -> None:
    fetch = directory_fetcher(site)
    assert fetch("checkpoint") == b"origin\n1\n"
    assert fetch("tile/0/000") == b"\x01" * 64


@pytest.mark.parametrize("path", ["nope", "tile/0/001", "tile/0/000/x", "tile/0"])
def test_directory_fetcher_missing(site: Path, path: str) -> None:
    with pytest.raises(MissingFile) as err:
        directory_fetcher(site)(path)
    assert err.value.path == path


@pytest.mark.parametrize(
    "path", ["../etc/passwd", "/etc/passwd", "tile/../checkpoint", "tile//0", "./checkpoint", ""]
)
def test_directory_fetcher_refuses_paths_that_are_not_plain(site: Path, path: str) -> None:
    with pytest.raises(FetchError) as err:
        directory_fetcher(site)(path)
    assert not isinstance(err.value, MissingFile)


def test_directory_fetcher_refuses_symlinks_out(site: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret").write_bytes(b"secret")
    (site / "tile/1").symlink_to(outside, target_is_directory=True)
    (site / "link").symlink_to(outside / "secret")
    fetch = directory_fetcher(site)
    with pytest.raises(FetchError, match="outside"):
        fetch("tile/1/secret")
    with pytest.raises(FetchError, match="symbolic link"):
        fetch("link")


def test_directory_fetcher_size_cap(site: Path) -> None:
    with pytest.raises(FetchError, match="cap"):
        directory_fetcher(site, max_bytes=63)("tile/0/000")
    assert directory_fetcher(site, max_bytes=64)("tile/0/000") == b"\x01" * 64


def test_http_fetcher_reads_and_maps_404(site: Path) -> None:
    with serve(site) as url:
        fetch = http_fetcher(url.rstrip("/"), timeout=5)
        assert fetch("checkpoint") == b"origin\n1\n"
        assert fetch("tile/0/000") == b"\x01" * 64
        with pytest.raises(MissingFile):
            fetch("tile/0/999")
        with pytest.raises(FetchError, match="cap"):
            http_fetcher(url, max_bytes=10)("tile/0/000")
        with pytest.raises(FetchError):
            fetch("../checkpoint")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/log/", "file:///etc/", "https:///nohost", "http://h/x?q=1", "log"]
)
def test_http_fetcher_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"URL|query"):
        http_fetcher(url)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves gzip bodies, errors and a redirect to a file: URL."""

    def do_GET(self) -> None:
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/gz": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"hello " * 100)),
            "/bomb": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"\0" * 100_000)),
            "/badgz": (200, {"Content-Encoding": "gzip"}, b"not gzip at all"),
            "/cut": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"abc" * 1000)[:-12]),
            "/br": (200, {"Content-Encoding": "br"}, b"xx"),
            "/boom": (500, {}, b"server error"),
            "/gone": (410, {}, b""),
            "/away": (302, {"Location": "file:///etc/passwd"}, b""),
        }
        code, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_http_fetcher_encodings_errors_and_redirects() -> None:
    with _server() as url:
        fetch = http_fetcher(url, timeout=5, max_bytes=50_000)
        assert fetch("gz") == b"hello " * 100
        with pytest.raises(FetchError, match="decompressed"):
            fetch("bomb")
        with pytest.raises(FetchError, match="bad gzip"):
            fetch("badgz")
        with pytest.raises(FetchError, match="truncated"):
            fetch("cut")
        with pytest.raises(FetchError, match="Content-Encoding"):
            fetch("br")
        with pytest.raises(FetchError, match="500") as err:
            fetch("boom")
        assert not isinstance(err.value, MissingFile)
        with pytest.raises(MissingFile):
            fetch("gone")
        with pytest.raises(FetchError) as err:
            fetch("away")
        assert not isinstance(err.value, MissingFile)


def test_http_fetcher_connection_refused() -> None:
    with _server() as url:
        pass  # the server is closed now: its port refuses connections
    with pytest.raises(FetchError, match="cannot fetch"):
        http_fetcher(url, timeout=2)("checkpoint")
