// The incoming-call sound: a ring made with WebAudio (two tones, 1 s on, 2 s off), so there is
// no audio file to fetch and nothing to decode when a call arrives.
export class Ringer {
  constructor() {
    this.ctx = null;
    this.timer = null;
  }

  start() {
    if (this.timer) return;
    try {
      this.ctx ??= new AudioContext();
      this.ctx.resume().catch(() => undefined);
    } catch {
      return; // no audio output: the visible alert still shows
    }
    const burst = () => {
      const t0 = this.ctx.currentTime;
      const gain = this.ctx.createGain();
      gain.gain.setValueAtTime(0.08, t0);
      gain.gain.setValueAtTime(0, t0 + 1);
      gain.connect(this.ctx.destination);
      for (const f of [440, 480]) {
        const o = this.ctx.createOscillator();
        o.frequency.value = f;
        o.connect(gain);
        o.start(t0);
        o.stop(t0 + 1);
      }
    };
    burst();
    this.timer = setInterval(burst, 3000);
  }

  /** One short two-note chime (a new ticket in my line, when the operator turned the sound on). */
  chime() {
    try {
      this.ctx ??= new AudioContext();
      this.ctx.resume().catch(() => undefined);
    } catch {
      return;
    }
    const t0 = this.ctx.currentTime;
    const gain = this.ctx.createGain();
    gain.gain.setValueAtTime(0.06, t0);
    gain.gain.setValueAtTime(0, t0 + 0.36);
    gain.connect(this.ctx.destination);
    [660, 880].forEach((f, i) => {
      const o = this.ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start(t0 + i * 0.18);
      o.stop(t0 + (i + 1) * 0.18);
    });
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
