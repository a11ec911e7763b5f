/**
 * `transcript.txt`: who said what and when, from the server's record; bot lines cut by a
 * barge-in show the part the caller heard (the server's estimate) and what was lost.
 */
import { sec } from './summary-text.js';
import type { Timeline } from './timeline-types.js';

/** Renders the transcript (see module doc). */
export function renderTranscript(t: Timeline): string {
  if (!t.hasServerRecord) {
    return "No transcript: it comes from the server's call record (pass --admin-token / ADMIN_TOKEN).\n";
  }
  if (t.transcript.length === 0) return '(the call record has no transcript lines)\n';
  const lines = t.transcript.map((line) => {
    const who = line.who === 'caller' ? 'Caller' : 'Bot   ';
    if (line.who === 'bot' && line.interrupted) {
      const heard = line.heardText ?? '';
      const lost = line.text.slice(heard.length);
      return `[${sec(line.atMs)}] ${who}: ${heard} ⟪cut after ${Math.round(line.heardMs ?? 0)} ms — unheard: ${lost.trim()}⟫`;
    }
    return `[${sec(line.atMs)}] ${who}: ${line.text}`;
  });
  return lines.join('\n') + '\n';
}
