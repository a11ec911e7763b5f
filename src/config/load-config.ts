/**
 * The one configuration loader: environment + `config/agent.json` + `config/tools.json`, all
 * validated at startup, every problem reported together, the result deeply frozen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';
import { ConfigError, type ConfigProblem } from './config-problem.js';
import { readEnv, type Env } from './env.js';
import { parseAgentConfig } from './agent-config.js';
import { parseToolsConfig } from './tools-config.js';
import { deepFreeze } from './deep-freeze.js';

function readJson(path: string, required: boolean, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    problems.push({ file: path, field: '/', message: `cannot be read (${code ?? String(err)})` });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push({
      file: path,
      field: '/',
      message: `is not valid JSON: ${(err as Error).message}`,
    });
    return undefined;
  }
}

function realtimeEndpoint(
  s: ReturnType<typeof readEnv>['settings'],
  model: string,
): { url: string; headers: Record<string, string> } {
  if (s.provider === 'azure') {
    // Azure GA: /openai/v1/realtime?model=<deployment>, api-key header, and no api-version
    // (the GA endpoint answers 401 to one).
    const base = new URL(s.azureEndpoint ?? 'https://invalid.example');
    base.protocol = base.protocol === 'http:' || base.protocol === 'ws:' ? 'ws:' : 'wss:';
    base.pathname = '/openai/v1/realtime';
    base.search = '';
    base.searchParams.set('model', s.azureDeployment ?? '');
    return { url: base.toString(), headers: { 'api-key': s.azureApiKey ?? '' } };
  }
  const url = new URL(s.openaiRealtimeUrl);
  url.searchParams.set('model', model);
  return { url: url.toString(), headers: { Authorization: `Bearer ${s.openaiApiKey ?? ''}` } };
}

/** Loads and validates everything; throws one ConfigError listing every problem. */
export function loadConfig(env: Env): AppConfig {
  const { settings, problems } = readEnv(env);
  const agentPath = settings.agentConfigPath ?? join(settings.configDir, 'agent.json');
  const toolsPath = settings.toolsConfigPath ?? join(settings.configDir, 'tools.json');

  const agentJson = readJson(agentPath, true, problems);
  const agent = agentJson === undefined ? undefined : parseAgentConfig(agentJson, agentPath);
  problems.push(...(agent?.problems ?? []));

  // No tools file is a valid configuration: an agent that only talks.
  const toolsJson = readJson(toolsPath, settings.toolsConfigPath !== undefined, problems) ?? {
    tools: [],
  };
  const tools = parseToolsConfig(toolsJson, toolsPath, env);
  problems.push(...tools.problems);

  if (problems.length > 0 || agent?.config === undefined || tools.config === undefined) {
    throw new ConfigError(problems);
  }
  const publicUrl = new URL(settings.publicUrl);
  const mediaStreamUrl = `${publicUrl.protocol === 'http:' ? 'ws' : 'wss'}://${publicUrl.host}/twilio/media`;
  const model = agent.config.model;

  return deepFreeze<AppConfig>({
    server: {
      host: settings.host,
      port: settings.port,
      publicUrl: publicUrl.origin,
      mediaStreamUrl,
      drainTimeoutMs: settings.drainTimeoutMs,
      maxMessageBytes: settings.maxMessageBytes,
      mediaStallTimeoutMs: settings.mediaStallTimeoutMs,
      maxConcurrentCalls: settings.maxConcurrentCalls === 0 ? null : settings.maxConcurrentCalls,
    },
    twilio: {
      authToken: settings.twilioAuthToken,
      validateSignatures: settings.validateSignatures,
    },
    realtime: {
      provider: settings.provider,
      ...realtimeEndpoint(settings, model),
      prewarmTimeoutMs: settings.prewarmTimeoutMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      pingIntervalMs: settings.pingIntervalMs,
      appendBatchFrames: settings.appendBatchFrames,
    },
    playback: { frameMs: settings.frameMs },
    agent: agent.config,
    tools: tools.config,
    log: { level: settings.logLevel, redactCallerData: settings.redactCallerData },
    captureDir: settings.captureDir,
    adminToken: settings.adminToken,
  });
}
