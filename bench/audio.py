"""Real-time factor of each audio stage and of the whole chain, on one CPU core.

    .venv/bin/python bench/audio.py [FILE ...] [--repeat N] [--core C]

Without FILE it uses the shared real recordings (INTERVIEW_MONITOR_TEST_DATA, default
../shared/data) and an interview-like stream made from them: each recording followed by 15 s
of quiet room noise, as when a candidate stops to think. The process is pinned to one core and
every library is held to one thread, as in a server worker. Each figure is the least CPU time
of N runs (with one thread, CPU time is the time on one core, whatever else the machine is
doing); wall times are printed beside. Real-time factor (RTF) = seconds / audio seconds.

Stages: decode (file to 16 kHz PCM), VAD (Silero over the whole stream), speaker embedding
(segment-close tracker), the voice room (windows embedded and clustered while segments are
open, and the quiet-voice check), and transcription (as timed inside the streaming session),
and the whole chain (a session fed 100 ms chunks, then closed, plus decode). "live" rows run
the session as the server does (with an event key), which adds partial transcripts of the open
segment for cue phrases. The naive baseline transcribes the whole stream in
one call without VAD, as faster-whisper does by default, with the same model and options.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview_monitor.detectors.audio import AudioConfig, AudioSession, load_audio_models
from interview_monitor.detectors.audio.transcriber import transcribe_segment
from interview_monitor.detectors.audio.vad import SileroStream, SpeechSegmenter
from interview_monitor.media.audio import SAMPLE_RATE, decode_audio, float_to_pcm, pcm_to_float
from shared_data import CONVERSATION, READING

CHUNK_BYTES = 3200


@dataclass(frozen=True)
class Timing:
    cpu_s: float
    wall_s: float


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _best(repeat: int, run: Callable[[], Any]) -> tuple[Timing, Any]:
    cpu, wall, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        result = run()
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started_wall)
    return Timing(cpu, wall), result


def _session(pcm: bytes, event_key: str | None = None) -> AudioSession:
    """With an `event_key`, as the live server runs it: cue phrases are also listened for in
    partial transcripts of the open segment."""
    session = AudioSession(AudioConfig(), event_key=event_key)
    for offset in range(0, len(pcm), CHUNK_BYTES):
        session.feed_pcm(pcm[offset : offset + CHUNK_BYTES])
    session.close()
    return session


def bench_stream(pcm: bytes, decode: Timing, repeat: int) -> dict[str, Timing]:
    models = load_audio_models()
    samples = pcm_to_float(pcm)

    def vad_only() -> list[Any]:
        segmenter = SpeechSegmenter(AudioConfig())
        return segmenter.push(SileroStream(models.vad).push(samples)) + segmenter.flush()

    vad, _ = _best(repeat, vad_only)
    sessions: list[AudioSession] = []
    chain, _ = _best(repeat, lambda: sessions.append(_session(pcm)))
    live_sessions: list[AudioSession] = []
    live_chain, _ = _best(repeat, lambda: live_sessions.append(_session(pcm, "bench")))
    stage_cpu = min((s.stats["stage_cpu_s"] for s in sessions), key=lambda st: sum(st.values()))
    stage_wall = min((s.stats["stage_s"] for s in sessions), key=lambda st: sum(st.values()))
    live_cpu = min((s.stats["stage_cpu_s"] for s in live_sessions), key=lambda st: sum(st.values()))
    live_wall = min((s.stats["stage_s"] for s in live_sessions), key=lambda st: sum(st.values()))
    naive, _ = _best(
        repeat, lambda: transcribe_segment(models.whisper, samples, 0.0, AudioConfig())
    )

    def stage(name: str) -> Timing:
        return Timing(stage_cpu.get(name, 0.0), stage_wall.get(name, 0.0))

    return {
        "decode": decode,
        "vad": vad,
        "speaker_embedding": stage("speaker_embedding"),
        "voice_room (windows while open)": stage("voice_room"),
        "transcription": stage("transcription"),
        "whole_chain": Timing(chain.cpu_s + decode.cpu_s, chain.wall_s + decode.wall_s),
        "live: partial_cues": Timing(
            live_cpu.get("partial_cues", 0.0), live_wall.get("partial_cues", 0.0)
        ),
        "live: whole chain": Timing(
            live_chain.cpu_s + decode.cpu_s, live_chain.wall_s + decode.wall_s
        ),
        "naive_whole_file_transcription": naive,
    }


def _report(name: str, pcm: bytes, figures: dict[str, Timing]) -> None:
    audio_s = len(pcm) / 2 / SAMPLE_RATE
    print(f"\n{name}: {audio_s:.2f} s of audio")
    print(f"  {'stage':32} {'cpu s':>7} {'RTF':>7} {'wall s':>7}")
    for stage, timing in figures.items():
        print(
            f"  {stage:32} {timing.cpu_s:7.3f} {timing.cpu_s / audio_s:7.3f} {timing.wall_s:7.3f}"
        )
    ratio = figures["whole_chain"].cpu_s / figures["naive_whole_file_transcription"].cpu_s
    print(f"  whole chain / naive baseline (CPU time): {ratio:.2f}")


def _room_noise(seconds: float) -> bytes:
    noise = np.random.default_rng(0).standard_normal(int(seconds * SAMPLE_RATE))
    return float_to_pcm(noise * 10 ** (-50 / 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--core", type=int, default=0, help="CPU core to pin to")
    args = parser.parse_args()
    files = args.files or [READING, CONVERSATION]
    os.sched_setaffinity(0, {args.core})
    load_audio_models()
    print(
        f"machine: {os.cpu_count()} cores, {_cpu_model()}; pinned to core {args.core}, one "
        f"thread per library; best of {args.repeat}; load average {os.getloadavg()[0]:.2f}"
    )
    decoded = []
    for path in files:
        decode, (pcm, _duration) = _best(args.repeat, lambda path=path: decode_audio(path))
        decoded.append((decode, pcm))
        _report(path.name, pcm, bench_stream(pcm, decode, args.repeat))
    if not args.files:
        pcm = b"".join(pcm + _room_noise(15.0) for _decode, pcm in decoded)
        decode = Timing(sum(d.cpu_s for d, _ in decoded), sum(d.wall_s for d, _ in decoded))
        _report(
            "interview-like (both recordings, 15 s of room noise after each)",
            pcm,
            bench_stream(pcm, decode, args.repeat),
        )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
