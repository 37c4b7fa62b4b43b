"""Fetching a page by its address: only public http(s) addresses, checked at every hop, connected to as
checked, with size, time and content-type limits. Every server here is on 127.0.0.1."""
from __future__ import annotations

import pytest

from retrieval.ingest import fetch
from retrieval.ingest.fetch import AddressRefused, FetchError, address_problem, fetch_page
from tests.http_pages import Page, PageServer, article_html

ARTICLE = article_html(title="Bolts found loose on grounded jets", outlet="The Aviation Desk",
                       canonical="https://aviation.example.org/2024/01/loose-bolts", published="2024-01-09",
                       paragraphs=["Inspections of the grounded 737 Max 9 fleet found loose bolts on several "
                                   "planes, the airline said on Monday."])


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.9", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("2002:7f00:1::", "loopback"),
])
def test_non_public_addresses_are_named(address, kind):
    assert address_problem(address) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "151.101.1.164", "2606:4700::6810:84e5"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http"), ("ftp://example.org/a", "only http"), ("gopher://x/", "only http"),
    ("javascript:alert(1)", "only http"), ("http://user:pw@example.org/", "password"), ("http:///nohost", "no host"),
    ("http://example.org:99999/", "not a valid address"),
])
def test_only_plain_http_addresses(url, reason):
    with pytest.raises(FetchError, match=reason):
        fetch_page(url, resolver=lambda h, p: pytest.fail("resolved a refused address"))


@pytest.fixture
def server():
    with PageServer() as s:
        s.pages["/article"] = Page(ARTICLE)
        yield s


def test_loopback_is_refused_without_the_setting_and_fetched_with_it(server):
    with pytest.raises(AddressRefused, match="loopback.*CASEBOT_FETCH_ALLOW_PRIVATE"):
        fetch_page(server.url("/article"))
    assert server.requests == []  # refused before connecting
    page = fetch_page(server.url("/article"), allow_private=True)
    assert page.kind == "html" and "loose bolts" in page.text


def _pretend_public(monkeypatch, *public):
    """Treat these loopback addresses as public, so a test server can stand for a site on the internet."""
    real = fetch.address_problem
    monkeypatch.setattr(fetch, "address_problem", lambda a: None if a in public else real(a))


def test_every_resolved_address_is_checked_and_the_checked_one_is_connected_to(server, monkeypatch):
    _pretend_public(monkeypatch, "127.0.0.1")
    calls = []

    def resolver(host, port):
        calls.append(host)
        return {"news.example": ["127.0.0.1"], "mixed.example": ["127.0.0.1", "10.0.0.7"]}[host]

    page = fetch_page(f"http://news.example:{server.port}/article", resolver=resolver)
    assert "loose bolts" in page.text
    # Connected to the address that was checked, asking for the host by name: no second lookup.
    assert calls == ["news.example"] and server.requests[-1] == ("/article", f"news.example:{server.port}")
    with pytest.raises(AddressRefused, match="10.0.0.7, a private address"):
        fetch_page(f"http://mixed.example:{server.port}/article", resolver=resolver)


@pytest.mark.parametrize("location", ["http://intranet.example/admin", "http://169.254.169.254/latest/meta-data",
                                      "http://[::1]/", "ftp://news.example/file"])
def test_each_redirect_hop_is_checked(server, monkeypatch, location):
    _pretend_public(monkeypatch, "127.0.0.1")
    server.pages["/moved"] = Page(b"", status=302, headers={"Location": location})
    resolver = {"news.example": ["127.0.0.1"], "intranet.example": ["192.168.0.10"],
                "169.254.169.254": ["169.254.169.254"], "::1": ["::1"]}
    with pytest.raises(FetchError):
        fetch_page(f"http://news.example:{server.port}/moved", resolver=lambda h, p: resolver[h])
    assert [p for p, _ in server.requests] == ["/moved"]


def test_redirects_are_followed_to_a_limit(server):
    server.pages["/old"] = Page(b"", status=301, headers={"Location": "/article"})
    assert fetch_page(server.url("/old"), allow_private=True).url.endswith("/article")
    server.pages["/loop"] = Page(b"", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_page(server.url("/loop"), allow_private=True)


@pytest.mark.parametrize("send_length", [True, False])
def test_size_limit(server, send_length):
    server.pages["/big"] = Page(b"<p>" + b"x" * 50_000 + b"</p>", send_length=send_length)
    with pytest.raises(FetchError, match="too large"):
        fetch_page(server.url("/big"), allow_private=True, max_bytes=10_000)


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json", ""])
def test_only_html_or_text(server, content_type):
    server.pages["/file"] = Page(b"%PDF-1.4", content_type=content_type)
    with pytest.raises(FetchError, match="not an article page"):
        fetch_page(server.url("/file"), allow_private=True)


def test_time_limit(server):
    server.pages["/slow"] = Page(ARTICLE, delay=3.0)
    with pytest.raises(FetchError):
        fetch_page(server.url("/slow"), allow_private=True, timeout=0.5)


@pytest.mark.parametrize("status, reason", [(402, "subscription"), (403, "subscription"), (404, "HTTP 404"),
                                            (500, "HTTP 500")])
def test_error_statuses_are_reported(server, status, reason):
    server.pages["/err"] = Page(b"no", status=status)
    with pytest.raises(FetchError, match=reason):
        fetch_page(server.url("/err"), allow_private=True)


def test_declared_charset_is_used(server):
    server.pages["/latin"] = Page("<p>Le procès de l’été à Paris.</p>".encode("cp1252"),
                                  content_type="text/html; charset=windows-1252")
    assert "procès de l’été" in fetch_page(server.url("/latin"), allow_private=True).text
