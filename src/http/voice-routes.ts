/**
 * Twilio's HTTP side of a call: the voice webhook that answers with `<Connect><Stream>` (and
 * pre-warms the model while the phone rings), and the `<Connect action>` that says what happens
 * after the stream.
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import type { CallRegistry } from '../call/call-registry.js';
import type { RealtimeConnector, ToolDefinition } from '../realtime/realtime.js';
import type { ConnectActionControl } from '../telephony/twilio/connect-action-control.js';
import type { Metrics } from '../observability/metrics.js';
import { busyTwiml, connectStreamTwiml, outcomeTwiml } from '../telephony/twilio/twiml.js';
import { requireTwilioSignature } from './twilio-webhook-auth.js';

export const VOICE_PATH = '/twilio/voice';
export const CALL_END_PATH = '/twilio/call-end';

const CALL_SID_RE = /^CA[0-9a-fA-F]{32}$/;

export function voiceRoutes(deps: {
  config: AppConfig;
  registry: CallRegistry;
  connector: RealtimeConnector;
  tools: ToolDefinition[];
  control: ConnectActionControl;
  logger: Logger;
  metrics: Pick<Metrics, 'callRefused'>;
}): Router {
  const { config, registry, connector, control, logger, metrics } = deps;
  const router = express.Router();
  const twilioOnly = [
    // Twilio posts at most a few KB of form fields.
    express.urlencoded({ extended: false, limit: '64kb' }),
    requireTwilioSignature({
      authToken: config.twilio.authToken,
      enabled: config.twilio.validateSignatures,
      publicUrl: config.server.publicUrl,
      logger,
    }),
  ];

  router.post(VOICE_PATH, ...twilioOnly, (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const callSid = body.CallSid ?? '';
    res.type('text/xml');
    if (!CALL_SID_RE.test(callSid)) {
      logger.warn('voice webhook without a valid CallSid');
      res.status(400).send(busyTwiml());
      return;
    }
    const log = logger.child({ callSid });
    const refusal = registry.newCallRefusal(callSid);
    if (refusal) {
      metrics.callRefused(refusal);
      if (refusal === 'draining') log.info('draining: new call refused as busy');
      else {
        log.warn(
          { calls: registry.callsBesides(callSid), maxCalls: registry.maxCalls },
          'at MAX_CONCURRENT_CALLS: new call refused as busy',
        );
      }
      res.send(busyTwiml());
      return;
    }
    // Open the model session now, while the phone rings: it is ready when the stream starts.
    registry.prewarm(callSid, connector.open({ callSid, tools: deps.tools }));
    log.info('incoming call answered with a media stream');
    log.debug({ caller: { from: body.From, to: body.To } }, 'caller');
    res.send(
      connectStreamTwiml({
        streamUrl: config.server.mediaStreamUrl,
        actionUrl: config.server.publicUrl + CALL_END_PATH,
        parameters: { from: body.From ?? '', to: body.To ?? '', callSid },
      }),
    );
  });

  router.post(CALL_END_PATH, ...twilioOnly, (req, res) => {
    const callSid = (req.body as Record<string, string | undefined>).CallSid ?? '';
    const outcome = control.take(callSid) ?? {
      // The stream ended without a decision of ours (a crash, a lost socket): never dead air.
      kind: 'apologize_and_hangup' as const,
      reason: 'stream ended unexpectedly',
      message: config.agent.failureMessage,
    };
    logger.info(
      { callSid, outcome: outcome.kind, reason: outcome.reason },
      'call handed back to Twilio',
    );
    res.type('text/xml').send(outcomeTwiml(outcome));
  });

  return router;
}
