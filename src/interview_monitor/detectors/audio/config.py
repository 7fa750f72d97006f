"""Settings of the audio detector, with defaults measured on the shared test recordings."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CUE_PHRASES: tuple[str, ...] = (
    "hey siri",
    "ok google",
    "okay google",
    "hey google",
    "alexa",
    "hey cortana",
    "what's the answer",
    "what is the answer",
    "tell me the answer",
    "give me the answer",
    "read it to me",
    "read me the answer",
    "can you look it up",
    "look it up for me",
    "google it",
    "type it in the chat",
    "send me the answer",
)


@dataclass(frozen=True, slots=True)
class AudioConfig:
    # Voice activity (Silero). A segment ends after `min_silence_s` below the lower threshold;
    # 0.6 s keeps latency low and splits most turns while not cutting sentences at commas.
    speech_threshold: float = 0.5
    silence_threshold: float = 0.35
    min_speech_s: float = 0.25
    min_silence_s: float = 0.6
    max_segment_s: float = 15.0
    # Whisper loses words at segment edges without some context around them.
    segment_padding_s: float = 0.3

    # Transcription. Whisper always encodes 30 s, so a call costs about the same for 2 s as for
    # 28 s of audio: finished segments wait to be transcribed together until the speaker has
    # paused this long, or until the oldest has waited `max_transcript_delay_s`.
    transcribe_after_pause_s: float = 1.2
    max_transcript_delay_s: float = 8.0
    # Greedy decoding: on LibriSpeech 116-288045-0000 it gave 12.1% WER where beam 5 gave 18.2%
    # (this machine's CTranslate2 build), and about 0.75x the CPU time per call.
    beam_size: int = 1
    # Whisper's own rule for a hallucinated segment: likely no speech and a low log-probability.
    no_speech_threshold: float = 0.6
    low_logprob_threshold: float = -1.0
    # Whisper's rule for a decoding stuck in a loop ("see you in the next video, see you ...").
    max_compression_ratio: float = 2.4

    # Other voices. Speaker windows are 1.6 s (the encoder's training length), every 0.5 s;
    # each is compared after averaging with its neighbours (`smoothing_windows`, ~3 s of audio).
    speaker_window_step_s: float = 0.5
    smoothing_windows: int = 4
    # The candidate's voice is enrolled from the first run of windows that all agree this well
    # with each other, so a first turn shared by two people is not taken as one voice.
    enrolment_consistency: float = 0.80
    # Other windows of that segment this close to the run join the voice print (a steadier
    # print); the bar is higher, so a second person later in the segment stays out.
    enrolment_join_similarity: float = 0.85
    # Smoothed windows below this cosine similarity to the enrolled voice are another voice.
    # Measured: one LibriSpeech speaker stayed >= 0.84; the other person in a two-person
    # recording sat at 0.73-0.84 (median 0.77) against an enrolled first speaker.
    same_speaker_similarity: float = 0.80
    # Speaker windows less than this far above the room's noise floor are not judged.
    min_window_snr_db: float = 10.0
    # Evidence needed: a segment needs this much other-voice audio to be marked, and the
    # session this much in total to be judged to have more than one speaker.
    min_other_voice_s: float = 1.0
    min_session_other_voice_s: float = 1.5
    # Below this much speech the speaker verdict is "not_enough_speech".
    min_speech_for_verdict_s: float = 3.0

    # Voices in the room while the candidate speaks (`voice_room.py`): 1.6 s windows every
    # 0.4 s of an open segment, clustered by average linkage over the last 60 windows (24 s of
    # speech). Measured on 1.6 s windows of the shared recordings: same-person pairs median
    # 0.81-0.84 (p5 0.73); the two people of the conversation median 0.67 (p95 0.73).
    voice_window_s: float = 1.6
    voice_window_step_s: float = 0.4
    voice_buffer_windows: int = 60
    # Windows embedded together while a segment is open: 3 cost 6.4 ms each on one core, one
    # alone 13.9 ms; the price is up to 0.8 s more before a window is judged.
    voice_windows_per_call: int = 3
    voice_link_similarity: float = 0.72  # merge clusters while their average cosine is >= this
    voice_min_windows: int = 3  # a cluster of 3 windows (2.4 s) is a voice
    # Two voices' centroids below this are two people. 0.78 caught the conversation live but
    # flagged the reader over white noise at -45 dBFS for 1.6 s; 0.75 did not.
    voice_distinct_similarity: float = 0.75
    # A window averaged with up to 2 predecessors of its segment below this cosine to a firm
    # print is someone else (the reader against its own print: >= 0.79 single, >= 0.82 smoothed).
    voice_other_similarity: float = 0.76
    voice_smoothing_windows: int = 3
    # Automatic print (no read-aloud sentence): frozen only after 18 windows (~8 s of speech)
    # when one voice holds 80% of them with a mean window-to-centroid cosine >= 0.88 (one clean
    # voice: 0.91-0.93), and no distinct second voice exists.
    voice_auto_enrol_windows: int = 18
    voice_auto_enrol_share: float = 0.8
    voice_auto_enrol_tightness: float = 0.88
    # Someone else answers: of the last 8 windows at least 75% are other, at most 1 candidate.
    voice_mismatch_windows: int = 8
    voice_mismatch_share: float = 0.75
    voice_mismatch_max_candidate: int = 1
    # Episodes: windows whose centres are this close join; a run needs 2 windows.
    voice_join_gap_s: float = 1.2
    voice_min_episode_windows: int = 2
    # Read-aloud enrolment: its speech (pauses cut) in windows every 0.2 s; at least 6 windows,
    # each at cosine >= 0.80 to their mean, or an agreeing majority of 6+ and 70%.
    enrolment_window_step_s: float = 0.2
    enrolment_min_windows: int = 6
    enrolment_min_agreeing_share: float = 0.7

    # A quiet second voice in the candidate's pauses (`quiet_voice.py`): a pause of 0.32 s or
    # more at least 10 dB under the candidate's level whose median sits no more than 25 dB
    # under it, Silero's median probability >= 0.4 and the level spread >= 3 dB. Measured on
    # the reader's two long pauses (2.8 s, 10.3 s): alone 44 dB down, p 0.04-0.07; white, pink
    # or hum at -45 dBFS 18-19 dB down, p 0.03-0.20, spread 1.7-3.4 dB; conversation at -15 dB
    # 16.5 and 22.7 dB down, p 0.54-0.55, spread 4.7-7.9 dB; at -20 dB p 0.19-0.28 (missed).
    quiet_voice_below_db: float = 10.0
    quiet_voice_max_below_db: float = 25.0
    quiet_voice_min_pause_s: float = 0.32
    quiet_voice_min_probability: float = 0.4
    quiet_voice_min_level_spread_db: float = 3.0

    # Spoken cues while they are said (`cue_listener.py`): every second of an open segment,
    # and when a segment closes, its last 4 s are transcribed for cue matching only (a 2-3 s
    # phrase then fits whole in one partial; with a 3 s tail the espeak-ng cue said mid-answer
    # was cut in two and missed). 0 turns it off; the final transcripts still match cues.
    partial_cue_every_s: float = 1.0
    partial_cue_tail_s: float = 4.0

    cue_phrases: tuple[str, ...] = DEFAULT_CUE_PHRASES
