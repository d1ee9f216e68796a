import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { HDInsightError, userMessage } from '../../src/core/errors';
import { redact } from '../../src/core/redact';

interface Row {
  what: string;
  input: string;
  /** Every fragment of the secret: none may remain. */
  secret: string[];
  /** What makes the message useful: all of it must remain. */
  kept: string[];
}

const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV';
const storageKey = 'S3cr3tK3y+AbCd/EfGh0123456789abcdefXYZ==';
const hard = `a b,c"d@e/f`;
const hardFragments = ['a b', 'b,c', 'c"d', 'd@e', 'e/f'];
const malformedJson = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the text was valid JSON');
};

const rows: Row[] = [
  {
    what: 'an Authorization header',
    input: 'GET /livy/batches failed; sent Authorization: Basic YWRtaW46c2VjcmV0',
    secret: ['YWRtaW46c2VjcmV0'],
    kept: ['GET /livy/batches failed; sent Authorization: Basic ***'],
  },
  {
    what: 'an authorization header in JSON',
    input: '{"headers":{"accept":"application/json","authorization":"Basic YWRtaW46UGE1NXdvcmQh"},"status":401}',
    secret: ['YWRtaW46UGE1NXdvcmQh'],
    kept: ['"accept":"application/json"', '"status":401', 'Basic ***'],
  },
  {
    what: 'an authorization header in an inspected object',
    input: inspect({ headers: { authorization: `Bearer ${jwt}`, 'x-requested-by': 'ambari' } }, { breakLength: Infinity }),
    secret: jwt.split('.'),
    kept: ["'x-requested-by': 'ambari'", 'Bearer ***'],
  },
  {
    what: 'an authorization header with another scheme',
    input: 'authorization: SharedKeyLite contosostore:c2lnbmF0dXJlIQ==',
    secret: ['c2lnbmF0dXJlIQ=='],
    kept: ['authorization: '],
  },
  {
    what: 'a bare Basic credential',
    input: 'The gateway page echoed Basic YWRtaW46c2VjcmV0 back',
    secret: ['YWRtaW46c2VjcmV0'],
    kept: ['The gateway page echoed Basic ***', 'back'],
  },
  {
    what: 'a Bearer token',
    input: 'GET with token Bearer abc.def-ghi failed',
    secret: ['abc.def-ghi'],
    kept: ['GET with token Bearer ***', 'failed'],
  },
  {
    what: 'a JWT without a scheme',
    input: `The token ${jwt} expired at 12:00`,
    secret: jwt.split('.'),
    kept: ['The token', 'expired at 12:00'],
  },
  {
    what: 'an AccountKey connection string',
    input: `DefaultEndpointsProtocol=https;AccountName=contosostore;AccountKey=${storageKey};EndpointSuffix=core.windows.net`,
    secret: [storageKey, 'S3cr3tK3y', 'XYZ=='],
    kept: ['AccountName=contosostore', 'EndpointSuffix=core.windows.net', 'AccountKey=***'],
  },
  {
    what: 'a storage key in a JSON Spark conf',
    input: `{"spark.hadoop.fs.azure.account.key.contosostore.blob.core.windows.net": "${storageKey}", "spark.executor.memory": "4g"}`,
    secret: [storageKey, 'S3cr3tK3y', 'XYZ=='],
    kept: ['"spark.executor.memory": "4g"', 'fs.azure.account.key.contosostore.blob.core.windows.net'],
  },
  {
    what: 'a storage key as key=value',
    input: `--conf fs.azure.account.key.contosostore.blob.core.windows.net=${storageKey} --conf spark.executor.memory=4g`,
    secret: [storageKey, 'S3cr3tK3y', 'XYZ=='],
    kept: ['--conf spark.executor.memory=4g', 'fs.azure.account.key.contosostore.blob.core.windows.net='],
  },
  {
    what: 'a SAS signature',
    input: 'https://contosostore.blob.core.windows.net/jobs/job.py?sv=2022-11-02&se=2026-12-01&sp=r&sig=AbC%2BdEf%3D12345 answered 403',
    secret: ['AbC%2BdEf%3D12345'],
    kept: ['/jobs/job.py?sv=2022-11-02&se=2026-12-01&sp=r&sig=***', 'answered 403'],
  },
  {
    what: 'a PEM private key',
    input:
      'The key was refused:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACDxyz\n-----END OPENSSH PRIVATE KEY-----\nThe tunnel stopped.',
    secret: ['b3BlbnNzaC1rZXktdjEAAAAA', 'QyNTUxOQAAACDxyz'],
    kept: ['The key was refused:', 'The tunnel stopped.', 'PRIVATE KEY'],
  },
  {
    what: 'a PEM private key in JSON, with escaped line breaks',
    input: JSON.stringify({
      host: 'ssh.example',
      privateKey: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----\n',
    }),
    secret: ['MIIEowIBAAKCAQEAx'],
    kept: ['"host":"ssh.example"'],
  },
  {
    what: 'a PEM private key cut off by a log line limit',
    input: 'config: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    secret: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
    kept: ['config:'],
  },
  {
    what: 'a privateKey Buffer in an inspected object',
    input: inspect({ host: 'ssh.example', privateKey: Buffer.from('-----BEGIN OPENSSH') }, { breakLength: Infinity }),
    secret: ['2d 2d 2d 2d 2d 42 45 47'],
    kept: ["host: 'ssh.example'", 'privateKey: ***'],
  },
  {
    what: 'a passphrase in an inspected object',
    input: inspect({ username: 'sshuser', passphrase: 'open sesame, please' }, { breakLength: Infinity }),
    secret: ['open sesame', 'please'],
    kept: ["username: 'sshuser'"],
  },
  {
    what: 'a pwd field in a connection string',
    input: 'Server=tcp:metastore.database.windows.net;Uid=hive;Pwd=Pa55 w0rd;Encrypt=yes',
    secret: ['Pa55', 'w0rd'],
    kept: ['Server=tcp:metastore.database.windows.net;Uid=hive;Pwd=***'],
  },
  {
    what: 'a JSON password with a space, comma, quote, @ and /',
    input: JSON.stringify({ password: hard, username: 'admin' }),
    secret: hardFragments,
    kept: ['"username":"admin"'],
  },
  {
    what: 'the same password in an inspected object',
    input: inspect({ username: 'admin', password: hard }, { breakLength: Infinity }),
    secret: hardFragments,
    kept: ["username: 'admin'"],
  },
  {
    what: "a password quoted with ' that holds both quotes",
    input: inspect({ username: 'admin', password: `a b,c'd"e@f/g` }, { breakLength: Infinity }),
    secret: ['a b', 'b,c', `c'd`, 'd"e', 'e@f', 'f/g'],
    kept: ["username: 'admin'"],
  },
  {
    what: 'the same password unquoted',
    input: `login failed for admin with password=${hard}`,
    secret: hardFragments,
    kept: ['login failed for admin with password=***'],
  },
  {
    what: 'a password field whose quotes do not end the value (malformed JSON)',
    input: '{"password": "a b" c@d/e", "username": "admin"}',
    secret: ['a b', 'c@d', 'd/e'],
    kept: ['{"password": '],
  },
  {
    what: "JSON.parse's error quoting a malformed password field",
    input: malformedJson(`{"password": ${hard}}`),
    secret: hardFragments,
    kept: ['Unexpected token', 'is not valid JSON'],
  },
  {
    what: "JSON.parse's error quoting the start of a storage key whose field name it cut off",
    input: malformedJson(`{"spark.hadoop.fs.azure.account.key.contosostore.blob.core.windows.net": '${storageKey}'}`),
    secret: [storageKey.slice(0, 9)],
    kept: ['Unexpected token', 'is not valid JSON'],
  },
  {
    what: 'a password in a URL, holding @ and /',
    input: 'Could not reach https://admin:p@ss/w,rd@cluster.azurehdinsight.net/livy (ECONNREFUSED)',
    secret: ['p@ss', 'w,rd'],
    kept: ['https://admin:***@cluster.azurehdinsight.net/livy (ECONNREFUSED)'],
  },
  {
    what: 'a password in a query string',
    input: 'login?user=admin&password=Pa%2055word%40x&x=1',
    secret: ['Pa%2055word', '%40x'],
    kept: ['user=admin', '&x=1'],
  },
  {
    what: "the cluster's REST login in an ARM request body",
    input: '{"restAuthCredential.isEnabled": true, "restAuthCredential.password": "Pa55 word!", "restAuthCredential.username": "admin"}',
    secret: ['Pa55', 'word!'],
    kept: ['"restAuthCredential.isEnabled": true', '"restAuthCredential.username": "admin"'],
  },
  {
    what: 'an SSH password field',
    input: 'sshPassword: Top Secret 1',
    secret: ['Top', 'Secret 1'],
    kept: ['sshPassword: ***'],
  },
  {
    what: 'a client secret and a refresh token in JSON',
    input: '{"client_id":"0000","client_secret":"Q~abc.def_123","refresh_token":"0.AAAA-bbbb.cccc"}',
    secret: ['Q~abc.def_123', '0.AAAA-bbbb.cccc'],
    kept: ['"client_id":"0000"'],
  },
];

describe('Secrets never reach the log', () => {
  for (const row of rows) {
    it(`hides ${row.what}`, () => {
      const out = redact(row.input);
      for (const fragment of row.secret) assert.ok(!out.includes(fragment), `"${fragment}" is still in:\n${out}`);
      for (const fragment of row.kept) assert.ok(out.includes(fragment), `"${fragment}" was lost from:\n${out}`);
      assert.equal(redact(out), out, 'redacting twice changes nothing');
    });
  }

  const ordinary = [
    'Listed 3 clusters in subscription 0000 (Kafka 3.2 · Running · westeurope)',
    'Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.',
    'The Basic tier has no Kafka. Use Basic authentication over https.',
    'The cluster login of admin is not known. Enter it with "HDInsight: Enter Cluster Login…".',
    'Both "username" and "password" are needed.',
    "Password of admin (kept in VS Code's secret storage)",
    'Livy at localhost:8998 answered 400 Bad Request: requirement failed: Session not found.',
    '"conf" is not valid JSON at position 12. Write it as {"spark.some.setting": "value"}.',
  ];
  for (const text of ordinary) {
    it(`leaves ordinary text alone: ${text.slice(0, 40)}…`, () => assert.equal(redact(text), text));
  }

  it('applies to every message made from an error', () => {
    const err = new HDInsightError('Remote', `Livy answered 500: Authorization: Basic YWRtaW46c2VjcmV0, password=${hard}`, 'Try again.');
    const message = userMessage(err);
    assert.ok(!message.includes('YWRtaW46c2VjcmV0') && !hardFragments.some((f) => message.includes(f)), message);
    assert.match(message, /^Livy answered 500: Authorization: Basic \*\*\*/);
  });
});
