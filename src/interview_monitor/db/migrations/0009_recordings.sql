-- Each session is recorded as short WebM segments, each one file in the recording store that
-- plays on its own; a row says where its segment sits on the session's clock. A server that
-- dies mid-interview loses at most the segment being written.
CREATE TABLE recording_segments (
    id              BIGSERIAL   PRIMARY KEY,
    session_id      INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    segment_index   INTEGER     NOT NULL,
    start_offset_ms BIGINT      NOT NULL,
    duration_ms     INTEGER     NOT NULL,
    size_bytes      INTEGER     NOT NULL,
    storage_key     TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT recording_segments_index_key UNIQUE (session_id, segment_index),
    CONSTRAINT recording_segments_index_check CHECK (segment_index >= 0),
    CONSTRAINT recording_segments_start_check CHECK (start_offset_ms >= 0),
    CONSTRAINT recording_segments_duration_check CHECK (duration_ms BETWEEN 1 AND 600000),
    CONSTRAINT recording_segments_size_check CHECK (size_bytes > 0),
    CONSTRAINT recording_segments_key_check CHECK (length(storage_key) > 0)
);
CREATE INDEX recording_segments_start_idx ON recording_segments (session_id, start_offset_ms);

-- When a candidate's camera or microphone stream was cut off, for the reviewer's timeline and
-- the report; ended_at stays empty until the stream comes back (or the session ends).
CREATE TABLE stream_drops (
    id         BIGSERIAL   PRIMARY KEY,
    session_id INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    kind       VARCHAR(10) NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ,
    CONSTRAINT stream_drops_kind_check CHECK (kind IN ('video', 'audio')),
    CONSTRAINT stream_drops_times_check CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX stream_drops_session_idx ON stream_drops (session_id, started_at);
-- A stream is down at most once at a time.
CREATE UNIQUE INDEX stream_drops_open_key ON stream_drops (session_id, kind) WHERE ended_at IS NULL;

-- An interview scheduled for a candidate: a time window, and an invitation link (single use;
-- only its SHA-256 is kept) that signs the candidate in. Within the window the candidate's
-- page always resumes the same session.
CREATE TABLE scheduled_interviews (
    id                 BIGSERIAL    PRIMARY KEY,
    candidate_id       INTEGER      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by         INTEGER      REFERENCES users (id) ON DELETE SET NULL,
    title              VARCHAR(200),
    opens_at           TIMESTAMPTZ  NOT NULL,
    closes_at          TIMESTAMPTZ  NOT NULL,
    invitation_sha256  CHAR(64)     NOT NULL,
    invitation_used_at TIMESTAMPTZ,
    session_id         INTEGER      REFERENCES interview_sessions (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT scheduled_interviews_invitation_key UNIQUE (invitation_sha256),
    CONSTRAINT scheduled_interviews_window_check CHECK (closes_at > opens_at)
);
CREATE INDEX scheduled_interviews_candidate_idx ON scheduled_interviews (candidate_id, opens_at);
