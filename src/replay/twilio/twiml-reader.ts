/**
 * Reads the TwiML the server answers with into a list of verbs, the way Twilio would act on it:
 * `<Connect><Stream>` for the media stream, then `<Say>`, `<Dial>`, `<Hangup>`, `<Reject>` for the
 * call's outcome. Strict: a document that is not TwiML is an error, not a guess.
 */
import { parseXml, type XmlElement } from './xml-reader.js';

/** The `<Stream>` of a `<Connect>`: where to open the media socket and what to pass. */
export interface StreamSpec {
  url: string;
  name?: string;
  parameters: Record<string, string>;
}

/** One TwiML verb, as much of it as the replay acts on or reports. */
export type TwimlVerb =
  | { verb: 'Connect'; action?: string; method?: string; stream?: StreamSpec }
  | { verb: 'Reject'; reason?: string }
  | { verb: 'Hangup' }
  | { verb: 'Say'; text: string; voice?: string; language?: string }
  | { verb: 'Dial'; number: string; callerId?: string }
  | { verb: 'Pause'; lengthS: number }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Other'; name: string };

/** Thrown when the text is not a TwiML `<Response>`. */
export class TwimlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

/** Parses a TwiML document into its verbs, in order. */
export function readTwiml(xml: string): TwimlVerb[] {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new TwimlError(`not well-formed XML: ${(err as Error).message}`);
  }
  if (root.name !== 'Response')
    throw new TwimlError(`root element is <${root.name}>, not <Response>`);
  return root.children.map(readVerb);
}

/** The `<Connect>` verb with a `<Stream>`, if the TwiML has one. */
export function findConnectStream(
  verbs: TwimlVerb[],
): (TwimlVerb & { verb: 'Connect'; stream: StreamSpec }) | undefined {
  for (const v of verbs) if (v.verb === 'Connect' && v.stream) return { ...v, stream: v.stream };
  return undefined;
}

/** A one-line human reading of verbs, e.g. `Say "Goodbye" → Hangup`. */
export function describeVerbs(verbs: TwimlVerb[]): string {
  if (verbs.length === 0) return '(empty response: Twilio hangs up)';
  return verbs.map(describeVerb).join(' → ');
}

function describeVerb(v: TwimlVerb): string {
  switch (v.verb) {
    case 'Say':
      return `Say ${JSON.stringify(v.text)}`;
    case 'Dial':
      return `Dial ${v.number}${v.callerId ? ` (callerId ${v.callerId})` : ''}`;
    case 'Reject':
      return `Reject${v.reason ? ` (${v.reason})` : ''}`;
    case 'Pause':
      return `Pause ${v.lengthS}s`;
    case 'Redirect':
      return `Redirect ${v.url}`;
    case 'Connect':
      return `Connect${v.stream ? ` Stream ${v.stream.url}` : ''}`;
    case 'Other':
      return `<${v.name}>`;
    default:
      return v.verb;
  }
}

function readVerb(el: XmlElement): TwimlVerb {
  const a = el.attributes;
  switch (el.name) {
    case 'Connect':
      return {
        verb: 'Connect',
        ...opt('action', a.action),
        ...opt('method', a.method),
        ...opt('stream', readStream(el)),
      };
    case 'Reject':
      return { verb: 'Reject', ...opt('reason', a.reason) };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Say':
      return {
        verb: 'Say',
        text: el.text.trim(),
        ...opt('voice', a.voice),
        ...opt('language', a.language),
      };
    case 'Dial': {
      const number = el.children.find((c) => c.name === 'Number')?.text ?? el.text;
      return { verb: 'Dial', number: number.trim(), ...opt('callerId', a.callerId) };
    }
    case 'Pause':
      return { verb: 'Pause', lengthS: Number(a.length ?? 1) };
    case 'Redirect':
      return { verb: 'Redirect', url: el.text.trim() };
    default:
      return { verb: 'Other', name: el.name };
  }
}

function readStream(connect: XmlElement): StreamSpec | undefined {
  const el = connect.children.find((c) => c.name === 'Stream');
  if (!el) return undefined;
  const url = el.attributes.url;
  if (!url) throw new TwimlError('<Stream> has no url attribute');
  const parameters: Record<string, string> = {};
  for (const p of el.children.filter((c) => c.name === 'Parameter')) {
    const { name, value } = p.attributes;
    if (name === undefined || value === undefined) {
      throw new TwimlError('<Parameter> needs both name and value');
    }
    parameters[name] = value;
  }
  return { url, ...opt('name', el.attributes.name), parameters };
}

/** `{ [key]: value }` when value is defined, `{}` otherwise (keeps optional fields absent). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
