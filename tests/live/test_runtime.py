from __future__ import annotations

import pytest

from interview_monitor.db.engine import Database
from interview_monitor.live.config import LiveSettings
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.risk.engine import RiskModel

pytestmark = pytest.mark.anyio


async def test_a_disabled_runtime_has_a_hub_and_no_workers(database_url: str) -> None:
    database = Database.connect(database_url, 1)
    try:
        runtime = await LiveRuntime.start(LiveSettings(enabled=False), database, RiskModel())
        assert runtime.pipeline is None and runtime.hub.watchers(1) == 0
        await runtime.stop()
    finally:
        await database.dispose()
