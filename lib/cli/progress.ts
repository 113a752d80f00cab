/**
 * A one-line progress bar on stderr for long CLI steps. It draws only when stderr is a TTY and
 * `--quiet` is off; otherwise every call is a no-op, so piped output and logs stay clean.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #last = 0;
  #drawn = false;

  constructor(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#enabled = !options.quiet && this.#stream.isTTY === true;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Draws `[#####-----]  45% label` (at most every 50 ms, except for the final 100%). */
  update(fraction: number, label: string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (fraction < 1 && now - this.#last < 50) return;
    this.#last = now;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const width = 28;
    const full = Math.round(f * width);
    const cols = this.#stream.columns ?? 80;
    const line = `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${label}`;
    this.#stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 8))}`);
    this.#drawn = true;
  }

  /** A callback for `onProgress` options, labelled with the step. */
  callback(step: string): (fraction: number, label: string) => void {
    return (fraction, label) => this.update(fraction, label && label !== step ? `${step}: ${label}` : step);
  }

  /** Clears the line. */
  done(): void {
    if (!this.#enabled || !this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
