import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  joinUrl,
  randomSid,
  toServerUrl,
  twilioSignature,
} from '../../src/replay/twilio/twilio-signing.js';

const TOKEN = 'test-auth-token';

describe('twilioSignature', () => {
  it('produces a webhook signature that twilio.validateRequest accepts', () => {
    const url = 'https://pub.example/twilio/voice';
    const params = { CallSid: randomSid('CA'), From: '+15550001111', CallStatus: 'ringing' };
    const signature = twilioSignature(TOKEN, url, params);
    expect(twilio.validateRequest(TOKEN, signature, url, params)).toBe(true);
  });

  it('produces a media-socket signature over the wss URL with no params', () => {
    const url = 'wss://pub.example/twilio/media';
    expect(twilio.validateRequest(TOKEN, twilioSignature(TOKEN, url, {}), url, {})).toBe(true);
  });

  it('produces a signature that fails for another token', () => {
    const url = 'https://pub.example/twilio/voice';
    expect(twilio.validateRequest('other', twilioSignature(TOKEN, url, {}), url, {})).toBe(false);
  });
});

describe('randomSid', () => {
  it('makes a prefix followed by 32 hex digits', () => {
    expect(randomSid('MZ')).toMatch(/^MZ[0-9a-f]{32}$/);
  });
});

describe('toServerUrl', () => {
  it('maps a public https URL to the server address keeping path and query', () => {
    expect(toServerUrl('https://pub.example/twilio/call-end?x=1', 'http://127.0.0.1:8080')).toBe(
      'http://127.0.0.1:8080/twilio/call-end?x=1',
    );
  });

  it('maps a wss URL to ws on a plain-http server', () => {
    expect(toServerUrl('wss://pub.example/twilio/media', 'http://127.0.0.1:9')).toBe(
      'ws://127.0.0.1:9/twilio/media',
    );
  });

  it('resolves a relative URL against the server', () => {
    expect(toServerUrl('/twilio/media', 'http://127.0.0.1:9')).toBe(
      'http://127.0.0.1:9/twilio/media',
    );
  });
});

describe('joinUrl', () => {
  it('joins with exactly one slash', () => {
    expect(joinUrl('https://pub.example/', '/twilio/voice')).toBe(
      'https://pub.example/twilio/voice',
    );
  });
});
