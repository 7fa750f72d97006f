"""Recorded WebM segments: checked, and rewritten with their duration and seek index.

The browser's MediaRecorder writes WebM as a live stream: no duration and no cues, so a player
cannot seek in it until it has read it all. Remuxing (copying the packets, no re-encoding)
into a seekable file adds both, and proves the bytes are a WebM with playable streams.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "opus", "vorbis"})


class NotWebmError(ValueError):
    """Bytes that are not a WebM segment with at least one video or audio stream."""


@dataclass(frozen=True)
class Segment:
    data: bytes
    duration_ms: int
    has_video: bool
    has_audio: bool


def remux_segment(data: bytes) -> Segment:
    """The segment as a seekable WebM file, with its duration from its last packet."""
    if not data.startswith(EBML_MAGIC):
        raise NotWebmError("the body is not WebM (no EBML header)")
    try:
        return _remux(data)
    except (av.FFmpegError, ValueError) as error:
        if isinstance(error, NotWebmError):
            raise
        raise NotWebmError(f"the WebM cannot be read: {error}") from None


def _remux(data: bytes) -> Segment:
    target = io.BytesIO()
    with av.open(io.BytesIO(data), "r") as source:
        streams = [s for s in source.streams if s.type in ("video", "audio")]
        codecs = {s.codec_context.name for s in streams}
        if not streams or not codecs <= WEBM_CODECS:
            raise NotWebmError(
                f"a WebM segment holds VP8/VP9/AV1 video and Opus audio, not {codecs}"
            )
        end_s = 0.0
        with av.open(target, "w", format="webm") as output:
            copies = {s.index: output.add_stream_from_template(s) for s in streams}
            for packet in source.demux(streams):
                if packet.dts is None or packet.pts is None or packet.time_base is None:
                    continue  # the demuxer's end-of-stream marker
                end_s = max(end_s, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                packet.stream = copies[packet.stream.index]
                output.mux(packet)
        kinds = {s.type for s in streams}
    if end_s <= 0:
        raise NotWebmError("the WebM segment holds no media")
    return Segment(
        target.getvalue(), max(1, round(end_s * 1000)), "video" in kinds, "audio" in kinds
    )
