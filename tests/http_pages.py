"""Article pages served on 127.0.0.1 from a thread, for the fetch and add tests (no other address is used)."""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    send_length: bool = True


class PageServer:
    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests.append((self.path, self.headers.get("Host", "")))
                page = server.pages.get(self.path)
                if page is None:
                    self.send_error(404)
                    return
                if page.delay:
                    time.sleep(page.delay)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                for k, v in page.headers.items():
                    self.send_header(k, v)
                if page.send_length:
                    self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(page.body)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> "PageServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def article_html(*, title: str, outlet: str, canonical: str, published: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{published}T09:00:00Z">
<link rel="canonical" href="{canonical}">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>© {outlet}. All rights reserved.</footer>
</body></html>""".encode("utf-8")


PAYWALL_HTML = b"""<!doctype html><html><head><title>Subscribe</title></head><body>
<nav><a href="/">Home</a></nav><div class="paywall"><a href="/subscribe">Subscribe</a></div>
</body></html>"""

# A paywalled article as news sites mark it up for search engines: a teaser, and schema.org's flag.
PAYWALL_TEASER_HTML = b"""<!doctype html><html><head><title>Inside the door plug inquiry</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Inside the door plug inquiry", "isAccessibleForFree": false}</script></head><body>
<article><h1>Inside the door plug inquiry</h1><p>Investigators spent weeks at the factory in Renton before they
found the missing bolts.</p><div class="paywall">Subscribe to continue reading.</div></article></body></html>"""
PAYWALL_MICRODATA_HTML = PAYWALL_TEASER_HTML.replace(
    b'"isAccessibleForFree": false', b'"x": 1').replace(
    b"<article>", b'<article><meta itemprop="isAccessibleForFree" content="False">')
