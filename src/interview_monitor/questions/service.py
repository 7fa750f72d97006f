"""The question bank and answering its questions. Never commits: the request or CLI command
does."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.config import DEFAULT_ANSWER_MATCH_WINDOW
from interview_monitor.db.commit_hooks import once_committed
from interview_monitor.db.tables import InterviewQuestion, User
from interview_monitor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from interview_monitor.events.service import store_detected
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.interviews.service import ensure_in_progress, get_session
from interview_monitor.live.hub import ReviewHub
from interview_monitor.questions.builtin import BUILTIN_QUESTIONS
from interview_monitor.questions.cadence import store_cadence
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.questions.repository import QuestionRepository
from interview_monitor.questions.schemas import MAX_ANSWER_CHARS, AnswerRequest, AnswerStored
from interview_monitor.risk.engine import RiskModel
from interview_monitor.sharing.service import (
    find_shared_answers,
    lock_sessions,
    record_shared_answers,
)
from interview_monitor.signals import DetectedEvent


def question_id_for(text: str) -> str:
    """A stable id for a question given without one, so reloading a file updates in place."""
    return "q-" + hashlib.sha256(text.strip().encode()).hexdigest()[:16]


def parse_question_lines(lines: Iterable[str], source: str = "<input>") -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise InvalidInputError(f"{source}:{number}: not JSON ({error})") from None
        if not isinstance(item, dict) or not str(item.get("question") or "").strip():
            raise InvalidInputError(f'{source}:{number}: needs a non-empty "question"')
        if problem := _problem(item):
            raise InvalidInputError(f"{source}:{number}: {problem}")
        questions.append(_row(item))
    return questions


def _problem(item: Mapping[str, Any]) -> str | None:
    for field, max_length in (("id", 100), ("question", 10_000), ("reference_answer", 100_000)):
        value = item.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return f'"{field}" must be text'
        if "\x00" in value:
            return f'"{field}" contains a NUL character'
        if len(value) > max_length:
            return f'"{field}" is longer than {max_length} characters'
    return None


def _row(item: Mapping[str, Any]) -> dict[str, Any]:
    question = str(item["question"]).strip()
    reference = item.get("reference_answer")
    return {
        "id": str(item.get("id") or question_id_for(question)),
        "question": question,
        "reference_answer": str(reference).strip() if reference else None,
    }


async def upsert_questions(db: AsyncSession, questions: list[dict[str, Any]]) -> int:
    """Insert or update by id; new questions go after the ones already in the bank."""
    if not questions:
        return 0
    repository = QuestionRepository(db)
    first = await repository.next_position()
    rows = {row["id"]: {**row, "position": first + index} for index, row in enumerate(questions)}
    await repository.upsert(list(rows.values()))
    return len(rows)


async def load_questions(session: AsyncSession, path: Path | str) -> int:
    """Load a JSON-lines file of {"id"?, "question", "reference_answer"?}; returns the count."""
    path = Path(path)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    questions = parse_question_lines(text.splitlines(), str(path))
    return await upsert_questions(session, questions)


async def _ensure_bank(db: AsyncSession) -> None:
    """An empty bank gets the built-in questions, whichever is asked first: the list or one."""
    if await QuestionRepository(db).count() == 0:
        await upsert_questions(db, [_row(item) for item in BUILTIN_QUESTIONS])


async def list_questions(db: AsyncSession, limit: int, offset: int) -> list[InterviewQuestion]:
    """The bank in order; the built-in questions are stored first when the bank is empty."""
    await _ensure_bank(db)
    return await QuestionRepository(db).list(limit, offset)


async def get_question(db: AsyncSession, question_id: str) -> InterviewQuestion:
    await _ensure_bank(db)
    question = await QuestionRepository(db).get(question_id)
    if question is None:
        raise NotFoundError(f"question {question_id!r} does not exist", ["body", "question_id"])
    return question


# Speech segments last a second or more: 5,000 hold more words than an answer may.
MAX_SPOKEN_SEGMENTS = 5_000


async def spoken_answer(db: AsyncSession, session_id: int, since: datetime) -> str:
    """What the candidate said since `since`, from the live transcripts stored so far, at most
    as long as a typed answer may be (a `since` at the session's start would otherwise read
    the whole interview: its first segments are enough to fill an answer)."""
    texts = await SessionRepository(db).transcript_texts(session_id, since, MAX_SPOKEN_SEGMENTS)
    return " ".join(text.strip() for text in texts if text.strip())[:MAX_ANSWER_CHARS]


async def submit_answer(
    db: AsyncSession,
    user: User,
    session_id: int,
    request: AnswerRequest,
    evaluator: AnswerEvaluator,
    model: RiskModel,
    hub: ReviewHub,
    match_window: int = DEFAULT_ANSWER_MATCH_WINDOW,
) -> AnswerStored:
    """Score the candidate's answer for relevance, look for it among other candidates'
    answers (the newest `match_window`) and store it with the session's new risk; the
    session's reviewers are told once the transaction has committed."""
    interview = await get_session(db, session_id, user)
    if interview.user_id != user.id:
        raise ForbiddenError("only the session's candidate answers its questions")
    if (stored_before := await _stored(db, session_id, request)) is not None:
        return stored_before  # a retry whose first attempt's reply was lost
    await ensure_in_progress(db, session_id)
    question = await get_question(db, request.question_id)
    answer = request.answer.strip()
    if not answer and request.spoken_since is not None:
        answer = await spoken_answer(db, session_id, request.spoken_since)
    if not answer and request.spoken_since is None:
        raise InvalidInputError("type an answer or give spoken_since", ["body", "answer"])
    score = await evaluator.score(question.question, answer, question.reference_answer)
    relevance = round(score.relevance, 2)
    shared = await find_shared_answers(
        db,
        user.id,
        question.id,
        question.question,
        question.reference_answer,
        answer,
        score.answer_vector,
        match_window,
    )
    await lock_sessions(db, session_id, shared)
    evaluation = DetectedEvent(
        table="answer_evaluations",
        start_s=0.0,
        end_s=0.0,
        columns={
            "question_id": question.id,
            "question_text": question.question,
            "candidate_answer": answer,
            "ai_relevance_score": relevance,
            "ai_feedback": score.feedback,
            "client_event_id": request.answer_id,
        },
    )
    stored, _assessment = await store_detected(
        db, session_id, [evaluation], interview.start_time, model
    )
    answer_id = stored["answer_evaluations"][0]
    await record_shared_answers(
        db, session_id, answer_id, question.id, score.answer_vector, shared, model
    )
    if await store_cadence(
        db, session_id, answer_id, question.id, request.cadence, request.spoken_since
    ):
        # The refresher scores it with the new cadence flags, as it does ingested events.
        await SessionRepository(db).mark_stale([session_id])

    def tell_reviewers() -> None:
        update = {
            "type": "answer",
            "session_id": session_id,
            "question_id": question.id,
            "ai_relevance_score": relevance,
            "published_at": time.time(),
        }
        hub.publish(session_id, update)

    if not stored.get("answer_evaluations"):  # the same answer_id, stored meanwhile
        already = await _stored(db, session_id, request)
        if already is None:
            raise ConflictError("the answer was not stored; send it again", ["body", "answer_id"])
        return already
    once_committed(db, tell_reviewers)
    return AnswerStored(
        id=answer_id,
        session_id=session_id,
        question_id=question.id,
        answer_chars=len(answer),
    )


async def _stored(db: AsyncSession, session_id: int, request: AnswerRequest) -> AnswerStored | None:
    """The receipt of the answer already stored under the request's answer_id, if any."""
    if request.answer_id is None:
        return None
    row = await QuestionRepository(db).answer_by_client_id(session_id, request.answer_id)
    if row is None:
        return None
    return AnswerStored(
        id=row.id,
        session_id=session_id,
        question_id=row.question_id or request.question_id,
        answer_chars=len(row.candidate_answer or ""),
    )
