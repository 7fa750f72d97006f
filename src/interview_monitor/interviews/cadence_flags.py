"""Stored answer cadence rows as the risk engine's flags: each flagged verdict its own kind,
and the pattern across a session's answers (uniform long delays before fluent answers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interview_monitor.detectors.cadence import FLAGGED_VERDICTS, Answered, uniform_long_delays
from interview_monitor.risk.engine import Flag

CADENCE_SEVERITY = 3
TABLE = "answer_cadence"


def _described(row: Any) -> str:
    summary = row.summary or {}
    parts = list(summary.get("reasons") or [])
    if row.first_key_ms is not None:
        parts.append(f"first key {row.first_key_ms / 1000:.1f} s after the question")
    return ", ".join(parts)


def cadence_flags(rows: Sequence[Any]) -> list[Flag]:
    flags = [
        Flag(
            f"{TABLE}:{row.id}",
            row.verdict,
            row.created_at,
            0.0,
            CADENCE_SEVERITY,
            1.0,
            row.dismissed_at is not None,
            _described(row),
        )
        for row in rows
        if row.verdict in FLAGGED_VERDICTS
    ]
    ordered = sorted(rows, key=lambda row: row.created_at)
    pattern = uniform_long_delays(
        [Answered(row.first_key_ms, row.typed_chars, row.pauses) for row in ordered]
    )
    if pattern is not None:
        last = ordered[-1]
        # Dismissing the newest answer's row dismisses the pattern it completes.
        flags.append(
            Flag(
                f"{TABLE}:{last.id}",
                "uniform_long_delays",
                ordered[0].created_at,
                (last.created_at - ordered[0].created_at).total_seconds(),
                CADENCE_SEVERITY,
                1.0,
                last.dismissed_at is not None,
                pattern,
            )
        )
    return flags
