"""Audio detector: voice activity, transcription, other voices and spoken cues.

PCM in (16 kHz mono s16le), `DetectedEvent`s for the audio_transcripts table out. No web or
SQL imports here.
"""

from interview_monitor.detectors.audio.config import DEFAULT_CUE_PHRASES, AudioConfig
from interview_monitor.detectors.audio.models import AudioModels, load_audio_models
from interview_monitor.detectors.audio.session import AudioSession, analyze_pcm
from interview_monitor.detectors.audio.speakers import OtherVoiceEpisode, SpeakerVerdict

__all__ = [
    "DEFAULT_CUE_PHRASES",
    "AudioConfig",
    "AudioModels",
    "AudioSession",
    "OtherVoiceEpisode",
    "SpeakerVerdict",
    "analyze_pcm",
    "load_audio_models",
]
