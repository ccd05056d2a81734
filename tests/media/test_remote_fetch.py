"""Fetching an image from a URL: what may be fetched, and what arrives, checked.

Every fetch here goes to a real server on 127.0.0.1 (allowed by the policy) or is
refused before connecting; host names are answered by a fake resolver, so no
test depends on DNS or reaches past this machine.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from geode.errors import (
    GeodeError,
    InvalidSettingError,
    PayloadTooLargeError,
    UnsupportedFileTypeError,
)
from geode.media.remote import (
    IPAddress,
    RemoteFetchFailedError,
    RemoteFetchPolicy,
    RemoteFetchRefusedError,
    Resolver,
    download_image,
    not_public,
    resolve,
)
from geode.media.store import MediaStore
from geode.settings import Settings
from geode.settings_check import load_settings
from tests.media import samples
from tests.media.image_server import Answer, ImageServer, endless, image, redirect, running

LOCAL = RemoteFetchPolicy.of(["127.0.0.1"], timeout=10)
"""The test server's address allowed, as GEODE_REMOTE_FETCH_ALLOWED_HOSTS=127.0.0.1 does."""
STRICT = RemoteFetchPolicy.of([], timeout=3)
"""The default: public addresses only."""


@pytest.fixture
def web() -> Iterator[ImageServer]:
    with running() as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media", 1 << 20)


def fake_dns(**names: str | list[str]) -> tuple[Resolver, list[str]]:
    """A resolver answering `names` (`images_test="127.0.0.1"` for images.test), and
    the list of names it was asked."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        found = names.get(host.replace(".", "_").replace("-", "_"))
        if found is None:
            raise AssertionError(f"unexpected lookup of {host}")
        addresses = [found] if isinstance(found, str) else found
        return [ipaddress.ip_address(a) for a in addresses]

    return resolver, asked


def incoming(store: MediaStore) -> list[Path]:
    return sorted(store.incoming_dir.glob("*")) if store.incoming_dir.exists() else []


def refused(
    store: MediaStore,
    url: str,
    policy: RemoteFetchPolicy = STRICT,
    kind: type[GeodeError] = RemoteFetchRefusedError,
    resolver: Resolver = resolve,
) -> str:
    with pytest.raises(kind) as caught:
        download_image(store, url, policy, resolver=resolver)
    assert type(caught.value) is kind
    assert incoming(store) == []
    return caught.value.message


# What may be fetched ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.1.2.3", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),  # unique local
        ("fec0::1", "private"),  # site-local
        ("169.254.169.254", "link-local"),  # a cloud's metadata service
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::7f00:1", "reserved"),  # IPv4-compatible, deprecated
    ],
)
def test_addresses_that_are_not_public_say_what_they_are(address: str, reason: str) -> None:
    assert not_public(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.215.14", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_may_be_fetched(address: str) -> None:
    assert not_public(ipaddress.ip_address(address)) is None


def test_urls_naming_non_public_addresses_are_refused_before_connecting(
    web: ImageServer, store: MediaStore
) -> None:
    web.serve("/x.png", image(samples.png(), "image/png"))
    port = web.port
    for url, reason in [
        (f"http://127.0.0.1:{port}/x.png", "is a loopback address"),
        (f"http://[::1]:{port}/x.png", "is a loopback address"),
        (f"http://[::ffff:127.0.0.1]:{port}/x.png", "is a loopback address"),
        (f"http://[::ffff:7f00:1]:{port}/x.png", "is a loopback address"),
        (f"http://0.0.0.0:{port}/x.png", "is an unspecified address"),
        (f"http://[2002:7f00:1::]:{port}/x.png", "is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "is a link-local address"),
        ("http://[fe80::1]/x.png", "is a link-local address"),
        ("https://10.0.0.1/x.png", "is a private address"),
        ("http://[fd00::1]/x.png", "is a private address"),
        # Other spellings of 127.0.0.1, which the system's resolver reads as addresses.
        (f"http://2130706433:{port}/x.png", "resolves to a loopback address"),
        (f"http://0x7f.1:{port}/x.png", "resolves to a loopback address"),
        (f"http://localhost:{port}/x.png", "resolves to a loopback address"),
    ]:
        message = refused(store, url)
        assert reason in message, (url, message)
        assert "GEODE_REMOTE_FETCH_ALLOWED_HOSTS" in message
    assert web.seen == []


def test_a_host_name_with_any_non_public_address_is_refused(store: MediaStore) -> None:
    resolver, asked = fake_dns(
        intranet_example_com="10.0.0.7",
        mixed_example_com=["93.184.215.14", "fd00::7"],
        metadata_example_com="169.254.169.254",
    )
    for host, reason in [
        ("intranet.example.com", "private"),
        ("mixed.example.com", "private"),
        ("metadata.example.com", "link-local"),
    ]:
        message = refused(store, f"https://{host}/photo.jpg", resolver=resolver)
        assert f"{host} resolves to a {reason} address" in message
        assert "10.0.0.7" not in message  # the internal address is not told
    assert asked == ["intranet.example.com", "mixed.example.com", "metadata.example.com"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///etc/passwd", "not file:"),
        ("ftp://example.com/photo.jpg", "not ftp:"),
        ("gopher://127.0.0.1:6379/_INFO", "not gopher:"),
        ("javascript:alert(1)", "not javascript:"),
        ("data:image/png;base64,iVBORw0KGgo=", "not data:"),
        ("example.com/photo.jpg", "an address without a scheme"),
        ("//example.com/photo.jpg", "an address without a scheme"),
        ("http:///photo.jpg", "names no host"),
        ("http://user:secret@127.0.0.1/photo.jpg", "user name or password"),
        ("http://[::1/photo.jpg", "is not a web address"),
    ],
)
def test_only_plain_http_and_https_urls_are_fetched(
    store: MediaStore, url: str, expected: str
) -> None:
    assert expected in refused(store, url, LOCAL)


def test_with_public_hosts_off_only_the_allowed_hosts_are_fetched(
    web: ImageServer, store: MediaStore
) -> None:
    data = samples.png(3)
    web.serve("/p.png", image(data, "image/png"))
    resolver, _ = fake_dns(images_internal="127.0.0.1", cdn_example_com="93.184.215.14")
    policy = RemoteFetchPolicy.of(["images.internal"], public_hosts=False, timeout=5)
    fetched = download_image(store, web.url("/p.png", "images.internal"), policy, resolver=resolver)
    assert fetched.received.size == len(data)
    store.discard(fetched.received)
    message = refused(store, "https://cdn.example.com/p.png", policy, resolver=resolver)
    assert "cdn.example.com is not among the hosts this server fetches from" in message
    assert "GEODE_REMOTE_FETCH_PUBLIC_HOSTS is false" in message


# Where the connection goes ------------------------------------------------------------


def test_the_connection_goes_to_the_address_checked(web: ImageServer, store: MediaStore) -> None:
    """DNS rebinding: a name that answers an allowed address for the check and an
    internal one for the connection. The name is resolved once; the connection
    goes to the address checked, the name travels in Host."""
    data = samples.png(5)
    web.serve("/p.png", image(data, "image/png"))
    answers = iter([["127.0.0.1"], ["10.0.0.9"], ["10.0.0.9"]])
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address(a) for a in next(answers)]

    fetched = download_image(store, web.url("/p.png", "images.test"), LOCAL, resolver=rebinding)
    assert fetched.received.sha256 == hashlib.sha256(data).hexdigest()
    assert asked == ["images.test"]
    assert [seen.host for seen in web.seen] == [f"images.test:{web.port}"]


def test_an_unreachable_address_is_tried_then_the_next(web: ImageServer, store: MediaStore) -> None:
    data = samples.png(6)
    web.serve("/p.png", image(data, "image/png"))
    resolver, _ = fake_dns(dual_test=["::1", "127.0.0.1"])  # nothing listens on ::1
    policy = RemoteFetchPolicy.of(["127.0.0.1", "::1"], timeout=5)
    fetched = download_image(store, web.url("/p.png", "dual.test"), policy, resolver=resolver)
    assert fetched.received.size == len(data)


def test_a_redirect_to_a_non_public_host_is_refused(web: ImageServer, store: MediaStore) -> None:
    port = web.port
    web.serve("/a", redirect("http://169.254.169.254/latest/meta-data/iam/"))
    web.serve("/b", redirect(f"http://[::1]:{port}/p.png", 301))
    web.serve("/c", redirect("file:///etc/passwd", 307))
    web.serve("/d", redirect(f"http://0x7f.1:{port}/p.png", 308))
    web.serve("/p.png", image(samples.png(), "image/png"))
    assert "169.254.169.254 is a link-local address" in refused(store, web.url("/a"), LOCAL)
    assert "::1 is a loopback address" in refused(store, web.url("/b"), LOCAL)
    assert "not file:" in refused(store, web.url("/c"), LOCAL)
    # 127.0.0.1 is allowed, whatever the name it is reached by: the check is the address's.
    assert download_image(store, web.url("/d"), LOCAL).url == f"http://0x7f.1:{port}/p.png"
    assert web.paths() == ["/a", "/b", "/c", "/d", "/p.png"]


def test_redirects_are_followed_a_few_times(web: ImageServer, store: MediaStore) -> None:
    data = samples.png(7)
    web.serve("/one", redirect("/two?x=1", 301))
    web.serve("/two?x=1", redirect(web.url("/files/photo%20one.png"), 303))
    web.serve("/files/photo%20one.png", image(data, "image/png"))
    fetched = download_image(store, web.url("/one"), LOCAL)
    assert fetched.url == web.url("/files/photo%20one.png")
    assert fetched.filename == "photo one.png"
    assert fetched.received.size == len(data)
    store.discard(fetched.received)

    web.serve("/loop", redirect("/loop"))
    web.seen.clear()
    message = refused(store, web.url("/loop"), LOCAL)
    assert "redirects more than 5 times" in message
    assert web.paths() == ["/loop"] * 6

    web.serve("/nowhere", Answer(302))
    message = refused(store, web.url("/nowhere"), LOCAL, RemoteFetchFailedError)
    assert "without saying where to" in message


# What arrives -------------------------------------------------------------------------


def test_an_image_is_streamed_into_the_incoming_directory(
    web: ImageServer, store: MediaStore
) -> None:
    data = samples.png(9, width=300, height=300)
    web.serve(
        "/img/ph%C3%A9.png",
        Answer(headers={"Content-Type": "image/png"}, body=data, content_length=False),
    )
    fetched = download_image(store, web.url("/img/ph%C3%A9.png"), LOCAL)
    received = fetched.received
    assert (received.size, received.type.content_type) == (len(data), "image/png")
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    assert received.path.read_bytes() == data
    assert fetched.filename == "phé.png"
    (seen,) = web.seen
    assert seen.headers["accept-encoding"] == "identity"
    assert "image/png" in seen.headers["accept"]
    store.keep(received, "t")
    assert incoming(store) == []


def test_too_big_is_refused_from_its_length_before_reading(
    web: ImageServer, store: MediaStore
) -> None:
    web.serve("/big.jpg", image(samples.jpeg(2 << 20), "image/jpeg"))
    message = refused(store, web.url("/big.jpg"), LOCAL, PayloadTooLargeError)
    assert f"larger than {1 << 20} bytes" in message
    assert "GEODE_MEDIA_MAX_BYTES" in message


def test_too_big_without_a_length_stops_as_soon_as_it_is_over(
    web: ImageServer, store: MediaStore
) -> None:
    piece = samples.png() + bytes(65536)
    web.serve("/endless.png", Answer(headers={"Content-Type": "image/png"}, body=endless(piece)))
    message = refused(store, web.url("/endless.png"), LOCAL, PayloadTooLargeError)
    assert "GEODE_MEDIA_MAX_BYTES" in message
    # The client left after 1 MiB: the server could write what the sockets' buffers hold.
    assert web.sent["/endless.png"] < 64 << 20


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (samples.HTML, "image/png", "is something else, not a JPEG, PNG, GIF, WebP or AVIF image"),
        (samples.SVG, "image/svg+xml", "sent Content-Type 'image/svg+xml', not an image's"),
        (samples.SVG, "image/png", "is something else"),
        (samples.png(), "text/html; charset=utf-8", "not an image's"),
        (samples.png(), "application/octet-stream", "not an image's"),
        (samples.png(), None, "sent no Content-Type"),
        (samples.MP4, "image/png", "is a video/mp4 file, not a JPEG"),
        (samples.ZIP, "image/jpeg", "is something else"),
        (b"GIF8", "image/gif", "is something else"),  # shorter than a signature
    ],
    ids=[
        "html",
        "svg",
        "svg-as-png",
        "png-as-html",
        "png-as-octets",
        "png-untyped",
        "mp4",
        "zip",
        "short",
    ],
)
def test_what_is_not_an_image_is_refused(
    web: ImageServer,
    store: MediaStore,
    body: bytes,
    content_type: str | None,
    expected: str,
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    web.serve("/file", Answer(headers=headers, body=body))
    message = refused(store, web.url("/file"), LOCAL, UnsupportedFileTypeError)
    assert expected in message


def test_failed_downloads_say_why(web: ImageServer, store: MediaStore) -> None:
    web.serve("/missing.png?token=s3cret", Answer(404))
    message = refused(store, web.url("/missing.png?token=s3cret"), LOCAL, RemoteFetchFailedError)
    assert "answered HTTP 404 Not Found" in message
    assert "s3cret" not in message  # a query may hold a signature: never repeated

    web.serve("/empty.png", image(b"", "image/png"))
    assert "empty file" in refused(store, web.url("/empty.png"), LOCAL, RemoteFetchFailedError)

    web.serve(
        "/gz.png",
        Answer(headers={"Content-Type": "image/png", "Content-Encoding": "gzip"}, body=b"\x1f\x8b"),
    )
    assert "compressed (gzip)" in refused(store, web.url("/gz.png"), LOCAL, RemoteFetchFailedError)

    web.serve(
        "/slow.png", Answer(headers={"Content-Type": "image/png"}, body=samples.png(), delay=3)
    )
    slow = RemoteFetchPolicy.of(["127.0.0.1"], timeout=0.5)
    message = refused(store, web.url("/slow.png"), slow, RemoteFetchFailedError)
    assert "took more than 0.5 seconds" in message
    assert "GEODE_REMOTE_FETCH_TIMEOUT" in message

    closed = f"http://127.0.0.1:{_closed_port()}/p.png"
    assert "could not connect" in refused(store, closed, LOCAL, RemoteFetchFailedError)

    resolver, _ = fake_dns(no_such_host_test=[])
    message = refused(
        store, "https://no-such-host.test/p.png", LOCAL, RemoteFetchFailedError, resolver
    )
    assert "has no address" in message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The settings -------------------------------------------------------------------------


def test_the_allowed_hosts_setting_reads_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"GEODE_{name.upper()}", raising=False)
    default = Settings()
    assert default.remote_fetch_allowed_hosts == []
    assert default.remote_fetch_public_hosts is True
    assert default.remote_fetch_timeout == 30
    monkeypatch.setenv(
        "GEODE_REMOTE_FETCH_ALLOWED_HOSTS", " Media.Internal. ,10.1.2.3/16,, fd00::1,127.0.0.1"
    )
    monkeypatch.setenv("GEODE_REMOTE_FETCH_PUBLIC_HOSTS", "false")
    chosen = Settings()
    assert chosen.remote_fetch_allowed_hosts == [
        "media.internal",
        "10.1.0.0/16",
        "fd00::1/128",
        "127.0.0.1/32",
    ]
    policy = RemoteFetchPolicy.from_settings(chosen)
    assert policy.allowed_names == {"media.internal"}
    assert policy.public_hosts is False
    assert policy.allows("MEDIA.internal", ipaddress.ip_address("8.8.8.8"))
    assert policy.allows("x.test", ipaddress.ip_address("10.1.200.3"))
    assert policy.allows("x.test", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not policy.allows("x.test", ipaddress.ip_address("10.2.0.1"))


@pytest.mark.parametrize(
    "value", ["*.example.com", "http://cdn.example.com", "cdn.example.com:443"]
)
def test_an_allowed_host_that_is_no_host_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("GEODE_REMOTE_FETCH_ALLOWED_HOSTS", f"media.internal,{value}")
    with pytest.raises(InvalidSettingError) as caught:
        load_settings()
    assert "GEODE_REMOTE_FETCH_ALLOWED_HOSTS=" in caught.value.message
    assert f"{value!r} is not a host name (media.internal), an IP address" in caught.value.message
