// What the candidate page reports about itself while the interview runs: spans (tab hidden,
// focus lost, full screen left, offline) posted when they end, single events (paste, copy,
// leaving the page, a second display, a device change) and a heartbeat. Lengths and counts
// only: never the text pasted or copied. Posted to POST /api/events/browser; what cannot be
// sent (offline) waits in a queue, each event with its own id so a retry is stored once.
import { auth } from "/static/api.js";

const ENDPOINT = "/api/events/browser";
const MAX_QUEUED = 500;

export class PageTelemetry {
  // wantFullscreen: the interview asks for full screen (the page requests it on the start
  // click, which a browser requires); only then is leaving it reported.
  constructor(sessionId, { heartbeatMs, framesSent, wantFullscreen }) {
    this.sessionId = sessionId;
    this.heartbeatMs = heartbeatMs;
    this.framesSent = framesSent; // () => video frames sent since the last call
    this.wantFullscreen = wantFullscreen;
    this.queue = [];
    this.open = {}; // event_type -> when its span began
    this.devices = null;
    this.listeners = [];
  }

  start() {
    this.on(document, "visibilitychange", () => this.span("page_hidden", document.hidden));
    this.on(window, "blur", () => this.span("focus_lost", true));
    this.on(window, "focus", () => this.span("focus_lost", false));
    this.on(window, "offline", () => this.span("offline", true));
    this.on(window, "online", () => { this.span("offline", false); this.flush(); });
    this.on(document, "fullscreenchange", () => this.fullscreenChanged());
    this.on(document, "paste", (event) => this.record("paste", 0, {
      chars: (event.clipboardData?.getData("text") || "").length,
      into: event.target?.id === "answer" ? "answer" : "page",
    }), true);
    this.on(document, "copy", () => {
      const selection = document.getSelection();
      const inQuestion = selection?.anchorNode && document.getElementById("question")?.contains(selection.anchorNode);
      this.record("copy", 0, { chars: String(selection || "").length, of: inQuestion ? "question" : "page" });
    }, true);
    this.on(window, "pagehide", () => { this.closeSpans(); this.record("reload", 0, { persisted: false }); this.flush(true); });
    if (navigator.mediaDevices) this.on(navigator.mediaDevices, "devicechange", () => this.devicesChanged());
    this.devicesChanged();
    this.checkScreens();
    if (window.screen && "onchange" in screen) this.on(screen, "change", () => this.checkScreens());
    this.wasFullscreen = Boolean(document.fullscreenElement);
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.heartbeat();
  }

  stop() {
    clearInterval(this.timer);
    for (const [target, type, listener, capture] of this.listeners) target.removeEventListener(type, listener, capture);
    this.closeSpans();
    this.returnButton?.remove();
    return this.flush();
  }

  on(target, type, listener, capture = false) {
    target.addEventListener(type, listener, capture);
    this.listeners.push([target, type, listener, capture]);
  }

  record(eventType, durationMs, details, at = new Date()) {
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    const event = { session_id: this.sessionId, event_type: eventType, event_id: crypto.randomUUID(),
      duration_ms: Math.max(0, Math.round(durationMs)), details };
    if (at) event.timestamp = at.toISOString();
    this.queue.push(event);
    if (eventType !== "heartbeat") this.flush();
  }

  span(eventType, begins) {
    if (begins && !this.open[eventType]) this.open[eventType] = new Date();
    else if (!begins && this.open[eventType]) {
      const began = this.open[eventType];
      delete this.open[eventType];
      this.record(eventType, Date.now() - began, {}, began);
    }
  }

  closeSpans() {
    for (const eventType of Object.keys(this.open)) this.span(eventType, false);
  }

  heartbeat() {
    // No timestamp: the server's clock dates heartbeats, so it can compare them with the video.
    this.record("heartbeat", 0, {
      visible: !document.hidden, focused: document.hasFocus(), frames_sent: this.framesSent(),
      fullscreen: Boolean(document.fullscreenElement),
    }, null);
    this.flush();
  }

  async flush(leaving = false) {
    if (!this.queue.length || (this.sending && !leaving)) return;
    const batch = this.queue.splice(0, this.queue.length);
    const current = auth.load();
    this.sending = true;
    try {
      const response = await fetch(ENDPOINT, {
        method: "POST", keepalive: leaving, body: JSON.stringify(batch),
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + (current?.token || "") },
      });
      // 4xx will not get better by retrying (the session ended, say); anything else is retried.
      if (response.status >= 500) this.queue.unshift(...batch);
    } catch {
      this.queue.unshift(...batch);
    } finally {
      this.sending = false;
    }
  }

  async enterFullscreen() {
    try {
      await document.documentElement.requestFullscreen();
      this.wasFullscreen = true;
    } catch { /* refused: the page carries on without it */ }
  }

  fullscreenChanged() {
    if (!this.wantFullscreen || !this.wasFullscreen) return;
    const left = !document.fullscreenElement;
    this.span("fullscreen_exit", left);
    if (left && !this.returnButton) {
      this.returnButton = Object.assign(document.createElement("button"), {
        id: "fullscreen-return", className: "btn primary", textContent: "Return to full screen",
      });
      this.returnButton.addEventListener("click", () => this.enterFullscreen());
      document.querySelector("#interview")?.prepend(this.returnButton);
    } else if (!left && this.returnButton) {
      this.returnButton.remove();
      this.returnButton = null;
    }
  }

  async checkScreens() {
    if (window.screen && screen.isExtended) this.record("second_display", 0, { extended: true });
  }

  async devicesChanged() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    const counts = { videoinput: 0, audioinput: 0 };
    for (const device of devices) if (device.kind in counts) counts[device.kind] += 1;
    const before = this.devices;
    this.devices = counts;
    if (!before) return;
    for (const kind of Object.keys(counts)) {
      if (counts[kind] !== before[kind]) {
        this.record("device_changed", 0, { device: kind, change: counts[kind] > before[kind] ? "added" : "removed", count: counts[kind] });
      }
    }
  }
}
