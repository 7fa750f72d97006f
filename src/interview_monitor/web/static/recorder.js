// Records the camera and microphone as short WebM segments and uploads each one. MediaRecorder
// is restarted for every segment so each file plays on its own (a lost one loses only its
// seconds); a segment that cannot be sent now (offline, server restarting) waits in memory
// and is sent again, in order.
import { ApiError, api } from "/static/api.js";

const SEGMENT_MS = 10_000;
const VIDEO_BITS_PER_SECOND = 250_000; // low bit-rate: 640x480 VP8 stays legible
const AUDIO_BITS_PER_SECOND = 32_000;
const MAX_WAITING = 90; // 15 minutes of segments, about 30 MB, before the oldest is given up
const RETRY_MS = [1000, 2000, 4000, 8000];

function mimeType() {
  return ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"]
    .find((type) => MediaRecorder.isTypeSupported(type));
}

export class Recorder {
  // onState({ waiting, sent, failed }): how many segments are waiting to be sent, and so on.
  constructor(sessionId, sessionStart, stream, onState = () => {}) {
    this.sessionId = sessionId;
    this.sessionStart = new Date(sessionStart).getTime();
    this.stream = stream;
    this.onState = onState;
    this.waiting = [];
    this.counts = { recorded: 0, sent: 0, failed: 0 };
    this.lastIndex = -1;
  }

  start() {
    if (typeof MediaRecorder === "undefined" || !mimeType()) return false;
    this.running = true;
    this.record();
    return true;
  }

  // The index is the second of the session the segment starts at: unique and increasing
  // across reloads and devices without asking the server, and a retry reuses it.
  nextIndex() {
    const second = Math.floor((Date.now() - this.sessionStart) / 1000);
    this.lastIndex = Math.max(this.lastIndex + 1, second);
    return this.lastIndex;
  }

  record() {
    const recorder = new MediaRecorder(this.stream, {
      mimeType: mimeType(), videoBitsPerSecond: VIDEO_BITS_PER_SECOND, audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
    });
    const chunks = [];
    const segment = { index: this.nextIndex(), startedAt: performance.now() };
    this.stopped = new Promise((resolve) => {
      recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
      recorder.onstop = () => {
        segment.blob = new Blob(chunks, { type: "video/webm" });
        this.counts.recorded += 1;
        if (segment.blob.size) this.enqueue(segment);
        resolve();
      };
    });
    recorder.start();
    this.current = recorder;
    this.timer = setTimeout(() => {
      recorder.stop();
      if (this.running) this.record();
    }, SEGMENT_MS);
  }

  enqueue(segment) {
    this.waiting.push(segment);
    if (this.waiting.length > MAX_WAITING) { this.waiting.shift(); this.counts.failed += 1; }
    this.report();
    this.send();
  }

  // One upload at a time, oldest first, so the server stores them in the order recorded.
  async send() {
    if (this.sending) return;
    this.sending = true;
    let attempt = 0;
    while (this.waiting.length) {
      const segment = this.waiting[0];
      try {
        const ago = Math.round(performance.now() - segment.startedAt);
        await api(`/api/interview/${this.sessionId}/recording/segments/${segment.index}?started_ms_ago=${ago}`, {
          method: "POST", body: segment.blob, headers: { "Content-Type": "video/webm" },
        });
        this.counts.sent += 1;
        this.waiting.shift();
        attempt = 0;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500 && error.status !== 408 && error.status !== 429) {
          this.waiting.shift(); // refused for good (the session ended, say): sending again cannot help
          this.counts.failed += 1;
        } else {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
          attempt += 1;
        }
      }
      this.report();
    }
    this.sending = false;
  }

  report() { this.onState({ waiting: this.waiting.length, ...this.counts }); }

  // Stop recording and give the waiting segments up to `timeoutMs` to be sent.
  async finish(timeoutMs = 15_000) {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    if (this.current.state !== "inactive") this.current.stop();
    await this.stopped;
    const deadline = Date.now() + timeoutMs;
    while (this.waiting.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
