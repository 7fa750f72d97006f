"""The report as a PDF (reportlab), with the risk plot and the evidence snapshots."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from interview_monitor.reports.html import OUTCOME_LABELS, dismissal_text, risk_history
from interview_monitor.reports.plot import plot_points
from interview_monitor.risk.engine import LEVEL_STARTS, LEVELS_EXPLAINED

LEVEL_COLOURS = {
    "LOW": colors.HexColor("#1f9d55"),
    "MEDIUM": colors.HexColor("#d98c00"),
    "HIGH": colors.HexColor("#d64545"),
}
_styles = getSampleStyleSheet()
_small = ParagraphStyle("small", parent=_styles["BodyText"], fontSize=8.5, leading=11)
_TABLE_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor("#5b6577")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#e3e7ee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _p(text: object, style: ParagraphStyle = _small) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _offset(at: datetime, start: datetime) -> str:
    seconds = max(0, int((at - start).total_seconds()))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _plot(report: dict[str, Any], width: float, height: float) -> Drawing:
    drawing = Drawing(width, height + 10)
    for level, _name in LEVEL_STARTS:
        y = level / 100 * height
        drawing.add(
            Line(0, y, width, y, strokeColor=colors.HexColor("#e3e7ee"), strokeDashArray=[3, 3])
        )
        drawing.add(String(2, y + 2, str(level), fontSize=7, fillColor=colors.grey))
    points = plot_points(risk_history(report), width, height, report["end_time"])
    if points:
        flat = [value for px, py in points for value in (px, height - py)]
        drawing.add(PolyLine(flat, strokeColor=colors.HexColor("#3056d3"), strokeWidth=1.5))
    return drawing


def _snapshot(data: bytes) -> Image | str:
    try:
        image = Image(io.BytesIO(data))
    except OSError:
        return "unreadable"
    scale = min(40 * mm / image.imageWidth, 30 * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def render_pdf(report: dict[str, Any], snapshots: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Interview report #{report['session_id']}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    width = A4[0] - 36 * mm
    risk = report["risk"]
    start = report["start_time"]
    story: list[Any] = [
        Paragraph(escape(f"Interview report #{report['session_id']}"), _styles["Title"]),
        _p(
            f"{report['candidate']['full_name']} <{report['candidate']['email']}> · {report['status']} · "
            f"{start:%Y-%m-%d %H:%M} → {report['end_time']:%Y-%m-%d %H:%M}"
            if report["end_time"]
            else f"{report['candidate']['full_name']} <{report['candidate']['email']}> · {report['status']} · "
            f"started {start:%Y-%m-%d %H:%M}",
            _styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f'<font size="20"><b>{risk["total_risk_score"]:.1f}</b></font> '
            f'<font color="{LEVEL_COLOURS[risk["risk_level"]].hexval()}"><b>{risk["risk_level"]} RISK</b></font>'
            f" ({LEVELS_EXPLAINED}; a flag is never proof)",
            _styles["BodyText"],
        ),
        Spacer(1, 3 * mm),
        Paragraph("Risk over time", _styles["Heading3"]),
        _plot(report, width, 40 * mm),
        Paragraph("Why this score", _styles["Heading3"]),
    ]
    contributions = [["Flag", "Points", "Explanation"]] + [
        [_p(c["label"]), f"{c['points']:.1f}", _p(c["explanation"])] for c in risk["contributions"]
    ]
    story.append(
        Table(contributions, colWidths=[35 * mm, 15 * mm, width - 50 * mm], style=_TABLE_STYLE)
        if risk["contributions"]
        else _p("No flags count towards the score.")
    )
    story.append(Paragraph("Timeline", _styles["Heading3"]))
    rows: list[list[Any]] = [["Time", "What", "Duration", "Confidence", "Evidence"]]
    for entry in report["timeline"]:
        what = entry["label"] + (
            f" ({dismissal_text(entry['dismissed'])})" if entry["dismissed"] else ""
        )
        if entry.get("text"):
            what += f': "{entry["text"]}"'
        confidence = "—" if entry["confidence"] is None else f"{entry['confidence']:.0f}%"
        snapshot = snapshots.get(entry.get("snapshot_url") or "")
        rows.append(
            [
                _offset(entry["at"], start),
                _p(what),
                f"{entry['duration_ms'] / 1000:.1f} s",
                confidence,
                _snapshot(snapshot) if snapshot else "—",
            ]
        )
    story.append(
        Table(
            rows,
            colWidths=[18 * mm, width - 100 * mm, 18 * mm, 20 * mm, 44 * mm],
            style=_TABLE_STYLE,
            repeatRows=1,
        )
        if report["timeline"]
        else _p("No events were recorded.")
    )
    story.append(Paragraph("Answers", _styles["Heading3"]))
    answers = [["Question", "Answer", "Relevance", "Feedback", "How it arrived"]] + [
        [
            _p(a["question_text"] or a["question_id"] or "—"),
            _p(a["candidate_answer"] or "—"),
            "—" if a["ai_relevance_score"] is None else f"{a['ai_relevance_score']:.0f}",
            _p(a["ai_feedback"] or "—"),
            _p(a["arrival"]),
        ]
        for a in report["answer_evaluations"]
    ]
    story.append(
        Table(
            answers,
            colWidths=[35 * mm, 40 * mm, 16 * mm, width - 136 * mm, 45 * mm],
            style=_TABLE_STYLE,
            repeatRows=1,
        )
        if report["answer_evaluations"]
        else _p("No answers were evaluated.")
    )
    story += _review(report["review"], width)
    document.build(story)
    return buffer.getvalue()


def _review(review: dict[str, Any], width: float) -> list[Any]:
    """The outcome, the notes and the audit trail."""
    outcome = review["outcome"]
    parts: list[Any] = [
        Paragraph("Review", _styles["Heading3"]),
        _p(
            f"Outcome: {OUTCOME_LABELS[outcome['outcome']]} (set by {outcome['set_by_name']}, "
            f"{outcome['created_at']:%Y-%m-%d %H:%M})"
            if outcome
            else "Outcome: not set yet"
        ),
    ]
    for title, rows, empty in (
        (
            "Notes",
            [
                [
                    f"{n['created_at']:%Y-%m-%d %H:%M}",
                    _p(n["author_name"]),
                    _p(f"incident {n['incident_ref']}" if n["incident_ref"] else "the session"),
                    _p(n["body"]),
                ]
                for n in review["notes"]
            ],
            "No notes.",
        ),
        (
            "Audit trail",
            [
                [
                    f"{a['created_at']:%Y-%m-%d %H:%M}",
                    _p(a["actor_name"]),
                    a["action"].replace("_", " "),
                    _p(a["detail"] or "—"),
                ]
                for a in review["audit"]
            ],
            "Nothing recorded yet.",
        ),
    ):
        parts.append(Paragraph(title, _styles["Heading3"]))
        parts.append(
            Table(
                [["When", "Who", "What" if title == "Audit trail" else "On", "Detail"], *rows],
                colWidths=[28 * mm, 32 * mm, 30 * mm, width - 90 * mm],
                style=_TABLE_STYLE,
                repeatRows=1,
            )
            if rows
            else _p(empty)
        )
    return parts
