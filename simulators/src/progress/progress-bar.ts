/** Where a progress bar may draw: a terminal (stderr). Anything that is not a TTY gets no bar at all. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(done: number, note?: string): void;
  /** Clears the bar so the summary line starts on a clean line. */
  finish(): void;
}

const NO_BAR: ProgressBar = { update: () => undefined, finish: () => undefined };
const REDRAW_EVERY_MS = 100;

/**
 * A one-line progress bar on a terminal: `label [#####.....] 52% 1234/2371 note`, redrawn at most ten
 * times a second. Returns a no-op bar when the stream is not a TTY (CI logs, pipes).
 */
export function createProgressBar(
  stream: ProgressStream | undefined,
  label: string,
  total: number,
): ProgressBar {
  if (!stream?.isTTY || total <= 0) return NO_BAR;
  let lastDrawMs = 0;
  let drawn = false;
  const draw = (done: number, note: string) => {
    const fraction = Math.min(1, done / total);
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const filled = Math.round(fraction * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)
      .toString()
      .padStart(3)}% ${done}/${total}${note ? ` ${note}` : ''}`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\u001b[K`);
    drawn = true;
  };
  return {
    update(done, note = '') {
      const now = performance.now();
      if (now - lastDrawMs < REDRAW_EVERY_MS && done < total) return;
      lastDrawMs = now;
      draw(done, note);
    },
    finish() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
