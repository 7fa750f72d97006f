-- The reviewer's summary counts the second wave's signals too. Columns are only added at the
-- end (CREATE OR REPLACE VIEW keeps the existing ones, names and order, as the seed's queries
-- and other teams' code read them); each table is still aggregated in its own LATERAL.
CREATE OR REPLACE VIEW view_candidate_risk_summary AS
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
    e.mean_relevance_score,
    f.identity_mismatch_count,
    f.camera_tamper_count,
    f.lip_motion_mismatch_count,
    a.voice_mismatch_segments,
    b.browser_flag_count,
    b.page_tampered_count,
    m.shared_answer_count,
    c.pasted_answer_count
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
           count(*)                                                     AS face_event_count,
           count(*) FILTER (WHERE fpe.event_type = 'identity_mismatch') AS identity_mismatch_count,
           count(*) FILTER (WHERE fpe.event_type IN ('camera_blocked', 'frozen_video', 'virtual_camera'))
                                                                        AS camera_tamper_count,
           count(*) FILTER (WHERE fpe.event_type = 'speech_without_lip_motion')
                                                                        AS lip_motion_mismatch_count
    FROM face_pose_events fpe
    WHERE fpe.session_id = s.id AND fpe.dismissed_at IS NULL
) f
CROSS JOIN LATERAL (
    SELECT count(*)                                                         AS transcript_count,
           count(*) FILTER (WHERE at.is_multiple_speakers AND at.dismissed_at IS NULL)
                                                                            AS multiple_speaker_segments,
           count(*) FILTER (WHERE cardinality(at.flagged_phrases) > 0 AND at.dismissed_at IS NULL)
                                                                            AS flagged_phrase_segments,
           count(*) FILTER (WHERE at.is_voice_mismatch AND at.dismissed_at IS NULL)
                                                                            AS voice_mismatch_segments
    FROM audio_transcripts at
    WHERE at.session_id = s.id
) a
CROSS JOIN LATERAL (
    SELECT count(*)                                  AS answer_count,
           round(avg(ae.ai_relevance_score), 2)      AS mean_relevance_score
    FROM answer_evaluations ae
    WHERE ae.session_id = s.id
) e
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE be.event_type <> 'heartbeat')    AS browser_flag_count,
           count(*) FILTER (WHERE be.event_type = 'page_tampered') AS page_tampered_count
    FROM browser_events be
    WHERE be.session_id = s.id AND be.dismissed_at IS NULL
) b
CROSS JOIN LATERAL (
    SELECT count(*) AS shared_answer_count
    FROM answer_matches am
    WHERE am.session_id = s.id AND am.dismissed_at IS NULL
) m
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE ac.verdict IN ('pasted_in_one_go', 'partly_pasted')) AS pasted_answer_count
    FROM answer_cadence ac
    WHERE ac.session_id = s.id AND ac.dismissed_at IS NULL
) c;
