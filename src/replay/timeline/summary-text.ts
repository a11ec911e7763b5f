/**
 * `summary.txt`: the replayed call in a few lines a QA person reads first — turns with response
 * latency, barge-ins with what had been heard, tool calls, the outcome.
 */
import type { BargeIn, InterruptedItem, Timeline, ToolCallSpan, Turn } from './timeline-types.js';

/** Longest tool argument/result shown inline; the full text is in timeline.json. */
const MAX_INLINE_CHARS = 160;

/** Renders the summary (see module doc). */
export function renderSummary(t: Timeline): string {
  const lines = [
    `Call ${t.callSid}  (${t.startedAt}, speed ×${t.speed})`,
    `Duration ${sec(t.durationMs)}: recording ${sec(t.recordingMs)}, bot heard ${sec(t.botHeardMs)}; ended: ${t.endReason.replace('_', ' ')}`,
    `Outcome: ${t.outcome.description}`,
    '',
    `Turns (caller speech from ${t.callerSpeechSource === 'server_vad' ? "the server's VAD" : 'energy detection on the sent audio'}):`,
    ...(t.turns.length ? t.turns.map(turnLine) : ['  (no caller speech detected)']),
    ...latencyStats(t.turns),
    '',
    `Barge-ins: ${t.bargeIns.length}`,
    ...t.bargeIns.map(bargeInLine),
    '',
    `Tool calls: ${t.toolCalls.length}${t.hasServerRecord ? '' : ' (needs the server record: --admin-token)'}`,
    ...t.toolCalls.map(toolLine),
  ];
  if (t.warnings.length) lines.push('', 'Warnings:', ...t.warnings.map((w) => `  ! ${w}`));
  return lines.join('\n') + '\n';
}

function turnLine(turn: Turn): string {
  const span = `${sec(turn.caller.startMs)}–${sec(turn.caller.endMs)}`;
  const reply =
    turn.latencyMs === undefined
      ? 'no bot reply before the next turn'
      : `bot heard at ${sec(turn.botHeardAtMs ?? 0)}, latency ${ms(turn.latencyMs)}`;
  const text = turn.callerText ? `  "${clip(turn.callerText)}"` : '';
  return `  ${turn.index}. caller ${span}  → ${reply}${text}`;
}

function latencyStats(turns: Turn[]): string[] {
  const values = turns
    .flatMap((t) => (t.latencyMs === undefined ? [] : [t.latencyMs]))
    .sort((a, b) => a - b);
  if (values.length === 0) return [];
  const median = values[Math.floor((values.length - 1) / 2)] ?? 0;
  return [
    `  latency: median ${ms(median)}, max ${ms(values.at(-1) ?? 0)} over ${values.length} turn(s)`,
  ];
}

function bargeInLine(b: BargeIn): string {
  const details = b.clear ? [] : ['server barge-in with no clear sent (nothing was queued)'];
  details.push(...b.items.map(interruptedLine));
  if (b.discardedMs !== undefined) details.push(`discarded ${ms(b.discardedMs)} queued`);
  if (b.responseCancelled) details.push('response cancelled');
  return `  at ${sec(b.atMs)}: ${details.join('; ')}`;
}

/** `item_6 heard 2275 ms of 6427 ms, server truncated at 2264 ms (server − heard: −11 ms)` */
export function interruptedLine(item: InterruptedItem): string {
  const facts: string[] = [];
  if (item.heardMs !== undefined)
    facts.push(`heard ${ms(item.heardMs)} of ${ms(item.sentMs ?? 0)}`);
  if (item.truncatedAtMs !== undefined) {
    const diff =
      item.differenceMs === undefined ? '' : ` (server − heard: ${signedMs(item.differenceMs)})`;
    facts.push(`server truncated at ${ms(item.truncatedAtMs)}${diff}`);
  }
  if (item.deleted) facts.push('server deleted it');
  return [item.itemId, facts.join(', ')].filter(Boolean).join(' ');
}

function toolLine(c: ToolCallSpan): string {
  const http = c.httpStatus === undefined ? '' : ` HTTP ${c.httpStatus}`;
  return [
    `  ${sec(c.startMs)} ${c.name}(${clip(c.arguments)}) → ${c.status}${http} in ${ms(c.durationMs)}`,
    `      result: ${clip(c.output)}`,
  ].join('\n');
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_INLINE_CHARS ? flat.slice(0, MAX_INLINE_CHARS - 1) + '…' : flat;
}

/** `12.34 s` */
export function sec(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`;
}

function ms(valueMs: number): string {
  return `${Math.round(valueMs)} ms`;
}

/** `+3 ms`, `−11 ms`, `0 ms`: rounded first, so a tiny negative does not print as −0. */
function signedMs(valueMs: number): string {
  const rounded = Math.round(valueMs);
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded)} ms`;
}
