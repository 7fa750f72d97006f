-- Ingest marks a session's risk as stale instead of recomputing it in every request; a
-- background refresher recomputes marked sessions at most a few times a second.
ALTER TABLE interview_sessions ADD COLUMN risk_stale BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX interview_sessions_risk_stale_idx ON interview_sessions (id) WHERE risk_stale;
