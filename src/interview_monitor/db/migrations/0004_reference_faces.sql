-- The face a session's candidate is judged against (identity_mismatch): an uploaded ID photo
-- or the face of the camera check before the interview, as SFace's 128-d unit vector and
-- the face as a JPEG for the reviewer. One per session; an uploaded photo wins over the check.
CREATE TABLE reference_faces (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id INTEGER     NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    source     VARCHAR(20) NOT NULL,
    model      VARCHAR(50) NOT NULL,
    embedding  REAL[]      NOT NULL,
    snapshot   BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT reference_faces_session_key UNIQUE (session_id),
    CONSTRAINT reference_faces_source_check CHECK (source IN ('uploaded photo', 'system check')),
    CONSTRAINT reference_faces_embedding_check
        CHECK (cardinality(embedding) = 128 AND array_ndims(embedding) = 1),
    CONSTRAINT reference_faces_snapshot_check CHECK (octet_length(snapshot) BETWEEN 1 AND 5242880)
);
