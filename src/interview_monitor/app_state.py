"""What the running app holds for its handlers: built once at start-up, stored on app.state."""

from __future__ import annotations

from dataclasses import dataclass

from interview_monitor.auth.principals import PrincipalCache
from interview_monitor.config import Settings
from interview_monitor.db.engine import Database
from interview_monitor.events.batcher import IngestBatcher
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.risk.engine import RiskModel


@dataclass(frozen=True)
class AppState:
    settings: Settings
    principals: PrincipalCache
    risk_model: RiskModel
    database: Database
    ingest_batcher: IngestBatcher
    answer_evaluator: AnswerEvaluator
    live: LiveRuntime
