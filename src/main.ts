/**
 * Composition root: configuration, logger, app, listen, and the SIGTERM drain (readiness goes
 * false, new calls hear busy, calls in progress finish, then the process exits).
 */
import type { Server } from 'node:http';
import { loadConfig } from './config/load-config.js';
import { ConfigError } from './config/config-problem.js';
import { createLogger } from './observability/logger.js';
import { createApp } from './app.js';

function start(): void {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    // Configuration problems are for the operator starting the server: all of them, plainly.
    const bootLog = createLogger({ level: 'info', redactCallerData: true });
    if (err instanceof ConfigError) {
      bootLog.fatal({ problems: err.problems }, err.message);
    } else {
      bootLog.fatal({ err }, 'could not load configuration');
    }
    process.exitCode = 1;
    return;
  }

  const logger = createLogger(config.log);
  if (!config.twilio.validateSignatures) {
    logger.warn(
      '!!! INSECURE_SKIP_TWILIO_SIGNATURE is set: anyone who finds this server can open model sessions on your key. Development only. !!!',
    );
  }
  const { app, registry, dispose } = createApp({ config, logger });
  const server: Server = app.listen(config.server.port, config.server.host, () => {
    const address = server.address();
    logger.info(
      {
        address:
          typeof address === 'object' && address ? `${address.address}:${address.port}` : address,
        publicUrl: config.server.publicUrl,
        provider: config.realtime.provider,
        tools: config.tools.tools.map((t) => t.name),
      },
      'switchboard listening',
    );
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, activeCalls: registry.activeCount }, 'draining: no new calls');
    const deadline = setTimeout(() => {
      logger.warn({ activeCalls: registry.activeCount }, 'drain deadline reached; ending calls');
      registry.closeAll();
    }, config.server.drainTimeoutMs);
    void registry.drain().then(() => {
      clearTimeout(deadline);
      dispose();
      server.close(() => logger.info('stopped'));
      server.closeAllConnections();
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

start();
