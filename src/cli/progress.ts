// A progress bar on stderr for batch work: drawn only on a terminal and only once the work has taken over a second,
// so short runs and logs/pipes stay clean. When it was drawn, it ends with one plain summary line.

/** Where the bar is drawn; process.stderr fits. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Show the bar only after this many milliseconds of work (default 1000). */
  delayMs?: number;
  /** Clock in milliseconds (tests inject one). */
  now?: () => number;
  /** What a unit of work is called, plural (default "batches"). */
  unit?: string;
}

/** A progress bar for `total` units of work; call tick() as units finish and done() at the end. */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly delayMs: number;
  private readonly now: () => number;
  private readonly unit: string;
  private readonly start: number;
  private count = 0;
  private shown = false;
  private lastDraw = -Infinity;

  constructor(readonly label: string, readonly total: number, opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.delayMs = opts.delayMs ?? 1000;
    this.now = opts.now ?? (() => performance.now());
    this.unit = opts.unit ?? "batches";
    this.start = this.now();
  }

  /** Record n more finished units and redraw (at most ten times a second). */
  tick(n = 1): void {
    this.count = Math.min(this.total, this.count + n);
    if (!this.stream.isTTY) return;
    const t = this.now();
    if (t - this.start < this.delayMs) return;
    if (this.shown && t - this.lastDraw < 100 && this.count < this.total) return;
    this.shown = true;
    this.lastDraw = t;
    this.stream.write(`\r${this.line(t)}\x1b[K`);
  }

  /** Finish: replace the bar by one summary line if it was drawn. */
  done(): void {
    if (!this.shown) return;
    const secs = (this.now() - this.start) / 1000;
    this.stream.write(`\r\x1b[K${this.label}: ${this.count}/${this.total} ${this.unit} in ${fmtSecs(secs)}\n`);
    this.shown = false;
  }

  /** The bar's text at time t (no control characters). */
  line(t: number): string {
    const elapsed = (t - this.start) / 1000;
    const frac = this.total ? this.count / this.total : 1;
    const eta = this.count > 0 && this.count < this.total ? `, ETA ${fmtSecs((elapsed / this.count) * (this.total - this.count))}` : "";
    const text = ` ${this.count}/${this.total} ${this.unit}, ${fmtSecs(elapsed)}${eta}`;
    const cols = this.stream.columns || 80;
    const width = Math.max(10, Math.min(40, cols - this.label.length - text.length - 4));
    const filled = Math.round(frac * width);
    return `${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}]${text}`;
  }
}

function fmtSecs(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
