-- The reviewer's work on a session: notes (on the session or on one incident), outcomes (the
-- latest is the session's), and the audit trail of who viewed, dismissed, restored, ended,
-- exported, noted or set an outcome. Rows go with their session (ON DELETE CASCADE); the
-- actor's name is copied so the trail still reads after the account is deleted.

CREATE TABLE review_notes (
    id           BIGSERIAL PRIMARY KEY,
    session_id   INTEGER      NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    -- The ref of the incident's first flag ("face_pose_events:12"); NULL: a note on the session.
    incident_ref VARCHAR(120),
    author_id    INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    author_name  VARCHAR(255) NOT NULL,
    body         TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT review_notes_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    CONSTRAINT review_notes_incident_ref_check CHECK (incident_ref ~ '^[a-z_]+:[0-9]+$')
);
CREATE INDEX review_notes_session_idx ON review_notes (session_id, created_at);

CREATE TABLE review_outcomes (
    id          BIGSERIAL PRIMARY KEY,
    session_id  INTEGER      NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    outcome     VARCHAR(20)  NOT NULL,
    set_by      INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    set_by_name VARCHAR(255) NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT review_outcomes_outcome_check
        CHECK (outcome IN ('cleared', 'needs_follow_up', 'confirmed'))
);
CREATE INDEX review_outcomes_session_idx ON review_outcomes (session_id, created_at);

CREATE TABLE review_audit_events (
    id         BIGSERIAL PRIMARY KEY,
    session_id INTEGER      NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    actor_id   INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    actor_name VARCHAR(255) NOT NULL,
    action     VARCHAR(20)  NOT NULL,
    detail     TEXT         NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT review_audit_events_action_check CHECK (action IN (
        'viewed', 'dismissed', 'restored', 'ended', 'exported', 'noted', 'outcome_set'
    )),
    CONSTRAINT review_audit_events_detail_check CHECK (length(detail) <= 5000)
);
CREATE INDEX review_audit_events_session_idx ON review_audit_events (session_id, created_at);
