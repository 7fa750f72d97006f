"""The audio_transcripts events of one session's segments: early rows (another voice, a cue
heard while the segment is open) and the transcript that later completes them.

Every event of a segment carries the same `client_event_id` (`{event_key}-{first sample}`), so
the store completes one row instead of adding several.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.cues import CueMatcher
from interview_monitor.detectors.audio.transcriber import TimedWord
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, SpeechSpan
from interview_monitor.detectors.audio.voices import SessionVoices
from interview_monitor.signals import DetectedEvent


def _confidence(words: list[TimedWord]) -> float | None:
    known = [word.probability for word in words if word.probability is not None]
    return round(100.0 * float(np.mean(known)), 2) if known else None


class SegmentEvents:
    def __init__(self, config: AudioConfig, voices: SessionVoices, event_key: str | None) -> None:
        self._voices = voices
        self._cues = CueMatcher(config.cue_phrases)
        self._event_key = event_key
        # By a segment's first sample: the voice marks already reported early, and cue phrases.
        self._reported_marks: dict[int, dict[str, bool]] = {}
        self.partial_cues: dict[int, list[str]] = {}
        # Each transcribed segment's confidence, for a segment judged another voice only later.
        self._transcript_confidence: dict[int, float | None] = {}

    def _key(self, start: int) -> dict[str, str]:
        return {} if self._event_key is None else {"client_event_id": f"{self._event_key}-{start}"}

    def voice_columns(self, start: int, end: int) -> dict[str, bool]:
        """A stretch where someone else answers is a voice mismatch, not also "another voice
        present": the risk engine counts each kind once."""
        mismatch = self._voices.holds_voice_mismatch(start, end)
        other = self._voices.holds_other_voice(start, end) and not mismatch
        return {"is_multiple_speakers": other, "is_voice_mismatch": mismatch}

    def _speaker_details(self, span: SpeechSpan) -> dict[str, Any]:
        tracker = self._voices.tracker
        windows = tracker.windows_in(span)
        similarities = [window.similarity for window in windows]
        return {
            "speaker_judged": bool(windows),
            "speaker_similarity": round(float(np.mean(similarities)), 3) if windows else None,
            "min_speaker_similarity": round(min(similarities), 3) if windows else None,
            "other_voice_s": round(tracker.other_voice_s(span), 2),
            "speaker_verdict": tracker.verdict,
            "print_similarity": self._voices.mean_print_similarity(span.start, span.end),
            "voice_print": self._voices.room.print_source,
        }

    def judgement_changed(self, start: int, end: int) -> bool:
        """Whether samples start..end now hold another voice or a voice mismatch that the
        segment's last early event did not say (someone heard over the candidate can turn out
        to be answering in their place)."""
        marks = self.voice_columns(start, end)
        return any(marks.values()) and marks != self._reported_marks.get(start)

    def early_other_voice(self, start: int, end: int) -> DetectedEvent:
        """Another voice, reported when a check decides (the segment may still be open); the
        transcript follows under the same key and fills in the text. A segment transcribed
        already carries its transcript's confidence, as its row would have had it been judged
        in time."""
        marks = self._reported_marks[start] = self.voice_columns(start, end)
        return self._pending_row(
            start,
            end,
            marks,
            self.partial_cues.get(start, []),
            self._transcript_confidence.get(start),
            {
                **self._speaker_details(SpeechSpan(start, end)),
                "voice_findings": [f.to_json() for f in self._voices.findings()],
            },
        )

    def partial_cue(self, start: int, end: int, text: str, phrases: list[str]) -> DetectedEvent:
        """Cue phrases heard in the open segment's last seconds, before the speaker pauses."""
        heard = self.partial_cues.setdefault(start, [])
        heard += [phrase for phrase in phrases if phrase not in heard]
        return self._pending_row(
            start,
            end,
            self.voice_columns(start, end),
            heard,
            None,
            {"partial_text": text, "partial_cue": True},
        )

    def _pending_row(
        self,
        start: int,
        end: int,
        marks: dict[str, Any],
        phrases: list[str],
        confidence: float | None,
        details: dict[str, Any],
    ) -> DetectedEvent:
        """A row stored before its transcript, which fills in the text under the same key."""
        return DetectedEvent(
            table="audio_transcripts",
            start_s=start / SAMPLE_RATE,
            end_s=end / SAMPLE_RATE,
            columns={
                "text_content": "",
                **marks,
                "flagged_phrases": list(phrases),
                **self._key(start),
            },
            confidence=confidence,
            details={"transcript_pending": True, **details},
        )

    def transcript(self, span: SpeechSpan, words: list[TimedWord]) -> DetectedEvent | None:
        if not words:
            return None
        text = "".join(word.text for word in words).strip()
        confidence = self._transcript_confidence[span.start] = _confidence(words)
        found = self._cues.find(text)
        # A phrase heard in a partial stays flagged though the final decoding, on Whisper's
        # padded 30 s window, may hear it differently ("hey siri" -> "hey, see you").
        found += [p for p in self.partial_cues.get(span.start, []) if p not in found]
        return DetectedEvent(
            table="audio_transcripts",
            start_s=span.start_s,
            end_s=span.end_s,
            columns={
                "text_content": text,
                **self.voice_columns(span.start, span.end),
                "flagged_phrases": found,
                **self._key(span.start),
            },
            confidence=confidence,
            details={"words": [word.to_json() for word in words], **self._speaker_details(span)},
        )
