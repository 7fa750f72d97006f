from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import AudioTranscript, InterviewQuestion, InterviewSession, User
from interview_monitor.errors import InvalidInputError, NotFoundError
from interview_monitor.live.hub import ReviewHub
from interview_monitor.questions import service
from interview_monitor.questions.builtin import BUILTIN_QUESTIONS
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.questions.schemas import MAX_ANSWER_CHARS, AnswerRequest
from interview_monitor.risk.engine import RiskModel

pytestmark = pytest.mark.anyio
BANK = Path("interview_questions") / "data_science_interviews_theory_qa.jsonl"


async def _count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(InterviewQuestion)) or 0)


async def test_loading_the_shared_bank_twice_updates_in_place(
    db_session: AsyncSession, test_data: Path
) -> None:
    await db_session.execute(delete(InterviewQuestion))
    lines = (test_data / BANK).read_text().splitlines()
    distinct = {line for line in lines if line.strip()}
    loaded = await service.load_questions(db_session, test_data / BANK)
    assert loaded == await _count(db_session) == len(distinct)
    assert await service.load_questions(db_session, test_data / BANK) == loaded
    assert await _count(db_session) == loaded
    first = (await service.list_questions(db_session, 1, 0))[0]
    assert first.question == "What is supervised machine learning?"
    assert first.reference_answer and first.id == service.question_id_for(first.question)


async def test_given_ids_are_kept_and_new_questions_go_last(
    db_session: AsyncSession, tmp_path: Path
) -> None:
    await db_session.execute(delete(InterviewQuestion))
    bank = tmp_path / "bank.jsonl"
    bank.write_text(
        '{"id": "a", "question": "First?"}\n\n{"id": "b", "question": "Second?", "reference_answer": "Two"}\n'
    )
    assert await service.load_questions(db_session, bank) == 2
    bank.write_text(
        '{"id": "c", "question": "Third?"}\n{"id": "a", "question": "First, reworded?"}\n'
    )
    assert await service.load_questions(db_session, bank) == 2
    questions = await service.list_questions(db_session, 10, 0)
    assert [q.id for q in questions] == ["a", "b", "c"]
    by_id = {q.id: q for q in questions}
    assert by_id["a"].question == "First, reworded?" and by_id["b"].reference_answer == "Two"
    assert by_id["c"].position > by_id["b"].position


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '{"question": "  "}',
        '["a list"]',
        '{"question": "Q\\u0000"}',
        '{"question": "Q?", "reference_answer": ["a"]}',
        '{"question": "Q?", "id": "' + "x" * 101 + '"}',
        '{"question": "Q?", "id": 7}',
    ],
)
def test_bad_lines_name_the_file_and_line(line: str) -> None:
    with pytest.raises(InvalidInputError, match=r"bank.jsonl:2"):
        service.parse_question_lines(['{"question": "ok?"}', line], "bank.jsonl")


async def test_an_empty_bank_offers_the_builtin_questions(db_session: AsyncSession) -> None:
    await db_session.execute(delete(InterviewQuestion))
    questions = await service.list_questions(db_session, 100, 0)
    assert [q.id for q in questions] == [q["id"] for q in BUILTIN_QUESTIONS]
    with pytest.raises(NotFoundError):
        await service.get_question(db_session, "no-such-question")


async def test_a_builtin_question_is_found_before_the_bank_was_ever_listed(
    db_session: AsyncSession,
) -> None:
    await db_session.execute(delete(InterviewQuestion))
    first = BUILTIN_QUESTIONS[0]["id"]
    assert (await service.get_question(db_session, first)).id == first


async def _interview(db_session: AsyncSession, username: str) -> InterviewSession:
    user = User(
        username=username,
        email=f"{username}@example.org",
        password_hash="x",
        full_name=username.title(),
        role="candidate",
    )
    db_session.add(user)
    await db_session.flush()
    interview = InterviewSession(user_id=user.id)
    db_session.add(interview)
    await db_session.flush()
    return interview


async def test_spoken_answer_joins_what_was_said_since_the_question(
    db_session: AsyncSession,
) -> None:
    interview = await _interview(db_session, "spk")
    shown = datetime.now(UTC)
    for offset, text in [(-5, "before the question"), (2, "a model that"), (6, "memorises noise")]:
        at = shown + timedelta(seconds=offset)
        db_session.add(
            AudioTranscript(
                session_id=interview.id, start_timestamp=at, end_timestamp=at, text_content=text
            )
        )
    await db_session.flush()
    assert (
        await service.spoken_answer(db_session, interview.id, shown)
        == "a model that memorises noise"
    )


async def test_a_spoken_answer_is_at_most_as_long_as_a_typed_one(
    db_session: AsyncSession,
) -> None:
    interview = await _interview(db_session, "long")
    shown = datetime.now(UTC)
    sentence = "I would explain the trade-offs of the design in some detail. " * 20  # 1,240 chars
    db_session.add_all(
        AudioTranscript(
            session_id=interview.id,
            start_timestamp=shown + timedelta(seconds=second),
            end_timestamp=shown + timedelta(seconds=second),
            text_content=sentence,
        )
        for second in range(100)
    )
    await db_session.flush()
    answer = await service.spoken_answer(db_session, interview.id, shown)
    assert len(answer) == MAX_ANSWER_CHARS and answer.startswith(sentence.strip())


async def test_reviewers_hear_of_an_answer_only_when_it_commits(db_session: AsyncSession) -> None:
    interview = await _interview(db_session, "told")
    candidate = await db_session.get(User, interview.user_id)
    assert candidate is not None
    (question,) = await service.list_questions(db_session, 1, 0)
    request = AnswerRequest(question_id=question.id, answer="a model that memorises noise")
    hub, evaluator = ReviewHub(), AnswerEvaluator()
    try:
        async with hub.subscribe(interview.id) as updates:
            savepoint = await db_session.begin_nested()
            await service.submit_answer(
                db_session, candidate, interview.id, request, evaluator, RiskModel(), hub
            )
            await savepoint.rollback()
            await db_session.commit()
            assert updates.empty()
            await service.submit_answer(
                db_session, candidate, interview.id, request, evaluator, RiskModel(), hub
            )
            await db_session.commit()
            assert updates.get_nowait()["question_id"] == question.id
    finally:
        evaluator.close()
