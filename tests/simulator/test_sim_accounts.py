"""Account endpoints (/key, /credits, /generation) and HTTP/1.1 behaviour on raw sockets."""

import socket
import time

import httpx

from openchat.simulator.runner import RunningSimulator, run_simulator

KEY = "sk-or-v1-" + "ab" * 32


def test_key_reports_label_and_spend(simulator):
    auth = {"Authorization": f"Bearer {KEY}"}
    before = httpx.get(f"{simulator.base_url}/key", headers=auth).json()["data"]
    assert before["label"] == "sk-or-v1-aba...bab"
    assert before["is_management_key"] is False
    assert before["limit"] is None
    legacy = httpx.get(f"{simulator.base_url}/auth/key", headers=auth).json()["data"]
    assert legacy["label"] == before["label"]
    simulator.configure(key_limit=10)
    response = httpx.post(
        f"{simulator.base_url}/chat/completions",
        json={
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "[[sim tps=0]]x"}],
        },
        headers=auth,
    )
    cost = response.json()["usage"]["cost"]
    after = httpx.get(f"{simulator.base_url}/key", headers=auth).json()["data"]
    assert after["usage"] == before["usage"] + cost
    assert after["limit_remaining"] == 10 - after["usage"]


def test_credits_need_a_management_key(simulator, client):
    denied = client.get("/credits")
    assert denied.status_code == 403
    assert denied.json()["error"]["message"] == "Only management keys can perform this operation"
    simulator.configure(management_key="sk-or-v1-admin")
    allowed = httpx.get(
        f"{simulator.base_url}/credits", headers={"Authorization": "Bearer sk-or-v1-admin"}
    )
    assert allowed.status_code == 200
    assert set(allowed.json()["data"]) == {"total_credits", "total_usage"}


def test_generation_lookup_is_eventually_consistent(simulator, client, chat):
    simulator.configure(generation_misses=2)
    gen_id = chat("[[sim tokens=3 tps=0]]g").headers["x-generation-id"]
    statuses = [client.get("/generation", params={"id": gen_id}).status_code for _ in range(3)]
    assert statuses == [404, 404, 200]
    data = client.get("/generation", params={"id": gen_id}).json()["data"]
    assert data["id"] == gen_id
    assert data["streamed"] is True
    assert data["cancelled"] is False
    assert data["finish_reason"] == "stop"
    assert data["tokens_completion"] == 3
    assert data["http_referer"] == "https://openchat.test"
    assert data["total_cost"] > 0
    assert client.get("/generation", params={"id": "gen-0-nope"}).status_code == 404
    assert client.get("/generation").status_code == 400


def _raw_exchange(port: int, payload: bytes, wait: float = 0.3) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(payload)
        sock.settimeout(wait)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


def test_keep_alive_and_pipelining(simulator):
    health = b"GET /_sim/health HTTP/1.1\r\nHost: x\r\n\r\n"
    received = _raw_exchange(simulator.port, health * 3)
    assert received.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert received.count(b'{"status":"ok"}') == 3
    assert b"connection: close" not in received


def test_http_1_0_and_connection_close(simulator):
    request = b"GET /_sim/health HTTP/1.0\r\n\r\n"
    received = _raw_exchange(simulator.port, request + request)
    assert received.count(b"HTTP/1.1 200 OK") == 1  # the server closes after the first
    assert b"connection: close" in received
    body = b'{"messages":[{"role":"user","content":"[[sim tokens=2 ttft=0]]x"}],"stream":true}'
    stream = (
        b"POST /api/v1/chat/completions HTTP/1.0\r\nAuthorization: Bearer k\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    received = _raw_exchange(simulator.port, stream)
    assert b"transfer-encoding" not in received
    assert received.endswith(b"data: [DONE]\n\n")


def test_expect_100_continue_and_garbage(simulator):
    body = b'{"messages":[{"role":"user","content":"[[sim tokens=1 ttft=0]]x"}]}'
    request = (
        b"POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    received = _raw_exchange(simulator.port, request)
    assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    garbage = _raw_exchange(simulator.port, b"NOT HTTP AT ALL\r\n\r\n")
    assert garbage.startswith(b"HTTP/1.1 400 Bad Request")


def test_unknown_paths_and_methods(simulator):
    assert httpx.get(f"{simulator.root_url}/nope").status_code == 404
    assert httpx.get(f"{simulator.base_url}/chat/completions").status_code == 405
    assert httpx.delete(f"{simulator.base_url}/models").status_code == 405


def test_in_process_runner_starts_and_stops():
    with run_simulator(in_process=True, tokens=3, ttft=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
        response = httpx.post(
            f"{base_url}/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}], "stream": True},
            headers={"Authorization": "Bearer k"},
        )
        assert response.text.count('"content":"') == 3 + 3
    with RunningSimulator(in_process=True) as running:
        port = running.port
        stats = running.stats()
        assert stats.pop("connections") >= 1  # the readiness probe's
        assert stats == {"requests": 0, "open_streams": 0, "cancelled": 0}
    time.sleep(0.05)
    try:
        httpx.get(f"http://127.0.0.1:{port}/_sim/health", timeout=0.5)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the simulator still answers after stopping")
