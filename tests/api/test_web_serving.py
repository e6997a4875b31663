"""The built web app is served at `/`; client routes fall back to index.html; API paths win."""

from __future__ import annotations

from pathlib import Path

import httpx


def test_spa_fallback_never_shadows_the_api(start_server, tmp_path: Path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Open Chat</title>")
    (dist / "assets" / "app.js").write_text("console.log('x')")
    (dist / "favicon.svg").write_text("<svg/>")
    server = start_server(web_dist=str(dist))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in ("/", "/c/some-conversation-id", "/settings"):
            page = client.get(path)
            assert page.status_code == 200 and "<title>Open Chat</title>" in page.text, path
            assert "script-src 'self'" in page.headers["content-security-policy"]
        asset = client.get("/assets/app.js")
        assert asset.text == "console.log('x')"
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/c/some-conversation-id").headers["cache-control"] == "no-cache"
        assert client.get("/favicon.svg").text == "<svg/>"
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/conversations").json()["data"] == []
        missing = client.get("/conversations/nope")
        assert missing.status_code == 404 and missing.json() == {
            "detail": "Conversation not found."
        }
        assert client.get("/models/unknown/path").status_code == 404
        # An API path no route serves is a 404 whatever the method; a page's path takes GET only.
        for method in ("GET", "POST", "PUT", "DELETE"):
            unknown = client.request(method, "/conversations/some-id/nope")
            assert unknown.status_code == 404, method
            assert unknown.json() == {"detail": "Not Found"}
        assert client.post("/settings").status_code == 405
        assert client.get("/../../etc/passwd").status_code in (200, 404)
        assert "root:" not in client.get("/..%2F..%2Fetc%2Fpasswd").text
