// Microphone -> 16 kHz mono signed 16-bit little-endian PCM, posted in ~250 ms chunks with their level.
const TARGET_RATE = 16000;
const CHUNK_SAMPLES = 4000;

class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.position = 0;
    this.chunk = new Int16Array(CHUNK_SAMPLES);
    this.filled = 0;
    this.energy = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    // Picks the nearest earlier sample when the context could not run at 16 kHz itself
    // (Chromium honours the requested rate, so the step is normally exactly 1).
    for (; this.position < channel.length; this.position += this.step) {
      const sample = Math.max(-1, Math.min(1, channel[Math.floor(this.position)]));
      this.chunk[this.filled++] = sample < 0 ? sample * 0x8000 : sample * 0x7fff;
      this.energy += sample * sample;
      if (this.filled === CHUNK_SAMPLES) this.flush();
    }
    this.position -= channel.length;
    return true;
  }

  flush() {
    const level = Math.sqrt(this.energy / this.filled);
    const pcm = this.chunk.buffer.slice(0, this.filled * 2);
    this.port.postMessage({ pcm, level }, [pcm]);
    this.filled = 0;
    this.energy = 0;
  }
}

registerProcessor("pcm-capture", PcmCapture);
