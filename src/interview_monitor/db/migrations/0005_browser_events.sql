-- Issue 14: what the candidate's page reports (browser_events), and how each typed answer
-- arrived (answer_cadence: counts and times only; the raw keystroke timings, a biometric,
-- are summarised on arrival and never stored).

CREATE TABLE browser_events (
    id               BIGSERIAL PRIMARY KEY,
    session_id       INTEGER      NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    "timestamp"      TIMESTAMPTZ  DEFAULT NOW(),
    event_type       VARCHAR(50)  NOT NULL,
    duration_ms      INTEGER      NOT NULL DEFAULT 0,
    details          JSONB        NOT NULL DEFAULT '{}',
    source           VARCHAR(50)  NOT NULL DEFAULT 'external',
    client_event_id  VARCHAR(100),
    dismissed_at     TIMESTAMPTZ,
    dismissed_by     INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason TEXT,
    -- The first ten are posted by pages and modules; the last two only the server raises.
    CONSTRAINT browser_events_event_type_check CHECK (event_type IN (
        'page_hidden', 'focus_lost', 'fullscreen_exit', 'paste', 'copy', 'reload', 'offline',
        'second_display', 'device_changed', 'heartbeat', 'page_tampered',
        'telemetry_contradiction')),
    CONSTRAINT browser_events_duration_check CHECK (duration_ms >= 0),
    CONSTRAINT browser_events_details_check CHECK (jsonb_typeof(details) = 'object'),
    CONSTRAINT browser_events_client_event_key UNIQUE (session_id, client_event_id)
);
CREATE INDEX browser_events_session_time_idx ON browser_events (session_id, "timestamp");

CREATE TABLE answer_cadence (
    id                  BIGSERIAL PRIMARY KEY,
    session_id          INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    answer_id           BIGINT      NOT NULL UNIQUE
                                    REFERENCES answer_evaluations (id) ON DELETE CASCADE,
    question_id         VARCHAR(100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    verdict             VARCHAR(30) NOT NULL,
    first_key_ms        INTEGER,
    first_speech_ms     INTEGER,
    inserted_chars      INTEGER     NOT NULL DEFAULT 0,
    typed_chars         INTEGER     NOT NULL DEFAULT 0,
    bulk_chars          INTEGER     NOT NULL DEFAULT 0,
    cps_bursts_p95      NUMERIC(7, 2),
    pauses              INTEGER     NOT NULL DEFAULT 0,
    summary             JSONB       NOT NULL DEFAULT '{}',
    dismissed_at        TIMESTAMPTZ,
    dismissed_by        INTEGER     REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason    TEXT,
    CONSTRAINT answer_cadence_verdict_check CHECK (verdict IN (
        'pasted_in_one_go', 'partly_pasted', 'superhuman_typing', 'fast_typing',
        'typed_at_human_speed', 'no_input')),
    CONSTRAINT answer_cadence_counts_check
        CHECK (inserted_chars >= 0 AND typed_chars >= 0 AND bulk_chars >= 0 AND pauses >= 0)
);
CREATE INDEX answer_cadence_session_idx ON answer_cadence (session_id, created_at);
