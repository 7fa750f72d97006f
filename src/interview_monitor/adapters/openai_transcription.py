"""Transcription by an OpenAI-compatible service, with the offline Whisper model as fallback.

POST {base_url}/audio/transcriptions as multipart form data (a WAV file, the model name,
`response_format=verbose_json`, word timestamps requested) with a bearer key. Timeouts,
connection errors, 429 and 5xx answers are retried with exponential backoff; when the service
still fails (or answers 4xx), the audio is transcribed offline, so a flaky service never loses
a transcript. Only the standard library is used for HTTP, so the adapter adds no dependency.
"""

from __future__ import annotations

import io
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from interview_monitor.detectors.audio.transcriber import TimedWord, Transcript

SAMPLE_RATE = 16_000
RETRIED_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})

log = logging.getLogger(__name__)

OfflineTranscriber = Callable[[bytes], Transcript]


@dataclass(frozen=True, slots=True)
class TranscriptionServiceSettings:
    base_url: str  # e.g. "https://api.openai.com/v1"
    api_key: str | None
    model: str = "whisper-1"
    language: str | None = "en"
    timeout_s: float = 30.0
    max_attempts: int = 3
    backoff_s: float = 0.5


@dataclass(frozen=True, slots=True)
class ServiceTranscription:
    transcript: Transcript
    source: Literal["service", "offline"]
    attempts: int
    # Why the service's answer was not used, when it was not.
    failure: str | None = None


class TranscriptionServiceError(RuntimeError):
    """The service failed and no offline fallback was configured."""


class _Retryable(Exception):
    pass


def pcm_to_wav(pcm: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _multipart(fields: list[tuple[str, str]], wav: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="audio.wav"\r\nContent-Type: audio/wav\r\n\r\n'.encode()
        + wav
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _parse(payload: dict[str, Any]) -> Transcript:
    words = tuple(
        TimedWord(" " + str(word["word"]).strip(), float(word["start"]), float(word["end"]), None)
        for word in payload.get("words") or ()
    )
    return Transcript(text=str(payload.get("text", "")).strip(), words=words, confidence=None)


def offline_whisper(pcm: bytes) -> Transcript:
    """The default fallback: the bundled Whisper model (loaded on first use)."""
    # Imported here so that using the service never loads the offline models.
    from interview_monitor.detectors.audio import AudioConfig, load_audio_models
    from interview_monitor.detectors.audio.transcriber import transcribe_segment
    from interview_monitor.media.audio import pcm_to_float

    return transcribe_segment(load_audio_models().whisper, pcm_to_float(pcm), 0.0, AudioConfig())


class OpenAITranscriber:
    def __init__(
        self,
        settings: TranscriptionServiceSettings,
        fallback: OfflineTranscriber | None = offline_whisper,
    ) -> None:
        self.settings = settings
        self._fallback = fallback

    def _request(self, pcm: bytes) -> urllib.request.Request:
        settings = self.settings
        fields = [
            ("model", settings.model),
            ("response_format", "verbose_json"),
            ("timestamp_granularities[]", "word"),
            ("temperature", "0"),
        ]
        if settings.language:
            fields.append(("language", settings.language))
        body, content_type = _multipart(fields, pcm_to_wav(pcm))
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        url = settings.base_url.rstrip("/") + "/audio/transcriptions"
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"transcription base URL must be http(s): {settings.base_url!r}")
        return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310

    def _attempt(self, request: urllib.request.Request) -> Transcript:
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:  # noqa: S310
                payload = json.loads(response.read())
        except urllib.error.HTTPError as error:
            message = f"HTTP {error.code} from the transcription service"
            if error.code in RETRIED_STATUSES:
                raise _Retryable(message) from error
            raise TranscriptionServiceError(message) from error
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            raise _Retryable(f"transcription service unreachable: {error}") from error
        except json.JSONDecodeError as error:
            raise TranscriptionServiceError("transcription service sent invalid JSON") from error
        if not isinstance(payload, dict) or "text" not in payload:
            raise TranscriptionServiceError("transcription service answer has no text")
        return _parse(payload)

    def transcribe_pcm(self, pcm: bytes) -> ServiceTranscription:
        """Transcribe 16 kHz mono s16le PCM."""
        request = self._request(pcm)
        failure = "no attempt made"
        attempts = 0
        for attempt in range(self.settings.max_attempts):
            attempts = attempt + 1
            try:
                return ServiceTranscription(self._attempt(request), "service", attempts)
            except _Retryable as error:
                failure = str(error)
                if attempts < self.settings.max_attempts:
                    time.sleep(self.settings.backoff_s * 2**attempt)
            except TranscriptionServiceError as error:
                failure = str(error)
                break
        if self._fallback is None:
            raise TranscriptionServiceError(f"{failure} after {attempts} attempt(s)")
        log.warning("transcription service failed (%s); using the offline model", failure)
        return ServiceTranscription(self._fallback(pcm), "offline", attempts, failure)
