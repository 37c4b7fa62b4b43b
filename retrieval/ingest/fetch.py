"""Fetching an article page by its address, safely: the bot runs inside a newsroom's network, and an address
typed by an editor must not make it read that network (server-side request forgery).

Rules, for the address given and for every redirect hop:
- http and https only, no user:password in the address;
- the host is resolved once and *every* address it resolves to must be public (not loopback, private,
  link-local, multicast, reserved, unspecified or shared address space; an IPv4 address inside IPv6 is judged
  as IPv4) unless `allow_private` (CASEBOT_FETCH_ALLOW_PRIVATE) is set;
- the connection goes to the address that was checked (never resolved again: a DNS answer that changes
  between check and connect, "DNS rebinding", cannot slip a private address in); for https the certificate is
  still verified against the host name;
- at most `max_bytes` of body (CASEBOT_MAX_FILE_BYTES), at most `timeout` seconds for the whole fetch
  (CASEBOT_FETCH_TIMEOUT_SECONDS), at most MAX_REDIRECTS redirects;
- only HTML or plain text is accepted (Content-Type).

HTTP is urllib3 (already required by trafilatura): its connection pools take the address to connect to and
the host name for TLS separately, which is exactly what the no-re-resolution rule needs.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

import urllib3

MAX_REDIRECTS = 5
ACCEPTED_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
USER_AGENT = "casebot (newsroom article fetcher)"
PRIVATE_HINT = "set CASEBOT_FETCH_ALLOW_PRIVATE=true to allow private addresses"


class FetchError(ValueError):
    """The page cannot be fetched or is refused; the message says why (for the editor, not a traceback)."""


class AddressRefused(FetchError):
    """The address, or one its host resolves to, is not a public internet address."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    kind: str  # "html" or "text"
    text: str


Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"the host {host} cannot be found ({exc})") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_problem(address: str) -> str | None:
    """Why this address may not be fetched by default, or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_problem(str(embedded))
    # Most specific first: Python counts loopback, link-local and reserved ranges as private too.
    for kind, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                       ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return kind
    if not ip.is_global:  # e.g. 100.64.0.0/10, shared by carriers
        return "non-public"
    return None


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query


def parse_address(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid address: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http:// and https:// addresses can be fetched, not {parts.scheme or 'this'!r}")
    if not parts.hostname:
        raise FetchError("the address has no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError("addresses with a user name or password are not fetched")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def checked_addresses(target: _Target, *, allow_private: bool, resolver: Resolver) -> list[str]:
    addresses = resolver(target.host, target.port)
    if not addresses:
        raise FetchError(f"the host {target.host} has no address")
    if not allow_private:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise AddressRefused(f"{target.host} resolves to {address}, a {problem} address: refused "
                                     f"({PRIVATE_HINT})")
    return addresses


def _open(target: _Target, address: str, timeout: float):
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    headers = {"Host": host_header, "User-Agent": USER_AGENT,
               "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9", "Accept-Encoding": "gzip, deflate"}
    t = urllib3.Timeout(connect=timeout, read=timeout)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, target.port, timeout=t, retries=False, maxsize=1,
                                           server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=t, retries=False, maxsize=1)
    try:
        return pool, pool.urlopen("GET", target.path, headers=headers, redirect=False, retries=False,
                                  preload_content=False, assert_same_host=False)
    except urllib3.exceptions.HTTPError as exc:
        pool.close()
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"could not fetch from {target.host}: {reason}") from None


def _read_body(response, *, max_bytes: int, deadline: float, host: str) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"the page is too large ({int(length):,} bytes; the limit is {max_bytes:,})")
    chunks, total = [], 0
    try:
        for chunk in response.stream(65536, decode_content=True):
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(f"the page is too large (over the limit of {max_bytes:,} bytes)")
            if time.monotonic() > deadline:
                raise FetchError(f"{host} took too long to send the page")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"the page from {host} could not be read: {exc}") from None
    return b"".join(chunks)


def _decode(raw: bytes, content_type: str, kind: str, max_bytes: int) -> str:
    charset = None
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    from trafilatura.utils import decode_file

    return decode_file(raw, max_size=max_bytes)


def fetch_page(url: str, *, allow_private: bool = False, max_bytes: int = 5_000_000, timeout: float = 20.0,
               resolver: Resolver = resolve_host) -> FetchedPage:
    """GET an article page under the module's rules; raises FetchError (AddressRefused for an address rule)."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        target = parse_address(url)
        address = checked_addresses(target, allow_private=allow_private, resolver=resolver)[0]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{target.host} took too long to answer")
        pool, response = _open(target, address, remaining)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{target.host} redirected without saying where")
                url = urljoin(url, location)
                continue
            if response.status in (401, 402, 403):
                raise FetchError(f"{target.host} refused the page (HTTP {response.status}): it may need a "
                                 "subscription or a login")
            if not 200 <= response.status < 300:
                raise FetchError(f"{target.host} answered HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "")
            mime = content_type.split(";", 1)[0].strip().lower()
            kind = ACCEPTED_TYPES.get(mime)
            if kind is None:
                raise FetchError(f"the address is not an article page (content type {mime or 'not given'}); "
                                 "HTML or plain text is needed")
            raw = _read_body(response, max_bytes=max_bytes, deadline=deadline, host=target.host)
            return FetchedPage(url, kind, _decode(raw, content_type, kind, max_bytes))
        finally:
            response.release_conn()
            pool.close()
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
