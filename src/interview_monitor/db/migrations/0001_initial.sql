-- The seed's six tables and its summary view, kept to the compatibility contract
-- (names, type families, defaults, nullability) and hardened for production.

CREATE TABLE users (
    id            SERIAL PRIMARY KEY,
    username      VARCHAR(50)  NOT NULL,
    email         VARCHAR(255) NOT NULL UNIQUE,
    password_hash TEXT         NOT NULL,
    full_name     VARCHAR(255) NOT NULL,
    created_at    TIMESTAMPTZ  DEFAULT NOW(),
    role          VARCHAR(20)  NOT NULL DEFAULT 'candidate',
    is_active     BOOLEAN      NOT NULL DEFAULT TRUE,
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_role_check CHECK (role IN ('candidate', 'interviewer', 'admin', 'service')),
    CONSTRAINT users_username_check CHECK (length(btrim(username)) > 0),
    CONSTRAINT users_email_check CHECK (position('@' IN email) > 1)
);

CREATE TABLE api_keys (
    id          SERIAL PRIMARY KEY,
    user_id     INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        VARCHAR(100) NOT NULL,
    prefix      VARCHAR(16) NOT NULL,
    key_hash    CHAR(64)    NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE interview_sessions (
    id               SERIAL PRIMARY KEY,
    user_id          INTEGER      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_time       TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    end_time         TIMESTAMPTZ,
    total_risk_score NUMERIC(5, 2) DEFAULT 0.00,
    status           VARCHAR(20)  DEFAULT 'IN_PROGRESS',
    title            VARCHAR(200),
    ended_by         INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT interview_sessions_risk_check CHECK (total_risk_score BETWEEN 0 AND 100),
    CONSTRAINT interview_sessions_status_check
        CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'TERMINATED', 'ABANDONED')),
    CONSTRAINT interview_sessions_times_check CHECK (end_time IS NULL OR end_time >= start_time)
);
CREATE INDEX interview_sessions_user_idx ON interview_sessions (user_id, start_time DESC);
CREATE INDEX interview_sessions_status_idx ON interview_sessions (status, start_time DESC);

CREATE TABLE evidence_snapshots (
    id           UUID PRIMARY KEY,
    session_id   INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    content_type VARCHAR(50) NOT NULL DEFAULT 'image/jpeg',
    data         BYTEA       NOT NULL,
    CONSTRAINT evidence_snapshots_size_check CHECK (octet_length(data) BETWEEN 1 AND 5242880)
);
CREATE INDEX evidence_snapshots_session_idx ON evidence_snapshots (session_id);

CREATE TABLE object_detection_events (
    id               BIGSERIAL PRIMARY KEY,
    session_id       INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    "timestamp"      TIMESTAMPTZ   DEFAULT NOW(),
    object_detected  VARCHAR(100)  NOT NULL,
    confidence_score NUMERIC(5, 2) NOT NULL,
    snapshot_url     TEXT,
    duration_ms      INTEGER       NOT NULL DEFAULT 0,
    source           VARCHAR(50)   NOT NULL DEFAULT 'external',
    client_event_id  VARCHAR(100),
    dismissed_at     TIMESTAMPTZ,
    dismissed_by     INTEGER       REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason TEXT,
    CONSTRAINT object_detection_events_confidence_check CHECK (confidence_score BETWEEN 0 AND 100),
    CONSTRAINT object_detection_events_duration_check CHECK (duration_ms >= 0),
    CONSTRAINT object_detection_events_object_check CHECK (length(btrim(object_detected)) > 0),
    CONSTRAINT object_detection_events_client_event_key UNIQUE (session_id, client_event_id)
);
CREATE INDEX object_detection_events_session_time_idx
    ON object_detection_events (session_id, "timestamp");

CREATE TABLE face_pose_events (
    id               BIGSERIAL PRIMARY KEY,
    session_id       INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    "timestamp"      TIMESTAMPTZ   DEFAULT NOW(),
    event_type       VARCHAR(50)   NOT NULL,
    duration_ms      INTEGER       DEFAULT 0,
    severity_score   INTEGER       DEFAULT 1,
    confidence_score NUMERIC(5, 2),
    snapshot_url     TEXT,
    source           VARCHAR(50)   NOT NULL DEFAULT 'external',
    client_event_id  VARCHAR(100),
    dismissed_at     TIMESTAMPTZ,
    dismissed_by     INTEGER       REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason TEXT,
    CONSTRAINT face_pose_events_severity_check CHECK (severity_score BETWEEN 1 AND 5),
    CONSTRAINT face_pose_events_duration_check CHECK (duration_ms >= 0),
    CONSTRAINT face_pose_events_confidence_check CHECK (confidence_score BETWEEN 0 AND 100),
    CONSTRAINT face_pose_events_event_type_check CHECK (length(btrim(event_type)) > 0),
    CONSTRAINT face_pose_events_client_event_key UNIQUE (session_id, client_event_id)
);
CREATE INDEX face_pose_events_session_time_idx ON face_pose_events (session_id, "timestamp");

CREATE TABLE audio_transcripts (
    id                   BIGSERIAL PRIMARY KEY,
    session_id           INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    start_timestamp      TIMESTAMPTZ,
    end_timestamp        TIMESTAMPTZ,
    text_content         TEXT        NOT NULL,
    is_multiple_speakers BOOLEAN     DEFAULT FALSE,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    flagged_phrases      TEXT[]      NOT NULL DEFAULT '{}',
    speaker_confidence   NUMERIC(5, 2),
    source               VARCHAR(50) NOT NULL DEFAULT 'external',
    client_event_id      VARCHAR(100),
    dismissed_at         TIMESTAMPTZ,
    dismissed_by         INTEGER     REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason     TEXT,
    CONSTRAINT audio_transcripts_times_check
        CHECK (end_timestamp IS NULL OR start_timestamp IS NULL OR end_timestamp >= start_timestamp),
    CONSTRAINT audio_transcripts_speaker_confidence_check
        CHECK (speaker_confidence BETWEEN 0 AND 100),
    CONSTRAINT audio_transcripts_client_event_key UNIQUE (session_id, client_event_id)
);
CREATE INDEX audio_transcripts_session_time_idx
    ON audio_transcripts (session_id, (COALESCE(start_timestamp, created_at)));

CREATE TABLE answer_evaluations (
    id                 BIGSERIAL PRIMARY KEY,
    session_id         INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    question_id        VARCHAR(100),
    candidate_answer   TEXT,
    ai_relevance_score NUMERIC(5, 2),
    ai_feedback        TEXT,
    question_text      TEXT,
    created_at         TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
    source             VARCHAR(50)   NOT NULL DEFAULT 'external',
    client_event_id    VARCHAR(100),
    CONSTRAINT answer_evaluations_relevance_check CHECK (ai_relevance_score BETWEEN 0 AND 100),
    CONSTRAINT answer_evaluations_client_event_key UNIQUE (session_id, client_event_id)
);
CREATE INDEX answer_evaluations_session_time_idx ON answer_evaluations (session_id, created_at);

CREATE TABLE risk_history (
    id               BIGSERIAL PRIMARY KEY,
    session_id       INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    computed_at      TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
    total_risk_score NUMERIC(5, 2) NOT NULL,
    CONSTRAINT risk_history_score_check CHECK (total_risk_score BETWEEN 0 AND 100)
);
CREATE INDEX risk_history_session_time_idx ON risk_history (session_id, computed_at);

CREATE TABLE interview_questions (
    id               VARCHAR(100) PRIMARY KEY,
    question         TEXT        NOT NULL,
    reference_answer TEXT,
    position         INTEGER     NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT interview_questions_question_check CHECK (length(btrim(question)) > 0)
);

CREATE FUNCTION risk_level(score NUMERIC) RETURNS VARCHAR
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN score >= 60 THEN 'HIGH' WHEN score >= 30 THEN 'MEDIUM' ELSE 'LOW' END;

-- Each event table is aggregated in its own LATERAL subquery: joining two event tables in one
-- GROUP BY would multiply their rows and inflate every count.
CREATE VIEW view_candidate_risk_summary AS
SELECT
    s.id                                        AS session_id,
    u.id                                        AS user_id,
    u.username,
    u.full_name,
    u.email,
    s.start_time,
    s.end_time,
    s.status,
    s.total_risk_score,
    risk_level(COALESCE(s.total_risk_score, 0)) AS risk_level,
    o.phone_detection_count,
    o.extra_person_count,
    o.object_event_count,
    f.suspicious_face_movements,
    f.looking_away_count,
    f.no_face_count,
    f.multiple_faces_count,
    f.face_event_count,
    a.transcript_count,
    a.multiple_speaker_segments,
    a.flagged_phrase_segments,
    e.answer_count,
    e.mean_relevance_score
FROM interview_sessions s
JOIN users u ON u.id = s.user_id
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE ode.object_detected = 'cell phone') AS phone_detection_count,
           count(*) FILTER (WHERE ode.object_detected = 'person')     AS extra_person_count,
           count(*)                                                   AS object_event_count
    FROM object_detection_events ode
    WHERE ode.session_id = s.id AND ode.dismissed_at IS NULL
) o
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE fpe.severity_score > 3)               AS suspicious_face_movements,
           count(*) FILTER (WHERE fpe.event_type = 'looking_away')      AS looking_away_count,
           count(*) FILTER (WHERE fpe.event_type = 'no_face')           AS no_face_count,
           count(*) FILTER (WHERE fpe.event_type = 'multiple_faces')    AS multiple_faces_count,
           count(*)                                                     AS face_event_count
    FROM face_pose_events fpe
    WHERE fpe.session_id = s.id AND fpe.dismissed_at IS NULL
) f
CROSS JOIN LATERAL (
    SELECT count(*)                                                         AS transcript_count,
           count(*) FILTER (WHERE at.is_multiple_speakers AND at.dismissed_at IS NULL)
                                                                            AS multiple_speaker_segments,
           count(*) FILTER (WHERE cardinality(at.flagged_phrases) > 0 AND at.dismissed_at IS NULL)
                                                                            AS flagged_phrase_segments
    FROM audio_transcripts at
    WHERE at.session_id = s.id
) a
CROSS JOIN LATERAL (
    SELECT count(*)                                  AS answer_count,
           round(avg(ae.ai_relevance_score), 2)      AS mean_relevance_score
    FROM answer_evaluations ae
    WHERE ae.session_id = s.id
) e;
