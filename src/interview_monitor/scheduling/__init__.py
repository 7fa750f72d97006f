"""Interviews scheduled for a candidate: a time window and a single-use invitation link."""
