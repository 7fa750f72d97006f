from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from interview_monitor.adapters.openai_chat import ChatRubricJudge, JudgeError, parse_verdict

QUESTION = "Where do C++ programs begin to execute?"
REFERENCE = "At the main function."
VERDICT = {
    "relevance": 92,
    "covered": ["main function"],
    "missing": [],
    "feedback": "Correct: execution starts in main.",
}


@dataclass
class Reply:
    status: int = 200
    content: str | None = json.dumps(VERDICT)
    body: bytes | None = None  # sent as is, instead of a chat completion around `content`
    delay: float = 0.0


@dataclass
class FakeChatService:
    """A local server speaking POST /v1/chat/completions, replying from a script of Replys."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""


@pytest.fixture
def service() -> Iterator[FakeChatService]:
    fake = FakeChatService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            fake.requests.append({"path": self.path, **json.loads(self.rfile.read(length))})
            fake.headers.append(dict(self.headers))
            reply = fake.replies.pop(0) if fake.replies else Reply()
            time.sleep(reply.delay)
            body = reply.body
            if body is None:
                body = json.dumps(
                    {
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": reply.content}}
                        ]
                    }
                ).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: that is what the timeout case tests

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def _judge(service: FakeChatService, **options: Any) -> ChatRubricJudge:
    settings: dict[str, Any] = {"timeout": 2.0, "retries": 2, "backoff_seconds": 0.01, **options}
    return ChatRubricJudge(service.base_url, "test-key", "judge-model", **settings)


def test_a_good_verdict_is_used(service: FakeChatService) -> None:
    result = _judge(service).score(QUESTION, "In main.", REFERENCE)
    assert result.relevance == 92.0
    assert result.feedback == "Correct: execution starts in main. Covered: main function."
    assert result.details["method"] == "llm-rubric"
    assert result.details["fallback"] is False
    assert result.details["attempts"] == 1
    (request,) = service.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "judge-model"
    assert request["response_format"] == {"type": "json_object"}
    assert "In main." in request["messages"][-1]["content"]
    assert REFERENCE in request["messages"][-1]["content"]
    assert service.headers[0]["Authorization"] == "Bearer test-key"


def test_a_server_error_is_retried_then_the_verdict_used(service: FakeChatService) -> None:
    service.replies = [Reply(status=500, body=b'{"error": "overloaded"}'), Reply()]
    result = _judge(service).score(QUESTION, "In main.", REFERENCE)
    assert result.details["method"] == "llm-rubric"
    assert result.details["attempts"] == 2
    assert len(service.requests) == 2


def test_garbage_falls_back_to_the_offline_model(service: FakeChatService) -> None:
    service.replies = [Reply(content="Sure! I'd rate this answer 9/10.")]
    result = _judge(service).score(QUESTION, "In main.", REFERENCE)
    assert result.details["fallback"] is True
    assert "not JSON" in result.details["fallback_reason"]
    assert result.details["method"] == "offline-embedding-calibrated"
    assert result.relevance > 60
    assert len(service.requests) == 1


def test_a_timeout_falls_back_after_the_retries(service: FakeChatService) -> None:
    service.replies = [Reply(delay=1.0), Reply(delay=1.0)]
    result = _judge(service, timeout=0.3, retries=1).score(
        QUESTION, "Before main, in the preprocessor.", REFERENCE
    )
    assert result.details["fallback"] is True
    assert "no answer within 0.3 s" in result.details["fallback_reason"]
    assert result.details["llm_attempts"] == 2
    assert 0 <= result.relevance <= 100


def test_a_client_error_is_not_retried(service: FakeChatService) -> None:
    service.replies = [Reply(status=401, body=b'{"error": "bad key"}')]
    result = _judge(service).score(QUESTION, "In main.", REFERENCE)
    assert result.details["fallback"] is True
    assert "HTTP 401" in result.details["fallback_reason"]
    assert len(service.requests) == 1


def test_an_unreachable_service_falls_back() -> None:
    judge = ChatRubricJudge(
        "http://127.0.0.1:9/v1", None, "m", timeout=0.5, retries=1, backoff_seconds=0.01
    )
    result = judge.score(QUESTION, "In main.", REFERENCE)
    assert result.details["fallback"] is True
    assert "could not reach" in result.details["fallback_reason"]


def test_score_many_scores_each_item(service: FakeChatService) -> None:
    results = _judge(service).score_many(
        [{"question": QUESTION, "reference_answer": None, "answer": "In main."}] * 2
    )
    assert [result.relevance for result in results] == [92.0, 92.0]
    assert "(none given)" in service.requests[0]["messages"][-1]["content"]


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        json.dumps({**VERDICT, "relevance": 140}),
        json.dumps({**VERDICT, "relevance": True}),
        json.dumps({**VERDICT, "relevance": "92"}),
        json.dumps({**VERDICT, "covered": "main"}),
        json.dumps({**VERDICT, "feedback": " "}),
        json.dumps({**VERDICT, "extra": 1}),
        "```json\n" + json.dumps(VERDICT) + "\n```",
    ],
)
def test_verdicts_are_parsed_strictly(content: str) -> None:
    with pytest.raises(JudgeError):
        parse_verdict(content)


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        ChatRubricJudge("file:///etc/passwd", None, "m")
