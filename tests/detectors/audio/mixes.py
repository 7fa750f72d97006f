"""Mixes of the shared real recordings for the voice tests, built in memory (never written out).

Levels are active-speech RMS (30 ms frames within 40 dB of the loudest frame), so "0 dB" means
the two voices are equally loud while they speak. The candidate (the LibriSpeech reader) is set
to -26 dBFS, the conversation to the same active level before any relative gain. Every mix
carries its truth: the intervals (stream seconds) where a voice other than the candidate's speaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview_monitor.media.audio import decode_audio, pcm_to_float

SAMPLE_RATE = 16_000
CANDIDATE_DBFS = -26.0
READER_FILE = "librispeech_116-288045-0000.flac"
CONVERSATION_FILE = "pyannote_sample.wav"
# The reader + conversation overlays take the conversation from here (its speech starts at
# 6.69 s), for the reader's length (10.65 s).
OVERLAY_FROM_S = 6.5
# Read-aloud enrolment sample: the reader's first seconds (a 5-8 s sentence).
ENROLMENT_S = 6.0
FloatArray = np.ndarray[Any, np.dtype[np.float32]]
Interval = tuple[float, float]


@dataclass(frozen=True)
class Mix:
    name: str
    audio: FloatArray
    other_voice: list[Interval]  # truth: someone else speaks here


def load(folder: Path, name: str) -> FloatArray:
    return pcm_to_float(decode_audio(folder / name)[0]).astype(np.float32)


def active_rms(samples: FloatArray) -> float:
    frames = samples[: len(samples) // 480 * 480].reshape(-1, 480)
    levels = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1) + 1e-20)
    active = levels > levels.max() * 10 ** (-40 / 20)
    return float(np.sqrt(np.mean(np.square(levels[active]))))


def at_level(samples: FloatArray, dbfs: float) -> FloatArray:
    return (samples * (10 ** (dbfs / 20) / active_rms(samples))).astype(np.float32)


def conversation_turns(folder: Path) -> list[tuple[float, float, str]]:
    """(start_s, end_s, speaker) from the RTTM next to the recording."""
    rows = []
    for line in (folder / "pyannote_sample.rttm").read_text().splitlines():
        fields = line.split()
        start, duration = float(fields[3]), float(fields[4])
        rows.append((start, start + duration, fields[7]))
    return rows


def _shifted(intervals: list[Interval], offset: float, length_s: float) -> list[Interval]:
    moved = [(max(0.0, a + offset), min(length_s, b + offset)) for a, b in intervals]
    return [(a, b) for a, b in moved if b > a]


class Mixes:
    """The shared recordings, levelled once; each method returns one mix."""

    def __init__(self, folder: Path) -> None:
        self.reader = at_level(load(folder / "audio", READER_FILE), CANDIDATE_DBFS)
        self.conversation = at_level(load(folder / "audio", CONVERSATION_FILE), CANDIDATE_DBFS)
        self.turns = conversation_turns(folder / "audio")

    def _cut(self, start_s: float, end_s: float) -> FloatArray:
        return self.conversation[round(start_s * SAMPLE_RATE) : round(end_s * SAMPLE_RATE)]

    def conversation_alone(self) -> Mix:
        """Both people are other voices to each other: the truth is the later speaker's turns
        (speaker91, from 7.55 s)."""
        later = [(a, b) for a, b, who in self.turns if who == "speaker91"]
        return Mix("conversation", self.conversation, later)

    def reader_with_conversation(self, relative_db: float) -> Mix:
        """Reader 0-10.65 s + conversation[6.5 s:] added at `relative_db` under it, offset 0."""
        length_s = len(self.reader) / SAMPLE_RATE
        overlay = self._cut(OVERLAY_FROM_S, OVERLAY_FROM_S + length_s)
        audio = self.reader + overlay * np.float32(10 ** (relative_db / 20))
        truth = _shifted([(a, b) for a, b, _ in self.turns], -OVERLAY_FROM_S, length_s)
        return Mix(f"reader + conversation {relative_db:+.0f} dB", audio, truth)

    def reader_alone(self) -> Mix:
        return Mix("reader alone", self.reader, [])

    def enrolment_sample(self) -> FloatArray:
        return self.reader[: round(ENROLMENT_S * SAMPLE_RATE)]

    def after_enrolment(self, mix: Mix) -> Mix:
        """The same mix from the end of the enrolment sample on (the interview after the
        system check), truth shifted."""
        start = round(ENROLMENT_S * SAMPLE_RATE)
        length_s = (len(mix.audio) - start) / SAMPLE_RATE
        return Mix(
            f"{mix.name}, after enrolment",
            mix.audio[start:],
            _shifted(mix.other_voice, -ENROLMENT_S, length_s),
        )

    def someone_else_answers(self) -> Mix:
        """Another person alone: speaker91 (conversation 21.8-27.8 s) then speaker90
        (11.05-14.45 s): the stream for a session enrolled on the reader."""
        audio = np.concatenate([self._cut(21.8, 27.8), self._cut(11.05, 14.45)])
        return Mix("someone else answers", audio, [(0.0, len(audio) / SAMPLE_RATE)])


# The reader's first phrase ends ("... I heard bells ringing,") at 2.85 s and the next starts
# ("and a little later ...") at 3.7 s.
FIRST_PHRASE_END_S = 2.85
NEXT_PHRASE_S = 3.7
CUE_PAUSE_S = 0.25


def cue_in_answer(reader: FloatArray, cue: FloatArray) -> tuple[FloatArray, float]:
    """The reader's first phrase, 0.25 s of silence, the cue at the candidate's level, 0.25 s,
    then the rest of the reading: pauses too short (< 0.6 s) to end the VAD segment. Returns
    the stream and the time the cue ends. (Spliced with no pause at all, mid-phrase, the
    partials heard the cue only when one began within ~0.5 s of its start, docs/audio.md.)"""
    pause = np.zeros(round(CUE_PAUSE_S * SAMPLE_RATE), np.float32)
    first = reader[: round(FIRST_PHRASE_END_S * SAMPLE_RATE)]
    audio = np.concatenate(
        [
            first,
            pause,
            at_level(cue, CANDIDATE_DBFS),
            pause,
            reader[round(NEXT_PHRASE_S * SAMPLE_RATE) :],
        ]
    )
    cue_end_s = FIRST_PHRASE_END_S + CUE_PAUSE_S + len(cue) / SAMPLE_RATE
    return audio, cue_end_s


def silence(seconds: float = 12.0) -> Mix:
    return Mix("digital silence", np.zeros(round(seconds * SAMPLE_RATE), np.float32), [])


def white_noise(seconds: float = 12.0, dbfs: float = -30.0) -> Mix:
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(round(seconds * SAMPLE_RATE)) * 10 ** (dbfs / 20)
    return Mix(f"white noise {dbfs:.0f} dBFS", noise.astype(np.float32), [])


def overlap_s(intervals: list[Interval], truth: list[Interval]) -> float:
    """Seconds of truth covered by `intervals`, each second counted once."""
    return sum(
        max(0.0, min(b, d) - max(a, c)) for a, b in _merged(intervals) for c, d in _merged(truth)
    )


def _merged(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def outside_s(intervals: list[Interval], truth: list[Interval], slack_s: float = 0.3) -> float:
    """Seconds of `intervals` more than `slack_s` from any truth interval (false alarm)."""
    widened = _merged([(a - slack_s, b + slack_s) for a, b in truth])
    return sum(b - a for a, b in _merged(intervals)) - overlap_s(_merged(intervals), widened)
