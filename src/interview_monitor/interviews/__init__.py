"""Interview sessions: start, end, risk, flags and the data behind reports."""
