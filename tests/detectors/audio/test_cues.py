from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from interview_monitor.detectors.audio import DEFAULT_CUE_PHRASES
from interview_monitor.detectors.audio.cues import CueMatcher, normalise


def test_normalise_drops_case_and_punctuation_but_keeps_contractions() -> None:
    assert normalise("OK, Google!  What’s the ANSWER?") == "ok google what's the answer"
    assert normalise("'quoted' -- words") == "quoted words"


def test_finds_assistant_wake_words_and_requests_for_answers() -> None:
    matcher = CueMatcher(DEFAULT_CUE_PHRASES)
    assert matcher.find("Hey, Siri. What's the answer to question three?") == [
        "hey siri",
        "what's the answer",
    ]
    assert matcher.find("Okay Google") == ["okay google"]
    assert matcher.find("Could you read it to me, please") == ["read it to me"]


def test_matches_whole_words_only() -> None:
    matcher = CueMatcher(["alexa", "ok google"])
    assert matcher.find("Alexander wrote the book") == []
    assert matcher.find("Alexa's timer") == []
    assert matcher.find("talk to alexa now") == ["alexa"]
    assert matcher.find("look google up") == []


def test_an_ordinary_answer_is_not_flagged() -> None:
    answer = (
        "I would use a hash map keyed by user id, so lookups stay constant time, and I'd "
        "answer the question about scaling by sharding on the same key."
    )
    assert CueMatcher(DEFAULT_CUE_PHRASES).find(answer) == []


@given(st.text())
def test_any_text_is_safe_to_match(text: str) -> None:
    found = CueMatcher(DEFAULT_CUE_PHRASES).find(text)
    assert set(found) <= set(DEFAULT_CUE_PHRASES)
    assert normalise(normalise(text)) == normalise(text)
