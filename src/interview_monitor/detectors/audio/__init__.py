"""Audio detector: voice activity, transcription, other voices and spoken cues.

PCM in (16 kHz mono s16le), `DetectedEvent`s for the audio_transcripts table out. No web or
SQL imports here.
"""

from interview_monitor.detectors.audio.config import DEFAULT_CUE_PHRASES, AudioConfig
from interview_monitor.detectors.audio.enrolment import (
    EnrolmentRejected,
    VoiceEnrolment,
    enrol_read_aloud,
)
from interview_monitor.detectors.audio.models import AudioModels, load_audio_models
from interview_monitor.detectors.audio.session import (
    AudioAnalysis,
    AudioSession,
    analyze_pcm,
    analyze_recording,
)
from interview_monitor.detectors.audio.speakers import SpeakerVerdict
from interview_monitor.detectors.audio.voices import VoiceFinding

__all__ = [
    "DEFAULT_CUE_PHRASES",
    "AudioAnalysis",
    "AudioConfig",
    "AudioModels",
    "AudioSession",
    "EnrolmentRejected",
    "SpeakerVerdict",
    "VoiceEnrolment",
    "VoiceFinding",
    "analyze_pcm",
    "analyze_recording",
    "enrol_read_aloud",
    "load_audio_models",
]
