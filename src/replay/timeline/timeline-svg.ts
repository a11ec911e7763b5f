/**
 * `timeline.svg`: a standalone picture of the call — caller and bot speech as bars over their
 * level envelopes on one time axis, tool calls as spans, barge-ins as labelled red lines, a
 * legend. Plain SVG 1.1 with no scripts or external references, so any browser shows it.
 */
import { ULAW_BYTES_PER_MS, ulawToPcm16 } from '../../audio/g711.js';
import { interruptedLine, sec } from './summary-text.js';
import { escapeXml as esc, placedText } from './svg-text.js';
import type { BargeIn, Interval, Timeline } from './timeline-types.js';

const WIDTH_PX = 1200;
const LABEL_PX = 90;
const RIGHT_PX = 20;
const LANE_PX = 56;
const TOP_PX = 48;
/** Font sizes, px: labels, barge-in labels, the title line. */
const FONT_PX = 11;
const SMALL_FONT_PX = 10;
const TITLE_FONT_PX = 13;
/** Envelope floor: -60 dBFS draws as zero height (quieter is line noise on a phone call). */
const ENVELOPE_FLOOR_DBFS = -60;
const COLORS = {
  caller: '#2b7bb9',
  bot: '#2f9e44',
  tool: '#e8890c',
  barge: '#d6336c',
  axis: '#555',
};

/** Audio to draw level envelopes from (optional: bars alone without it). */
export interface SvgAudio {
  callerAudio: Buffer;
  heardAudio: Buffer;
}

/** Renders the SVG picture (see module doc). */
export function renderTimelineSvg(t: Timeline, audio?: SvgAudio): string {
  const durationMs = Math.max(t.durationMs, 1);
  const plotPx = WIDTH_PX - LABEL_PX - RIGHT_PX;
  const x = (ms: number) =>
    LABEL_PX + (Math.min(Math.max(ms, 0), durationMs) / durationMs) * plotPx;
  const lanes = { caller: TOP_PX, bot: TOP_PX + LANE_PX, tools: TOP_PX + 2 * LANE_PX };
  const axisY = TOP_PX + 3 * LANE_PX + 6;
  const height = axisY + 80;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${height}" viewBox="0 0 ${WIDTH_PX} ${height}" font-family="sans-serif" font-size="${FONT_PX}">`,
    `<title>Call ${esc(t.callSid)}: ${esc(t.outcome.description)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    placedText(
      `${t.callSid} — ${sec(t.durationMs)} — ${t.outcome.description}`,
      LABEL_PX,
      18,
      WIDTH_PX,
      {
        fontSizePx: TITLE_FONT_PX,
        bold: true,
      },
    ),
    laneLabel('Caller', lanes.caller),
    laneLabel('Bot (heard)', lanes.bot),
    laneLabel('Tools', lanes.tools),
  ];
  if (audio) {
    parts.push(envelope(audio.callerAudio, lanes.caller, COLORS.caller, x, durationMs));
    parts.push(envelope(audio.heardAudio, lanes.bot, COLORS.bot, x, durationMs));
  }
  parts.push(...bars(t.callerSpeech, lanes.caller, COLORS.caller, x));
  parts.push(...bars(t.botHeard, lanes.bot, COLORS.bot, x));
  for (const call of t.toolCalls) {
    const x0 = x(call.startMs);
    const w = Math.max(2, x(call.endMs) - x0);
    parts.push(
      `<rect x="${f(x0)}" y="${lanes.tools + 14}" width="${f(w)}" height="16" fill="${COLORS.tool}" opacity="0.85"><title>${esc(`${call.name}(${call.arguments}) → ${call.status} in ${call.durationMs} ms\n${call.output}`)}</title></rect>`,
      placedText(`${call.name} ${call.status}`, x0 + 2, lanes.tools + 42, WIDTH_PX, {
        fontSizePx: FONT_PX,
        fill: COLORS.tool,
      }),
    );
  }
  for (const [i, b] of t.bargeIns.entries()) {
    const bx = f(x(b.atMs));
    const details = b.items.map(interruptedLine).join('\n') || 'nothing was cut';
    parts.push(
      `<line x1="${bx}" y1="${TOP_PX}" x2="${bx}" y2="${axisY}" stroke="${COLORS.barge}" stroke-width="1.5" stroke-dasharray="4 2"><title>${esc(details)}</title></line>`,
      placedText(bargeInLabel(b), x(b.atMs), TOP_PX - 14 + (i % 2) * 10, WIDTH_PX, {
        fontSizePx: SMALL_FONT_PX,
        anchor: 'middle',
        fill: COLORS.barge,
      }),
    );
  }
  parts.push(...axis(durationMs, axisY, x), ...legend(height - 24), '</svg>');
  return parts.join('\n') + '\n';
}

function laneLabel(text: string, y: number): string {
  return [
    `<line x1="${LABEL_PX}" y1="${y + LANE_PX}" x2="${WIDTH_PX - RIGHT_PX}" y2="${y + LANE_PX}" stroke="#eee"/>`,
    placedText(text, 8, y + LANE_PX / 2 + 4, WIDTH_PX, { fontSizePx: FONT_PX, bold: true }),
  ].join('\n');
}

function bars(
  intervals: Interval[],
  laneY: number,
  color: string,
  x: (ms: number) => number,
): string[] {
  return intervals.map((i) => {
    const x0 = x(i.startMs);
    return `<rect x="${f(x0)}" y="${laneY + LANE_PX - 10}" width="${f(Math.max(1, x(i.endMs) - x0))}" height="6" fill="${color}"><title>${esc(`${sec(i.startMs)}–${sec(i.endMs)}`)}</title></rect>`;
  });
}

/** A filled polygon of the level per pixel column, mirrored around the lane's middle. */
function envelope(
  ulaw: Buffer,
  laneY: number,
  color: string,
  x: (ms: number) => number,
  durationMs: number,
): string {
  const columns = Math.round(x(durationMs) - x(0));
  const samples = ulawToPcm16(ulaw);
  const mid = laneY + (LANE_PX - 14) / 2 + 2;
  const half = (LANE_PX - 14) / 2;
  const top: string[] = [];
  const bottom: string[] = [];
  for (let c = 0; c <= columns; c++) {
    const from = Math.floor((c / columns) * durationMs * ULAW_BYTES_PER_MS);
    const to = Math.min(
      samples.length,
      Math.floor(((c + 1) / columns) * durationMs * ULAW_BYTES_PER_MS),
    );
    const h = half * level(samples, from, to);
    const px = f(x(0) + c);
    top.push(`${px},${f(mid - h)}`);
    bottom.unshift(`${px},${f(mid + h)}`);
  }
  return `<polygon points="${[...top, ...bottom].join(' ')}" fill="${color}" opacity="0.35"/>`;
}

/** RMS level of a range mapped to 0..1 between ENVELOPE_FLOOR_DBFS and 0 dBFS. */
function level(samples: Int16Array, from: number, to: number): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
  const dbfs = 20 * Math.log10(Math.sqrt(sum / (to - from)) / 32768 || 1e-9);
  return Math.min(1, Math.max(0, (dbfs - ENVELOPE_FLOOR_DBFS) / -ENVELOPE_FLOOR_DBFS));
}

function axis(durationMs: number, y: number, x: (ms: number) => number): string[] {
  const stepMs = niceStepMs(durationMs);
  const out = [
    `<line x1="${f(x(0))}" y1="${y}" x2="${f(x(durationMs))}" y2="${y}" stroke="${COLORS.axis}"/>`,
  ];
  for (let ms = 0; ms <= durationMs; ms += stepMs) {
    out.push(
      `<line x1="${f(x(ms))}" y1="${y}" x2="${f(x(ms))}" y2="${y + 4}" stroke="${COLORS.axis}"/>`,
      placedText(`${ms / 1000}s`, x(ms), y + 16, WIDTH_PX, {
        fontSizePx: FONT_PX,
        anchor: 'middle',
        fill: COLORS.axis,
      }),
    );
  }
  return out;
}

/** A tick step of 1, 2 or 5 × 10ⁿ ms giving at most about 12 ticks. */
function niceStepMs(durationMs: number): number {
  const raw = durationMs / 12;
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  return Math.max(step, 100);
}

function legend(y: number): string[] {
  const items: [string, string][] = [
    [COLORS.caller, 'caller speech'],
    [COLORS.bot, 'bot audio heard'],
    [COLORS.tool, 'tool call'],
    [COLORS.barge, 'barge-in (clear)'],
  ];
  return items.map(([color, text], i) => {
    const lx = LABEL_PX + i * 170;
    return `<rect x="${lx}" y="${y}" width="14" height="10" fill="${color}"/>${placedText(text, lx + 20, y + 9, WIDTH_PX, { fontSizePx: FONT_PX })}`;
  });
}

/** The item the caller was hearing when cut (else the first cut), as a short label. */
function bargeInLabel(b: BargeIn): string {
  const item = b.items.find((i) => (i.heardMs ?? 0) > 0) ?? b.items[0];
  if (!item) return 'barge-in';
  const heard = item.heardMs === undefined ? '' : ` heard ${Math.round(item.heardMs)} ms`;
  const cut =
    item.truncatedAtMs === undefined ? '' : `, truncated at ${Math.round(item.truncatedAtMs)} ms`;
  return `barge-in: ${item.itemId}${heard}${cut}`;
}

function f(n: number): string {
  return n.toFixed(1);
}
