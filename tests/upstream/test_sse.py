"""The upstream SSE parser against the framings servers really send."""

from openchat.upstream.sse import SseParser


def feed_all(parser: SseParser, *pieces: bytes) -> list[bytes]:
    out: list[bytes] = []
    for piece in pieces:
        out.extend(parser.feed(piece))
    return out + parser.close()


def test_comments_are_skipped_and_data_kept():
    stream = (
        b': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {"a":1}\n\ndata: [DONE]\n\n'
    )
    assert feed_all(SseParser(), stream) == [b'{"a":1}', b"[DONE]"]


def test_events_split_across_reads_at_every_byte():
    stream = b'data: {"a":1}\r\n\r\n: ping\r\n\r\ndata: {"b":2}\r\n\r\n'
    pieces = [stream[i : i + 1] for i in range(len(stream))]
    assert feed_all(SseParser(), *pieces) == [b'{"a":1}', b'{"b":2}']


def test_crlf_cr_and_multiline_data():
    parser = SseParser()
    assert parser.feed(b"data: one\r\ndata: two\r\n\r\n") == [b"one\ntwo"]
    assert parser.feed(b"data: three\r\rdata:four\n\n") == [b"three", b"four"]


def test_final_event_without_blank_line_is_flushed():
    assert feed_all(SseParser(), b'data: {"x":1}\n\ndata: [DONE]') == [b'{"x":1}', b"[DONE]"]


def test_legacy_error_field_surfaces_as_data():
    assert feed_all(SseParser(), b'error: {"message":"boom"}\n\n') == [b'{"message":"boom"}']


def test_a_read_of_one_whole_event_reads_as_any_other():
    """The one-event read has a short way through; what falls outside it takes the long one."""
    cases = {
        b'data: {"a":1}\n\n': [b'{"a":1}'],
        b"data: a\rdata: b\n\n": [b"a\nb"],  # a CR ends a line too
        b"data:x\n\n": [b"x"],
        b"data: \n\n": [b""],
        b"data: a\n\ndata: b\n\n": [b"a", b"b"],
    }
    for read, events in cases.items():
        assert SseParser().feed(read) == events, read
        late = SseParser()  # the same bytes after a read that ended mid-event
        assert late.feed(b"da") == [] and late.feed(read[2:]) == events, read
