import { describe, expect, it } from 'vitest';
import {
  TwimlError,
  describeVerbs,
  findConnectStream,
  readTwiml,
} from '../../src/replay/twilio/twiml-reader.js';
import { XmlSyntaxError, parseXml } from '../../src/replay/twilio/xml-reader.js';

const CONNECT = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect action="https://pub.example/twilio/call-end?a=1&amp;b=2"><Stream url="wss://pub.example/twilio/media"><Parameter name="from" value="+15550001111"/><Parameter name="note" value="Tom &amp; Jerry &lt;3 &#x263A;"/></Stream></Connect></Response>`;

describe('readTwiml', () => {
  it('reads the stream URL, action and parameters of a Connect', () => {
    const connect = findConnectStream(readTwiml(CONNECT));
    expect(connect).toEqual({
      verb: 'Connect',
      action: 'https://pub.example/twilio/call-end?a=1&b=2',
      stream: {
        url: 'wss://pub.example/twilio/media',
        parameters: { from: '+15550001111', note: 'Tom & Jerry <3 ☺' },
      },
    });
  });

  it('reads a Reject with its reason', () => {
    expect(readTwiml('<Response><Reject reason="busy"/></Response>')).toEqual([
      { verb: 'Reject', reason: 'busy' },
    ]);
  });

  it('reads Say then Hangup as the outcome', () => {
    const verbs = readTwiml('<Response><Say>Sorry, goodbye.</Say><Hangup/></Response>');
    expect(describeVerbs(verbs)).toBe('Say "Sorry, goodbye." → Hangup');
  });

  it('reads the number and callerId of a Dial', () => {
    expect(
      readTwiml('<Response><Dial callerId="+15550009999">+15551234567</Dial></Response>'),
    ).toEqual([{ verb: 'Dial', number: '+15551234567', callerId: '+15550009999' }]);
  });

  it('reads a Dial whose number is a Number element', () => {
    const [dial] = readTwiml('<Response><Dial><Number>+15551234567</Number></Dial></Response>');
    expect(dial).toEqual({ verb: 'Dial', number: '+15551234567' });
  });

  it('finds no stream in TwiML without a Connect', () => {
    expect(findConnectStream(readTwiml('<Response><Hangup/></Response>'))).toBeUndefined();
  });

  it('refuses a document whose root is not Response', () => {
    expect(() => readTwiml('<Reply/>')).toThrow(TwimlError);
  });

  it('refuses a Parameter without a value', () => {
    const xml =
      '<Response><Connect><Stream url="wss://x/m"><Parameter name="a"/></Stream></Connect></Response>';
    expect(() => readTwiml(xml)).toThrow(/name and value/);
  });
});

describe('parseXml', () => {
  it('refuses mismatched closing tags', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(XmlSyntaxError);
  });

  it('refuses an unknown entity', () => {
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
  });

  it('refuses content after the root element', () => {
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
  });

  it('keeps CDATA text verbatim and skips comments', () => {
    expect(parseXml('<a><!-- hi --><![CDATA[x & <y>]]></a>').text).toBe('x & <y>');
  });

  it('reads single-quoted attributes', () => {
    expect(parseXml("<a k='v &quot;q&quot;'/>").attributes).toEqual({ k: 'v "q"' });
  });
});
