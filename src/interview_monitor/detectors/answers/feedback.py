"""Plain-words feedback on an answer: what it covered, what it missed, and how it was judged."""

from __future__ import annotations

from interview_monitor.detectors.answers.features import KeyTerm, Measurement

MAX_TERMS_LISTED = 8
_BANDS = (
    (80.0, "matches the reference answer well"),
    (55.0, "partly matches the reference answer"),
    (30.0, "covers little of the reference answer"),
    (0.0, "does not match the reference answer"),
)
_RELEVANCE_BANDS = (
    (70.0, "is on the question's topic"),
    (40.0, "is only loosely related to the question"),
    (0.0, "does not address the question"),
)


def _band(score: float, bands: tuple[tuple[float, str], ...]) -> str:
    return next(text for floor, text in bands if score >= floor)


def _listed(terms: list[KeyTerm]) -> str:
    names = [term.word for term in terms[:MAX_TERMS_LISTED]]
    more = len(terms) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def empty_answer_feedback(has_reference: bool) -> str:
    target = "the reference answer" if has_reference else "the question"
    return f"No answer content was given (no letter or digit), so nothing of {target} is covered."


def reference_feedback(score: float, measurement: Measurement) -> str:
    covered = [term for term in measurement.key_terms if term.covered]
    missing = [term for term in measurement.key_terms if not term.covered]
    sentences = [f"Relevance {score:.0f}/100: the answer {_band(score, _BANDS)}."]
    sentences.append(
        f"Covered: {_listed(covered)}."
        if covered
        else "It covers none of the reference's key terms."
    )
    sentences.append(
        f"Missing: {_listed(missing)}."
        if missing
        else "No key term of the reference answer is missing."
    )
    if measurement.negation_mismatch:
        sentences.append(
            "One of the answer and the reference is phrased as a negation and the other is not: "
            "check that the answer does not state the opposite."
        )
    return " ".join(sentences)


def question_only_feedback(score: float, measurement: Measurement) -> str:
    addressed = [term for term in measurement.key_terms if term.covered]
    not_addressed = [term for term in measurement.key_terms if not term.covered]
    sentences = [
        "No reference answer was given, so this scores relevance to the question only, not correctness.",
        f"Relevance {score:.0f}/100: the answer {_band(score, _RELEVANCE_BANDS)}.",
    ]
    if addressed:
        sentences.append(f"It addresses: {_listed(addressed)}.")
    if not_addressed:
        sentences.append(f"Not mentioned from the question: {_listed(not_addressed)}.")
    return " ".join(sentences)
