"""The benchmark's own parts: the lean client's HTTP/SSE parsing, the percentile helper and the
readings of a process's threads."""

import asyncio
import math
import os
import threading

import pytest

from bench.client import ChunkedDecoder, _Protocol
from bench.procstat import BusiestSecond, busiest_thread
from bench.sse import SseParser
from bench.stats import percentile, summarize

SSE_BODY = (
    b": keep-alive comment\n\n"
    b'id: 1\ndata: {"type":"start"}\n\n'
    b'id: 2\r\ndata: {"type":"chunk","content":"Hel"}\r\n\r\n'
    b"data: first line\ndata:second line\n\n"
    b"event: ignored\ndata: [DONE]\n\n"
)
EXPECTED = [
    b'{"type":"start"}',
    b'{"type":"chunk","content":"Hel"}',
    b"first line\nsecond line",
    b"[DONE]",
]


def _chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("split", [1, 2, 3, 7, 50, len(SSE_BODY)])
def test_sse_parser_yields_each_event_whatever_the_read_sizes(split):
    parser = SseParser()
    events = []
    for start in range(0, len(SSE_BODY), split):
        events.extend(parser.feed(SSE_BODY[start : start + split]))
    assert events == EXPECTED


def test_chunked_decoder_restores_the_body_and_sees_the_end():
    decoder = ChunkedDecoder()
    wire = _chunked(SSE_BODY, 13)
    pieces = [piece for byte in range(len(wire)) for piece in decoder.feed(wire[byte : byte + 1])]
    assert b"".join(pieces) == SSE_BODY
    assert decoder.finished


class _Transport:
    def close(self):
        pass


async def test_protocol_streams_events_of_a_chunked_response_read_byte_by_byte():
    response = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(SSE_BODY, 5)
    )
    protocol = _Protocol()
    protocol.transport = _Transport()  # type: ignore[assignment]
    parser = SseParser()
    events = []
    done = protocol.expect(lambda piece: events.extend(parser.feed(piece)))
    for byte in range(len(response)):
        protocol.data_received(response[byte : byte + 1])
    assert await asyncio.wait_for(done, 1) == 200
    assert events == EXPECTED


async def test_protocol_reads_a_content_length_body():
    protocol = _Protocol()
    protocol.transport = _Transport()  # type: ignore[assignment]
    body: list[bytes] = []
    done = protocol.expect(body.append)
    protocol.data_received(b'HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\n{"id": "a"}')
    assert await asyncio.wait_for(done, 1) == 201
    assert b"".join(body) == b'{"id": "a"}'


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([4, 1, 3, 2], 0) == 1
    assert percentile([4, 1, 3, 2], 100) == 4
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_summarize_reports_count_percentiles_and_max():
    figures = summarize([float(value) for value in range(1, 201)])
    assert figures["n"] == 200
    assert figures["p50"] == pytest.approx(100.5)
    assert figures["p99"] == pytest.approx(198.01)
    assert figures["max"] == 200


async def test_protocol_reads_a_second_response_on_the_same_connection():
    protocol = _Protocol()
    protocol.transport = _Transport()  # type: ignore[assignment]
    first: list[bytes] = []
    done = protocol.expect(first.append)
    protocol.data_received(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n")
    assert await asyncio.wait_for(done, 1) == 200
    protocol.data_received(b"\r\n")  # the end of the first body, arriving late
    second: list[bytes] = []
    done = protocol.expect(second.append)
    protocol.data_received(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
    assert await asyncio.wait_for(done, 1) == 404
    assert (first, second) == ([b"ok"], [b"no"])


def test_busiest_thread_is_the_one_that_ran_most_with_its_wait():
    before = {1: (10.0, 1.0), 2: (5.0, 0.0)}
    after = {1: (10.2, 1.1), 2: (5.9, 0.3), 3: (0.1, 0.0)}  # thread 3 started in between
    ran, waited = busiest_thread(before, after, 1.0)
    assert (ran, waited) == (pytest.approx(0.9), pytest.approx(0.3))
    assert all(math.isnan(share) for share in busiest_thread(before, {}, 1.0))


async def test_busiest_second_sees_a_spinning_thread():
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            pass

    spinner = threading.Thread(target=spin)
    async with BusiestSecond(os.getpid(), interval=0.2) as second:
        spinner.start()
        try:
            await asyncio.sleep(0.7)
        finally:
            stop.set()
            spinner.join()
    assert second.ran > 0.25  # a spinning thread runs most of each interval, even on a busy machine
    assert 0 <= second.waited <= second.most_waited <= 1
