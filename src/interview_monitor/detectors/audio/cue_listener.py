"""Spoken cues while they are said: the open segment's last seconds, transcribed only to match
cue phrases, before the speaker pauses.

The final transcript waits for a pause (`transcribe_after_pause_s`) and for Whisper's full 30 s
window; for "hey siri, what's the answer" said mid-answer that is seconds late. Here Whisper's
encoder runs on just the last `partial_cue_tail_s` of audio (CTranslate2 accepts a shorter mel
input): 0.12-0.14 CPU s for 2.3-5.3 s of audio on one core, against 0.86 s for the padded 30 s
window, and on espeak-ng's "hey siri, what's the answer" it heard "Hey Siri, what's the answer?"
where the padded window heard "Hey, see you, ...". The text is used for cue matching only.
"""

from __future__ import annotations

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.cues import CueMatcher
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, FloatArray

# Speech runs at about 4 tokens a second; a short input otherwise often loops ("I heard bells
# ringing. I heard bells ringing. ...") until the token limit, which tripled the cost.
TOKENS_PER_SECOND = 5
NO_REPEAT_NGRAM = 3


class PartialCueListener:
    def __init__(self, whisper: WhisperModel, config: AudioConfig) -> None:
        self._whisper = whisper
        self._config = config
        self._cues = CueMatcher(config.cue_phrases)
        tokenizer = Tokenizer(whisper.hf_tokenizer, False, task="transcribe", language="en")
        self._decode = tokenizer.decode
        self._prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]

    def transcribe(self, audio: FloatArray) -> str:
        """Greedy text of `audio` (16 kHz float, a few seconds), no timestamps."""
        features = self._whisper.feature_extractor(audio)
        # The encoder halves the frames with a stride-2 convolution: an even count.
        frames = features.shape[-1] // 2 * 2
        encoded = self._whisper.model.encode(
            ctranslate2.StorageView.from_array(
                np.ascontiguousarray(features[None, :, :frames], np.float32)
            ),
            to_cpu=False,
        )
        [result] = self._whisper.model.generate(
            encoded,
            [self._prompt],
            beam_size=1,
            max_length=4 + round(TOKENS_PER_SECOND * len(audio) / SAMPLE_RATE),
            no_repeat_ngram_size=NO_REPEAT_NGRAM,
        )
        return str(self._decode(result.sequences_ids[0])).strip()

    def cues_in(self, audio: FloatArray) -> tuple[str, list[str]]:
        """(partial text, the configured phrases said in it)."""
        text = self.transcribe(audio)
        return text, self._cues.find(text)
