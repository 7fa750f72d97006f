from __future__ import annotations

from interview_monitor.detectors.answers.text import (
    content_stems,
    is_negated,
    stem,
    words,
)


def test_inflections_share_a_stem() -> None:
    assert stem("simulates") == stem("simulated") == stem("simulate")
    assert stem("functions") == stem("function")


def test_short_words_are_not_stripped_to_nothing() -> None:
    assert stem("is") == "is"
    assert stem("bus") == "bus"


def test_content_stems_drop_stopwords_and_repeats() -> None:
    assert content_stems("The main function calls the main functions.") == ["main", "funct", "call"]


def test_words_keep_programming_tokens() -> None:
    assert words("Use C++ and C# in do-while loops") == [
        "use",
        "c++",
        "and",
        "c#",
        "in",
        "do-while",
        "loops",
    ]


def test_negation_cues() -> None:
    assert is_negated("It doesn't return anything")
    assert is_negated("There is no constructor")
    assert not is_negated("It returns a value")
