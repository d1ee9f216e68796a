// The streaming snippets under snippets/: reading their files, filling in a Kafka bootstrap string and
// rendering a body as plain text. The snippet files are the one source of truth: VS Code offers them
// as completions, the "Insert Streaming Snippet…" command and the tests read them through this module.
// No `vscode` import here.

export type SnippetLanguage = 'python' | 'scala';

export const SNIPPET_LANGUAGES: readonly SnippetLanguage[] = ['python', 'scala'];

/** The snippet file of each language, relative to the extension's folder (as in package.json). */
export const SNIPPET_FILES: Readonly<Record<SnippetLanguage, string>> = {
  python: 'snippets/pyspark.json',
  scala: 'snippets/scala.json',
};

/** The default text of the placeholder that stands for the Kafka bootstrap servers in every snippet. */
export const BOOTSTRAP_DEFAULT = 'wn0-kafka:9092,wn1-kafka:9092';

export interface StreamingSnippet {
  /** The key in the snippet file. */
  name: string;
  /** What the user types, and what the command takes as `snippet`. */
  prefix: string;
  /** The body in VS Code snippet syntax, lines joined with \n. */
  body: string;
  description: string;
}

/** Reads a snippet file (plain JSON): each entry needs a string prefix, a body and a description. */
export function parseSnippetFile(text: string, file: string): StreamingSnippet[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file} must hold a JSON object of snippets.`);
  return Object.entries(json as Record<string, unknown>).map(([name, value]) => {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const { prefix, body, description } = entry;
    const lines = typeof body === 'string' ? [body] : body;
    if (typeof prefix !== 'string' || !prefix) throw new Error(`Snippet "${name}" in ${file} needs a string prefix.`);
    if (!Array.isArray(lines) || lines.length === 0 || !lines.every((l) => typeof l === 'string')) {
      throw new Error(`Snippet "${name}" in ${file} needs a body: a string or an array of lines.`);
    }
    if (typeof description !== 'string' || !description) throw new Error(`Snippet "${name}" in ${file} needs a description.`);
    return { name, prefix, body: lines.join('\n'), description };
  });
}

// --- VS Code snippet syntax -------------------------------------------------------------------

export type SnippetNode =
  | { kind: 'text'; value: string }
  | { kind: 'tabstop'; index: number; children?: SnippetNode[] }
  | { kind: 'choice'; index: number; options: string[] }
  | { kind: 'variable'; name: string; children?: SnippetNode[] };

/**
 * Parses snippet syntax: `$1`, `${1}`, `${1:default}` (nested), `${1|a,b|}`, `$NAME`, `${NAME}`,
 * `${NAME:default}`, and the escapes `\$`, `\}`, `\\`. Like VS Code, a `$` that starts nothing valid
 * (a transform, say) stays text.
 */
export function parseSnippet(body: string): SnippetNode[] {
  return new Parser(body).parse(false);
}

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(inside: boolean): SnippetNode[] {
    const nodes: SnippetNode[] = [];
    let text = '';
    const flush = (): void => {
      if (text) nodes.push({ kind: 'text', value: text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      const next = this.src[this.pos + 1];
      if (c === '\\' && next !== undefined && '$}\\'.includes(next)) {
        text += next;
        this.pos += 2;
        continue;
      }
      if (c === '}' && inside) break;
      if (c === '$') {
        const node = this.dollar();
        if (node) {
          flush();
          nodes.push(node);
          continue;
        }
      }
      text += c;
      this.pos++;
    }
    flush();
    return nodes;
  }

  private dollar(): SnippetNode | undefined {
    const start = this.pos;
    const rest = this.src.slice(start);
    let m = /^\$(\d+)/.exec(rest) ?? /^\$\{(\d+)\}/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'tabstop', index: Number(m[1]) };
    }
    m = /^\$([_a-zA-Z]\w*)/.exec(rest) ?? /^\$\{([_a-zA-Z]\w*)\}/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'variable', name: m[1] };
    }
    m = /^\$\{(\d+)\|/.exec(rest);
    if (m) {
      const options = this.choiceOptions(start + m[0].length);
      if (options) return { kind: 'choice', index: Number(m[1]), options };
      return undefined;
    }
    m = /^\$\{(\d+|[_a-zA-Z]\w*):/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      const children = this.parse(true);
      if (this.src[this.pos] === '}') {
        this.pos++;
        return /^\d/.test(m[1]) ? { kind: 'tabstop', index: Number(m[1]), children } : { kind: 'variable', name: m[1], children };
      }
      this.pos = start;
    }
    return undefined;
  }

  /** The options of `${1|a,b|}` from just after the first `|`; undefined (position unchanged) if unterminated. */
  private choiceOptions(from: number): string[] | undefined {
    const options: string[] = [];
    let option = '';
    for (let i = from; i < this.src.length; i++) {
      const c = this.src[i];
      const next = this.src[i + 1];
      if (c === '\\' && next !== undefined && ',|\\'.includes(next)) {
        option += next;
        i++;
      } else if (c === ',') {
        options.push(option);
        option = '';
      } else if (c === '|' && next === '}') {
        options.push(option);
        this.pos = i + 2;
        return options;
      } else {
        option += c;
      }
    }
    return undefined;
  }
}

/** Escapes text for snippet syntax, as `SnippetString.appendText` does. */
export function escapeSnippetText(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

/** Nodes back to snippet syntax. */
export function serializeSnippet(nodes: SnippetNode[]): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'text':
          return escapeSnippetText(n.value);
        case 'tabstop':
          return n.children ? `\${${n.index}:${serializeSnippet(n.children)}}` : `\${${n.index}}`;
        case 'choice':
          return `\${${n.index}|${n.options.map((o) => o.replace(/[,|\\]/g, '\\$&')).join(',')}|}`;
        case 'variable':
          return n.children ? `\${${n.name}:${serializeSnippet(n.children)}}` : `\${${n.name}}`;
      }
    })
    .join('');
}

function walk(nodes: SnippetNode[], visit: (n: SnippetNode) => void): void {
  for (const n of nodes) {
    visit(n);
    if ((n.kind === 'tabstop' || n.kind === 'variable') && n.children) walk(n.children, visit);
  }
}

/** Each tabstop's default: the first placeholder or choice with that index, as VS Code mirrors it. */
function tabstopDefaults(nodes: SnippetNode[]): Map<number, SnippetNode[]> {
  const defaults = new Map<number, SnippetNode[]>();
  walk(nodes, (n) => {
    if (n.kind === 'tabstop' && n.children && !defaults.has(n.index)) defaults.set(n.index, n.children);
    if (n.kind === 'choice' && !defaults.has(n.index)) defaults.set(n.index, [{ kind: 'text', value: n.options[0] ?? '' }]);
  });
  return defaults;
}

/**
 * The body as plain text, every tabstop replaced by its default (the first choice for a choice),
 * variables by their default or nothing, `$0` by nothing.
 */
export function renderPlain(body: string): string {
  const nodes = parseSnippet(body);
  const defaults = tabstopDefaults(nodes);
  const render = (list: SnippetNode[], open: ReadonlySet<number>): string =>
    list
      .map((n): string => {
        switch (n.kind) {
          case 'text':
            return n.value;
          case 'choice':
            return n.options[0] ?? '';
          case 'variable':
            return n.children ? render(n.children, open) : '';
          case 'tabstop': {
            if (open.has(n.index)) return '';
            const children = n.children ?? defaults.get(n.index);
            return children ? render(children, new Set([...open, n.index])) : '';
          }
        }
      })
      .join('');
  return render(nodes, new Set());
}

/** The index of the tabstop whose default is {@link BOOTSTRAP_DEFAULT}, if the body has one. */
export function bootstrapTabstop(body: string): number | undefined {
  let index: number | undefined;
  walk(parseSnippet(body), (n) => {
    if (index === undefined && n.kind === 'tabstop' && n.children && serializeSnippet(n.children) === BOOTSTRAP_DEFAULT) index = n.index;
  });
  return index;
}

/**
 * The body (still snippet syntax) with every occurrence of the bootstrap tabstop replaced by the
 * given bootstrap servers as text, escaped; the body unchanged when it has no bootstrap tabstop.
 */
export function fillBootstrap(body: string, bootstrap: string): string {
  const index = bootstrapTabstop(body);
  if (index === undefined) return body;
  const replace = (list: SnippetNode[]): SnippetNode[] =>
    list.map((n): SnippetNode => {
      if (n.kind === 'tabstop' && n.index === index) return { kind: 'text', value: bootstrap };
      if ((n.kind === 'tabstop' || n.kind === 'variable') && n.children) return { ...n, children: replace(n.children) };
      return n;
    });
  return serializeSnippet(replace(parseSnippet(body)));
}

/** Whether a snippet talks to Kafka (and so needs the bootstrap servers). */
export function usesKafka(body: string): boolean {
  return bootstrapTabstop(body) !== undefined;
}
