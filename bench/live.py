"""Live load test: N simulated candidates stream real frames and real speech into one server.

Each candidate streams JPEG frames at 1 fps (a real clip, then seconds of an empty room so
face-absent flags keep coming) and 16 kHz speech in real time, in 250 ms chunks: a LibriSpeech
reading, or for every fourth candidate a two-person conversation (so other-voice flags are
measured too). One reviewer watches every session on /ws/review and measures each flag's
latency: arrival at the reviewer minus arrival, at the server, of the input that closed it.
N goes up until the p95 latency passes 2 s or the server skips frames; the largest N that
held is printed with the server's CPU and memory (its process and its detector workers).

    .venv/bin/python bench/live.py [--steps 5,10,15,20,25] [--seconds 45]

Loopback only; the server runs with its embedded database under a temporary directory
unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import psutil
import websockets

from interview_monitor.media.audio import decode_audio
from interview_monitor.media.video import iter_frames
from shared_data import CONVERSATION, DATA, READING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.server import ServerProcess

PASSWORD = "bench-password-1"
LATENCY_LIMIT_S = 2.0
# Speech is transcribed in batches after a pause, so a transcript trails the words by a few
# seconds by design; beyond this the audio workers are not keeping up with real time.
TRANSCRIPT_LIMIT_S = 10.0
CHUNK_S = 0.25


CLI = [
    sys.executable,
    "-c",
    "import sys; from interview_monitor.cli import main; sys.exit(main(sys.argv[1:]))",
]


Media = tuple[list[bytes], list[bytes], list[bytes]]
OTHER_VOICE_EVERY = 4  # candidates 3, 7, 11, ... stream the conversation


def load_media(pause_s: float) -> Media:
    frames = [frame for _, frame in iter_frames(DATA / "video" / "center_left_center.mp4", 1.0)]
    height, width = frames[0].shape[:2]
    frames += [np.full((height, width, 3), 60, np.uint8)] * 6
    jpegs = [cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes() for f in frames]
    pcm, _ = decode_audio(READING)
    pause = bytes(round(pause_s * 16000) * 2)
    pcm += pause
    conversation, _ = decode_audio(CONVERSATION)
    conversation += pause
    step = int(CHUNK_S * 16000) * 2
    return (
        jpegs,
        [pcm[i : i + step] for i in range(0, len(pcm), step)],
        [conversation[i : i + step] for i in range(0, len(conversation), step)],
    )


def percentile95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("inf")
    return statistics.quantiles(values, n=20)[18]


def is_flag(event: dict[str, Any], seen: set[str]) -> bool:
    """Speech is a flag only when other voices or cue phrases were heard in it, and only the
    first time: an other-voice row goes out when the speaker check decides, and its transcript
    (same `client_event_id`) later only fills in the text, unless it adds a cue phrase."""
    if event["table"] != "audio_transcripts":
        return True
    key = event.get("client_event_id")
    first = key is None or key not in seen
    if key is not None:
        seen.add(key)
    return bool((event.get("is_multiple_speakers") and first) or event.get("flagged_phrases"))


@dataclass
class Step:
    candidates: int
    latencies: list[float] = field(default_factory=list)  # flags: what can raise the risk
    voice_latencies: list[float] = field(default_factory=list)  # the other-voice flags among them
    transcript_latencies: list[float] = field(default_factory=list)  # plain speech
    audio_backlog_peak: int = 0  # chunks waiting for one audio worker
    audio_backlog_trace: list[int] = field(default_factory=list)  # the same, once a second
    skipped: int = 0
    frames: int = 0
    cpu_percent: float = 0.0
    rss_mb: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def p95(self) -> float:
        return percentile95(self.latencies)

    @property
    def held(self) -> bool:
        """Flags on time, no frame skipped, transcripts keeping up with real time."""
        return (
            not self.errors
            and self.skipped == 0
            and self.p95 <= LATENCY_LIMIT_S
            and (
                not self.transcript_latencies
                or percentile95(self.transcript_latencies) <= TRANSCRIPT_LIMIT_S
            )
        )

    def summary(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates,
            "flags": len(self.latencies),
            "latency_p50_s": round(statistics.median(self.latencies), 3)
            if self.latencies
            else None,
            "latency_p95_s": round(self.p95, 3),
            "latency_max_s": round(max(self.latencies), 3) if self.latencies else None,
            "voice_flags": len(self.voice_latencies),
            "voice_flag_latency_p95_s": round(percentile95(self.voice_latencies), 3)
            if self.voice_latencies
            else None,
            "frames_sent": self.frames,
            "frames_skipped": self.skipped,
            "server_cpu_percent": round(self.cpu_percent, 1),
            "server_rss_mb": round(self.rss_mb),
            "transcripts": len(self.transcript_latencies),
            "transcript_latency_p95_s": round(percentile95(self.transcript_latencies), 3)
            if self.transcript_latencies
            else None,
            "audio_backlog_peak_chunks": self.audio_backlog_peak,
            # Peak per quarter of the step: a backlog that keeps growing is falling behind.
            "audio_backlog_quarters": [
                max(self.audio_backlog_trace[i * n // 4 : (i + 1) * n // 4], default=0)
                for n in [len(self.audio_backlog_trace)]
                for i in range(4)
            ],
            "errors": self.errors[:3],
            "held": self.held,
        }


class Server(ServerProcess):
    def __init__(self, home: Path) -> None:
        super().__init__(home, {})

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]


def admin_token(server: Server) -> str:
    subprocess.run(
        [
            *CLI,
            "user",
            "add",
            "bench-admin",
            "--email",
            "bench-admin@example.org",
            "--full-name",
            "Bench Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=PASSWORD.encode(),
        env=server.env,
        check=True,
        capture_output=True,
    )
    return token(server, "bench-admin")


def token(server: Server, username: str) -> str:
    # The API commits after it answers (a FastAPI yield dependency), so an account created a
    # moment ago may not be visible yet: retry briefly.
    for pause_s in (0.05, 0.2, 0.5, 1.0, None):
        response = httpx.post(
            server.base + "/api/auth/token", data={"username": username, "password": PASSWORD}
        )
        if response.status_code != 401 or pause_s is None:
            response.raise_for_status()
            return str(response.json()["access_token"])
        time.sleep(pause_s)
    raise AssertionError("unreachable")


def new_candidate(server: Server, admin: str) -> str:
    name = f"cand-{uuid.uuid4().hex[:8]}"
    httpx.post(
        server.base + "/api/users",
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "username": name,
            "email": f"{name}@example.org",
            "full_name": name,
            "password": PASSWORD,
            "role": "candidate",
        },
    ).raise_for_status()
    return token(server, name)


async def candidate(
    with_audio: bool,
    server: Server,
    user_token: str,
    jpegs: list[bytes],
    chunks: list[bytes],
    seconds: float,
    step: Step,
    delay: float,
) -> None:
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(
        base_url=server.base, headers={"Authorization": f"Bearer {user_token}"}
    ) as http:
        session_id = (await http.post("/api/interview/start", json={})).json()["session_id"]

        async def video() -> None:
            async with websockets.connect(
                f"{server.ws}/ws/video/{session_id}?token={user_token}", max_size=None
            ) as ws:
                await ws.recv()
                started = time.monotonic()
                index = 0
                last: dict[str, Any] = {}
                while time.monotonic() - started < seconds:
                    await ws.send(jpegs[index % len(jpegs)])
                    last = json.loads(await ws.recv())
                    index += 1
                    await asyncio.sleep(max(0.0, started + index - time.monotonic()))
                step.frames += index
                step.skipped += int(last.get("skipped", 0))
                await ws.send(json.dumps({"type": "finish"}))
                await ws.wait_closed()

        async def audio() -> None:
            async with websockets.connect(
                f"{server.ws}/ws/audio/{session_id}?token={user_token}", max_size=None
            ) as ws:
                await ws.recv()
                started = time.monotonic()
                index = 0
                while time.monotonic() - started < seconds:
                    await ws.send(chunks[index % len(chunks)])
                    await ws.recv()
                    index += 1
                    await asyncio.sleep(max(0.0, started + index * CHUNK_S - time.monotonic()))
                await ws.send(json.dumps({"type": "finish"}))
                await ws.wait_closed()

        try:
            await asyncio.gather(video(), audio()) if with_audio else await video()
        except Exception as error:
            step.errors.append(f"{type(error).__name__}: {error}")
        await http.post(f"/api/interview/{session_id}/end", json={})


async def reviewer(server: Server, admin: str, step: Step, stop: asyncio.Event) -> None:
    seen: set[str] = set()
    async with websockets.connect(f"{server.ws}/ws/review?token={admin}", max_size=None) as ws:
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
            except TimeoutError:
                continue
            if message.get("type") == "flags":
                latency = time.time() - message["received_at"]
                flags = [event for event in message["events"] if is_flag(event, seen)]
                if flags:
                    step.latencies.append(latency)
                    if any(event.get("is_multiple_speakers") for event in flags):
                        step.voice_latencies.append(latency)
                else:
                    step.transcript_latencies.append(latency)


async def run_step(
    server: Server,
    admin: str,
    tokens: list[str],
    media: Media,
    seconds: float,
    with_audio: bool,
) -> Step:
    step = Step(len(tokens))
    stop = asyncio.Event()
    watcher = asyncio.create_task(reviewer(server, admin, step, stop))
    processes = server.processes()
    for process in processes:
        process.cpu_percent(None)
    rss_peak = 0.0

    async def sample() -> None:
        nonlocal rss_peak
        headers = {"Authorization": f"Bearer {admin}"}
        async with httpx.AsyncClient(base_url=server.base, headers=headers) as http:
            while not stop.is_set():
                rss = sum(p.memory_info().rss for p in processes if p.is_running())
                rss_peak = max(rss_peak, rss / 2**20)
                backlog = (await http.get("/api/live")).json().get("backlog", {})
                audio_backlog = max(backlog.get("audio", [0]), default=0)
                step.audio_backlog_peak = max(step.audio_backlog_peak, audio_backlog)
                step.audio_backlog_trace.append(audio_backlog)
                await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    jpegs, reading, conversation = media
    await asyncio.gather(
        *(
            candidate(
                with_audio,
                server,
                t,
                jpegs,
                conversation if i % OTHER_VOICE_EVERY == OTHER_VOICE_EVERY - 1 else reading,
                seconds,
                step,
                i * 1.0 / len(tokens),
            )
            for i, t in enumerate(tokens)
        )
    )
    await asyncio.sleep(3)  # the last episodes close and are stored after the streams finish
    step.cpu_percent = sum(p.cpu_percent(None) for p in processes if p.is_running())
    stop.set()
    await asyncio.gather(watcher, sampler)
    step.rss_mb = rss_peak
    return step


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", default="5,10,15,20,25,30")
    parser.add_argument("--seconds", type=float, default=45.0, help="streaming time per step")
    parser.add_argument(
        "--no-audio", action="store_true", help="video only: the capacity of the vision path"
    )
    parser.add_argument(
        "--budget", type=float, default=900.0, help="stop starting steps after this many seconds"
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=3.0,
        help="seconds of silence after each pass of a recording: 3 (default) keeps the "
        "candidate talking 78%% of the time, a worst case; 10 is closer to an interview, where "
        "the candidate also listens to questions",
    )
    args = parser.parse_args()
    media = load_media(args.pause)
    with tempfile.TemporaryDirectory(prefix="im-bench-") as folder:
        server = Server(Path(folder))
        began = time.monotonic()
        try:
            server.wait_ready(240)
            admin = admin_token(server)
            idle = sum(p.memory_info().rss for p in server.processes()) / 2**20
            print(
                json.dumps({"cpus": psutil.cpu_count(), "server_idle_rss_mb": round(idle)}),
                flush=True,
            )
            best: Step | None = None
            for count in [int(n) for n in args.steps.split(",")]:
                if time.monotonic() - began > args.budget:
                    print(json.dumps({"stopped": "time budget spent"}), flush=True)
                    break
                tokens = [new_candidate(server, admin) for _ in range(count)]
                step = asyncio.run(
                    run_step(server, admin, tokens, media, args.seconds, not args.no_audio)
                )
                print(json.dumps(step.summary()), flush=True)
                if not step.held:
                    break
                best = step
            print(
                json.dumps(
                    {
                        "largest_n_that_held": best.candidates if best else 0,
                        **({} if best is None else {"at_that_n": best.summary()}),
                    }
                ),
                flush=True,
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
