import { describe, expect, it } from 'vitest';
import {
  parseMediaFast,
  parseTwilioJson,
  parseTwilioMessage,
} from '../../src/telephony/twilio/twilio-messages.js';
import { seededRandom } from '../../bench/harness/run-scenario.js';

// The hot path reads Twilio's media frames with regexes and a byte scan instead of JSON.parse.
// These tests hold it to the full parser on frames a seeded fuzzer builds: Twilio's media
// message with each member present or not, in either place, with values valid and not, and
// then, for some, a raw edit of the text or a byte that is not UTF-8.

type Random = () => number;
const pick = <T>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
/** Twilio's own form (the list's first) three times in four, else any of the list. */
const member = (random: Random, xs: readonly string[]): string =>
  random() < 0.75 ? xs[0]! : pick(random, xs);
const base64Of = (random: Random, bytes: number) =>
  Buffer.from(Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');

// Each member as Twilio writes it (first), as another JSON writer might, or as a forger would.
const SEQUENCE = [
  '"sequenceNumber":"3",',
  '',
  '"sequenceNumber":"007",',
  '"sequenceNumber":3,',
  '"sequenceNumber":"-1",',
  '"sequenceNumber":"1.5",',
  '"sequenceNumber":"12345678901234567",',
];
const SID = ['"MZ1"', '"MZ-_9az"', '"MZ\\"1"', '""', `"${'M'.repeat(65)}"`, '"MZé"', '3'];
const TRACK = [
  '"track":"inbound",',
  '',
  '"track":"outbound",',
  '"track":"inbound_track",',
  '"track":"",',
];
const CHUNK = ['"chunk":"2",', '', '"chunk":2,', '"chunk":"x",'];
const TIMESTAMP = [
  '"timestamp":"20",',
  '',
  '"timestamp":"",',
  '"timestamp":"1e3",',
  '"timestamp":"1234567890123456",',
  '"timestamp":20,',
];
const PAYLOAD_EDIT = ['', '=', '==', '===', 'é', '\\u0041', '\\/', ' ', '"', '\\"'];
const EXTRA = ['', '"x":1,', '"payload":"AAAA",'];
const RAW = ['"', '\\', '{', '}', ',', ':', ' ', '\n', '=', 'A', '0', 'é', '\u0000', 'null'];

function twilioLikeFrame(random: Random): Buffer {
  const sid = `"streamSid":${member(random, SID)}`;
  const payload = base64Of(random, 1 + Math.floor(random() * 200));
  const edit = random() < 0.3 ? pick(random, PAYLOAD_EDIT) : '';
  const editAt = Math.floor(random() * (payload.length + 1));
  const media =
    `"media":{${member(random, EXTRA)}${member(random, TRACK)}${member(random, CHUNK)}` +
    `${member(random, TIMESTAMP)}"payload":"${payload.slice(0, editAt)}${edit}${payload.slice(editAt)}"}`;
  const [before, after] = random() < 0.5 ? [`${sid},`, ''] : ['', `,${sid}`];
  const streamSidless = random() < 0.1;
  let text =
    `{"event":"media",${member(random, SEQUENCE)}${streamSidless ? '' : before}${media}` +
    `${streamSidless ? '' : after}}`;
  if (random() < 0.2) {
    const rawAt = Math.floor(random() * (text.length + 1));
    const cut = random() < 0.5 ? 1 : 0;
    text = text.slice(0, rawAt) + pick(random, RAW) + text.slice(rawAt + cut);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (random() >= 0.05) return bytes;
  // A byte that is not UTF-8, which the media socket no longer refuses.
  const at = Math.floor(random() * bytes.length);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
}

function frames(count: number, seed: number): Buffer[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => twilioLikeFrame(random));
}

describe('the media fast path', () => {
  it('reads every frame it accepts as the full parser reads it', () => {
    const disagreements: string[] = [];
    let answered = 0;
    for (const bytes of frames(20_000, 1)) {
      const text = bytes.toString('utf8');
      const fast = parseMediaFast(text, bytes);
      if (fast === undefined) continue;
      answered += 1;
      if (JSON.stringify(fast) !== JSON.stringify(parseTwilioJson(text, bytes))) {
        disagreements.push(text);
      }
    }
    expect(disagreements).toEqual([]);
    // The fuzzer reached the fast path often enough for the agreement to mean something.
    expect(answered).toBeGreaterThan(2_000);
  });

  it('hands the full parser every frame it cannot vouch for, which then often accepts it', () => {
    let handedOn = 0;
    let acceptedByFull = 0;
    for (const bytes of frames(20_000, 2)) {
      const text = bytes.toString('utf8');
      if (parseMediaFast(text, bytes) !== undefined) continue;
      handedOn += 1;
      if (parseTwilioJson(text, bytes).ok) acceptedByFull += 1;
    }
    // Shapes the fast path leaves alone (numbers for strings, an extra member, escapes) are
    // still read: the fast path narrows what is fast, never what is accepted.
    expect(handedOn).toBeGreaterThan(2_000);
    expect(acceptedByFull).toBeGreaterThan(500);
  });

  it('parses any frame without throwing, and names the reason for each one it refuses', () => {
    const unexplained: string[] = [];
    for (const bytes of frames(20_000, 3)) {
      const parsed = parseTwilioMessage(bytes.toString('utf8'), bytes);
      if (!parsed.ok && parsed.reason.length === 0) unexplained.push(bytes.toString('utf8'));
    }
    expect(unexplained).toEqual([]);
  });
});
