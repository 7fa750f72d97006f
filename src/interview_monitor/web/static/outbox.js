// Answers are kept on this device (localStorage) until the server has them: one submitted
// while the connection is down is sent, in order, when it is back, and survives a reload.
import { ApiError, api } from "/static/api.js";

const RETRY_MS = 5000;

export class AnswerOutbox {
  // onState(waiting): how many answers are still on this device.
  constructor(sessionId, onState = () => {}) {
    this.key = `interview-monitor.outbox.${sessionId}`;
    this.path = `/api/interview/${sessionId}/answers`;
    this.onState = onState;
    window.addEventListener("online", () => this.flush());
    this.timer = setInterval(() => { if (this.waiting.length) this.flush(); }, RETRY_MS);
  }

  get waiting() {
    try { return JSON.parse(localStorage.getItem(this.key)) || []; } catch { return []; }
  }

  set waiting(answers) {
    if (answers.length) localStorage.setItem(this.key, JSON.stringify(answers));
    else localStorage.removeItem(this.key);
    this.onState(answers.length);
  }

  // "sent" or "waiting"; an ApiError when the server refuses this answer (it is not kept).
  async submit(answer) {
    const id = crypto.randomUUID();
    // The id goes with the answer: a resend after a reply lost on the way stores nothing new.
    this.waiting = [...this.waiting, { id, answer: { ...answer, answer_id: id } }];
    const refused = await this.flush();
    if (refused.has(id)) throw refused.get(id);
    return this.waiting.some((entry) => entry.id === id) ? "waiting" : "sent";
  }

  // Send what waits, oldest first, until done or the connection fails; the refused ones.
  async flush() {
    while (this.flushing) await this.flushing;
    const refused = new Map();
    this.flushing = (async () => {
      for (const entry of this.waiting) {
        try {
          await api(this.path, { method: "POST", json: entry.answer });
        } catch (error) {
          if (!(error instanceof ApiError) || error.status >= 500) break; // offline: keep the rest
          refused.set(entry.id, error);
        }
        this.waiting = this.waiting.filter((kept) => kept.id !== entry.id);
      }
    })();
    try { await this.flushing; } finally { this.flushing = null; }
    return refused;
  }

  async sendAll() {
    while (this.waiting.length) {
      await this.flush();
      if (this.waiting.length) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    clearInterval(this.timer);
  }
}
