"""Spoken cues: phrases in a transcript that point to outside help (assistants, prompters)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_NOT_WORD = re.compile(r"[^a-z0-9']+")


def normalise(text: str) -> str:
    """Lower case, one space between words, punctuation gone except apostrophes inside words
    ("OK, Google!" -> "ok google", "What’s" -> "what's")."""
    words = _NOT_WORD.sub(" ", text.lower().translate(_APOSTROPHES)).split()
    return " ".join(word.strip("'") for word in words if word.strip("'"))


class CueMatcher:
    def __init__(self, phrases: Iterable[str]) -> None:
        self._patterns = [
            (phrase, re.compile(rf"(?<![\w']){re.escape(normalise(phrase))}(?![\w'])"))
            for phrase in phrases
            if normalise(phrase)
        ]

    def find(self, text: str) -> list[str]:
        """The configured phrases said in `text`, each once, in configuration order."""
        spoken = normalise(text)
        return [phrase for phrase, pattern in self._patterns if pattern.search(spoken)]
