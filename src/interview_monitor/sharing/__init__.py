"""Answers shared between candidates: near-copies of other sessions' answers to a question."""
