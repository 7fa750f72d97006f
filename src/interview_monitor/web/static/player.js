// Plays a session's recording: one <video> over its WebM segments, placed on the session
// clock. seek(t) finds the segment holding session second t (or the next one after a gap);
// flags and stream drops are marked along a bar under the video, and clicking it seeks.
import { api, el, offset } from "/static/api.js";

function once(target, name) {
  return new Promise((resolve, reject) => {
    const done = (event) => {
      target.removeEventListener(name, done);
      target.removeEventListener("error", done);
      if (event.type === "error") reject(new Error("the segment cannot be played"));
      else resolve();
    };
    target.addEventListener(name, done);
    target.addEventListener("error", done);
  });
}

export class Player {
  constructor(root, sessionId) {
    this.root = root;
    this.sessionId = sessionId;
    this.segments = [];
    this.drops = [];
    this.marks = [];
    this.blobs = new Map();
    this.current = null;
    this.seeking = 0;
    this.video = el("video", { controls: true, playsinline: true, preload: "auto", "aria-label": "Session recording" });
    this.bar = el("div", { class: "player-bar", title: "Click to play from there" });
    this.clock = el("span", { class: "muted small", "aria-live": "off" });
    this.empty = el("p", { class: "muted" }, "Nothing has been recorded yet.");
    root.replaceChildren(this.empty, this.video, this.bar, this.clock);
    this.video.addEventListener("ended", () => this.playNext());
    this.video.addEventListener("timeupdate", () => this.drawPosition());
    this.bar.addEventListener("click", (event) => {
      const box = this.bar.getBoundingClientRect();
      this.seek(((event.clientX - box.left) / box.width) * this.length(), true);
    });
  }

  async load() {
    const recording = await api(`/api/interview/${this.sessionId}/recording`);
    this.segments = recording.segments.map((s) => ({ ...s, start: s.start_offset_ms / 1000, end: (s.start_offset_ms + s.duration_ms) / 1000 }));
    // Reloaded lists hold new objects: keep playing the same segment.
    if (this.current) this.current = this.segments.find((s) => s.url === this.current.url) || this.current;
    const start = new Date(recording.start_time).getTime();
    this.drops = recording.drops.map((d) => ({
      kind: d.kind, start: (new Date(d.started_at) - start) / 1000,
      end: d.ended_at ? (new Date(d.ended_at) - start) / 1000 : null,
    }));
    const has = this.segments.length > 0;
    this.empty.classList.toggle("hidden", has);
    this.video.classList.toggle("hidden", !has);
    if (has && !this.current) await this.show(this.segments[0], 0);
    this.draw();
  }

  // Flags to mark: [{ at: session seconds, label, onclick }].
  mark(marks, sessionLength) {
    this.marks = marks;
    this.sessionLength = sessionLength;
    this.draw();
  }

  length() {
    const ends = [this.sessionLength || 0, ...this.segments.map((s) => s.end), ...this.marks.map((m) => m.at)];
    return Math.max(1, ...ends);
  }

  get sessionTime() { return this.current ? this.current.start + this.video.currentTime : null; }

  segmentAt(t) {
    return this.segments.find((s) => t < s.end) || this.segments[this.segments.length - 1];
  }

  async seek(t, play = false) {
    const segment = this.segmentAt(t);
    if (!segment) return;
    await this.show(segment, Math.min(Math.max(0, t - segment.start), segment.end - segment.start - 0.05));
    if (play) this.video.play().catch(() => {});
  }

  // The latest call wins: a slow segment download must not override a later click.
  async show(segment, offsetS) {
    const ticket = ++this.seeking;
    if (!this.current || this.current.url !== segment.url) {
      const url = await this.blobUrl(segment);
      if (ticket !== this.seeking) return;
      const loaded = once(this.video, "loadedmetadata");
      this.video.src = url;
      this.current = segment;
      await loaded;
    }
    if (ticket !== this.seeking) return;
    const seeked = once(this.video, "seeked");
    this.video.currentTime = offsetS;
    await seeked;
    this.root.dataset.sessionTime = this.sessionTime.toFixed(2);
    this.drawPosition();
  }

  async blobUrl(segment) {
    if (!this.blobs.has(segment.url)) this.blobs.set(segment.url, URL.createObjectURL(await api(segment.url, { as: "blob" })));
    return this.blobs.get(segment.url);
  }

  async playNext() {
    const next = this.segments[this.segments.indexOf(this.current) + 1];
    if (!next) return;
    await this.show(next, 0);
    this.video.play().catch(() => {});
  }

  draw() {
    const span = this.length();
    const left = (t) => `${(100 * Math.max(0, t)) / span}%`;
    const width = (a, b) => `${(100 * Math.max(0, b - a)) / span}%`;
    this.cursor = el("span", { class: "cursor" });
    this.bar.replaceChildren(
      ...this.segments.map((s) => el("span", { class: "recorded", style: `left:${left(s.start)};width:${width(s.start, s.end)}` })),
      ...this.drops.map((d) => el("span", {
        class: "drop", title: `${d.kind} stream dropped at ${offset(d.start)}`,
        style: `left:${left(d.start)};width:${width(d.start, d.end ?? span)}`,
      })),
      ...this.marks.map((m) => el("button", {
        class: "flag", type: "button", title: `${offset(m.at)} ${m.label}`, "aria-label": `${m.label} at ${offset(m.at)}`,
        style: `left:${left(m.at)}`, onclick: (event) => { event.stopPropagation(); m.onclick(); },
      })),
      this.cursor);
    this.drawPosition();
  }

  drawPosition() {
    if (!this.cursor || this.sessionTime === null) return;
    this.cursor.style.left = `${(100 * this.sessionTime) / this.length()}%`;
    this.clock.textContent = `${offset(this.sessionTime)} into the interview`;
  }
}
