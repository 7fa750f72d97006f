"""Playback of a session: its recorded WebM segments, and the gaps where its streams dropped."""
