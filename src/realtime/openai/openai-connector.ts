/** Opens OpenAI / Azure OpenAI realtime sessions with the configured endpoint and agent. */
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import type { RealtimeConnector, RealtimeSession, ToolDefinition } from '../realtime.js';
import { OpenAIRealtimeSession } from './openai-realtime-session.js';

export class OpenAIConnector implements RealtimeConnector {
  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
  ) {}

  open(context: { callSid: string; tools: ToolDefinition[] }): RealtimeSession {
    return new OpenAIRealtimeSession({
      url: this.config.realtime.url,
      headers: this.config.realtime.headers,
      agent: this.config.agent,
      tools: context.tools,
      connectTimeoutMs: this.config.realtime.connectTimeoutMs,
      pingIntervalMs: this.config.realtime.pingIntervalMs,
      appendBatchFrames: this.config.realtime.appendBatchFrames,
      logger: this.logger.child({ callSid: context.callSid, component: 'realtime' }),
    });
  }
}
