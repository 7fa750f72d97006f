"""Recording segments over the API: the candidate uploads, reviewers play, deletion removes."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg
import pytest

from tests.api_fixtures import Api
from tests.playback.webm_files import duration_s, webm_segment

pytestmark = pytest.mark.anyio
WEBM = {"Content-Type": "video/webm;codecs=vp8,opus"}


@pytest.fixture(scope="module")
def segment(test_data: Path) -> bytes:
    return webm_segment(test_data, 3.0)


async def _upload(
    api: Api, session_id: int, index: int, data: bytes, who: str = "candidate", ago: int = 3000
) -> httpx.Response:
    return await api.client.post(
        f"/api/interview/{session_id}/recording/segments/{index}",
        params={"started_ms_ago": ago},
        content=data,
        headers={**api.headers[who], **WEBM},
    )


def _recordings(tmp_path: Path, session_id: int) -> list[str]:
    folder = tmp_path / "recordings" / str(session_id)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def test_the_candidate_uploads_and_reviewers_play_back(
    api: Api, segment: bytes, tmp_path: Path
) -> None:
    session_id = await api.start_session()
    first = await _upload(api, session_id, 0, segment, ago=1000)
    assert first.status_code == 201, first.text
    second = await _upload(api, session_id, 1, segment, ago=0)
    assert second.status_code == 201, second.text
    assert first.json()["duration_ms"] == 3000
    # Offsets are on the session's clock: the later start, the later offset.
    assert 0 <= first.json()["start_offset_ms"] < second.json()["start_offset_ms"] < 60_000
    assert _recordings(tmp_path, session_id) == ["000000.webm", "000001.webm"]

    listed = await api.client.get(
        f"/api/interview/{session_id}/recording", headers=api.headers["interviewer"]
    )
    assert listed.status_code == 200
    assert [s["index"] for s in listed.json()["segments"]] == [0, 1]
    played = await api.client.get(listed.json()["segments"][1]["url"], headers=api.headers["admin"])
    assert played.status_code == 200 and played.headers["content-type"] == "video/webm"
    assert duration_s(played.content) == pytest.approx(3.0, abs=0.05)


async def test_only_reviewers_play_and_only_the_candidate_uploads(api: Api, segment: bytes) -> None:
    session_id = await api.start_session()
    assert (await _upload(api, session_id, 0, segment)).status_code == 201
    for who in ("interviewer", "other_candidate", "service"):
        assert (await _upload(api, session_id, 1, segment, who=who)).status_code == 403, who
    base = f"/api/interview/{session_id}/recording"
    for path in (base, base + "/segments/0"):
        assert (await api.client.get(path, headers=api.headers["candidate"])).status_code == 403
        assert (await api.client.get(path)).status_code == 401
    missing = await api.client.get(base + "/segments/7", headers=api.headers["interviewer"])
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["path", "index"]


async def test_bad_segments_are_refused_naming_what_is_wrong(api: Api, segment: bytes) -> None:
    session_id = await api.start_session()
    not_webm = await _upload(api, session_id, 0, b"\xff\xd8\xff" + bytes(500))
    assert not_webm.status_code == 422 and not_webm.json()["detail"][0]["loc"] == ["body"]
    cut = await _upload(api, session_id, 0, segment[:300])
    assert cut.status_code == 422 and cut.json()["detail"][0]["loc"] == ["body"]
    oversized = await _upload(api, session_id, 0, segment + bytes(8 * 1024 * 1024))
    assert oversized.status_code == 413 and oversized.json()["detail"][0]["loc"] == ["body"]
    as_json = await api.client.post(
        f"/api/interview/{session_id}/recording/segments/0?started_ms_ago=0",
        content=segment,
        headers={**api.headers["candidate"], "Content-Type": "application/json"},
    )
    assert as_json.status_code == 422
    assert as_json.json()["detail"][0]["loc"] == ["header", "content-type"]
    negative = await _upload(api, session_id, -1, segment)
    assert negative.status_code == 422 and negative.json()["detail"][0]["loc"] == ["path", "index"]
    no_start = await api.client.post(
        f"/api/interview/{session_id}/recording/segments/0",
        content=segment,
        headers={**api.headers["candidate"], **WEBM},
    )
    assert no_start.status_code == 422
    assert no_start.json()["detail"][0]["loc"] == ["query", "started_ms_ago"]


async def test_a_retried_upload_replaces_its_segment(
    api: Api, segment: bytes, database_url: str
) -> None:
    session_id = await api.start_session()
    for _ in range(2):
        assert (await _upload(api, session_id, 0, segment)).status_code == 201
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM recording_segments WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert rows == (1,)


async def test_an_ended_session_takes_late_segments_for_a_while_only(
    api: Api, segment: bytes, database_url: str
) -> None:
    session_id = await api.start_session()
    await api.client.post(f"/api/interview/{session_id}/end", headers=api.headers["candidate"])
    assert (await _upload(api, session_id, 0, segment)).status_code == 201
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE interview_sessions SET start_time = now() - interval '2 hours', "
            "end_time = now() - interval '1 hour' WHERE id = %s",
            (session_id,),
        )
    late = await _upload(api, session_id, 1, segment)
    assert late.status_code == 409 and late.json()["detail"][0]["loc"] == ["path", "session_id"]


async def test_deleting_the_candidate_removes_the_recording_files(
    api: Api, segment: bytes, tmp_path: Path
) -> None:
    kept = await api.start_session("other_candidate")
    assert (await _upload(api, kept, 0, segment, who="other_candidate")).status_code == 201
    session_id = await api.start_session()
    assert (await _upload(api, session_id, 0, segment)).status_code == 201
    assert _recordings(tmp_path, session_id)
    deleted = await api.client.delete(
        f"/api/users/{api.user_ids['candidate']}", headers=api.headers["admin"]
    )
    assert deleted.status_code == 204
    assert _recordings(tmp_path, session_id) == []
    assert _recordings(tmp_path, kept) == ["000000.webm"]
