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

    cue_phrases: tuple[str, ...] = DEFAULT_CUE_PHRASES
