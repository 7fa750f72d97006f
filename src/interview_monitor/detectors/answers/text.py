"""Word-level text handling for answer scoring: content words, light stemming, negation."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "one",
        "ones",
        "may",
        "might",
        "must",
        "shall",
        "thing",
        "things",
        "something",
        "way",
        "ways",
        "use",
        "used",
        "using",
        "e",
        "g",
        "ie",
        "eg",
        "via",
    ]
)

# Negation cues; "no" and "not" are kept out of STOPWORDS' effect by being checked separately.
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "cant",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "without",
    ]
)

_WORD = re.compile(r"[a-z0-9][a-z0-9+#'_-]*")
# Longest suffixes first; a crude Porter-like stripping is enough to match "simulates",
# "simulated" and "simulation" with "simulate".
_SUFFIXES = (
    "izations",
    "ization",
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ment",
    "nesses",
    "ness",
    "ities",
    "ity",
    "ings",
    "ing",
    "ions",
    "ion",
    "ers",
    "er",
    "ies",
    "ied",
    "ly",
    "ed",
    "es",
    "s",
    "e",
)


def words(text: str) -> list[str]:
    return [word.strip("'-_") for word in _WORD.findall(text.lower()) if word.strip("'-_")]


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        if is_content_word(word):
            seen.setdefault(stem(word), None)
    return list(seen)


def is_content_word(word: str) -> bool:
    return word not in STOPWORDS and word not in NEGATIONS and (len(word) > 1 or word.isdigit())


def has_content(text: str) -> bool:
    """Whether the text holds any letter or digit at all."""
    return any(char.isalnum() for char in text)


def is_negated(text: str) -> bool:
    return any(word in NEGATIONS or word.endswith("n't") for word in words(text))
