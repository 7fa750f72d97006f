"""What a speech segment's close costs the speaker tracker, early and late in a long interview.

    .venv/bin/python bench/speakers.py [--hours 3] [--segment-s 4]

Every segment close in a live session asks the tracker for the session's verdict, the
segments now holding another voice and the details of the new one; this runs in the audio
worker's request loop, which every flag of every session on that worker waits for. The bench
embeds the shared recordings' windows once with the real encoder (a reader, and a
conversation for the other voice), then replays those embeddings as one segment every
`segment-s` seconds of speech, every tenth segment another person's, for `hours` of talk, so
that only the tracker's own bookkeeping is timed. Baseline: the same close in the session's
first minutes, in the same run; the ratio says how the cost grows with the session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from itertools import cycle
from typing import Any

import numpy as np

from interview_monitor.detectors.audio import AudioConfig, load_audio_models
from interview_monitor.detectors.audio.speakers import SpeakerTracker
from interview_monitor.detectors.audio.vad import SpeechSpan
from interview_monitor.detectors.audio.voice_encoder import SAMPLE_RATE, WINDOW_SAMPLES
from interview_monitor.media.audio import decode_audio, pcm_to_float
from shared_data import CONVERSATION, READING

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


def _embeddings(samples: FloatArray) -> FloatArray:
    starts = list(range(0, len(samples) - WINDOW_SAMPLES, SAMPLE_RATE // 2))
    return np.asarray(load_audio_models().voice_encoder.embed_windows(samples, starts), np.float32)


class ReplayedEncoder:
    """Hands out recorded embeddings: the reader's, or for every tenth segment the other
    person's (the conversation's second half, where the second speaker talks longest)."""

    def __init__(self, reader: FloatArray, visitor: FloatArray) -> None:
        self._reader, self._visitor = cycle(reader), cycle(visitor)
        self.segments = 0

    def embed_windows(self, audio: FloatArray, starts: list[int]) -> FloatArray:
        self.segments += 1
        source = self._visitor if self.segments % 10 == 0 else self._reader
        return np.stack([next(source) for _ in starts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--segment-s", type=float, default=4.0)
    args = parser.parse_args()
    reader = pcm_to_float(decode_audio(READING)[0])
    talk = pcm_to_float(decode_audio(CONVERSATION)[0])
    encoder = ReplayedEncoder(_embeddings(reader), _embeddings(talk[22 * SAMPLE_RATE :]))
    tracker = SpeakerTracker(encoder, AudioConfig())  # type: ignore[arg-type]
    length = round(args.segment_s * SAMPLE_RATE)
    audio = np.zeros(length, np.float32)
    segments = round(args.hours * 3600 / (args.segment_s + 1.0))
    costs_ms: list[float] = []
    for index in range(segments):
        span = SpeechSpan(index * (length + SAMPLE_RATE), index * (length + SAMPLE_RATE) + length)
        started = time.perf_counter()
        tracker.add_segment(span, audio, span.start, noise_rms=None)
        tracker.spans_with_other_voices()
        tracker.is_multiple_speakers(span)
        tracker.other_voice_s(span)
        costs_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"{segments} segments of {args.segment_s} s ({args.hours} h of talk), "
        f"verdict {tracker.verdict}, {len(tracker.spans_with_other_voices())} with another voice"
    )
    first = statistics.mean(costs_ms[:100])
    for upto in sorted({100, segments // 4, segments // 2, segments}):
        late = statistics.mean(costs_ms[max(0, upto - 100) : upto])
        minutes = upto * (args.segment_s + 1.0) / 60
        print(
            f"close cost around segment {upto:5d} ({minutes:5.0f} min): {late:7.3f} ms "
            f"= {late / first:5.1f} x the first 100 segments' {first:.3f} ms"
        )


if __name__ == "__main__":
    main()
