"""Which requests another site's page made a browser send, and that are refused for it.

Open Chat has no accounts: whoever reaches it may use it, and it spends the OpenRouter key's
credits. A page on another site that its user opens can still make the browser send requests
here (a form's POST, an image's or an EventSource's GET). CORS keeps that page from reading
the answers, not the requests from having their effect: a regenerated answer, a stopped one,
a stream that starts one. Browsers say where a request comes from (`Sec-Fetch-Site`, and
`Origin` on every request but a plain GET), so those from another site are refused, unless
their origin is one of CORS_ORIGINS. Clients that are not browsers send neither, and pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import Scope

REFUSED = "Requests from other sites are refused. Add the site to CORS_ORIGINS to allow it."
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The one safe-method request that can start something: a stream whose question has no answer.
STARTS_ANSWERS = re.compile(r"/conversations/[^/]+/stream$")
# `none`: the user typed the address, or opened a bookmark.
OWN_SITE = (b"same-origin", b"none")


class CrossSitePolicy:
    """Tells the requests of other sites' pages that may change something."""

    def __init__(self, allowed_origins: Iterable[str]) -> None:
        self._allowed = frozenset(
            origin.rstrip("/").encode("latin-1") for origin in allowed_origins
        )

    def refuses(self, scope: Scope) -> bool:
        if scope["method"] in SAFE_METHODS and not STARTS_ANSWERS.search(scope["path"]):
            return False  # reads: CORS keeps other sites from seeing them
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
        if fetch_site is not None:  # every current browser sends it
            return fetch_site not in OWN_SITE
        if origin is None:  # not a browser (or an old one's plain GET)
            return False
        # An older browser: the page's origin against the address it asked for. `null` (a
        # sandboxed frame, a file) has no host and is refused.
        return origin.partition(b"://")[2] != (host or b"").lower()
