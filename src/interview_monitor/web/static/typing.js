// How an answer box fills: [ms since the question was shown, characters added, kind] per input
// event, for detectors/cadence.py. Counts and times only: never the text, never which key.
const KIND = {
  insertText: "type", insertLineBreak: "type", insertParagraph: "type",
  insertCompositionText: "compose", insertReplacementText: "replace",
  insertFromPaste: "paste", insertFromPasteAsQuotation: "paste", insertFromDrop: "drop",
  insertFromYank: "paste", historyUndo: "history", historyRedo: "history",
};
const MAX_EVENTS = 5000;

export class TypingRecorder {
  constructor(box) {
    this.box = box;
    this.events = null;
    box.addEventListener("beforeinput", (event) => {
      const base = KIND[event.inputType] || (event.inputType.startsWith("delete") ? "delete" : "type");
      this.pending = event.isTrusted ? base : "unexplained";
    });
    box.addEventListener("input", (event) => {
      const delta = box.value.length - this.length;
      this.length = box.value.length;
      const kind = event.isTrusted && this.pending ? this.pending : "unexplained";
      this.pending = null;
      if (delta !== 0 || kind === "history") this.push(delta, kind);
    });
    // A script that sets the value fires no input event: the length is reconciled every second.
    setInterval(() => this.reconcile(), 1000);
    window.addEventListener("blur", () => this.push(0, "blur"));
    window.addEventListener("focus", () => this.push(0, "focus"));
    document.addEventListener("visibilitychange", () => this.push(0, document.hidden ? "blur" : "focus"));
  }

  // The question is on screen: a new record begins.
  shown() {
    this.started = performance.now();
    this.length = this.box.value.length;
    this.events = [[0, 0, "shown"]];
  }

  push(delta, kind) {
    if (this.events && this.events.length < MAX_EVENTS) {
      this.events.push([Math.round(performance.now() - this.started), delta, kind]);
    }
  }

  reconcile() {
    if (!this.events) return;
    const delta = this.box.value.length - this.length;
    if (delta !== 0) { this.length = this.box.value.length; this.push(delta, "unexplained"); }
  }

  finish() {
    this.reconcile();
    const record = { events: this.events || [], truncated: (this.events || []).length >= MAX_EVENTS };
    this.events = null;
    return record;
  }
}
