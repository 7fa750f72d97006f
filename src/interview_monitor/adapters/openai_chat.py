"""An OpenAI-compatible chat model as a rubric judge for interview answers.

POSTs to {base_url}/chat/completions and expects a strict JSON verdict. Transport failures,
timeouts and retryable statuses (408, 409, 429, 5xx) are retried with exponential backoff;
when the service still fails, refuses, or answers anything but the expected JSON, the offline
AnswerScorer scores the answer and `details` says why it was used.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from interview_monitor.detectors.answers import AnswerRequest, AnswerScore, AnswerScorer
from interview_monitor.detectors.answers.scorer import as_request

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 30.0
SYSTEM_PROMPT = """You grade a candidate's answer to an interview question.
If a reference answer is given, judge correctness and completeness against it; otherwise judge
only how relevant the answer is to the question. Reply with one JSON object and nothing else:
{"relevance": <number 0-100>, "covered": [<key points the answer covers>],
 "missing": [<key points it misses>], "feedback": "<one or two plain sentences>"}"""


class JudgeError(Exception):
    """The chat service failed or gave no usable verdict; the message says how."""


def _user_prompt(request: AnswerRequest) -> str:
    reference = request.reference if request.reference is not None else "(none given)"
    return f"Question:\n{request.question}\n\nReference answer:\n{reference}\n\nCandidate's answer:\n{request.answer}"


def parse_verdict(content: str) -> dict[str, Any]:
    """The verdict JSON, checked field by field; raises JudgeError on anything else."""
    try:
        verdict = json.loads(content)
    except json.JSONDecodeError as error:
        raise JudgeError(f"the reply is not JSON: {error}") from None
    if not isinstance(verdict, dict) or set(verdict) != {
        "relevance",
        "covered",
        "missing",
        "feedback",
    }:
        raise JudgeError(
            "the reply is not an object with exactly relevance, covered, missing, feedback"
        )
    relevance = verdict["relevance"]
    if (
        isinstance(relevance, bool)
        or not isinstance(relevance, int | float)
        or not 0 <= relevance <= 100
    ):
        raise JudgeError(f"relevance {relevance!r} is not a number from 0 to 100")
    for key in ("covered", "missing"):
        if not isinstance(verdict[key], list) or not all(
            isinstance(item, str) for item in verdict[key]
        ):
            raise JudgeError(f"{key} is not a list of strings")
    if not isinstance(verdict["feedback"], str) or not verdict["feedback"].strip():
        raise JudgeError("feedback is not a non-empty string")
    return verdict


def _reply_content(body: bytes) -> str:
    try:
        content = json.loads(body)["choices"][0]["message"]["content"]
    except (json.JSONDecodeError, KeyError, IndexError, TypeError):
        raise JudgeError("the response is not a chat completion") from None
    if not isinstance(content, str):
        raise JudgeError("the chat completion has no text content")
    return content


class _RetryableError(JudgeError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatRubricJudge:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        timeout: float = 30.0,
        retries: int = 3,
        backoff_seconds: float = 1.0,
        fallback: AnswerScorer | None = None,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError(f"base_url must be an http or https URL, not {base_url!r}")
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._model = model
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff_seconds
        # Loaded only when first needed: the offline model costs a second and 100 MB.
        self._fallback = fallback

    def score(self, question: str, answer: str, reference: str | None = None) -> AnswerScore:
        return self.score_many([AnswerRequest(question, answer, reference)])[0]

    def score_many(self, items: Iterable[AnswerRequest | Mapping[str, Any]]) -> list[AnswerScore]:
        return [self._score_one(as_request(item)) for item in items]

    def _score_one(self, request: AnswerRequest) -> AnswerScore:
        attempts = 0
        while True:
            attempts += 1
            try:
                verdict = parse_verdict(_reply_content(self._post(request)))
            except _RetryableError as error:
                if attempts <= self._retries:
                    time.sleep(self._delay(attempts, error.retry_after))
                    continue
                return self._fall_back(request, str(error), attempts)
            except JudgeError as error:
                return self._fall_back(request, str(error), attempts)
            return self._verdict_score(verdict, attempts)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_SECONDS)
        return float(self._backoff * 2 ** (attempt - 1))

    def _post(self, request: AnswerRequest) -> bytes:
        payload = {
            "model": self._model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": _user_prompt(request)},
            ],
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        http_request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self._url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self._timeout) as response:  # noqa: S310
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            message = f"the service answered HTTP {error.code}"
            if error.code in RETRYABLE_STATUSES:
                raise _RetryableError(
                    message, _retry_after(error.headers.get("Retry-After"))
                ) from None
            raise JudgeError(message) from None
        except TimeoutError:
            raise _RetryableError(f"no answer within {self._timeout} s") from None
        except (urllib.error.URLError, ConnectionError) as error:
            raise _RetryableError(f"could not reach the service: {error}") from None

    def _verdict_score(self, verdict: dict[str, Any], attempts: int) -> AnswerScore:
        covered, missing = verdict["covered"], verdict["missing"]
        parts = [verdict["feedback"].strip()]
        if covered:
            parts.append("Covered: " + ", ".join(covered) + ".")
        if missing:
            parts.append("Missing: " + ", ".join(missing) + ".")
        details = {
            "method": "llm-rubric",
            "model": self._model,
            "fallback": False,
            "attempts": attempts,
            "covered_terms": covered,
            "missing_terms": missing,
        }
        return AnswerScore(round(float(verdict["relevance"]), 2), " ".join(parts), details)

    def _fall_back(self, request: AnswerRequest, reason: str, attempts: int) -> AnswerScore:
        if self._fallback is None:
            self._fallback = AnswerScorer()
        offline = self._fallback.score_many([request])[0]
        details = {
            **offline.details,
            "fallback": True,
            "fallback_reason": f"chat model {self._model!r} gave no usable verdict: {reason}",
            "llm_attempts": attempts,
        }
        return AnswerScore(offline.relevance, offline.feedback, details)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None
