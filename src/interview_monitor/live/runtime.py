"""What the app keeps for live interviews: the reviewer hub and the detector pipeline."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from interview_monitor.db.engine import Database
from interview_monitor.live.config import LiveSettings
from interview_monitor.live.hub import ReviewHub
from interview_monitor.live.pipeline import LivePipeline
from interview_monitor.live.store import EventStore
from interview_monitor.live.telemetry import watch_telemetry
from interview_monitor.risk.engine import RiskModel

log = logging.getLogger(__name__)


@dataclass
class LiveRuntime:
    settings: LiveSettings
    hub: ReviewHub
    pipeline: LivePipeline | None
    telemetry_watch: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, settings: LiveSettings, database: Database, model: RiskModel
    ) -> LiveRuntime:
        hub = ReviewHub()
        if not settings.enabled:
            log.warning("live pipeline disabled: media streams will be refused")
            return cls(settings, hub, None)
        video, audio = settings.worker_counts()

        def publish_status(session_id: int, status: dict[str, Any]) -> None:
            hub.publish(session_id, {"type": "status", "session_id": session_id, "live": status})

        pipeline = LivePipeline(
            counts={"video": video, "audio": audio},
            sink=EventStore(database, model, hub),
            on_status=publish_status,
            resume_grace_s=settings.resume_grace_s,
        )
        await pipeline.start(settings.worker_start_timeout_s)
        log.info("live pipeline: %d video and %d audio worker processes ready", video, audio)
        watch = asyncio.create_task(
            watch_telemetry(database, pipeline, hub, settings.heartbeat_s), name="telemetry-watch"
        )
        return cls(settings, hub, pipeline, watch)

    async def stop(self) -> None:
        if self.telemetry_watch is not None:
            self.telemetry_watch.cancel()
            await asyncio.gather(self.telemetry_watch, return_exceptions=True)
        if self.pipeline is not None:
            await self.pipeline.stop()
