// Progress of a long step on stderr, with the rate and the time left.
export class Progress {
  private readonly started = performance.now();
  private lastPrinted = 0;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line)
  ) {}

  update(done: number): void {
    const now = performance.now();
    const complete = done >= this.total;
    if (this.finished || (now - this.lastPrinted < 2000 && !complete)) {
      return;
    }
    this.lastPrinted = now;
    this.finished = complete;
    const seconds = (now - this.started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    const left = rate > 0 ? (this.total - done) / rate : Infinity;
    const pct = ((done / this.total) * 100).toFixed(1);
    this.write(
      `  ${this.label}: ${done.toLocaleString('en')}/${this.total.toLocaleString('en')} (${pct}%), ` +
        `${Math.round(rate).toLocaleString('en')}/s, ${formatSeconds(left)} left\n`
    );
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return '?';
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
