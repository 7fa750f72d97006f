from __future__ import annotations

import pytest

from interview_monitor.streaming.protocol import (
    CloseCode,
    StreamClosed,
    check_jpeg,
    check_pcm,
    check_size,
    parse_control,
)

JPEG = b"\xff\xd8\xff\xe0" + bytes(100) + b"\xff\xd9"


def _code(check: object, *args: object) -> int:
    with pytest.raises(StreamClosed) as closed:
        check(*args)  # type: ignore[operator]
    return closed.value.code


def test_jpeg_needs_start_and_end_markers() -> None:
    check_jpeg(JPEG)
    check_jpeg(JPEG + bytes(4))  # some encoders pad after the end marker
    assert _code(check_jpeg, JPEG[:-2]) == CloseCode.BAD_DATA
    assert _code(check_jpeg, b"\x89PNG\r\n\x1a\n" + bytes(20)) == CloseCode.BAD_DATA


def test_pcm_is_whole_16_bit_samples() -> None:
    check_pcm(bytes(2))
    assert _code(check_pcm, b"") == CloseCode.BAD_DATA
    assert _code(check_pcm, bytes(3)) == CloseCode.BAD_DATA


def test_size_limit_is_inclusive() -> None:
    check_size(bytes(10), 10)
    assert _code(check_size, bytes(11), 10) == CloseCode.TOO_BIG


@pytest.mark.parametrize("text", ["", "nope", "1", "[]", '"token"'])
def test_control_messages_are_json_objects(text: str) -> None:
    assert _code(parse_control, text) == CloseCode.BAD_DATA


def test_close_codes_are_the_documented_ones() -> None:
    assert {c.value for c in CloseCode} == {
        1000,
        1003,
        1009,
        1011,
        1013,
        4400,
        4401,
        4403,
        4404,
        4409,
    }
    assert parse_control('{"type": "finish"}') == {"type": "finish"}
