import assert from 'node:assert/strict';
import { HDInsightError, userMessage } from '../../src/core/errors';
import { parseStoredSecret } from '../../src/core/json';
import { parseSparkConf } from '../../src/livy/request';

const storageKey = 'U3RvcmFnZS1LZXktVGVzdC0x+/AbCdEfGh0123456789==';
const keyName = 'spark.hadoop.fs.azure.account.key.contosostore.blob.core.windows.net';

/** Everything a user or the log would see of an error: its message, action and causes. */
function everythingShown(err: unknown): string {
  let text = userMessage(err);
  for (let e: unknown = err; e instanceof Error; e = e.cause) text += `\n${e.name}: ${e.message}\n${e.stack ?? ''}`;
  return text;
}

describe('JSON that holds secrets is never quoted in errors', () => {
  // JSON.parse quotes the text around the fault, with the field's name cut off: no redaction could
  // tell the key from other text, so the message must not quote the text at all.
  const malformed: [string, string][] = [
    ['a single-quoted value (Python habit)', `{"${keyName}": '${storageKey}'}`],
    ['an unquoted value', `{"${keyName}": ${storageKey}}`],
    ['a trailing comma', `{"spark.executor.memory": "4g", "${keyName}": "${storageKey}",}`],
    ['a cut-off text', `{"${keyName}": "${storageKey}`],
  ];
  for (const [what, conf] of malformed) {
    it(`refuses a Spark conf with ${what} without showing the storage key`, () => {
      let caught: unknown;
      try {
        parseSparkConf(conf);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof HDInsightError, `expected an HDInsightError, got ${String(caught)}`);
      const shown = everythingShown(caught);
      assert.match(userMessage(caught), /^"conf" is not valid JSON/);
      for (const fragment of [storageKey.slice(0, 8), storageKey.slice(8, 16), storageKey.slice(-12)]) {
        assert.ok(!shown.includes(fragment), `"${fragment}" of the key is shown:\n${shown}`);
      }
    });
  }

  it('reads a valid Spark conf given as JSON text or as an object', () => {
    assert.deepEqual(parseSparkConf(`{"${keyName}": "${storageKey}", "spark.executor.cores": 2}`), {
      [keyName]: storageKey,
      'spark.executor.cores': '2',
    });
    assert.deepEqual(parseSparkConf({ 'spark.dynamicAllocation.enabled': false }), { 'spark.dynamicAllocation.enabled': 'false' });
  });

  it('reports a damaged stored secret without quoting it', () => {
    const isLogin = (v: unknown): v is { username: string; password: string } =>
      typeof v === 'object' && v !== null && typeof (v as { password?: unknown }).password === 'string';
    for (const stored of [
      '{"username":"admin","password":"Stored Pw, 1"',
      '{"username":"admin","password":Stored Pw, 1}',
      '"Stored Pw, 1"',
    ]) {
      assert.throws(
        () => parseStoredSecret(stored, 'cluster login of contoso-kafka', isLogin, 'Enter it again.'),
        (err: unknown) => {
          const shown = everythingShown(err);
          assert.match(userMessage(err), /^The stored cluster login of contoso-kafka is damaged and cannot be read\. Enter it again\.$/);
          assert.ok(!shown.includes('Stored Pw') && !shown.includes('Pw, 1'), shown);
          return true;
        },
      );
    }
  });
});
