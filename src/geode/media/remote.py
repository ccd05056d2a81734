"""An image fetched from a URL into the media store, without opening a way inside.

`fileUpload.uploadFromUrl` makes Geode download what a client names; left
unchecked, that is a request from inside the network (to a database port, a
cloud's metadata address, an admin page on localhost) on the client's behalf.
So, for every URL and every redirect:

- only `http://` and `https://`, without a user name or password;
- the host is resolved here, and every address it has must be public: not
  private, loopback, link-local, multicast, reserved or unspecified (an IPv6
  address carrying an IPv4 one, `::ffff:10.0.0.1`, 6to4 or NAT64, is judged by
  that IPv4 address) unless the host name, or a range holding the address, is
  in GEODE_REMOTE_FETCH_ALLOWED_HOSTS; GEODE_REMOTE_FETCH_PUBLIC_HOSTS=false
  fetches from those hosts only;
- the connection goes to the address checked, never to a second resolution
  (a name that resolves to a public address for the check and to a private one
  for the connection gets nowhere): the URL names the address, `Host` and TLS
  (SNI and the certificate's check) the host name;
- no proxy from the environment, at most MAX_REDIRECTS redirects, the whole
  fetch within GEODE_REMOTE_FETCH_TIMEOUT seconds.

What arrives must be an image: a 200 answer whose Content-Type is an image
type, not compressed (`Accept-Encoding: identity`, so the size counted is the
size stored), at most GEODE_MEDIA_MAX_BYTES (refused from Content-Length, else
as soon as the count passes it, without reading more) and whose first bytes
are a JPEG, PNG, GIF, WebP or AVIF (`sniff`; SVG never is). It is streamed into
the store's incoming directory (`MediaStore.receive`); the caller records it
with `service.record` and commits, as an HTTP upload does.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

import anyio
import httpx

from geode.errors import (
    GeodeError,
    InvalidInputError,
    PayloadTooLargeError,
    UnsupportedFileTypeError,
)
from geode.media.sniff import ALLOWED, SNIFF_BYTES, FileType, sniff
from geode.media.store import MediaStore, Received

if TYPE_CHECKING:
    from geode.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
"""`(host, port)` to the host's addresses (a test may answer its own)."""

MAX_REDIRECTS: Final = 5
CONNECT_TIMEOUT: Final = 10.0
"""Seconds to connect to one address (the whole fetch has its own limit)."""
USER_AGENT: Final = "Geode media fetcher (fileUpload.uploadFromUrl)"

IMAGE_TYPES: Final = tuple(kind for kind in ALLOWED if kind.content_type.startswith("image/"))
IMAGE_NAMES: Final = "JPEG, PNG, GIF, WebP or AVIF"
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_SETTING: Final = "GEODE_REMOTE_FETCH_ALLOWED_HOSTS"


class RemoteFetchRefusedError(InvalidInputError):
    """A URL Geode will not fetch: its scheme, its host's addresses, its redirects."""

    code = "remote_fetch_refused"


class RemoteFetchFailedError(GeodeError):
    """A URL Geode may fetch but could not: no such host, no answer, not a 200."""

    code = "remote_fetch_failed"


@dataclass(frozen=True)
class RemoteFetchPolicy:
    allowed_names: frozenset[str] = frozenset()
    """Host names fetched whatever their addresses (lowercase, without a final dot)."""
    allowed_networks: tuple[IPNetwork, ...] = ()
    """Addresses fetched even though they are not public."""
    public_hosts: bool = True
    """False: only the allowed names and networks are fetched."""
    timeout: float = 30.0
    """Seconds for the whole fetch: resolving, connecting, redirects and body."""
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteFetchPolicy:
        return cls.of(
            settings.remote_fetch_allowed_hosts,
            public_hosts=settings.remote_fetch_public_hosts,
            timeout=settings.remote_fetch_timeout,
        )

    @classmethod
    def of(
        cls, allowed_hosts: list[str], *, public_hosts: bool = True, timeout: float = 30.0
    ) -> RemoteFetchPolicy:
        """From GEODE_REMOTE_FETCH_ALLOWED_HOSTS's entries: host names, addresses, ranges."""
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allowed_hosts:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                names.add(_host_name(entry))
        return cls(frozenset(names), tuple(networks), public_hosts, timeout)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether `host` (or `address`, one of its addresses) is allowed by the setting."""
        if _host_name(host) in self.allowed_names:
            return True
        candidates = [address]
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            candidates.append(embedded)
        return any(found in network for found in candidates for network in self.allowed_networks)


@dataclass(frozen=True)
class Fetched:
    received: Received
    """In the store's incoming directory: `service.record` it, or `MediaStore.discard` it."""
    url: str
    """The URL the file came from, after redirects."""
    filename: str | None
    """The last segment of that URL's path, decoded (None when it has none)."""


def not_public(address: IPAddress) -> str | None:
    """Why `address` is no public Internet address ("loopback", "private", ...), or None."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return not_public(embedded)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local):
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:  # e.g. 100.64.0.0/10, the carriers' shared space
        return "non-public"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses of `host`, as the system resolves them, in its order."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RemoteFetchFailedError(
            f"url: the host name {host!r} could not be resolved ({exc.strerror or exc}); "
            "check the address",
            detail={"path": "url", "host": host},
        ) from None
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def download_image(
    store: MediaStore,
    url: str,
    policy: RemoteFetchPolicy,
    *,
    resolver: Resolver = resolve,
) -> Fetched:
    """`fetch_image` from synchronous code (a GraphQL resolver's worker thread): it runs
    in an event loop of its own, so the server's loop is never waited on."""
    return anyio.run(partial(fetch_image, store, url, policy, resolver=resolver))


async def fetch_image(
    store: MediaStore,
    url: str,
    policy: RemoteFetchPolicy,
    *,
    resolver: Resolver = resolve,
) -> Fetched:
    """Fetch `url` into `store`'s incoming directory (see the module's docstring). Every
    refusal is a `GeodeError`; nothing of a refused file is left behind."""
    current = start = _parsed(url)
    try:
        with anyio.fail_after(policy.timeout):
            async with _client(policy) as client:
                for _ in range(policy.max_redirects + 1):
                    response = await _open(client, current, policy, resolver)
                    try:
                        if response.status_code in _REDIRECTS:
                            current = _redirected(current, response)
                            continue
                        received = await _receive(store, current, response)
                        return Fetched(received, str(current), _filename(current))
                    finally:
                        await response.aclose()
    except TimeoutError:
        raise RemoteFetchFailedError(
            f"url: fetching {_shown(current)} took more than {policy.timeout:g} seconds, the "
            "most this server waits (GEODE_REMOTE_FETCH_TIMEOUT); try again, or upload the "
            "file with POST /api/media",
            detail={"path": "url", "timeout": policy.timeout},
        ) from None
    except httpx.TimeoutException:
        raise RemoteFetchFailedError(
            f"url: {_shown(current)} stopped answering; try again, or upload the file with "
            "POST /api/media",
            detail={"path": "url"},
        ) from None
    except httpx.HTTPError as exc:
        raise RemoteFetchFailedError(
            f"url: the download from {_shown(current)} failed ({type(exc).__name__}: {exc}); "
            "check the address, or upload the file with POST /api/media",
            detail={"path": "url"},
        ) from None
    raise RemoteFetchRefusedError(
        f"url: {_shown(start)} redirects more than {policy.max_redirects} times; give the address "
        "the image is finally served at",
        detail={"path": "url", "maxRedirects": policy.max_redirects},
    )


def _client(policy: RemoteFetchPolicy) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        follow_redirects=False,  # each one is checked by `fetch_image`
        trust_env=False,  # a proxy from the environment would connect elsewhere
        # One address that does not answer leaves time for the next; the whole fetch is
        # bounded by `anyio.fail_after` in `fetch_image`.
        timeout=httpx.Timeout(None, connect=CONNECT_TIMEOUT),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": ", ".join(kind.content_type for kind in IMAGE_TYPES),
            "Accept-Encoding": "identity",
        },
    )


def _parsed(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise RemoteFetchRefusedError(
            f"url: {url!r} is not a web address ({exc}); give one such as "
            "https://example.com/photo.jpg",
            detail={"path": "url"},
        ) from None
    if parsed.scheme not in ("http", "https"):
        said = f"{parsed.scheme}:" if parsed.scheme else "an address without a scheme"
        raise RemoteFetchRefusedError(
            f"url: only http:// and https:// addresses are fetched, not {said}; give the "
            "image's web address, such as https://example.com/photo.jpg",
            detail={"path": "url", "scheme": parsed.scheme},
        )
    if not parsed.host:
        raise RemoteFetchRefusedError(
            f"url: {url!r} names no host; give a full address such as "
            "https://example.com/photo.jpg",
            detail={"path": "url"},
        )
    if parsed.userinfo:
        raise RemoteFetchRefusedError(
            "url: the address holds a user name or password, which Geode does not send; "
            "give an address the image can be read at without one",
            detail={"path": "url"},
        )
    return parsed


async def _addresses(
    url: httpx.URL, policy: RemoteFetchPolicy, resolver: Resolver
) -> list[IPAddress]:
    """The addresses to connect to for `url`, every one of them allowed."""
    host = url.raw_host.decode("ascii")
    literal = _is_address(url.host)
    if literal:
        addresses: list[IPAddress] = [ipaddress.ip_address(url.host)]
    else:
        addresses = await resolver(host, _port(url))
    if not addresses:
        raise RemoteFetchFailedError(
            f"url: the host name {host!r} has no address; check the address",
            detail={"path": "url", "host": host},
        )
    for address in addresses:
        if policy.allows(host, address):
            continue
        if not policy.public_hosts:
            raise RemoteFetchRefusedError(
                f"url: {host} is not among the hosts this server fetches from ({_SETTING}; "
                "GEODE_REMOTE_FETCH_PUBLIC_HOSTS is false); upload the file with "
                "POST /api/media, or ask the server's operator to allow the host",
                detail={"path": "url", "host": host},
            )
        reason = not_public(address)
        if reason is not None:
            what = "is" if literal else "resolves to"
            raise RemoteFetchRefusedError(
                f"url: {host} {what} {_a(reason)} address: Geode fetches only from public "
                "addresses, so that this cannot reach services inside its network; give a "
                f"public address, or ask the server's operator to allow the host in {_SETTING}",
                detail={"path": "url", "host": host, "reason": reason},
            )
    return addresses


async def _open(
    client: httpx.AsyncClient, url: httpx.URL, policy: RemoteFetchPolicy, resolver: Resolver
) -> httpx.Response:
    """GET `url` from one of the addresses checked (the next one if one refuses the
    connection): its host name goes in `Host` and TLS, never to a resolver again."""
    addresses = await _addresses(url, policy, resolver)
    host_header = httpx.Request("GET", url).headers["Host"]
    extensions: dict[str, str] = {}
    if url.scheme == "https" and not _is_address(url.host):
        extensions["sni_hostname"] = url.raw_host.decode("ascii")
    failure: httpx.ConnectError | httpx.ConnectTimeout | None = None
    for address in addresses:
        request = client.build_request(
            "GET",
            url.copy_with(host=str(address)),
            headers={"Host": host_header},
            extensions=extensions,
        )
        try:
            return await client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failure = exc
    assert failure is not None
    raise RemoteFetchFailedError(
        f"url: could not connect to {_shown(url)} ({failure}); check the address, or try again",
        detail={"path": "url"},
    )


def _redirected(url: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location")
    if not location:
        raise RemoteFetchFailedError(
            f"url: {_shown(url)} answered a redirect ({response.status_code}) without saying "
            "where to; give the image's final address",
            detail={"path": "url", "status": response.status_code},
        )
    try:
        target = url.join(location)
    except httpx.InvalidURL:
        target = None
    if target is None:
        raise RemoteFetchRefusedError(
            f"url: {_shown(url)} redirects to an address that is not valid ({location!r}); "
            "give the image's final address",
            detail={"path": "url"},
        )
    return _parsed(str(target.copy_with(fragment=None)))


async def _receive(store: MediaStore, url: httpx.URL, response: httpx.Response) -> Received:
    if response.status_code != 200:
        raise RemoteFetchFailedError(
            f"url: {_shown(url)} answered HTTP {response.status_code} "
            f"{response.reason_phrase}; give the address of the image itself, readable "
            "without logging in",
            detail={"path": "url", "status": response.status_code},
        )
    declared = response.headers.get("Content-Type", "")
    media_type = declared.split(";", 1)[0].strip().lower()
    if not media_type.startswith("image/") or media_type == "image/svg+xml":
        sent = f"Content-Type {declared!r}" if declared else "no Content-Type"
        raise UnsupportedFileTypeError(
            f"url: {_shown(url)} sent {sent}, not an image's; give the address of a "
            f"{IMAGE_NAMES} image itself, not of a page showing it (SVG is refused: it can "
            "carry scripts)",
            detail={"path": "url", "declaredType": declared or None},
        )
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise RemoteFetchFailedError(
            f"url: {_shown(url)} sent the image compressed ({encoding}) although Geode asked "
            "for it as it is; give an address that serves the file uncompressed",
            detail={"path": "url", "contentEncoding": encoding},
        )
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > store.max_bytes:
        raise _too_large(url, store.max_bytes)
    chunks = _checked_chunks(url, response, store.max_bytes, declared)
    try:
        return await store.receive(chunks, declared)
    finally:
        await chunks.aclose()


async def _checked_chunks(
    url: httpx.URL, response: httpx.Response, max_bytes: int, declared: str
) -> AsyncGenerator[bytes, None]:
    """The body, refused as soon as it is too big or its first bytes are no image:
    before the store sees them, so the refusal speaks of the URL."""
    size = 0
    head = b""
    decided = False
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        if not decided:
            head += chunk[: SNIFF_BYTES - len(head)]
            if len(head) >= SNIFF_BYTES:
                _check_image(url, head, declared)
                decided = True
        yield chunk
    if size == 0:
        raise RemoteFetchFailedError(
            f"url: {_shown(url)} answered an empty file; give the address of the image itself",
            detail={"path": "url", "size": 0},
        )
    if not decided:
        _check_image(url, head, declared)


def _check_image(url: httpx.URL, head: bytes, declared: str) -> FileType:
    found = sniff(head)
    if found is None or found not in IMAGE_TYPES:
        what = f"a {found.content_type} file" if found is not None else "something else"
        raise UnsupportedFileTypeError(
            f"url: the file at {_shown(url)} (sent as {declared}) is {what}, not a "
            f"{IMAGE_NAMES} image, judging by its first bytes; give the address of the image "
            "itself (SVG is refused: it can carry scripts)",
            detail={"path": "url", "declaredType": declared},
        )
    return found


def _too_large(url: httpx.URL, max_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"url: the file at {_shown(url)} is larger than {max_bytes} bytes, the most this "
        "server accepts (GEODE_MEDIA_MAX_BYTES); give a smaller image",
        detail={"path": "url", "maxBytes": max_bytes},
    )


def _filename(url: httpx.URL) -> str | None:
    segment = unquote(url.path.rsplit("/", 1)[-1])
    return segment or None


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _shown(url: httpx.URL) -> str:
    """The URL without its query, which may hold a signature or a token."""
    return str(url.copy_with(query=None, fragment=None))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _host_name(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped (`::ffff:a.b.c.d`), 6to4
    (`2002:AABB:CCDD::`) or NAT64 (`64:ff9b::a.b.c.d`); connecting to it reaches that
    IPv4 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
