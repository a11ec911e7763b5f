/** Reading what the server sent the fake model: function outputs and the control sequence. */
import request from 'supertest';
import twilio from 'twilio';
import type { ClientEvent } from '../fakes/fake-realtime-server.js';
import type { CallHarness } from './call-harness.js';
import { AUTH_TOKEN, PUBLIC_URL } from './test-server.js';

/** The `call_id` of a `conversation.item.create` (function output), if it has one. */
export const itemCallId = (e: ClientEvent): string | undefined =>
  (e.item as { call_id?: string } | undefined)?.call_id;

/** The output the server sent for `callId`, parsed. */
export async function outputFor(
  harness: CallHarness,
  callId: string,
): Promise<Record<string, unknown>> {
  const event = await harness.model.waitFor(
    'conversation.item.create',
    (e) => itemCallId(e) === callId,
  );
  return JSON.parse((event.item as { output: string }).output) as Record<string, unknown>;
}

/** Client events other than audio, as `type` or `output:<call_id>` for function outputs. */
export function controlLog(harness: CallHarness): string[] {
  return harness.model
    .controlEvents()
    .map((e) => (e.type === 'conversation.item.create' ? `output:${itemCallId(e)}` : e.type));
}

/** What Twilio gets from the `<Connect action>` URL once the stream closed, signed as Twilio signs. */
export async function callEndTwiml(
  harness: CallHarness,
): Promise<{ status: number; text: string }> {
  const body = {
    CallSid: harness.caller.callSid,
    AccountSid: `AC${'0'.repeat(32)}`,
    CallStatus: 'in-progress',
  };
  const res = await request(harness.server.httpUrl)
    .post('/twilio/call-end')
    .set(
      'X-Twilio-Signature',
      twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/call-end`, body),
    )
    .type('form')
    .send(body);
  return { status: res.status, text: res.text };
}
