"""One audio session through a long interview: does its CPU or memory grow with the session?

    .venv/bin/python bench/audio_soak.py [--minutes 60] [--block-minutes 10]

Feeds one live-style `AudioSession` (with an event key, as in a worker) a stream made of the
shared recordings on a loop (the reading twice, then the two-person conversation, 5 s of
silence after each), as fast as it goes, in 250 ms chunks. Prints, for every block of the
stream, the CPU time of each stage and the process's peak RSS. Baseline: the first block, in
the same run; a stage whose cost per block rises is doing work that grows with the session.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from interview_monitor.detectors.audio import AudioSession
from interview_monitor.media.audio import SAMPLE_RATE, decode_audio
from shared_data import CONVERSATION, READING

CHUNK_BYTES = SAMPLE_RATE // 2  # 250 ms of s16le


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--block-minutes", type=int, default=10)
    args = parser.parse_args()
    reading, conversation = decode_audio(READING)[0], decode_audio(CONVERSATION)[0]
    silence = bytes(2 * 5 * SAMPLE_RATE)
    loop = reading + silence + reading + silence + conversation + silence
    block_bytes = args.block_minutes * 60 * SAMPLE_RATE * 2
    block = (loop * (block_bytes // len(loop) + 1))[:block_bytes]
    session = AudioSession(event_key="soak")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    first_cpu_s: float | None = None
    events = 0
    for index in range(args.minutes // args.block_minutes):
        started = time.process_time()
        before = dict(session.stats["stage_cpu_s"])
        for offset in range(0, len(block), CHUNK_BYTES):
            events += len(session.feed_pcm(block[offset : offset + CHUNK_BYTES]))
        cpu_s = time.process_time() - started
        first_cpu_s = first_cpu_s or cpu_s
        stages = ", ".join(
            f"{stage} {seconds - before.get(stage, 0.0):.2f} s"
            for stage, seconds in session.stats["stage_cpu_s"].items()
        )
        print(
            f"minutes {index * args.block_minutes:3d}-{(index + 1) * args.block_minutes:3d}: "
            f"CPU {cpu_s:5.1f} s = {cpu_s / first_cpu_s:4.2f} x the first block ({stages}); "
            f"{events} events so far; peak RSS {_peak_rss_mb():.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
