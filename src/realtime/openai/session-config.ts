/** The GA `session.update` for a phone call, complete every time (a partial one once reset audio). */
import type { AgentConfig } from '../../config/app-config.js';
import type { ToolDefinition } from '../realtime.js';
import type { RealtimeSessionCreateRequest } from './wire-types.js';

/** Builds the whole session: µ-law both ways, turn detection, transcription, tools. */
export function buildSession(
  agent: AgentConfig,
  tools: ToolDefinition[],
): RealtimeSessionCreateRequest {
  const td = agent.turnDetection;
  const turnDetection =
    td.type === 'server_vad'
      ? {
          type: 'server_vad' as const,
          threshold: td.threshold,
          prefix_padding_ms: td.prefixPaddingMs,
          silence_duration_ms: td.silenceDurationMs,
          create_response: td.createResponse,
          interrupt_response: td.interruptResponse,
          idle_timeout_ms: td.idleTimeoutMs,
        }
      : {
          type: 'semantic_vad' as const,
          eagerness: td.eagerness,
          create_response: td.createResponse,
          interrupt_response: td.interruptResponse,
        };
  return {
    type: 'realtime',
    output_modalities: ['audio'],
    instructions: agent.instructions,
    audio: {
      input: {
        format: { type: 'audio/pcmu' },
        turn_detection: turnDetection,
        transcription: agent.inputTranscription
          ? {
              model: agent.inputTranscription.model as never,
              ...(agent.inputTranscription.language
                ? { language: agent.inputTranscription.language }
                : {}),
              ...(agent.inputTranscription.prompt
                ? { prompt: agent.inputTranscription.prompt }
                : {}),
            }
          : null,
        noise_reduction: agent.noiseReduction ? { type: agent.noiseReduction } : null,
      },
      output: { format: { type: 'audio/pcmu' }, voice: agent.voice, speed: agent.speed },
    },
    tools: tools.map((t) => ({
      type: 'function' as const,
      name: t.name,
      description: t.description,
      parameters: t.parameters,
    })),
    tool_choice: 'auto',
  } as RealtimeSessionCreateRequest;
}
