"""Origin: where the upstream API is, from its base URL (OPENROUTER_BASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True, slots=True)
class Origin:
    """Where requests go: scheme, host and port, the `Host` header, and the base path."""

    host: str
    port: int
    tls: bool
    authority: str
    base_path: str  # ends with "/"

    @classmethod
    def of(cls, base_url: str) -> Origin:
        """The origin of an `http://` or `https://` URL; ValueError for anything else."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must be a scheme, a host, an optional port and a path, nothing more")
        tls = parts.scheme == "https"
        host = parts.hostname.encode("idna").decode("ascii")  # UnicodeError is a ValueError
        authority = f"[{host}]" if ":" in host else host
        if parts.port is not None:  # ValueError for a port out of range
            authority += f":{parts.port}"
        path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")  # a space would break the head
        path = path if path.endswith("/") else path + "/"
        return cls(host, parts.port or (443 if tls else 80), tls, authority, path)
