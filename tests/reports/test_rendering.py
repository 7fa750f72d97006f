"""HTML and PDF renderings of a real report, served through the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest

from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio

# A real 8x8 JPEG, made with OpenCV once, so the PDF must embed an actual picture.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000201010101010201010102020202020403020202020504040304060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0affdb004301020202020202050303050a0706070a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0affc00011080008000803012200021101031101ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f0028a28a00ffd9"
)


async def _session_with_evidence(api: Api) -> int:
    from datetime import UTC, datetime

    from interview_monitor.db.engine import Database
    from interview_monitor.events.service import store_detected
    from interview_monitor.risk.engine import RiskModel
    from interview_monitor.signals import DetectedEvent

    session_id = await api.start_session()
    database = Database.connect(api.client._transport.app.state.app_state.database.url, pool_size=1)  # type: ignore[attr-defined]
    async with database.session() as session:
        await store_detected(
            session,
            session_id,
            [
                DetectedEvent(
                    "object_detection_events",
                    3.0,
                    9.5,
                    {"object_detected": "cell phone"},
                    81.0,
                    TINY_JPEG,
                ),
                DetectedEvent(
                    "face_pose_events",
                    12.0,
                    16.0,
                    {"event_type": "looking_away", "severity_score": 3},
                    70.0,
                    TINY_JPEG,
                ),
                DetectedEvent(
                    "audio_transcripts",
                    20.0,
                    24.0,
                    {
                        "text_content": "ok google, what's the answer",
                        "is_multiple_speakers": False,
                        "flagged_phrases": ["ok google"],
                    },
                    90.0,
                ),
            ],
            datetime.now(UTC),
            RiskModel(),
        )
    await database.dispose()
    return session_id


async def test_html_report_shows_score_plot_flags_and_embedded_evidence(api: Api) -> None:
    session_id = await _session_with_evidence(api)
    response = await api.client.get(
        f"/api/interview/{session_id}/report?format=html", headers=api.headers["admin"]
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<svg" in page and '<path d="M0' in page
    assert "Phone in view" in page and "Looking away" in page and "ok google" in page
    # Embedded, so the page opened from a blob or a saved file needs no token to show them.
    assert page.count('src="data:image/jpeg;base64,') == 2 and "/api/evidence/" not in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


async def test_evidence_is_served_only_to_reviewers(api: Api) -> None:
    session_id = await _session_with_evidence(api)
    report = (
        await api.client.get(f"/api/interview/{session_id}/report", headers=api.headers["admin"])
    ).json()
    url = next(e["snapshot_url"] for e in report["timeline"] if e.get("snapshot_url"))
    assert (await api.client.get(url)).status_code == 401
    assert (await api.client.get(url, headers=api.headers["candidate"])).status_code == 403
    served = await api.client.get(url, headers=api.headers["interviewer"])
    assert served.status_code == 200 and served.content == TINY_JPEG
    assert (
        served.headers["content-type"] == "image/jpeg"
        and "private" in served.headers["cache-control"]
    )


async def test_pdf_report_is_a_real_pdf_with_the_findings(api: Api, tmp_path: Path) -> None:
    session_id = await _session_with_evidence(api)
    response = await api.client.get(
        f"/api/interview/{session_id}/report?format=pdf", headers=api.headers["admin"]
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/Subtype /Image" in response.content
    if shutil.which("pdftotext"):
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(response.content)
        text = (await anyio.run_process(["pdftotext", str(pdf), "-"])).stdout.decode()
        assert "Phone in view" in text and "RISK" in text


async def test_unknown_format_is_422(api: Api) -> None:
    session_id = await api.start_session()
    response = await api.client.get(
        f"/api/interview/{session_id}/report?format=docx", headers=api.headers["admin"]
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "query",
        "format",
    ]
