from __future__ import annotations

import pytest

from interview_monitor.ids import MAX_ROW_ID
from interview_monitor.live.pool import kind_of, session_of, stream_id_for


@pytest.mark.parametrize("session_id", [1, 7, MAX_ROW_ID])
@pytest.mark.parametrize("kind", ["video", "audio"])
@pytest.mark.parametrize("segment", [0, 1, 999_999])
def test_stream_ids_carry_session_and_kind(session_id: int, kind: str, segment: int) -> None:
    stream_id = stream_id_for(session_id, kind, segment)  # type: ignore[arg-type]
    assert (session_of(stream_id), kind_of(stream_id)) == (session_id, kind)


def test_every_segment_of_a_session_gets_its_own_id() -> None:
    ids = {stream_id_for(5, kind, segment) for kind in ("video", "audio") for segment in range(50)}
    assert len(ids) == 100
