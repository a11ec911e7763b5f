import { describe, expect, it } from 'vitest';
import { renderTimelineSvg } from '../../src/replay/timeline/timeline-svg.js';
import { estimateTextWidthPx } from '../../src/replay/timeline/svg-text.js';
import type { Timeline } from '../../src/replay/timeline/timeline-types.js';
import { parseXml, type XmlElement } from '../../src/replay/twilio/xml-reader.js';

/** The root's font-size, which a <text> without its own inherits. */
const DEFAULT_FONT_PX = 11;

/**
 * A call whose labels all sit at the edges: a barge-in at 0 s and one at the very end, and a tool
 * call finishing 1.5 s before the end (where `end_call ended_call` was cut off), a long outcome.
 */
const EDGY: Timeline = {
  callSid: 'CA' + 'e'.repeat(32),
  streamSid: 'MZ0',
  startedAt: '2026-11-21T10:00:00.000Z',
  speed: 1,
  durationMs: 23_820,
  recordingMs: 21_870,
  endReason: 'server_closed',
  outcome: {
    by: 'server',
    description: `Say "${'Goodbye and thank you. '.repeat(8)}" then Hangup`,
  },
  callerSpeechSource: 'server_vad',
  callerSpeech: [{ startMs: 4_500, endMs: 8_030 }],
  botHeard: [{ startMs: 21_780, endMs: 23_820 }],
  botHeardMs: 2_040,
  turns: [],
  bargeIns: [
    { atMs: 0, items: [{ itemId: 'item_first_long_id', heardMs: 0, sentMs: 400, deleted: true }] },
    {
      atMs: 23_800,
      items: [
        { itemId: 'item_006', heardMs: 2275, sentMs: 6427, truncatedAtMs: 2264, differenceMs: -11 },
      ],
    },
  ],
  toolCalls: [
    {
      startMs: 22_270,
      endMs: 22_270,
      name: 'end_call',
      arguments: '{"reason":"caller said goodbye"}',
      status: 'ended_call',
      durationMs: 0,
      output: '{"ok":true}',
    },
  ],
  transcript: [],
  marks: [],
  hasServerRecord: true,
  serverEvents: [],
  warnings: [],
};

/** Every <text> below `el`, with the font size it inherits. */
function texts(el: XmlElement, fontPx = DEFAULT_FONT_PX): { el: XmlElement; fontPx: number }[] {
  const own = Number(el.attributes['font-size'] ?? fontPx);
  return [
    ...(el.name === 'text' ? [{ el, fontPx: own }] : []),
    ...el.children.flatMap((child) => texts(child, own)),
  ];
}

/** The estimated horizontal extent of a <text>, from its x, anchor and length. */
function extent(el: XmlElement, fontPx: number): { left: number; right: number } {
  const width = estimateTextWidthPx(el.text, fontPx, el.attributes['font-weight'] === 'bold');
  const x = Number(el.attributes.x);
  const anchor = el.attributes['text-anchor'] ?? 'start';
  const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
  return { left, right: left + width };
}

describe('renderTimelineSvg layout', () => {
  const root = parseXml(renderTimelineSvg(EDGY));
  const [, , viewWidth] = (root.attributes.viewBox ?? '').split(' ').map(Number);

  it('keeps the estimated extent of every text element inside the viewBox', () => {
    const all = texts(root);
    expect(all.length).toBeGreaterThan(10);
    const outside = all
      .map(({ el, fontPx }) => ({ text: el.text, ...extent(el, fontPx) }))
      .filter((t) => t.left < 0 || t.right > (viewWidth ?? 0));
    expect(outside).toEqual([]);
  });

  it('shortens a title wider than the picture with an ellipsis', () => {
    const title = texts(root).find(({ el }) => el.text.startsWith(EDGY.callSid));
    expect(title?.el.text.endsWith('…')).toBe(true);
  });
});
