"""`interview-monitor analyze` and `evaluate`: the detectors on files, from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from interview_monitor.cli.common import CommandError, in_session, migrated_url, settings


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    analyze = commands.add_parser(
        "analyze", help="run the detectors on an image, video or audio file"
    )
    analyze.add_argument("file", type=Path)
    analyze.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    analyze.add_argument(
        "--fps", type=float, default=2.0, help="video frames analysed per second (default 2)"
    )
    analyze.add_argument("--store", action="store_true", help="save the result as a session")
    analyze.add_argument("--user", help="the candidate's username, with --store")
    analyze.set_defaults(handler=cmd_analyze)

    evaluate = commands.add_parser("evaluate", help="score answers to interview questions")
    evaluate.add_argument("--question")
    evaluate.add_argument("--answer")
    evaluate.add_argument("--reference", help="a reference answer, if there is one")
    evaluate.add_argument(
        "--jsonl", type=Path, help='lines of {"question", "reference_answer", "answer"}'
    )
    evaluate.set_defaults(handler=cmd_evaluate)


def cmd_analyze(args: argparse.Namespace) -> int:
    from interview_monitor.media.analysis import AnalysisError, analyze_file
    from interview_monitor.recordings.service import (
        UnknownCandidateError,
        candidate_id,
        store_recording,
    )
    from interview_monitor.risk.engine import RiskModel

    if args.store and not args.user:
        raise CommandError("--store needs --user USERNAME (the candidate the session belongs to)")
    if not 0 < args.fps <= 60:  # also refuses nan
        raise CommandError("--fps must be between 0 and 60")
    try:
        # The account is checked before a long analysis, not after it.
        if args.store:
            current = settings()
            url = migrated_url(current)
            user_id = in_session(url, lambda session: candidate_id(session, args.user))
        result = analyze_file(
            args.file, sample_fps=args.fps, progress=None if args.json else _print_stage
        )
    except (AnalysisError, UnknownCandidateError) as error:
        raise CommandError(str(error)) from None
    if args.store:
        model = RiskModel().with_weights(current.risk_weights)
        session_id = in_session(
            url, lambda session: store_recording(session, user_id, result, model)
        )
        print(f"stored as session {session_id}", file=sys.stderr)
    output = result.to_json()
    if args.json:
        sys.stdout.write(json.dumps(output) + "\n")
    else:
        _print_table(output)
    return 0


def _print_stage(stage: str) -> None:
    print(stage, file=sys.stderr)


def _print_table(output: dict[str, Any]) -> None:
    risk = output["risk"]
    print(
        f"{output['file']}: {output['duration_s']:.1f} s, risk {risk['total_risk_score']:.1f} ({risk['risk_level']})"
    )
    for event in output["events"]:
        what = (
            event.get("event_type")
            or event.get("object_detected")
            or repr(event.get("text_content", ""))[:60]
        )
        print(f"  {event['start_s']:7.1f}-{event['end_s']:7.1f} s  {event['table']:<24} {what}")


def _evaluation_items(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.jsonl is None:
        if not args.question or args.answer is None:
            raise CommandError("give --question and --answer, or --jsonl FILE")
        return [
            {"question": args.question, "reference_answer": args.reference, "answer": args.answer}
        ]
    try:
        lines = args.jsonl.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CommandError(f"cannot read {args.jsonl}: {error.strerror}") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise CommandError(f"{args.jsonl}:{number}: not JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise CommandError(f"{args.jsonl}:{number}: each line must be a JSON object")
        for field in ("question", "answer"):
            if not isinstance(item.get(field), str):
                raise CommandError(f"{args.jsonl}:{number}: field {field!r} must be a string")
        reference = item.get("reference_answer")
        if reference is not None and not isinstance(reference, str):
            raise CommandError(
                f"{args.jsonl}:{number}: field 'reference_answer' must be a string or null"
            )
        items.append(item)
    return items


def cmd_evaluate(args: argparse.Namespace) -> int:
    from interview_monitor.detectors.answers import AnswerScorer

    items = _evaluation_items(args)
    scorer = AnswerScorer()
    results = scorer.score_many(items)
    for item, result in zip(items, results, strict=True):
        line = {
            **item,
            "ai_relevance_score": round(result.relevance, 2),
            "ai_feedback": result.feedback,
        }
        sys.stdout.write(json.dumps(line) + "\n")
    return 0
