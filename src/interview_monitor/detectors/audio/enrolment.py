"""Read-aloud enrolment: the sentence the candidate reads at the system check becomes their
voice print, so the room's voices are judged from the interview's first second."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.models import AudioModels
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, SileroStream, SpeechSegmenter
from interview_monitor.detectors.audio.voice_encoder import WINDOW_SAMPLES
from interview_monitor.detectors.audio.voice_room import FloatArray, unit


@dataclass(frozen=True, slots=True)
class VoiceEnrolment:
    voice_print: FloatArray  # unit, 256
    windows: int
    min_agreement: float  # lowest cosine of a kept window to the print
    speech_s: float
    speech_dbfs: float  # RMS level of the sentence's speech

    def to_json(self) -> dict[str, Any]:
        return {
            "windows": self.windows,
            "min_agreement": round(self.min_agreement, 3),
            "speech_s": round(self.speech_s, 2),
            "speech_dbfs": round(self.speech_dbfs, 1),
        }


class EnrolmentRejected(ValueError):
    """The sample cannot be the voice print; the message is for the candidate."""


def enrol_read_aloud(
    samples: FloatArray, models: AudioModels, config: AudioConfig | None = None
) -> VoiceEnrolment:
    """`samples`: the sentence, 16 kHz mono float. Its VAD speech is joined (pauses cut) and
    covered by 1.6 s windows every `enrolment_window_step_s`; the print is their unit mean,
    accepted when every window agrees with it (cosine >= `enrolment_consistency`) or an
    agreeing majority is large enough (a cough, a word from someone else). Raises
    EnrolmentRejected with what to do otherwise."""
    config = config or AudioConfig()
    vad, segmenter = SileroStream(models.vad), SpeechSegmenter(config)
    probabilities = vad.push(samples.astype(np.float32))
    spans = segmenter.push(probabilities) + segmenter.flush()
    speech = (
        np.concatenate([samples[span.start : min(span.end, len(samples))] for span in spans])
        if spans
        else np.zeros(0, np.float32)
    )
    step = round(config.enrolment_window_step_s * SAMPLE_RATE)
    starts = list(range(0, len(speech) - WINDOW_SAMPLES + 1, step))
    if len(starts) < config.enrolment_min_windows:
        raise EnrolmentRejected(
            f"We heard {len(speech) / SAMPLE_RATE:.1f} s of speech; please read the whole "
            "sentence aloud, a little closer to the microphone."
        )
    windows = models.voice_encoder.embed_windows(speech, starts)
    voice_print = unit(windows.mean(axis=0))
    agreement = windows @ voice_print
    if float(agreement.min()) < config.enrolment_consistency:
        kept = windows[agreement >= config.enrolment_consistency]
        if len(kept) < config.enrolment_min_windows or len(
            kept
        ) < config.enrolment_min_agreeing_share * len(windows):
            raise EnrolmentRejected(
                "The recording does not sound like one voice throughout; please read the "
                "sentence again on your own, in a quiet spot."
            )
        voice_print = unit(kept.mean(axis=0))
        agreement = kept @ voice_print
    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64))))
    return VoiceEnrolment(
        voice_print=voice_print,
        windows=len(agreement),
        min_agreement=float(agreement.min()),
        speech_s=len(speech) / SAMPLE_RATE,
        speech_dbfs=20 * math.log10(max(rms, 1e-9)),
    )
