from __future__ import annotations

import pytest

from interview_monitor.live.hub import ALL_SESSIONS, ReviewHub

pytestmark = pytest.mark.anyio


async def test_updates_reach_the_sessions_watchers_and_the_list_watchers_only() -> None:
    hub = ReviewHub()
    async with (
        hub.subscribe(1) as one,
        hub.subscribe(2) as two,
        hub.subscribe(ALL_SESSIONS) as all_,
    ):
        assert hub.watchers(1) == 1
        hub.publish(1, {"type": "flags", "n": 1})
        assert one.get_nowait() == {"type": "flags", "n": 1}
        assert all_.get_nowait() == {"type": "flags", "n": 1}
        assert two.empty()
    assert hub.watchers(1) == 0


async def test_a_slow_watcher_loses_its_oldest_updates_and_never_blocks() -> None:
    hub = ReviewHub()
    async with hub.subscribe(1) as slow:
        for n in range(300):
            hub.publish(1, {"n": n})
        assert slow.qsize() == slow.maxsize
        assert slow.get_nowait() == {"n": 300 - slow.maxsize}
