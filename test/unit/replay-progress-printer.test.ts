import { describe, expect, it } from 'vitest';
import { progressPrinter, progressSeconds } from '../../src/replay/progress-printer.js';
import type { ReplayProgress } from '../../src/replay/twilio/twilio-media-session.js';

function at(nowMs: number): ReplayProgress {
  return { nowMs, recordingMs: 20_000, framesSent: 0, heardMs: 0, marks: 0, clears: 0 };
}

/** A stream that records what was written; `isTTY` as given. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, isTTY, write: (text: string) => written.push(text) };
}

describe('progressPrinter', () => {
  it('rewrites one line in place on a terminal and ends it when done', () => {
    const out = stream(true);
    const printer = progressPrinter((p) => `t=${p.nowMs}`, out);
    printer.update(at(0));
    printer.update(at(20));
    printer.done();
    expect(out.written).toEqual(['\r\x1b[2Kt=0', '\r\x1b[2Kt=20', '\n']);
  });

  it('prints a new line only every 5 call seconds when not on a terminal', () => {
    const out = stream(false);
    const printer = progressPrinter((p) => `t=${p.nowMs}`, out);
    for (const ms of [0, 1_000, 4_999, 5_000, 9_000, 10_100]) printer.update(at(ms));
    printer.done();
    expect(out.written).toEqual(['t=0\n', 't=5000\n', 't=10100\n']);
  });
});

describe('progressSeconds', () => {
  it('shows call ms as seconds with one decimal', () => {
    expect(progressSeconds(12_345)).toBe('12.3 s');
  });
});
