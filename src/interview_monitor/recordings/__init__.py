"""Recorded files, analysed offline, kept as completed sessions."""
