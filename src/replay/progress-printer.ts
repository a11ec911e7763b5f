/**
 * The progress line of `npm run replay` and `npm run demo`: rewritten in place on a terminal, and
 * on anything else (CI logs, a pipe) printed as a new line only every few call seconds, so a log
 * file is not flooded by a line per timer tick.
 */
import type { ReplayProgress } from './twilio/twilio-media-session.js';

/** Call time between two printed lines when the output is not a terminal, ms. */
const LOG_LINE_EVERY_MS = 5_000;
/** Carriage return + ANSI "erase entire line": the line is redrawn in place. */
const REWRITE_LINE = '\r\x1b[2K';

/** Where the line goes: process.stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Feeds replay progress to a line made by `format`; call `done` once the replay ended. */
export interface ProgressPrinter {
  update: (progress: ReplayProgress) => void;
  done: () => void;
}

/** A progress printer (see module doc). */
export function progressPrinter(
  format: (progress: ReplayProgress) => string,
  stream: ProgressStream = process.stderr,
): ProgressPrinter {
  const tty = stream.isTTY === true;
  let lastPrintedMs = -Infinity;
  return {
    update: (progress) => {
      if (tty) stream.write(REWRITE_LINE + format(progress));
      else if (progress.nowMs - lastPrintedMs >= LOG_LINE_EVERY_MS) {
        lastPrintedMs = progress.nowMs;
        stream.write(format(progress) + '\n');
      }
    },
    done: () => {
      if (tty) stream.write('\n');
    },
  };
}

/** `12.3 s`: call seconds with one decimal, as the progress lines show them. */
export function progressSeconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}
