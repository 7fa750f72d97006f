-- Answers shared between candidates (issue 14): each answer's sentence vector from the answer
-- model, kept so later answers to the same question are compared without re-embedding, and
-- the near-copies found, one row for each of the two sessions involved so each session's
-- reviewer can dismiss its own flag.
CREATE TABLE answer_vectors (
    answer_id BIGINT PRIMARY KEY REFERENCES answer_evaluations (id) ON DELETE CASCADE,
    -- float32 little-endian unit vector (384 values for all-MiniLM-L6-v2).
    vector    BYTEA  NOT NULL,
    CONSTRAINT answer_vectors_float32_check CHECK (octet_length(vector) % 4 = 0)
);

-- The prior answers to a question, newest first: read on every submission.
CREATE INDEX answer_evaluations_question_idx ON answer_evaluations (question_id, id DESC);

CREATE TABLE answer_matches (
    id               BIGSERIAL PRIMARY KEY,
    session_id       INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    answer_id        BIGINT        NOT NULL REFERENCES answer_evaluations (id) ON DELETE CASCADE,
    other_session_id INTEGER       NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    other_answer_id  BIGINT        NOT NULL REFERENCES answer_evaluations (id) ON DELETE CASCADE,
    question_id      VARCHAR(100)  NOT NULL,
    tier             VARCHAR(10)   NOT NULL,
    own_jaccard      NUMERIC(5, 4) NOT NULL,
    own_shingles     INTEGER       NOT NULL,
    cosine           NUMERIC(5, 4),
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
    dismissed_at     TIMESTAMPTZ,
    dismissed_by     INTEGER       REFERENCES users (id) ON DELETE SET NULL,
    dismissal_reason TEXT,
    CONSTRAINT answer_matches_tier_check CHECK (tier IN ('strong', 'weak')),
    CONSTRAINT answer_matches_own_jaccard_check CHECK (own_jaccard BETWEEN 0 AND 1),
    CONSTRAINT answer_matches_cosine_check CHECK (cosine BETWEEN -1 AND 1),
    CONSTRAINT answer_matches_other_session_check CHECK (other_session_id <> session_id),
    CONSTRAINT answer_matches_pair_key UNIQUE (answer_id, other_answer_id)
);
CREATE INDEX answer_matches_session_idx ON answer_matches (session_id, created_at);
