/**
 * Builds the application: express + express-ws with every route, and the call registry behind
 * them. No listen(): main.ts listens, tests listen on port 0.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import express from 'express';
import expressWs from 'express-ws';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { CallRegistry } from './call/call-registry.js';
import type { CallControlTools } from './call/call-session.js';
import { OpenAIConnector } from './realtime/openai/openai-connector.js';
import type { RealtimeConnector } from './realtime/realtime.js';
import { ConnectActionControl } from './telephony/twilio/connect-action-control.js';
import { isValidStreamSignature } from './telephony/twilio/twilio-signature.js';
import { builtinToolDefinitions, resolveTransferDestination } from './tools/builtin-tools.js';
import { createHttpToolRunner } from './tools/http-tool-runner.js';
import type { ToolRunner } from './tools/tool-runner.js';
import { adminRoutes } from './http/admin-routes.js';
import { healthRoutes } from './http/health-routes.js';
import { MediaStreamHandler } from './http/media-stream-handler.js';
import { Metrics } from './observability/metrics.js';
import { EventLoopDelay } from './observability/event-loop-delay.js';
import { voiceRoutes } from './http/voice-routes.js';

export const MEDIA_PATH = '/twilio/media';

// ws closes a connection whose single message exceeds this (1009); messages above the configured
// soft cap but below this are skipped with a log line instead.
const HARD_MAX_PAYLOAD_BYTES = 1_048_576;

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  /** Defaults to OpenAI/Azure per config; tests and the demo pass their own. */
  connector?: RealtimeConnector;
  tools?: ToolRunner;
  now?: () => number;
}

export interface SwitchboardApp {
  app: expressWs.Application;
  registry: CallRegistry;
  /** Releases timers held by the app and closes every WebSocket still open (after a drain). */
  dispose(): void;
}

export function createApp(deps: AppDeps): SwitchboardApp {
  const { config, logger } = deps;
  const now = deps.now ?? (() => performance.now());
  const registry = new CallRegistry(
    config.realtime.prewarmTimeoutMs,
    logger,
    config.server.maxConcurrentCalls,
  );
  const connector = deps.connector ?? new OpenAIConnector(config, logger);
  const tools =
    deps.tools ?? createHttpToolRunner(config.tools, logger.child({ component: 'tools' }));
  const toolDefinitions = [...tools.definitions(), ...builtinToolDefinitions(config.tools)];
  const control = new ConnectActionControl();
  const loopDelay = new EventLoopDelay();
  const metrics = new Metrics(
    () => ({
      activeCalls: registry.activeCount,
      prewarmedSessions: registry.prewarmedCount,
      maxCalls: registry.maxCalls,
    }),
    () => loopDelay.takeInterval(),
  );
  const transferConfig = config.tools.builtins.transferCall;
  const callControlTools: CallControlTools = {
    endCallEnabled: config.tools.builtins.endCall.enabled,
    transfer: (name) => {
      // Undefined when transfer is off or the name is not a configured destination.
      const to = resolveTransferDestination(config.tools, name);
      if (!to) return undefined;
      return {
        to,
        ...(transferConfig.callerId ? { callerId: transferConfig.callerId } : {}),
        ...(transferConfig.handoffMessage ? { handoffMessage: transferConfig.handoffMessage } : {}),
      };
    },
  };

  const base = express();
  base.disable('x-powered-by');
  // The media socket's signature is checked before the WebSocket handshake completes, so an
  // unsigned client gets a plain 403 and never reaches the model.
  const verifyClient = (
    info: { req: IncomingMessage },
    done: (ok: boolean, code?: number, message?: string) => void,
  ): void => {
    const path = info.req.url ?? '';
    if (path.split('?')[0] !== MEDIA_PATH) return done(false, 404, 'Not Found');
    if (registry.isDraining) return done(false, 503, 'Draining');
    if (!config.twilio.validateSignatures) return done(true);
    const signature = info.req.headers['x-twilio-signature'];
    const ok =
      typeof signature === 'string' &&
      config.twilio.authToken !== undefined &&
      isValidStreamSignature(
        config.twilio.authToken,
        signature,
        config.server.mediaStreamUrl,
        path,
      );
    if (!ok) {
      logger.warn(
        { path: path.split('?')[0], signed: signature !== undefined },
        'media socket refused: bad signature',
      );
      return done(false, 403, 'Forbidden');
    }
    done(true);
  };
  const { app, getWss } = expressWs(base, undefined, {
    wsOptions: {
      verifyClient,
      maxPayload: HARD_MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      // The frame parser checks the bytes itself (ASCII on the media fast path, UTF-8 on the
      // rest), so a bad frame is skipped with a log line instead of `ws` failing the call's
      // socket with 1007, and a media frame is not scanned twice.
      skipUTF8Validation: true,
    },
  });

  app.use(healthRoutes(registry));
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(metrics.render());
  });
  app.use(
    voiceRoutes({ config, registry, connector, tools: toolDefinitions, control, logger, metrics }),
  );
  if (config.adminToken) app.use(adminRoutes(registry, config.adminToken));
  app.ws(MEDIA_PATH, (ws) => {
    new MediaStreamHandler(ws, {
      config,
      registry,
      connector,
      control,
      tools,
      toolDefinitions,
      callControlTools,
      logger,
      metrics,
      now,
    });
  });
  return {
    app,
    registry,
    dispose: () => {
      control.close();
      loopDelay.stop();
      // Upgraded sockets keep server.close() waiting; a stream whose call ended may linger.
      for (const ws of getWss().clients) ws.close(1001, 'server shutting down');
    },
  };
}
