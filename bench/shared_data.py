"""Where the benchmarks find the shared recordings (`INTERVIEW_MONITOR_TEST_DATA`, else the
`shared/data` folder beside the checkout), and the two speech recordings most of them use."""

from __future__ import annotations

import os
from pathlib import Path

DATA = Path(
    os.environ.get(
        "INTERVIEW_MONITOR_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
READING = DATA / "audio" / "librispeech_116-288045-0000.flac"  # one reader, 10.6 s
CONVERSATION = DATA / "audio" / "pyannote_sample.wav"  # two people in turns, 30 s
