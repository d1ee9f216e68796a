import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BOOTSTRAP_DEFAULT,
  bootstrapTabstop,
  fillBootstrap,
  parseSnippet,
  parseSnippetFile,
  renderPlain,
  serializeSnippet,
  SNIPPET_FILES,
  SNIPPET_LANGUAGES,
  usesKafka,
  type SnippetLanguage,
  type SnippetNode,
  type StreamingSnippet,
} from '../../src/snippets/render';

// out/test/unit → the repository root.
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { snippets: { language: string; path: string }[] };
};

function snippetsOf(language: SnippetLanguage): StreamingSnippet[] {
  const file = SNIPPET_FILES[language];
  return parseSnippetFile(fs.readFileSync(path.join(root, file), 'utf8'), file);
}

const EXPECTED_PREFIXES = [
  'hdi-kafka-read',
  'hdi-kafka-json',
  'hdi-console-sink',
  'hdi-parquet-sink',
  'hdi-kafka-sink',
  'hdi-kafka-pipeline',
  'hdi-kafka-conf',
];

const BOOTSTRAP = 'wn0-contoso.internal.cloudapp.net:9092,wn1-contoso.internal.cloudapp.net:9092';

/** Python's own parser on each piece of code (one python3 process for all): the syntax error of each, or undefined. */
function pythonSyntaxErrors(codes: string[]): (string | undefined)[] {
  const script = [
    'import ast, json, sys',
    'errors = []',
    'for code in json.load(sys.stdin):',
    '    try:',
    '        ast.parse(code)',
    '        errors.append(None)',
    '    except SyntaxError as e:',
    '        errors.append(f"line {e.lineno}: {e.msg}")',
    'print(json.dumps(errors))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(codes), encoding: 'utf8' });
  if (run.error) throw run.error;
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as (string | null)[]).map((e) => e ?? undefined);
}

/**
 * Brackets balanced and string literals closed, outside comments: a cheap check that Scala code is
 * whole. Also no line continuing the one before with a leading "." outside brackets: Livy runs a
 * session's Scala line by line (a line that is complete on its own is run at once), so such a line
 * would be a statement of its own ("illegal start of definition").
 */
function scalaStructureError(code: string): string | undefined {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: { char: string; line: number }[] = [];
  let line = 1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '\n') {
      line++;
      if (stack.length === 0 && /^\s*\.(?!\.)/.test(code.slice(i + 1, code.indexOf('\n', i + 1) >>> 0)))
        return `line ${line} continues the line before with "." outside brackets`;
    } else if (c === '/' && code[i + 1] === '/') i = code.indexOf('\n', i) - 1 < 0 ? code.length : code.indexOf('\n', i) - 1;
    else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      if (end < 0) return `unclosed comment on line ${line}`;
      line += code.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < code.length && code[j] !== '"' && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      if (code[j] !== '"') return `unclosed string on line ${line}`;
      i = j;
    } else if ('([{'.includes(c)) stack.push({ char: c, line });
    else if (c in pairs) {
      const open = stack.pop();
      if (open?.char !== pairs[c]) return `"${c}" on line ${line} closes ${open ? `"${open.char}" of line ${open.line}` : 'nothing'}`;
    }
  }
  const open = stack.pop();
  return open ? `"${open.char}" of line ${open.line} is never closed` : undefined;
}

function tabstops(nodes: SnippetNode[], index: number): SnippetNode[] {
  const found: SnippetNode[] = [];
  for (const n of nodes) {
    if ((n.kind === 'tabstop' || n.kind === 'choice') && n.index === index) found.push(n);
    if ((n.kind === 'tabstop' || n.kind === 'variable') && n.children) found.push(...tabstops(n.children, index));
  }
  return found;
}

describe('Snippet syntax: rendering and filling in the bootstrap servers', () => {
  it('renders tabstops as their defaults, mirrors, choices and escapes', () => {
    assert.equal(renderPlain('a ${1:x${2:y}} $1 ${2} $0'), 'a xy xy y ');
    assert.equal(renderPlain('${1|earliest,latest|} $1'), 'earliest earliest');
    assert.equal(renderPlain('cost \\$5 \\} \\\\ ${TM_SELECTED_TEXT} ${VAR:dflt}'), 'cost $5 } \\  dflt');
    assert.equal(renderPlain('import a.{b, c}\nobject ${1:Job} {\n}'), 'import a.{b, c}\nobject Job {\n}');
    assert.equal(renderPlain('${1/(.*)/x/} stays'), '${1/(.*)/x/} stays');
  });

  it('replaces every occurrence of the bootstrap tabstop, escaping what snippet syntax would read', () => {
    const body = `a("\${1:${BOOTSTRAP_DEFAULT}}") b("$1") c("\${2:topic}")`;
    assert.equal(bootstrapTabstop(body), 1);
    const filled = fillBootstrap(body, 'h$1:9092,h}\\:9093');
    assert.equal(filled, 'a("h\\$1:9092,h\\}\\\\:9093") b("h\\$1:9092,h\\}\\\\:9093") c("${2:topic}")');
    assert.equal(renderPlain(filled), 'a("h$1:9092,h}\\:9093") b("h$1:9092,h}\\:9093") c("topic")');
    assert.equal(fillBootstrap('no ${1:kafka}', BOOTSTRAP), 'no ${1:kafka}');
  });

  it('refuses snippet files without a prefix, body or description', () => {
    assert.throws(() => parseSnippetFile('{"a": {"body": "x", "description": "d"}}', 'f.json'), /"a" in f.json needs a string prefix/);
    assert.throws(() => parseSnippetFile('{"a": {"prefix": "p", "description": "d"}}', 'f.json'), /needs a body/);
    assert.throws(() => parseSnippetFile('{"a": {"prefix": "p", "body": []}}', 'f.json'), /needs a body/);
    assert.throws(() => parseSnippetFile('{"a": {"prefix": "p", "body": "x"}}', 'f.json'), /needs a description/);
    assert.throws(() => parseSnippetFile('// comment\n{}', 'f.json'), /f.json is not valid JSON/);
  });
});

describe('The streaming snippets under snippets/', () => {
  it("are contributed for python and scala, the python ones also for sparkmagic's pyspark notebook cells", () => {
    assert.deepEqual(
      manifest.contributes.snippets.map((s) => [s.language, path.normalize(s.path)]),
      [...SNIPPET_LANGUAGES.map((l) => [l, path.normalize(SNIPPET_FILES[l])]), ['pyspark', path.normalize(SNIPPET_FILES.python)]],
    );
  });

  for (const language of SNIPPET_LANGUAGES) {
    describe(language, () => {
      const snippets = snippetsOf(language);

      it('has every snippet, each with its own prefix, a body and a description', () => {
        assert.deepEqual(
          snippets.map((s) => s.prefix),
          EXPECTED_PREFIXES,
        );
        for (const s of snippets) {
          assert.ok(s.body.trim() && s.description.trim(), s.name);
          assert.doesNotMatch(s.body, /\t/, `${s.prefix} indents with tabs`);
        }
      });

      it('uses one bootstrap tabstop wherever it talks to Kafka, so one edit fills all', () => {
        for (const s of snippets) {
          const talksToKafka = /kafka\.bootstrap\.servers|format\("kafka"\)/.test(s.body);
          assert.equal(usesKafka(s.body), talksToKafka, `${s.prefix}: the bootstrap tabstop and talking to Kafka go together`);
          if (!talksToKafka) continue;
          const index = bootstrapTabstop(s.body)!;
          const options = [...s.body.matchAll(/"kafka\.bootstrap\.servers",\s*"([^"]*)"/g)].map((m) => m[1]);
          assert.ok(options.length > 0, `${s.prefix} sets no kafka.bootstrap.servers`);
          for (const value of options) assert.equal(value, `\${${index}:${BOOTSTRAP_DEFAULT}}`, s.prefix);
          for (const n of tabstops(parseSnippet(s.body), index)) {
            const other = n.kind !== 'tabstop' || (n.children && serializeSnippet(n.children) !== BOOTSTRAP_DEFAULT);
            assert.ok(!other, `${s.prefix}: tabstop ${index} is the bootstrap servers and nothing else`);
          }
          const text = renderPlain(fillBootstrap(s.body, BOOTSTRAP));
          assert.ok(text.includes(`"kafka.bootstrap.servers", "${BOOTSTRAP}"`), s.prefix);
          assert.ok(!text.includes(BOOTSTRAP_DEFAULT), `${s.prefix} keeps a placeholder bootstrap`);
        }
      });

      it('reads and writes Kafka and files the way the HDInsight tutorial does', () => {
        const body = (prefix: string): string => renderPlain(snippets.find((s) => s.prefix === prefix)!.body);
        assert.match(
          body('hdi-kafka-read'),
          /readStream[\s\S]*format\("kafka"\)[\s\S]*"subscribe"[\s\S]*"startingOffsets", "earliest"[\s\S]*load\(\)/,
        );
        assert.match(body('hdi-kafka-json'), /from_json\(col\("value"\)\.cast\("string"\), schema\)/);
        assert.match(body('hdi-console-sink'), /writeStream[\s\S]*format\("console"\)[\s\S]*start\(\)/);
        assert.match(body('hdi-parquet-sink'), /format\("parquet"\)[\s\S]*"path"[\s\S]*"checkpointLocation"[\s\S]*start\(\)/);
        assert.match(body('hdi-kafka-sink'), /to_json\(struct\("\*"\)\)\.(alias|as)\("value"\)[\s\S]*format\("kafka"\)[\s\S]*"topic"/);
        assert.match(body('hdi-kafka-sink'), /"checkpointLocation"/);
        const pipeline = body('hdi-kafka-pipeline');
        assert.match(pipeline, /readStream[\s\S]*from_json[\s\S]*format\("console"\)[\s\S]*\.start\(\)[\s\S]*awaitTermination\(\)/);
        assert.match(body('hdi-kafka-conf'), /"spark\.jars\.packages", "org\.apache\.spark:spark-sql-kafka-0-10_2\.12:3\.\d+\.\d+"/);
        assert.match(body('hdi-kafka-conf'), /%%configure -f/);
      });

      it(language === 'python' ? 'is valid Python once rendered' : 'has balanced brackets and closed strings once rendered', function () {
        this.timeout(30_000);
        const cases = snippets.flatMap((s) =>
          [renderPlain(s.body), renderPlain(fillBootstrap(s.body, BOOTSTRAP))].map((code) => ({ s, code })),
        );
        const errors = language === 'python' ? pythonSyntaxErrors(cases.map((c) => c.code)) : cases.map((c) => scalaStructureError(c.code));
        cases.forEach(({ s, code }, i) => assert.equal(errors[i], undefined, `${s.prefix}:\n${code}\n${errors[i]}`));
      });
    });
  }

  it('the structure check catches broken Scala and the Python check broken Python', function () {
    this.timeout(30_000);
    assert.match(scalaStructureError('val a = f(1, g(2)\n') ?? '', /"\(" of line 1 is never closed/);
    assert.match(scalaStructureError('val s = "abc\n') ?? '', /unclosed string/);
    assert.equal(scalaStructureError('// (\nval s = "(" + x.map { y => y }\n'), undefined);
    assert.match(scalaStructureError('val df = spark.readStream\n  .load()\n') ?? '', /line 2 continues the line before with "\."/);
    assert.equal(scalaStructureError('val df = (spark.readStream\n  .load())\n'), undefined);
    const [broken, whole] = pythonSyntaxErrors(['df = (\n  spark.readStream\n', 'df = (\n  spark.readStream\n)\n']);
    assert.match(broken ?? '', /line \d+: /);
    assert.equal(whole, undefined);
  });
});
