"""Speech to text for one speech segment with the bundled Whisper tiny.en."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

from interview_monitor.detectors.audio.config import AudioConfig

SAMPLE_RATE = 16_000


@dataclass(frozen=True, slots=True)
class TimedWord:
    text: str  # as Whisper wrote it, with its leading space (none inside "well-dressed")
    start_s: float
    end_s: float
    probability: float | None  # None when the source (a remote service) gives none

    def to_json(self) -> dict[str, Any]:
        return {
            "word": self.text.strip(),
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "probability": None if self.probability is None else round(self.probability, 3),
        }


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[TimedWord, ...]
    # Mean token probability, 0-1: how sure Whisper was of what it wrote (None if unknown).
    confidence: float | None


def transcribe_segment(
    model: WhisperModel,
    audio: np.ndarray[Any, np.dtype[np.float32]],
    offset_s: float,
    config: AudioConfig,
) -> Transcript:
    """Transcribe `audio` (16 kHz float32) whose first sample is at `offset_s` in the stream.

    Decoding is deterministic (temperature 0, no fallback) and does not condition on earlier
    text, so one misheard segment cannot derail the next. Whisper segments it judges to be
    silence (no-speech probability high and log-probability low) or that repeat themselves
    (text compressing too well) are dropped: that is where tiny models make up text.
    """
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=config.beam_size,
        temperature=0.0,
        condition_on_previous_text=False,
        word_timestamps=True,
        vad_filter=False,
        no_speech_threshold=config.no_speech_threshold,
        log_prob_threshold=config.low_logprob_threshold,
    )
    texts: list[str] = []
    words: list[TimedWord] = []
    log_probabilities: list[float] = []
    for segment in segments:
        likely_silence = (
            segment.no_speech_prob > config.no_speech_threshold
            and segment.avg_logprob < config.low_logprob_threshold
        )
        if likely_silence or segment.compression_ratio > config.max_compression_ratio:
            continue
        texts.append(segment.text.strip())
        log_probabilities.append(segment.avg_logprob)
        words.extend(
            TimedWord(word.word, offset_s + word.start, offset_s + word.end, word.probability)
            for word in segment.words or ()
            if word.word.strip()
        )
    text = " ".join(part for part in texts if part)
    confidence = math.exp(float(np.mean(log_probabilities))) if log_probabilities else 0.0
    return Transcript(text=text, words=tuple(words), confidence=confidence)
