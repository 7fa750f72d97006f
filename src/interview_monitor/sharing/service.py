"""Finding and recording answers shared between candidates. Never commits.

An answer is compared with the newest answers to the same question in other candidates'
sessions (the window is a setting); each near-copy becomes a `shared_answer` flag on both
sessions, naming the other one for their reviewers. The candidate's receipt says nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.detectors.answers.similarity import NearCopy, find_near_copies
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.interviews.service import recompute_risks
from interview_monitor.risk.engine import RiskModel
from interview_monitor.sharing.repository import MatchRepository


@dataclass(frozen=True)
class SharedAnswer:
    """A near-copy found for a new answer, before the new answer is stored."""

    other_session_id: int
    match: NearCopy


async def find_shared_answers(
    db: AsyncSession,
    candidate_id: int,
    question_id: str,
    question: str,
    reference: str | None,
    answer: str,
    vector: NDArray[np.float32],
    window: int,
) -> list[SharedAnswer]:
    """Near-copies of `answer` among the newest `window` answers of other candidates; their
    sessions are then locked (in id order, as every writer of session rows does) so storing
    the flags cannot deadlock with another submission doing the same."""
    if window == 0:
        return []
    prior = await MatchRepository(db).prior_answers(question_id, candidate_id, window)
    if not prior:
        return []
    session_of = {answer.key: session_id for session_id, answer in prior}
    # Up to a few tens of milliseconds of pure Python at 1,000 prior answers: off the loop.
    matches = await asyncio.to_thread(
        find_near_copies, answer, vector, [item for _, item in prior], question, reference
    )
    return [SharedAnswer(session_of[match.key], match) for match in matches]


async def lock_sessions(db: AsyncSession, session_id: int, shared: Sequence[SharedAnswer]) -> None:
    """Lock the answering session and those it shares answers with before anything is
    written, so two submissions that find each other's sessions take the locks in one order."""
    if shared:
        await SessionRepository(db).lock([session_id, *(s.other_session_id for s in shared)])


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.4f}")


async def record_shared_answers(
    db: AsyncSession,
    session_id: int,
    answer_id: int,
    question_id: str,
    vector: NDArray[np.float32],
    shared: Sequence[SharedAnswer],
    model: RiskModel,
) -> None:
    """Keep the answer's vector for later comparisons and flag each near-copy on both
    sessions; the sessions involved get their risk recomputed."""
    repository = MatchRepository(db)
    await repository.add_vector(answer_id, vector)
    if not shared:
        return
    rows = []
    for item in shared:
        match = item.match
        scores = {
            "question_id": question_id,
            "tier": match.tier.value,
            "own_jaccard": _decimal(match.own_jaccard),
            "own_shingles": match.own_shingles,
            "cosine": None if match.cosine is None else _decimal(match.cosine),
        }
        rows.append(
            {
                "session_id": session_id,
                "answer_id": answer_id,
                "other_session_id": item.other_session_id,
                "other_answer_id": match.key,
                **scores,
            }
        )
        rows.append(
            {
                "session_id": item.other_session_id,
                "answer_id": match.key,
                "other_session_id": session_id,
                "other_answer_id": answer_id,
                **scores,
            }
        )
    await repository.add_matches(rows)
    involved = sorted({session_id, *(item.other_session_id for item in shared)})
    await recompute_risks(db, involved, model)
