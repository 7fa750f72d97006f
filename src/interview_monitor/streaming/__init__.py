"""WebSocket endpoints: candidates stream media in, reviewers receive live updates."""
