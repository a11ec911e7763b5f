/**
 * A small strict XML reader for TwiML: elements, attributes, text, the five named entities and
 * numeric character references, comments, CDATA and an XML declaration. No DTDs, no namespaces.
 * No XML parser ships in node_modules, and TwiML needs no more than this.
 */

/** One XML element: name, attributes (entities decoded), children and text content. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its descendants'), entities decoded, concatenated. */
  text: string;
}

/** Thrown when the document is not well-formed (within the subset above). */
export class XmlSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const NAME_RE = /^[A-Za-z_:][\w.:-]*/;

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const reader = new Reader(source);
  reader.skipProlog();
  const root = reader.element();
  reader.skipMisc();
  if (!reader.atEnd()) reader.fail('content after the root element');
  return root;
}

/** Decodes entity and character references in text or attribute values. */
export function decodeEntities(raw: string, position = 0): string {
  return raw.replace(/&([^;&\s]*);?/g, (match, ref: string) => {
    if (!match.endsWith(';'))
      throw new XmlSyntaxError(`unterminated reference "${match}"`, position);
    const named = NAMED_ENTITIES[ref];
    if (named !== undefined) return named;
    const numeric = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (numeric?.[1]) {
      const code = parseInt(numeric[1], ref.startsWith('#x') ? 16 : 10);
      if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    throw new XmlSyntaxError(`unknown entity "${match}"`, position);
  });
}

class Reader {
  #pos = 0;
  constructor(private readonly src: string) {}

  atEnd(): boolean {
    return this.#pos >= this.src.length;
  }

  fail(message: string): never {
    throw new XmlSyntaxError(message, this.#pos);
  }

  skipProlog(): void {
    if (this.src.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.skipWhitespace();
    if (this.src.startsWith('<?xml', this.#pos)) this.skipPast('?>');
    this.skipMisc();
    if (this.src.startsWith('<!DOCTYPE', this.#pos)) this.fail('DTDs are not supported');
  }

  /** Whitespace and comments between markup. */
  skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.src.startsWith('<!--', this.#pos)) this.skipPast('-->');
      else return;
    }
  }

  element(): XmlElement {
    this.expect('<');
    const name = this.name();
    const attributes = this.attributes();
    const el: XmlElement = { name, attributes, children: [], text: '' };
    if (this.src.startsWith('/>', this.#pos)) {
      this.#pos += 2;
      return el;
    }
    this.expect('>');
    this.content(el);
    this.expect('</');
    if (this.name() !== name) this.fail(`mismatched closing tag for <${name}>`);
    this.skipWhitespace();
    this.expect('>');
    return el;
  }

  private content(el: XmlElement): void {
    for (;;) {
      if (this.atEnd()) this.fail(`unclosed <${el.name}>`);
      if (this.src.startsWith('</', this.#pos)) return;
      if (this.src.startsWith('<!--', this.#pos)) this.skipPast('-->');
      else if (this.src.startsWith('<![CDATA[', this.#pos)) {
        const start = this.#pos + 9;
        this.skipPast(']]>');
        el.text += this.src.slice(start, this.#pos - 3);
      } else if (this.src[this.#pos] === '<') el.children.push(this.element());
      else el.text += this.text();
    }
  }

  private text(): string {
    const start = this.#pos;
    const end = this.src.indexOf('<', start);
    this.#pos = end === -1 ? this.src.length : end;
    const raw = this.src.slice(start, this.#pos);
    if (raw.includes('>') && raw.includes(']]>')) this.fail('"]]>" in text');
    return decodeEntities(raw, start);
  }

  private attributes(): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipWhitespace();
      const c = this.src[this.#pos];
      if (c === '>' || c === '/' || c === undefined) return attributes;
      if (!hadSpace) this.fail('expected whitespace before attribute');
      const name = this.name();
      this.skipWhitespace();
      this.expect('=');
      this.skipWhitespace();
      const quote = this.src[this.#pos];
      if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted');
      const start = ++this.#pos;
      const end = this.src.indexOf(quote, start);
      if (end === -1) this.fail('unterminated attribute value');
      const raw = this.src.slice(start, end);
      if (raw.includes('<')) this.fail('"<" in attribute value');
      if (name in attributes) this.fail(`duplicate attribute ${name}`);
      attributes[name] = decodeEntities(raw, start);
      this.#pos = end + 1;
    }
  }

  private name(): string {
    const match = NAME_RE.exec(this.src.slice(this.#pos, this.#pos + 200));
    if (!match) this.fail('expected a name');
    this.#pos += match[0].length;
    return match[0];
  }

  private expect(token: string): void {
    if (!this.src.startsWith(token, this.#pos)) this.fail(`expected "${token}"`);
    this.#pos += token.length;
  }

  private skipPast(token: string): void {
    const end = this.src.indexOf(token, this.#pos);
    if (end === -1) this.fail(`expected "${token}"`);
    this.#pos = end + token.length;
  }

  private skipWhitespace(): boolean {
    const start = this.#pos;
    while (/\s/.test(this.src[this.#pos] ?? '')) this.#pos++;
    return this.#pos > start;
  }
}
