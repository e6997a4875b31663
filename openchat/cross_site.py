"""Which requests another site's page made a browser send, and that are refused for it.

Open Chat has no accounts: whoever reaches it may use it, and it spends the OpenRouter key's
credits. A page on another site that its user opens can still make the browser send requests
here (a form's POST, a script's fetch). CORS keeps that page from reading the answers, not the
requests from having their effect: a regenerated answer, a stopped one, a deleted chat. So the
requests of other sites that would change something are refused, unless their origin is one of
CORS_ORIGINS. Browsers name the asking site in `Sec-Fetch-Site` when they speak to an HTTPS or
a loopback address; elsewhere (plain HTTP to a LAN address), and in older browsers, the
`Origin` they send with every POST, PATCH and DELETE is compared with the `Host` asked for.
Clients that are not browsers send neither header, and pass.

A stream is a GET that starts an answer when the latest question has none (the server itself
always starts one with the question, so that is rare). Over plain HTTP to a LAN address, a page
elsewhere that knew a conversation's id could still start one with an image's GET, which
carries neither header: serve Open Chat over HTTPS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import Scope

REFUSED = "Requests from other sites are refused. Add the site to CORS_ORIGINS to allow it."
READS = frozenset({"GET", "HEAD"})
# The one read that can start something: a stream whose question has no answer yet.
STARTS_ANSWERS = re.compile(r"/conversations/[^/]+/stream\Z")
# `none`: the user typed the address, or opened a bookmark.
OWN_SITE = (b"same-origin", b"none")
DEFAULT_PORTS = {b"http": b":80", b"https": b":443"}


class CrossSitePolicy:
    """Tells the requests of other sites' pages that may change something."""

    def __init__(self, allowed_origins: Iterable[str]) -> None:
        """`allowed_origins` as Settings normalises CORS_ORIGINS; `*` allows every site."""
        allowed = frozenset(origin.encode("ascii") for origin in allowed_origins)
        self._every_site = b"*" in allowed
        self._allowed = allowed

    def refuses(self, scope: Scope) -> bool:
        method = scope["method"]
        if self._every_site:
            return False
        if method == "OPTIONS":
            return False  # a preflight is CORS's to answer
        if method in READS and not STARTS_ANSWERS.search(scope["path"]):
            return False  # CORS keeps other sites from seeing what they read
        fetch_site: bytes | None = None
        origin: bytes | None = None
        host: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"sec-fetch-site":
                fetch_site = value
            elif name == b"origin":
                origin = value
            elif name == b"host":
                host = value
        if origin is not None and origin in self._allowed:
            return False
        if fetch_site is not None:
            return fetch_site not in OWN_SITE
        if origin is None:  # not a browser, or a browser's plain GET
            return False
        return not _same_origin(origin, (host or b"").lower())


def _same_origin(origin: bytes, host: bytes) -> bool:
    """Whether the page's origin names the address it asked for (`null`, from a sandboxed
    frame or a file, names none). The scheme is not compared: a proxy may end TLS."""
    scheme, _, address = origin.partition(b"://")
    return bool(address) and (address == host or address + DEFAULT_PORTS.get(scheme, b"") == host)
