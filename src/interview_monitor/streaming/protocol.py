"""The streaming wire protocol: close codes, limits, message checks and server messages.

Client -> server: binary messages (video: one JPEG each; audio: 16 kHz mono s16le PCM), and
text messages holding JSON: {"token": "..."} (first message, when no `token` query
parameter), {"type": "ping"}, {"type": "finish"} (the candidate is done: flush now), and on
the video stream {"type": "camera", "label": "..."} (the camera's device label, sent on
connecting and when the devices change: the server flags software cameras).
Server -> client: JSON text messages: "ready", "ack", "pong", "error" (just before a close).
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any


class CloseCode(IntEnum):
    NORMAL = 1000
    UNSUPPORTED_DATA = 1003  # a text message where a binary one was due, or vice versa
    TOO_BIG = 1009
    SERVER_ERROR = 1011
    TRY_AGAIN_LATER = 1013  # the live pipeline is not running
    BAD_DATA = 4400  # undecodable JPEG, odd-length PCM, malformed JSON
    UNAUTHENTICATED = 4401  # no token, a bad or expired one
    FORBIDDEN = 4403  # not this session's candidate (or, for /ws/review, not a reviewer)
    UNKNOWN_SESSION = 4404
    SESSION_ENDED = 4409


class StreamClosed(Exception):
    """Close the WebSocket with `code`; `reason` goes in the close frame and an error message."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class ClientGone(Exception):
    """The client disconnected; `code` is the close code it sent."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_JPEG_START = b"\xff\xd8\xff"
_JPEG_END = b"\xff\xd9"


def check_jpeg(data: bytes) -> None:
    """A cheap structural check on the event loop; the worker's decoder has the last word."""
    if not data.startswith(_JPEG_START) or _JPEG_END not in data[-16:]:
        raise StreamClosed(CloseCode.BAD_DATA, "a video message must be one complete JPEG image")


def check_pcm(data: bytes) -> None:
    if not data or len(data) % 2:
        raise StreamClosed(CloseCode.BAD_DATA, "audio must be 16-bit PCM: an even, non-zero size")


def check_size(data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise StreamClosed(CloseCode.TOO_BIG, f"a message may hold at most {limit} bytes")


def parse_control(text: str) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except ValueError:
        raise StreamClosed(CloseCode.BAD_DATA, "text messages must be JSON objects") from None
    if not isinstance(message, dict):
        raise StreamClosed(CloseCode.BAD_DATA, "text messages must be JSON objects")
    return message
