/** Parses `config/agent.json` against `config/agent.schema.json`, filling phone-tuned defaults. */
import { Ajv } from 'ajv';
import agentSchema from '../../config/agent.schema.json' with { type: 'json' };
import type { AgentConfig, TurnDetection } from './app-config.js';
import type { ConfigProblem } from './config-problem.js';
import { schemaProblems } from './schema-problems.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(agentSchema);

/**
 * Server VAD for the phone. threshold 0.55: a notch above the service default because PSTN lines
 * carry hiss and clicks that would otherwise cut the bot off. prefixPaddingMs 300: keeps the
 * first syllable. silenceDurationMs 600: callers on a phone pause mid-sentence; 100 ms more than
 * the default costs 100 ms of reply latency and saves many cut-off callers.
 */
const PHONE_SERVER_VAD = { threshold: 0.55, prefixPaddingMs: 300, silenceDurationMs: 600 };

interface RawTurnDetection {
  type: 'server_vad' | 'semantic_vad';
  threshold?: number;
  prefixPaddingMs?: number;
  silenceDurationMs?: number;
  idleTimeoutMs?: number | null;
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
  createResponse: boolean;
  interruptResponse: boolean;
}

/** Validates the parsed agent file; returns the config with defaults, or the problems. */
export function parseAgentConfig(
  json: unknown,
  file: string,
): { config?: AgentConfig; problems: ConfigProblem[] } {
  const data = structuredClone(json);
  if (!validate(data)) return { problems: schemaProblems(file, validate.errors) };
  const raw = data as Omit<AgentConfig, 'turnDetection'> & { turnDetection: RawTurnDetection };
  const td = raw.turnDetection;
  const problems: ConfigProblem[] = [];
  let turnDetection: TurnDetection;
  if (td.type === 'server_vad') {
    if (td.eagerness !== undefined) {
      problems.push({
        file,
        field: '/turnDetection/eagerness',
        message: 'applies to semantic_vad only',
      });
    }
    turnDetection = {
      type: 'server_vad',
      threshold: td.threshold ?? PHONE_SERVER_VAD.threshold,
      prefixPaddingMs: td.prefixPaddingMs ?? PHONE_SERVER_VAD.prefixPaddingMs,
      silenceDurationMs: td.silenceDurationMs ?? PHONE_SERVER_VAD.silenceDurationMs,
      idleTimeoutMs: td.idleTimeoutMs ?? null,
      createResponse: td.createResponse,
      interruptResponse: td.interruptResponse,
    };
  } else {
    for (const key of [
      'threshold',
      'prefixPaddingMs',
      'silenceDurationMs',
      'idleTimeoutMs',
    ] as const) {
      if (td[key] !== undefined) {
        problems.push({
          file,
          field: `/turnDetection/${key}`,
          message: 'applies to server_vad only',
        });
      }
    }
    turnDetection = {
      type: 'semantic_vad',
      eagerness: td.eagerness ?? 'auto',
      createResponse: td.createResponse,
      interruptResponse: td.interruptResponse,
    };
  }
  if (problems.length > 0) return { problems };
  return { config: { ...raw, turnDetection }, problems };
}
