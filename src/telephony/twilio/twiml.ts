/** TwiML documents the server answers with, built with twilio's own builder. */
// The builder's own module: the package's entry also loads its REST client (axios, jsonwebtoken,
// ~140 modules, 4 MB of idle RSS) that the server never calls.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CallOutcome } from '../telephony.js';

/** `<Connect action><Stream url>` with the call's data as `<Parameter>`s (never a query string). */
export function connectStreamTwiml(options: {
  streamUrl: string;
  actionUrl: string;
  parameters: Record<string, string>;
}): string {
  const response = new VoiceResponse();
  const connect = response.connect({ action: options.actionUrl, method: 'POST' });
  const stream = connect.stream({ url: options.streamUrl });
  for (const [name, value] of Object.entries(options.parameters)) {
    // Twilio refuses parameters of 500 characters or more.
    stream.parameter({ name, value: value.slice(0, 499) });
  }
  return response.toString();
}

/** Refuses a call politely while the server drains: the carrier plays a busy signal. */
export function busyTwiml(): string {
  const response = new VoiceResponse();
  response.reject({ reason: 'busy' });
  return response.toString();
}

/** What the call does after the media stream closed. */
export function outcomeTwiml(outcome: CallOutcome): string {
  const response = new VoiceResponse();
  switch (outcome.kind) {
    case 'hangup':
      response.hangup();
      break;
    case 'apologize_and_hangup':
      response.say(outcome.message);
      response.hangup();
      break;
    case 'transfer': {
      if (outcome.handoffMessage) response.say(outcome.handoffMessage);
      const dial = response.dial(outcome.callerId ? { callerId: outcome.callerId } : {});
      dial.number(outcome.to);
      break;
    }
  }
  return response.toString();
}
