// Camera and microphone capture, and the WebSockets that carry them to the server.
import { openSocket } from "/static/api.js";

const FATAL_CLOSES = new Set([1000, 1003, 1009, 4400, 4401, 4403, 4404, 4409]);
const FRAME_INTERVAL_MS = 500; // 2 frames a second
const FRAME_WIDTH = 480;

export async function openDevices() {
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 } },
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
  });
}

export class Microphone {
  constructor(stream, onChunk) {
    this.stream = stream;
    this.onChunk = onChunk;
  }

  async start() {
    this.context = new AudioContext({ sampleRate: 16000 });
    await this.context.audioWorklet.addModule("/static/pcm-worklet.js");
    const source = this.context.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.context, "pcm-capture");
    this.node.port.onmessage = (event) => this.onChunk(event.data.pcm, event.data.level);
    source.connect(this.node);
    if (this.context.state === "suspended") await this.context.resume();
  }

  async stop() { if (this.context) await this.context.close(); }
}

export function captureJpeg(video, quality = 0.75) {
  const canvas = document.createElement("canvas");
  const ratio = video.videoHeight / video.videoWidth || 0.75;
  canvas.width = FRAME_WIDTH;
  canvas.height = Math.round(FRAME_WIDTH * ratio);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

// One media WebSocket that reconnects (and so resumes the session) until finished or refused.
export class MediaSocket {
  constructor(path, onState) {
    this.path = path;
    this.onState = onState;
    this.finished = false;
    this.retries = 0;
    this.counts = {};
  }

  connect() {
    this.socket = openSocket(this.path);
    this.socket.binaryType = "arraybuffer";
    this.socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "ready") {
        this.retries = 0;
        if (this.onReady) this.onReady();
      }
      if (message.type === "ready" || message.type === "ack") {
        this.counts = message;
        this.onState("live", message);
      }
    };
    this.socket.onclose = (event) => {
      if (this.finished || FATAL_CLOSES.has(event.code)) {
        this.onState(this.finished ? "finished" : "refused", { code: event.code, reason: event.reason });
        if (this.resolveClosed) this.resolveClosed();
        return;
      }
      this.onState("reconnecting", { code: event.code });
      this.retries += 1;
      setTimeout(() => this.connect(), Math.min(10000, 500 * 2 ** this.retries));
    };
  }

  get open() { return this.socket && this.socket.readyState === WebSocket.OPEN; }

  sendControl(message) {
    if (this.open) this.socket.send(JSON.stringify(message));
  }

  send(data) {
    // A slow link gets fewer frames, never an ever-growing browser buffer.
    if (!this.open || this.socket.bufferedAmount >= 2_000_000) return false;
    this.socket.send(data);
    return true;
  }

  finish(timeoutMs = 8000) {
    this.finished = true;
    if (!this.open) return Promise.resolve();
    const closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    this.socket.send(JSON.stringify({ type: "finish" }));
    return Promise.race([closed, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  }
}

export class Streamer {
  constructor(sessionId, video, mediaStream, onState) {
    this.video = video;
    this.videoSocket = new MediaSocket(`/ws/video/${sessionId}`, (s, d) => onState("video", s, d));
    this.audioSocket = new MediaSocket(`/ws/audio/${sessionId}`, (s, d) => onState("audio", s, d));
    this.microphone = new Microphone(mediaStream, (pcm) => this.audioSocket.send(pcm));
    this.mediaStream = mediaStream;
    this.framesSent = 0;
    // The server tells a software camera (OBS, ManyCam...) by its label: report it on every
    // (re)connection and whenever the devices change.
    this.videoSocket.onReady = () => this.reportCamera();
    this.onDeviceChange = () => this.reportCamera();
  }

  reportCamera() {
    const [track] = this.mediaStream.getVideoTracks();
    if (track) this.videoSocket.sendControl({ type: "camera", label: track.label });
  }

  async start() {
    navigator.mediaDevices.addEventListener("devicechange", this.onDeviceChange);
    this.videoSocket.connect();
    this.audioSocket.connect();
    await this.microphone.start();
    this.timer = setInterval(async () => {
      if (!this.videoSocket.open || this.video.readyState < 2) return;
      const jpeg = await captureJpeg(this.video);
      if (jpeg && this.videoSocket.send(await jpeg.arrayBuffer())) this.framesSent += 1;
    }, FRAME_INTERVAL_MS);
  }

  // Frames sent since the last call: the page's heartbeat reports them (telemetry.js).
  takeFramesSent() {
    const sent = this.framesSent;
    this.framesSent = 0;
    return sent;
  }

  async finish() {
    clearInterval(this.timer);
    navigator.mediaDevices.removeEventListener("devicechange", this.onDeviceChange);
    await this.microphone.stop();
    await Promise.all([this.videoSocket.finish(), this.audioSocket.finish()]);
  }
}
