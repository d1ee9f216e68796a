// sparkmagic's cell magics as its "Spark" and "PySpark" kernels read them: a cell whose first line
// is `%%name args` runs that magic with the rest of the cell as its body; any other cell is code for
// the session. The arguments are read the way sparkmagic's argparse-based magics read them
// (sparkmagic/kernels/kernelmagics.py, wrapperkernel/usercodeparser.py). No vscode import.
import { InvalidInputError } from '../core/errors';
import type { CellCommand, NotebookLanguage, SessionProperties, SqlOptions } from './types';

/** The magics this kernel runs, in the order the help lists them. */
export const SUPPORTED_MAGICS = ['configure', 'info', 'sql', 'logs', 'cleanup', 'delete', 'help'] as const;
export type SupportedMagic = (typeof SUPPORTED_MAGICS)[number];

/** sparkmagic's defaults for %%sql (sparkmagic/utils/configuration.py). */
export const SQL_DEFAULTS = { samplemethod: 'take', maxrows: 2500, samplefraction: 0.1 } as const;

/** Livy's own magics (`%table x`, `%json x`, `%matplot plt`): code the session runs, not sparkmagic's. */
const LIVY_LINE_MAGICS = new Set(['table', 'json', 'matplot']);

/** The magics sparkmagic's kernels also accept as `%name` (usercodeparser.py: those without a body). */
const LINE_FORM = new Set(['info', 'logs', 'cleanup', 'delete', 'help']);

const SUPPORTED_LIST = `${SUPPORTED_MAGICS.slice(0, -1)
  .map((m) => `%%${m}`)
  .join(', ')} and %%${SUPPORTED_MAGICS[SUPPORTED_MAGICS.length - 1]}`;
const SUPPORTED_SENTENCE = `The HDInsight kernel supports ${SUPPORTED_LIST}.`;
const HELP_ACTION = 'Run %%help for their arguments.';

/** Why sparkmagic's other magics are not here: they need the local Python sparkmagic runs in. */
const NOT_HERE: Record<string, string> = {
  local:
    '%%local runs its code in the local Python of a Jupyter server; this kernel has none (cells run only in the cluster’s Livy session). Run local Python in a Python notebook instead.',
  send_to_spark:
    '%%send_to_spark sends a variable of the local Python of a Jupyter server to the session; this kernel has no local Python.',
  spark:
    '%%spark is not needed here: a cell without a magic runs in the session. Its -o option makes a local pandas DataFrame, and this kernel has no local Python.',
  pretty: '%%pretty is not supported: write the cell without it, or use %%sql to show a table.',
};

/** What a cell asks for: a magic of sparkmagic's, or code for the session. */
export function parseCell(text: string, language: NotebookLanguage): CellCommand {
  // Blank lines before the first line with text are dropped; the code itself is left as written.
  const start = /^(?:[ \t]*\r?\n)*/.exec(text)?.[0].length ?? 0;
  const cell = text.slice(start);
  const newline = cell.indexOf('\n');
  const firstLine = (newline < 0 ? cell : cell.slice(0, newline)).replace(/\r$/, '');
  const body = newline < 0 ? '' : cell.slice(newline + 1);
  const head = firstLine.trimStart();

  const cellMagic = /^%%(\S*)(.*)$/.exec(head);
  if (cellMagic) return parseMagic(cellMagic[1], cellMagic[2], body, language, `%%${cellMagic[1]}`);

  const lineMagic = /^%([A-Za-z_]\w*)(.*)$/.exec(head);
  if (lineMagic) {
    const name = lineMagic[1];
    if (LIVY_LINE_MAGICS.has(name)) return { kind: 'code', code: cell };
    if (LINE_FORM.has(name)) return parseMagic(name, lineMagic[2], body, language, `%${name}`);
    if (NOT_HERE[name]) throw new InvalidInputError(NOT_HERE[name], SUPPORTED_SENTENCE);
    if ((SUPPORTED_MAGICS as readonly string[]).includes(name)) {
      throw new InvalidInputError(`%${name} is a cell magic: write it as %%${name} on the cell’s first line.`, HELP_ACTION);
    }
    throw new InvalidInputError(
      `Unknown line magic %${name}. ${SUPPORTED_SENTENCE} Livy’s own %table and %json work on a line of code.`,
      HELP_ACTION,
    );
  }
  return { kind: 'code', code: cell };
}

function parseMagic(name: string, argLine: string, body: string, language: NotebookLanguage, written: string): CellCommand {
  switch (name) {
    case 'configure':
      return parseConfigure(argLine, body);
    case 'info':
    case 'logs':
    case 'help':
      noBody(written, body);
      parseArgs(written, argLine, {});
      return { kind: name };
    case 'cleanup': {
      noBody(written, body);
      const args = parseArgs(written, argLine, { force: { short: 'f', type: 'flag' } });
      return { kind: 'cleanup', force: args.force === true };
    }
    case 'delete': {
      noBody(written, body);
      const args = parseArgs(written, argLine, { force: { short: 'f', type: 'flag' }, session: { short: 's', type: 'int' } });
      if (args.session === undefined) {
        throw new InvalidInputError(
          `${written} needs the ID of the session to delete: -s ID, e.g. %%delete -f -s 3.`,
          'Run %%info to list the sessions.',
        );
      }
      if ((args.session as number) < 0)
        throw new InvalidInputError(`${written}: -s must be a session ID (0 or more), not ${String(args.session)}.`);
      return { kind: 'delete', sessionId: args.session as number, force: args.force === true };
    }
    case 'sql':
      return { kind: 'sql', sql: parseSql(written, argLine, body, language) };
    case '':
      throw new InvalidInputError(`A cell starting with %% needs a magic’s name after it. ${SUPPORTED_SENTENCE}`, HELP_ACTION);
    default:
      if (NOT_HERE[name]) throw new InvalidInputError(NOT_HERE[name], SUPPORTED_SENTENCE);
      throw new InvalidInputError(`Unknown magic ${written}. ${SUPPORTED_SENTENCE}`, HELP_ACTION);
  }
}

/** sparkmagic's `_assure_cell_body_is_empty`. */
function noBody(written: string, body: string): void {
  if (body.trim()) {
    throw new InvalidInputError(
      `${written} takes no lines after it; got “${shorten(body.trim(), 60)}”.`,
      'Move the code into a cell of its own.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments, as argparse reads them: `-n 5`, `-n5`, `--maxrows 5`, `--maxrows=5`, `--max 5`.

interface OptionSpec {
  short: string;
  type: 'flag' | 'string' | 'int' | 'float';
}

type Parsed = Record<string, string | number | boolean | undefined>;

/** Splits like a POSIX shell: whitespace separates, quotes group, a backslash escapes. */
export function splitArgs(line: string, what = 'the magic'): string[] {
  const out: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\'.includes(line[i + 1])) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) out.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (quote) throw new InvalidInputError(`The arguments of ${what} have an unclosed ${quote} quote.`);
  if (inToken) out.push(current);
  return out;
}

function parseArgs(written: string, line: string, spec: Record<string, OptionSpec>): Parsed {
  const tokens = splitArgs(line, written);
  const parsed: Parsed = {};
  const usage = (): string => {
    const options = Object.entries(spec).map(([long, o]) => (o.type === 'flag' ? `[-${o.short}]` : `[-${o.short} ${long.toUpperCase()}]`));
    return options.length ? `${written} ${options.join(' ')}` : `${written} (no arguments)`;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    let long: string | undefined;
    let inline: string | undefined;
    if (token.startsWith('--') && token.length > 2) {
      const [name, ...rest] = token.slice(2).split('=');
      inline = rest.length ? rest.join('=') : undefined;
      const matches = Object.keys(spec).filter((k) => k.startsWith(name));
      long = matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
      if (!long && matches.length > 1)
        throw new InvalidInputError(`${written}: --${name} is ambiguous (${matches.map((m) => `--${m}`).join(', ')}).`);
    } else if (/^-[A-Za-z]/.test(token)) {
      long = Object.keys(spec).find((k) => spec[k].short === token[1]);
      if (token.length > 2) inline = token.slice(2);
    }
    if (!long) throw new InvalidInputError(`${written} does not take “${token}”. Usage: ${usage()}.`, HELP_ACTION);
    const option = spec[long];
    const flag = `-${option.short}`;
    if (option.type === 'flag') {
      if (inline !== undefined) throw new InvalidInputError(`${written}: ${flag} takes no value (got “${inline}”).`);
      parsed[long] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      // argparse takes a following "-1" as a value: none of these magics has an option like it.
      if (i + 1 >= tokens.length || /^-[A-Za-z-]/.test(tokens[i + 1]))
        throw new InvalidInputError(`${written}: ${flag} needs a value. Usage: ${usage()}.`);
      value = tokens[++i];
    }
    if (option.type === 'int') {
      if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidInputError(`${written}: ${flag} must be a whole number, not “${value}”.`);
      parsed[long] = Number(value);
    } else if (option.type === 'float') {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()))
        throw new InvalidInputError(`${written}: ${flag} must be a number, not “${value}”.`);
      parsed[long] = Number(value);
    } else {
      parsed[long] = value;
    }
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// %%sql

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield spark sc sqlContext'.split(
    ' ',
  ),
);
const SCALA_KEYWORDS = new Set(
  'abstract case catch class def do else extends false final finally for forSome if implicit import lazy macro match new null object override package private protected return sealed super this throw trait try true type val var while with yield spark sc sqlContext'.split(
    ' ',
  ),
);

function parseSql(written: string, argLine: string, body: string, language: NotebookLanguage): SqlOptions {
  const args = parseArgs(written, argLine, {
    output: { short: 'o', type: 'string' },
    quiet: { short: 'q', type: 'flag' },
    samplemethod: { short: 'm', type: 'string' },
    maxrows: { short: 'n', type: 'int' },
    samplefraction: { short: 'r', type: 'float' },
    // sparkmagic's -c coerces the pandas DataFrame's column types; there is no local DataFrame here.
    coerce: { short: 'c', type: 'string' },
  });
  const samplemethod = (args.samplemethod as string | undefined) ?? SQL_DEFAULTS.samplemethod;
  if (samplemethod !== 'take' && samplemethod !== 'sample') {
    throw new InvalidInputError(`${written}: -m (the sample method) must be take or sample, not “${samplemethod}”.`);
  }
  const maxrows = (args.maxrows as number | undefined) ?? SQL_DEFAULTS.maxrows;
  const samplefraction = (args.samplefraction as number | undefined) ?? SQL_DEFAULTS.samplefraction;
  if (!(samplefraction >= 0 && samplefraction <= 1)) {
    throw new InvalidInputError(`${written}: -r (the sample fraction) must be between 0.0 and 1.0, not ${String(args.samplefraction)}.`);
  }
  const output = args.output as string | undefined;
  if (output !== undefined) {
    const reserved = language === 'python' ? PYTHON_KEYWORDS : SCALA_KEYWORDS;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(output) || reserved.has(output)) {
      throw new InvalidInputError(
        `${written}: -o names the variable that keeps the result in the session; “${output}” cannot be a ${language === 'python' ? 'Python' : 'Scala'} variable name.`,
        'Use letters, digits and _, not starting with a digit, and not spark, sc or a keyword.',
      );
    }
  }
  const query = body.trim();
  if (!query) throw new InvalidInputError(`${written} needs a query on the lines after it, e.g. %%sql\\nSHOW TABLES.`);
  return {
    query,
    ...(output === undefined ? {} : { output }),
    quiet: args.quiet === true,
    samplemethod,
    maxrows: maxrows < 0 ? -1 : maxrows,
    samplefraction,
  };
}

// ---------------------------------------------------------------------------------------------
// %%configure

type FieldType = 'string' | 'int' | 'strings' | 'conf';

/** The fields of Livy's POST /sessions that %%configure may set (Livy's CreateInteractiveRequest, less kind). */
const SESSION_FIELDS: Record<string, FieldType> = {
  conf: 'conf',
  driverMemory: 'string',
  driverCores: 'int',
  executorMemory: 'string',
  executorCores: 'int',
  numExecutors: 'int',
  jars: 'strings',
  pyFiles: 'strings',
  files: 'strings',
  archives: 'strings',
  queue: 'string',
  name: 'string',
  proxyUser: 'string',
  ttl: 'string',
  heartbeatTimeoutInSecond: 'int',
};

function parseConfigure(argLine: string, body: string): CellCommand {
  // sparkmagic wants the JSON on the lines after the magic; it is also read when it starts on the
  // magic's own line (`%%configure -f {"conf": …}`), as people write it in one line.
  const brace = argLine.indexOf('{');
  const flags = brace < 0 ? argLine : argLine.slice(0, brace);
  const json = brace < 0 ? body : `${argLine.slice(brace)}\n${body}`;
  const args = parseArgs('%%configure', flags, { force: { short: 'f', type: 'flag' } });
  return { kind: 'configure', force: args.force === true, properties: parseSessionProperties(json) };
}

/** The JSON body of %%configure as Livy session properties, checked field by field. */
export function parseSessionProperties(json: string): SessionProperties {
  const example = 'e.g. {"conf": {"spark.jars.packages": "org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.0"}, "executorMemory": "4g"}';
  if (!json.trim())
    throw new InvalidInputError(`%%configure needs a JSON object of Livy session properties on the lines after it, ${example}.`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new InvalidInputError(
      `%%configure: the session properties are not valid JSON (${(err as Error).message}).`,
      `Write a JSON object, ${example}.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(
      `%%configure: the session properties must be a JSON object, not ${describe(value)}.`,
      `Write a JSON object, ${example}.`,
    );
  }
  const properties: SessionProperties & Record<string, unknown> = {};
  for (const [field, v] of Object.entries(value)) {
    if (field === 'kind') {
      throw new InvalidInputError(
        '%%configure: “kind” cannot be set: the notebook’s kernel (Scala or PySpark) decides the session’s kind.',
        'Remove “kind”, or pick the other kernel.',
      );
    }
    const type = SESSION_FIELDS[field];
    if (!type) {
      throw new InvalidInputError(
        `%%configure: “${field}” is not a property of a Livy session.`,
        `Use ${Object.keys(SESSION_FIELDS).join(', ')}; Spark settings go in "conf".`,
      );
    }
    properties[field] = checkField(field, type, v);
  }
  return properties;
}

function checkField(field: string, type: FieldType, v: unknown): unknown {
  const bad = (want: string): never => {
    throw new InvalidInputError(`%%configure: “${field}” must be ${want}, not ${describe(v)}.`);
  };
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : bad('a string, e.g. "4g"');
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : bad('a whole number');
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : bad('a list of strings');
    case 'conf': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('an object of Spark settings');
      const conf: Record<string, string> = {};
      // Livy's conf is a map of strings: numbers and booleans are sent as their text.
      for (const [key, setting] of Object.entries(v as Record<string, unknown>)) {
        if (typeof setting === 'string') conf[key] = setting;
        else if (typeof setting === 'number' || typeof setting === 'boolean') conf[key] = String(setting);
        else {
          throw new InvalidInputError(
            `%%configure: “conf.${key}” must be a string, number or boolean, not ${describe(setting)}.`,
            'Write Spark settings as text, e.g. "spark.executor.instances": "2".',
          );
        }
      }
      return conf;
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${shorten(JSON.stringify(v), 40)}`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// %%help

const HELP: { magic: string; args: string; example: string; what: string }[] = [
  { magic: '%%info', args: '', example: '%%info', what: 'Shows this notebook’s Livy session and every session of the cluster’s Livy.' },
  {
    magic: '%%configure',
    args: '[-f] + a JSON object on the next lines',
    example:
      '%%configure -f\n{"conf": {"spark.jars.packages": "org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.0"}, "executorMemory": "4g"}',
    what: 'Sets the properties the session is created with (Livy’s POST /sessions: conf, driverMemory, driverCores, executorMemory, executorCores, numExecutors, jars, pyFiles, files, archives, queue, name, proxyUser, ttl, heartbeatTimeoutInSecond; never kind). Once the session is running, -f deletes it and starts a new one with these properties.',
  },
  {
    magic: '%%sql',
    args: '[-o NAME] [-q] [-m take|sample] [-n MAXROWS] [-r FRACTION] + the query on the next lines',
    example: '%%sql -n 100\nSELECT * FROM hivesampletable',
    what: 'Runs a Spark SQL query in the session and shows the rows as a table. -o NAME also keeps the result as a DataFrame named NAME in the session; -q shows no table; -m take (default) or sample; -n the most rows to show (default 2500, -1 for all); -r the fraction -m sample keeps (default 0.1).',
  },
  { magic: '%%logs', args: '', example: '%%logs', what: 'Shows the session’s Livy log.' },
  {
    magic: '%%cleanup',
    args: '-f',
    example: '%%cleanup -f',
    what: 'Deletes every Livy session of the cluster, this notebook’s too. -f is required.',
  },
  {
    magic: '%%delete',
    args: '-s ID -f',
    example: '%%delete -f -s 3',
    what: 'Deletes the Livy session with that ID; not this notebook’s own (restart the kernel for that). -f is required.',
  },
  { magic: '%%help', args: '', example: '%%help', what: 'Shows this help.' },
];

/** What %%help shows, as markdown (each magic, its arguments, an example). */
export function helpText(): string {
  const lines = [
    '## Magics of the HDInsight kernel',
    '',
    'A cell without a magic runs its code in the notebook’s Livy session. A magic is the cell’s first line:',
    '',
  ];
  for (const h of HELP) {
    lines.push(`### ${h.magic}${h.args ? ` ${h.args}` : ''}`, '', h.what, '', '```', h.example, '```', '');
  }
  lines.push(
    'Livy’s own magics work on the last line of a code cell: `%table NAME` shows a list of rows as a table, `%json NAME` a value as JSON.',
    '',
    'sparkmagic’s %%local, %%send_to_spark and %%spark -o need the local Python of a Jupyter server, which this kernel does not have.',
  );
  return lines.join('\n');
}
