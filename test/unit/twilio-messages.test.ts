import { describe, expect, it } from 'vitest';
import { parseTwilioMessage } from '../../src/telephony/twilio/twilio-messages.js';

const PAYLOAD = Buffer.alloc(160, 0x7f).toString('base64');
const twilioMedia = (payload = PAYLOAD, track = 'inbound') =>
  `{"event":"media","sequenceNumber":"3","media":{"track":"${track}","chunk":"2","timestamp":"20","payload":"${payload}"},"streamSid":"MZ1"}`;

describe('parseTwilioMessage', () => {
  it('reads a media message as Twilio writes it', () => {
    expect(parseTwilioMessage(twilioMedia())).toEqual({
      ok: true,
      sequenceNumber: 3,
      event: { type: 'media', payload: PAYLOAD, timestampMs: 20 },
    });
  });

  it('reads the media message with streamSid before media, as in Twilio’s reference', () => {
    const text = `{"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"${PAYLOAD}"}}`;
    expect(parseTwilioMessage(text)).toEqual(parseTwilioMessage(twilioMedia()));
  });

  it('reads the same media message with its keys in another order', () => {
    const reordered = JSON.stringify({
      streamSid: 'MZ1',
      media: { payload: PAYLOAD, timestamp: '20', track: 'inbound' },
      sequenceNumber: '3',
      event: 'media',
    });
    expect(parseTwilioMessage(reordered)).toEqual(parseTwilioMessage(twilioMedia()));
  });

  it('refuses a payload with characters outside base64, whichever path reads it', () => {
    for (const bad of ['AAA"', 'AA\\u0022AA', 'AAAA"}, "x":"', 'A=AA', '', 'AAA', 'AAé=', 'AAAé']) {
      expect(parseTwilioMessage(twilioMedia(bad))).toMatchObject({ ok: false });
    }
  });

  it('accepts one or two padding characters at the end only', () => {
    expect(parseTwilioMessage(twilioMedia('AAA='))).toMatchObject({ ok: true });
    expect(parseTwilioMessage(twilioMedia('AA=='))).toMatchObject({ ok: true });
    expect(parseTwilioMessage(twilioMedia('A==='))).toMatchObject({ ok: false });
  });

  it('skips media on a track other than the caller’s', () => {
    expect(parseTwilioMessage(twilioMedia(PAYLOAD, 'outbound'))).toEqual({
      ok: false,
      reason: 'media on track "outbound"',
      event: 'media',
    });
  });

  it('falls back to the full parser when a key is repeated, and reads the last value as JSON does', () => {
    const repeated = `{"event":"media","media":{"payload":"AAAA","payload":"${PAYLOAD}"}}`;
    expect(parseTwilioMessage(repeated)).toMatchObject({ ok: true, event: { payload: PAYLOAD } });
  });

  it('reads start with its custom parameters and refuses a streamSid outside Twilio’s alphabet', () => {
    const start = (streamSid: string) =>
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        start: {
          streamSid,
          callSid: 'CA1',
          accountSid: 'AC1',
          customParameters: { from: '+1555' },
        },
      });
    expect(parseTwilioMessage(start('MZ1'))).toMatchObject({
      ok: true,
      event: {
        type: 'start',
        streamSid: 'MZ1',
        callSid: 'CA1',
        customParameters: { from: '+1555' },
      },
    });
    expect(parseTwilioMessage(start('MZ"1'))).toMatchObject({ ok: false });
  });

  it('names what is wrong with a frame that is not Twilio’s', () => {
    expect(parseTwilioMessage('{oops')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseTwilioMessage('[1]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parseTwilioMessage('{"event":"mark"}')).toMatchObject({ reason: 'mark without name' });
  });

  it('refuses bytes that are not UTF-8, which the socket no longer checks', () => {
    const bytes = Buffer.from('{"event":"mark","mark":{"name":"a\xff"}}', 'latin1');
    expect(parseTwilioMessage(bytes.toString('utf8'), bytes)).toEqual({
      ok: false,
      reason: 'not UTF-8 text',
    });
    const media = Buffer.from(twilioMedia('AAA\xff'), 'latin1');
    expect(parseTwilioMessage(media.toString('utf8'), media)).toMatchObject({ ok: false });
  });
});
