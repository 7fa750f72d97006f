-- Issue 13: the candidate's voice print from the sentence read aloud at the system check, and
-- voice mismatch (someone else answering) as its own judgement of a transcript row.
--
-- The print, not the recording: 256 numbers are all the audio worker needs, and a voice print
-- cannot be played back. One enrolment per session; a new reading replaces the old one.
CREATE TABLE voice_enrolments (
    session_id    INTEGER      PRIMARY KEY REFERENCES interview_sessions (id) ON DELETE CASCADE,
    voice_print   REAL[]       NOT NULL,
    windows       INTEGER      NOT NULL,
    min_agreement NUMERIC(4, 3) NOT NULL,
    speech_s      NUMERIC(5, 2) NOT NULL,
    speech_dbfs   NUMERIC(5, 1) NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT voice_enrolments_print_check
        CHECK (array_ndims(voice_print) = 1 AND array_length(voice_print, 1) = 256),
    -- enrol_read_aloud accepts 6 windows or more, each within 0.80 cosine of the print.
    CONSTRAINT voice_enrolments_windows_check CHECK (windows >= 6),
    CONSTRAINT voice_enrolments_agreement_check CHECK (min_agreement BETWEEN 0.8 AND 1),
    CONSTRAINT voice_enrolments_speech_check CHECK (speech_s > 0 AND speech_dbfs <= 0)
);

-- A segment answered in a voice other than the enrolled one: a judgement about the same speech
-- as is_multiple_speakers (same times, text and key), so a column beside it (docs/audio.md).
ALTER TABLE audio_transcripts ADD COLUMN is_voice_mismatch BOOLEAN NOT NULL DEFAULT FALSE;
