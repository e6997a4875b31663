"""The images a message may carry: how many, how large, and how each format is known.

The formats are those OpenRouter's providers read. A format is known by the bytes' own
signature, never by the name or the declared type alone: the bytes are served back to the
browser under that type.
"""

from __future__ import annotations

MAX_ATTACHMENTS = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # the lowest of the providers' limits (Anthropic's)
# The most image bytes one upstream request carries, newest first: one message at its limit.
IMAGE_BUDGET_BYTES = MAX_ATTACHMENTS * MAX_IMAGE_BYTES


def media_type_of(data: bytes) -> str | None:
    """The media type the bytes' signature says: PNG, JPEG, WebP or GIF; None for any other."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None
