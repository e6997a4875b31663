"""An image's format is known by its bytes' signature, whatever it is called."""

import pytest

from openchat.chat.images import media_type_of
from tests.images import png

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (png(), "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
        (GIF, "image/gif"),
        (GIF.replace(b"GIF89a", b"GIF87a"), "image/gif"),
    ],
)
def test_each_format_is_known_by_its_signature(data: bytes, media_type: str):
    assert media_type_of(data) == media_type


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"<html><script>alert(1)</script></html>",
        b"RIFF\x1a\x00\x00\x00WAVEfmt ",  # a RIFF file that is no WebP
        png()[1:],
        b"%PDF-1.7",
    ],
)
def test_anything_else_is_no_image_of_ours(data: bytes):
    assert media_type_of(data) is None
