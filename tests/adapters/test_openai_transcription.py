from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interview_monitor.adapters.openai_transcription import (
    OpenAITranscriber,
    TranscriptionServiceError,
    TranscriptionServiceSettings,
    offline_whisper,
)
from interview_monitor.detectors.audio.transcriber import Transcript
from interview_monitor.media.audio import decode_audio

API_KEY = "test-key-123"
ANSWER = {
    "text": "Hello from the service.",
    "words": [
        {"word": "Hello", "start": 0.1, "end": 0.4},
        {"word": "from", "start": 0.4, "end": 0.6},
        {"word": "the", "start": 0.6, "end": 0.7},
        {"word": "service.", "start": 0.7, "end": 1.2},
    ],
}


@dataclass
class FakeService:
    """A local server speaking the OpenAI transcription protocol; `script` says what each
    request gets: "ok", an HTTP status such as "500", or "hang" (answer too late)."""

    script: list[str]
    requests: list[dict[str, object]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def service() -> Iterator[FakeService]:
    fake = FakeService(script=[])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            parts = {
                part.get_param("name", header="content-disposition"): part
                for part in message.iter_parts()
            }
            fake.requests.append(
                {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "model": parts["model"].get_content().strip(),
                    "format": parts["response_format"].get_content().strip(),
                    "file": parts["file"].get_payload(decode=True),
                }
            )
            action = fake.script.pop(0) if fake.script else "ok"
            if action == "hang":
                time.sleep(1.0)
                action = "ok"
            if action != "ok":
                self.send_error(int(action))
                return
            payload = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def _settings(service: FakeService, **overrides: object) -> TranscriptionServiceSettings:
    values: dict[str, object] = {
        "base_url": service.url,
        "api_key": API_KEY,
        "model": "whisper-test",
        "timeout_s": 0.4,
        "max_attempts": 3,
        "backoff_s": 0.01,
    } | overrides
    return TranscriptionServiceSettings(**values)  # type: ignore[arg-type]


def _must_not_fall_back(pcm: bytes) -> Transcript:
    raise AssertionError("the offline fallback ran although the service answered")


ONE_SECOND = bytes(32000)


def test_success_sends_the_protocols_request_and_reads_words(service: FakeService) -> None:
    result = OpenAITranscriber(_settings(service), fallback=_must_not_fall_back).transcribe_pcm(
        ONE_SECOND
    )
    assert result.source == "service" and result.attempts == 1 and result.failure is None
    assert result.transcript.text == "Hello from the service."
    assert [w.text.strip() for w in result.transcript.words] == ["Hello", "from", "the", "service."]
    assert result.transcript.words[-1].end_s == 1.2
    [request] = service.requests
    assert request["path"] == "/v1/audio/transcriptions"
    assert request["auth"] == f"Bearer {API_KEY}"
    assert request["model"] == "whisper-test"
    assert request["format"] == "verbose_json"
    wav = request["file"]
    assert isinstance(wav, bytes) and wav.startswith(b"RIFF") and len(wav) == 44 + len(ONE_SECOND)


def test_a_500_is_retried_then_succeeds(service: FakeService) -> None:
    service.script = ["500", "503"]
    result = OpenAITranscriber(_settings(service), fallback=_must_not_fall_back).transcribe_pcm(
        ONE_SECOND
    )
    assert result.source == "service"
    assert result.attempts == 3
    assert len(service.requests) == 3


def test_a_client_error_is_not_retried(service: FakeService) -> None:
    service.script = ["401"]
    with pytest.raises(TranscriptionServiceError, match="HTTP 401"):
        OpenAITranscriber(_settings(service), fallback=None).transcribe_pcm(ONE_SECOND)
    assert len(service.requests) == 1


def test_timeouts_fall_back_to_the_offline_model(service: FakeService, test_data: Path) -> None:
    service.script = ["hang", "hang"]
    pcm = decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")[0][: 32000 * 3]
    started = time.perf_counter()
    result = OpenAITranscriber(
        _settings(service, max_attempts=2), fallback=offline_whisper
    ).transcribe_pcm(pcm)
    assert result.source == "offline"
    assert result.attempts == 2
    assert result.failure is not None and "unreachable" in result.failure
    assert "approach" in result.transcript.text.lower()
    assert result.transcript.words and result.transcript.words[0].probability is not None
    assert time.perf_counter() - started < 10


def test_an_unreachable_service_without_fallback_is_a_clear_error() -> None:
    settings = TranscriptionServiceSettings(
        base_url="http://127.0.0.1:9/v1",
        api_key=None,
        timeout_s=0.5,
        max_attempts=2,
        backoff_s=0.01,
    )
    with pytest.raises(TranscriptionServiceError, match="after 2 attempt"):
        OpenAITranscriber(settings, fallback=None).transcribe_pcm(ONE_SECOND)
