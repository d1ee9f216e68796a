// sparkmagic's magics in the notebook kernel: cells parsed as sparkmagic's kernels read them, Livy
// results as cell outputs (tables never HTML, every value escaped), and %%sql's statement run on
// real Spark through the emulated Livy, in a PySpark and a Scala session.
import assert from 'node:assert/strict';
import { HDInsightError, InvalidInputError } from '../../src/core/errors';
import { LivyClient, type LivyStatement, type SessionKind, type StatementOutput } from '../../src/livy/LivyClient';
import { SessionPool } from '../../src/livy/submit';
import { helpText, parseCell, SUPPORTED_MAGICS } from '../../src/sparkmagic/magics';
import { escapeMarkdown, statementOutputs, tableOutput } from '../../src/sparkmagic/outputs';
import { parseSqlResult, sqlStatement } from '../../src/sparkmagic/sql';
import type { CellOutput, NotebookLanguage, ResultTable, SqlOptions } from '../../src/sparkmagic/types';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';

const sql = (query: string, options: Partial<SqlOptions> = {}): SqlOptions => ({
  query,
  quiet: false,
  samplemethod: 'take',
  maxrows: 2500,
  samplefraction: 0.1,
  ...options,
});

/** Asserts that parsing the cell fails with an InvalidInputError whose message matches. */
function refuses(text: string, message: RegExp, language: NotebookLanguage = 'python'): void {
  assert.throws(
    () => parseCell(text, language),
    (err: unknown) => {
      assert.ok(err instanceof InvalidInputError, String(err));
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('sparkmagic magics: a cell read as sparkmagic’s kernels read it', () => {
  it('runs a cell without a magic as the user wrote it, blank lines before it dropped', () => {
    const code = 'df = spark.range(3)\n\n  df.show()  # %%sql in a comment\n';
    assert.deepEqual(parseCell(code, 'python'), { kind: 'code', code });
    assert.deepEqual(parseCell('\n  \nval x = 1\n', 'scala'), { kind: 'code', code: 'val x = 1\n' });
    assert.deepEqual(parseCell('', 'scala'), { kind: 'code', code: '' });
  });

  it('leaves Livy’s own %table and %json to the session', () => {
    assert.deepEqual(parseCell('%table rows', 'python'), { kind: 'code', code: '%table rows' });
    assert.deepEqual(parseCell('rows = [1]\n%json rows', 'python'), { kind: 'code', code: 'rows = [1]\n%json rows' });
  });

  it('%%configure reads the JSON body as Livy session properties, conf values as strings', () => {
    const cell =
      '%%configure -f\n{"conf": {"spark.jars.packages": "org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3", "spark.executor.instances": 2, "spark.dynamicAllocation.enabled": false},\n "executorMemory": "4g", "executorCores": 2, "jars": ["wasbs:///a.jar"], "name": "nb"}';
    assert.deepEqual(parseCell(cell, 'scala'), {
      kind: 'configure',
      force: true,
      properties: {
        conf: {
          'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3',
          'spark.executor.instances': '2',
          'spark.dynamicAllocation.enabled': 'false',
        },
        executorMemory: '4g',
        executorCores: 2,
        jars: ['wasbs:///a.jar'],
        name: 'nb',
      },
    });
    assert.deepEqual(parseCell('%%configure\n{"driverMemory": "2g"}', 'python'), {
      kind: 'configure',
      force: false,
      properties: { driverMemory: '2g' },
    });
    assert.deepEqual(parseCell('%%configure --force {"numExecutors": 3}', 'python'), {
      kind: 'configure',
      force: true,
      properties: { numExecutors: 3 },
    });
  });

  it('%%configure refuses what Livy would not take, naming the field', () => {
    refuses('%%configure -f\n{"kind": "pyspark"}', /“kind” cannot be set.*kernel/);
    refuses('%%configure -f\n{"executorMemroy": "4g"}', /“executorMemroy” is not a property of a Livy session/);
    refuses('%%configure -f\n{"conf": {"spark.a": {"b": 1}}}', /“conf\.spark\.a” must be a string, number or boolean, not an object/);
    refuses('%%configure -f\n{"conf": {"spark.a": null}}', /“conf\.spark\.a”.*not null/);
    refuses('%%configure -f\n{"conf": "spark.a=1"}', /“conf” must be an object of Spark settings/);
    refuses('%%configure -f\n{"executorCores": "4"}', /“executorCores” must be a whole number, not string "4"/);
    refuses('%%configure -f\n{"jars": "a.jar"}', /“jars” must be a list of strings/);
    refuses('%%configure -f\n["conf"]', /must be a JSON object, not a list/);
    refuses('%%configure -f\n{"conf": ', /not valid JSON/);
    refuses('%%configure -f', /needs a JSON object/);
    refuses('%%configure -x\n{}', /%%configure does not take “-x”/);
  });

  it('%%sql takes sparkmagic’s options, with its defaults', () => {
    assert.deepEqual(parseCell('%%sql\nSELECT *\nFROM t\n', 'python'), { kind: 'sql', sql: sql('SELECT *\nFROM t') });
    assert.deepEqual(parseCell('%%sql -o top -q -m sample -n 10 -r 0.5\nSELECT 1', 'scala'), {
      kind: 'sql',
      sql: sql('SELECT 1', { output: 'top', quiet: true, samplemethod: 'sample', maxrows: 10, samplefraction: 0.5 }),
    });
    assert.deepEqual(parseCell('%%sql --maxrows=-1 --samplemethod take -n5\nSELECT 1', 'python'), {
      kind: 'sql',
      sql: sql('SELECT 1', { maxrows: 5 }),
    });
    assert.deepEqual(parseCell('%%sql -n -1\nSELECT 1', 'python'), { kind: 'sql', sql: sql('SELECT 1', { maxrows: -1 }) });
    assert.deepEqual(parseCell('%%sql -c false\nSELECT 1', 'python'), { kind: 'sql', sql: sql('SELECT 1') });
  });

  it('%%sql refuses bad options with what they must be', () => {
    refuses('%%sql -n abc\nSELECT 1', /-n must be a whole number, not “abc”/);
    refuses('%%sql -m other\nSELECT 1', /-m \(the sample method\) must be take or sample, not “other”/);
    refuses('%%sql -r 1.5\nSELECT 1', /-r \(the sample fraction\) must be between 0\.0 and 1\.0/);
    refuses('%%sql -r x\nSELECT 1', /-r must be a number, not “x”/);
    refuses('%%sql -n\nSELECT 1', /-n needs a value/);
    refuses('%%sql -o 1st\nSELECT 1', /“1st” cannot be a Python variable name/);
    refuses('%%sql -o val\nSELECT 1', /“val” cannot be a Scala variable name/, 'scala');
    refuses('%%sql -o spark\nSELECT 1', /“spark” cannot be/);
    refuses('%%sql -z\nSELECT 1', /%%sql does not take “-z”. Usage: %%sql \[-o OUTPUT\]/);
    refuses('%%sql extra\nSELECT 1', /%%sql does not take “extra”/);
    refuses('%%sql -o "top\nSELECT 1', /unclosed " quote/);
    refuses('%%sql -q\n  \n', /%%sql needs a query/);
  });

  it('%%info, %%logs, %%help, %%cleanup and %%delete take their flags and no body', () => {
    assert.deepEqual(parseCell('%%info', 'python'), { kind: 'info' });
    assert.deepEqual(parseCell('%%logs\n', 'scala'), { kind: 'logs' });
    assert.deepEqual(parseCell('%%help', 'scala'), { kind: 'help' });
    assert.deepEqual(parseCell('%%cleanup -f', 'python'), { kind: 'cleanup', force: true });
    assert.deepEqual(parseCell('%%cleanup', 'python'), { kind: 'cleanup', force: false });
    assert.deepEqual(parseCell('%%delete -f -s 3', 'python'), { kind: 'delete', sessionId: 3, force: true });
    assert.deepEqual(parseCell('%%delete --session=12', 'scala'), { kind: 'delete', sessionId: 12, force: false });
    // sparkmagic's kernels also take these as line magics.
    assert.deepEqual(parseCell('%info', 'python'), { kind: 'info' });
    assert.deepEqual(parseCell('%delete -s 1 -f', 'python'), { kind: 'delete', sessionId: 1, force: true });
  });

  it('refuses bad arguments and bodies of the magics without a body', () => {
    refuses('%%delete -f', /needs the ID of the session to delete: -s ID/);
    refuses('%%delete -s abc', /-s must be a whole number, not “abc”/);
    refuses('%%delete -s -2 -f', /-s must be a session ID/);
    refuses('%%info\nprint(1)', /%%info takes no lines after it; got “print\(1\)”/);
    refuses('%%logs -f', /%%logs does not take “-f”. Usage: %%logs \(no arguments\)/);
    refuses('%%cleanup -f=yes', /-f takes no value/);
    refuses('%%help me', /%%help does not take “me”/);
  });

  it('names the supported magics for an unknown one, and says why sparkmagic’s local ones are not here', () => {
    refuses(
      '%%foo\nx',
      /^Unknown magic %%foo\. The HDInsight kernel supports %%configure, %%info, %%sql, %%logs, %%cleanup, %%delete and %%help\.$/,
    );
    refuses('%%local\na = 1', /%%local runs its code in the local Python of a Jupyter server; this kernel has none/);
    refuses('%local\na = 1', /%%local runs its code in the local Python/);
    refuses('%%send_to_spark -i x', /local Python/);
    refuses('%%spark -o df\ndf = spark.range(1)', /%%spark is not needed here: a cell without a magic runs in the session/);
    refuses('%%\nx', /needs a magic’s name after it/);
    refuses('%autosave 0\nx = 1', /^Unknown line magic %autosave\. The HDInsight kernel supports %%configure/);
    refuses('%sql\nSELECT 1', /%sql is a cell magic: write it as %%sql/);
  });

  it('%%help lists every supported magic with its arguments and an example', () => {
    const help = helpText();
    assert.deepEqual([...SUPPORTED_MAGICS], ['configure', 'info', 'sql', 'logs', 'cleanup', 'delete', 'help']);
    for (const magic of SUPPORTED_MAGICS) assert.match(help, new RegExp(`^### %%${magic}`, 'm'));
    assert.match(help, /### %%sql \[-o NAME\] \[-q\] \[-m take\|sample\] \[-n MAXROWS\] \[-r FRACTION\]/);
    assert.match(help, /```\n%%delete -f -s 3\n```/);
    assert.doesNotMatch(help, /<[a-z]/i);
  });
});

describe('sparkmagic outputs: Livy results as cell outputs, never HTML', () => {
  const table: ResultTable = {
    columns: ['name', 'note'],
    rows: [
      ['<script>alert(1)</script>', 'a | b'],
      ['**bold** _it_ `code`', 'line one\nline two'],
      ['[link](javascript:x) & \\ $x$', null],
    ],
  };

  it('escapes every value of a markdown table so it shows as the text it is', () => {
    const output = tableOutput(table);
    assert.equal(output.kind, 'data');
    const markdown = output.items.find((i) => i.mime === 'text/markdown')?.data as string;
    assert.equal(
      markdown,
      [
        '| name | note |',
        '| --- | --- |',
        '| &lt;script&gt;alert\\(1\\)&lt;\\/script&gt; | a \\| b |',
        '| \\*\\*bold\\*\\* \\_it\\_ \\`code\\` | line one line two |',
        '| \\[link\\]\\(javascript\\:x\\) &amp; \\\\ \\$x\\$ | null |',
        '',
        '3 rows\\.',
      ].join('\n'),
    );
    // No raw HTML tag, no unescaped pipe inside a row: each row has exactly its 3 separators.
    assert.doesNotMatch(markdown, /<|>/);
    for (const row of markdown.split('\n').slice(0, 5)) assert.equal(row.replace(/\\\|/g, '').split('|').length, 4, row);
    assert.ok(output.items.every((i) => i.mime !== 'text/html'));
  });

  it('gives the table as aligned text like Spark’s show() and as JSON, and says when rows were left out', () => {
    const output = tableOutput({
      columns: ['id', 'word'],
      rows: [
        [1, 'a'],
        [22, null],
      ],
      truncated: true,
    });
    assert.equal(output.kind, 'data');
    assert.equal(
      output.items.find((i) => i.mime === 'text/plain')?.data,
      [
        '+---+----+',
        '| id|word|',
        '+---+----+',
        '|  1|   a|',
        '| 22|null|',
        '+---+----+',
        'Showing the first 2 rows: the result has more (%%sql -n sets how many are shown, -n -1 all).',
      ].join('\n'),
    );
    // Markdown first, text for Jupyter; no JSON, which VS Code would show instead of the table.
    assert.deepEqual(
      output.items.map((i) => i.mime),
      ['text/markdown', 'text/plain'],
    );
    assert.match(output.items.find((i) => i.mime === 'text/markdown')?.data as string, /Showing the first 2 rows/);
  });

  it('shortens long values', () => {
    const output = tableOutput({ columns: ['v'], rows: [['x'.repeat(500)]] });
    const markdown = output.kind === 'data' ? (output.items[0].data as string) : '';
    assert.match(markdown, /\| x{199}… \|/);
    assert.equal(escapeMarkdown('a\r\nb\tc'), 'a  b c');
  });

  it('turns each kind of Livy output into cell outputs', () => {
    assert.deepEqual(statementOutputs(undefined), []);
    assert.deepEqual(statementOutputs({ status: 'ok', data: { 'text/plain': 'res0: Int = 2' } }), [
      { kind: 'data', items: [{ mime: 'text/plain', data: 'res0: Int = 2' }] },
    ]);
    assert.deepEqual(statementOutputs({ status: 'ok', data: { 'text/plain': '' } }), []);
    assert.deepEqual(statementOutputs({ status: 'ok', data: { 'application/json': { a: [1, 2] } } }), [
      {
        kind: 'data',
        items: [
          { mime: 'application/json', data: { a: [1, 2] } },
          { mime: 'text/plain', data: '{\n  "a": [\n    1,\n    2\n  ]\n}' },
        ],
      },
    ]);
    assert.deepEqual(statementOutputs({ status: 'ok', data: { 'image/png': 'iVBORw0KGgo=', 'text/plain': '' } }), [
      { kind: 'data', items: [{ mime: 'image/png', data: 'iVBORw0KGgo=' }] },
    ]);
    const fromTable = statementOutputs({
      status: 'ok',
      data: {
        'application/vnd.livy.table.v1+json': {
          headers: [
            { name: 'id', type: 'INT_TYPE' },
            { name: 's', type: 'STRING_TYPE' },
          ],
          data: [[1, 'a']],
        },
      },
    });
    assert.deepEqual(fromTable, [tableOutput({ columns: ['id', 's'], rows: [[1, 'a']] })]);
    assert.deepEqual(statementOutputs({ status: 'ok', data: { 'text/html': '<b>x</b>' } }), []);
    assert.deepEqual(
      statementOutputs({
        status: 'error',
        ename: 'NameError',
        evalue: "name 'x' is not defined",
        traceback: ['Traceback (most recent call last):\n', "NameError: name 'x' is not defined\n"],
      }),
      [
        {
          kind: 'error',
          name: 'NameError',
          message: "name 'x' is not defined",
          traceback: ['Traceback (most recent call last):\n', "NameError: name 'x' is not defined\n"],
        },
      ],
    );
  });
});

describe('sparkmagic %%sql on real Spark through Livy', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  let livyEmulator: LivyEmulator;
  let livy: LivyClient;
  let pool: SessionPool;
  const sessions = new Map<NotebookLanguage, number>();

  before(async function () {
    this.timeout(600_000);
    const spark = ensureSpark();
    emulator = new Emulator();
    livyEmulator = new LivyEmulator({ spark, localDirWhitelist: [] });
    livyEmulator.mount(emulator, '/livy');
    const base = await emulator.start();
    livy = new LivyClient({ service: 'Livy', baseUrl: new URL(`${base}/livy`), timeoutMs: 60_000 });
    pool = new SessionPool(livy);
    // One session per language for every test: a Scala session takes up to a minute to start.
    const conf = { 'spark.sql.shuffle.partitions': '2' };
    const [python, scala] = await Promise.all([pool.acquire('pyspark', conf, {}), pool.acquire('spark', conf, {})]);
    sessions.set('python', python).set('scala', scala);
  });

  after(async () => {
    await pool?.close();
    await livyEmulator?.stop();
    await emulator?.stop();
  });

  async function run(language: NotebookLanguage, code: string, kind: SessionKind): Promise<StatementOutput> {
    const session = sessions.get(language)!;
    let statement: LivyStatement = await livy.runStatement(session, code, kind);
    while (!['available', 'error', 'cancelled'].includes(statement.state)) {
      await new Promise((r) => setTimeout(r, 200));
      statement = await livy.getStatement(session, statement.id);
    }
    assert.ok(statement.output, `statement ${statement.id} is ${statement.state} without output`);
    return statement.output;
  }

  async function query(language: NotebookLanguage, options: SqlOptions): Promise<ResultTable> {
    const { code, kind } = sqlStatement(options, language);
    return parseSqlResult(await run(language, code, kind));
  }

  for (const language of ['python', 'scala'] as const) {
    describe(language === 'python' ? 'in a PySpark session' : 'in a Scala session', () => {
      before(async () => {
        const created = await query(
          language,
          sql(
            `CREATE OR REPLACE TEMP VIEW people AS SELECT * FROM VALUES (1, 'Ann', 3.5), (2, 'Bob', NULL), (3, 'Cy """q\\'s\\\\', 1.0), (4, 'Di', 2.0) AS t(id, name, score)`,
          ),
        );
        assert.deepEqual(created, { columns: [], rows: [], truncated: false });
      });

      it('shows the query’s rows in Spark’s column order, nulls and quotes included', async () => {
        const table = await query(language, sql('SELECT name, id, score FROM people ORDER BY id'));
        assert.deepEqual(table, {
          columns: ['name', 'id', 'score'],
          rows: [
            ['Ann', 1, 3.5],
            ['Bob', 2, null],
            ['Cy """q\'s\\', 3, 1.0],
            ['Di', 4, 2.0],
          ],
          truncated: false,
        });
        // The user reads it in the cell.
        const shown = tableOutput(table);
        assert.equal(shown.kind, 'data');
        assert.match(shown.items.find((i) => i.mime === 'text/plain')?.data as string, /\|Cy """q's\\\| {2}3\| {4}1\|/);
      });

      it('keeps a query with """, quotes and backslashes intact', async () => {
        const table = await query(language, sql(`SELECT 'a"""b' AS triple, "it's" AS single, '\\\\n' AS backslash, '$x ü €' AS other`));
        assert.deepEqual(table.rows, [['a"""b', "it's", '\\n', '$x ü €']]);
        assert.deepEqual(table.columns, ['triple', 'single', 'backslash', 'other']);
      });

      it('a missing table gives Spark’s error', async () => {
        const { code, kind } = sqlStatement(sql('SELECT * FROM no_such_table'), language);
        const output = await run(language, code, kind);
        assert.throws(
          () => parseSqlResult(output),
          (err: unknown) => {
            assert.ok(err instanceof HDInsightError);
            assert.equal(err.code, 'Remote');
            assert.match(err.message, /^The query failed in Spark: .*AnalysisException.*no_such_table/s);
            return true;
          },
        );
        const [shown] = statementOutputs(output) as [CellOutput];
        assert.equal(shown.kind, 'error');
        assert.match(`${shown.kind === 'error' ? shown.message : ''}`, /TABLE_OR_VIEW_NOT_FOUND|Table or view not found/);
      });

      it('-n keeps that many rows and says more were left out; -n -1 keeps all', async () => {
        const two = await query(language, sql('SELECT id FROM people ORDER BY id', { maxrows: 2 }));
        assert.deepEqual(two, { columns: ['id'], rows: [[1], [2]], truncated: true });
        const four = await query(language, sql('SELECT id FROM people ORDER BY id', { maxrows: 4 }));
        assert.deepEqual(four, { columns: ['id'], rows: [[1], [2], [3], [4]], truncated: false });
        const all = await query(language, sql('SELECT id FROM people ORDER BY id', { maxrows: -1 }));
        assert.deepEqual(all, { columns: ['id'], rows: [[1], [2], [3], [4]], truncated: false });
        const none = await query(language, sql('SELECT id, name FROM people WHERE id > 10'));
        assert.deepEqual(none, { columns: ['id', 'name'], rows: [], truncated: false });
      });

      it('-m sample keeps the fraction -r of the rows', async () => {
        const everyRow = await query(language, sql('SELECT id FROM people', { samplemethod: 'sample', samplefraction: 1 }));
        assert.deepEqual(everyRow.rows.map((r) => r[0]).sort(), [1, 2, 3, 4]);
        const noRow = await query(language, sql('SELECT id FROM people', { samplemethod: 'sample', samplefraction: 0 }));
        assert.deepEqual(noRow, { columns: ['id'], rows: [], truncated: false });
      });

      it('Livy’s %table result shows as an escaped table, an error with its traceback', async () => {
        const kind = language === 'python' ? 'pyspark' : 'spark';
        const code =
          language === 'python' ? 'rows = [{"id": 1, "word": "<b>hi</b>"}]\n%table rows' : 'val rows = Seq((1, "<b>hi</b>"))\n%table rows';
        const [table] = statementOutputs(await run(language, code, kind));
        assert.equal(table?.kind, 'data');
        const markdown = table.kind === 'data' ? (table.items.find((i) => i.mime === 'text/markdown')?.data as string) : '';
        assert.match(markdown, /^\| (id|\\_1) \| (word|\\_2) \|\n\| --- \| --- \|\n\| 1 \| &lt;b&gt;hi&lt;\\\/b&gt; \|\n/);
        const [error] = statementOutputs(await run(language, language === 'python' ? '1 / 0' : '1 / 0', kind));
        assert.equal(error?.kind, 'error');
        assert.match(error.kind === 'error' ? `${error.name}: ${error.message}` : '', /ZeroDivisionError|ArithmeticException/);
        assert.ok(error.kind === 'error' && error.traceback.length > 0);
      });

      it('-o NAME keeps the result in the session for the next statements, run after run', async () => {
        const kind = language === 'python' ? 'pyspark' : 'spark';
        for (const limit of [2, 3]) {
          const table = await query(language, sql(`SELECT id, name FROM people ORDER BY id LIMIT ${limit}`, { output: 'top' }));
          assert.equal(table.rows.length, limit);
          const counted = await run(language, language === 'python' ? 'print(top.count())' : 'println(top.count)', kind);
          assert.equal(counted.status, 'ok');
          assert.equal(counted.status === 'ok' && String(counted.data['text/plain']).trim(), String(limit));
        }
      });
    });
  }
});
