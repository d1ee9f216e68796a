import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanForSecrets, secretForms } from '../harness/secretScan';

describe('The secret scan the suites end with', () => {
  it('finds a password written to a log, plainly or inside a Basic header, and passes clean files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
    fs.mkdirSync(path.join(dir, 'logs', 'exthost1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'logs', 'exthost1', 'HDInsight.log'), 'info: activated\nerror: login failed for admin/Top-Secret-9\n');
    fs.writeFileSync(
      path.join(dir, 'code-server.log'),
      `GET /livy Authorization: Basic ${Buffer.from('admin:Top-Secret-9').toString('base64')}\n`,
    );
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"hdinsight.linkedClusters":[]}');
    const forms = secretForms([{ label: 'the login', value: 'Top-Secret-9', username: 'admin' }]);
    const scan = scanForSecrets([dir], forms);
    assert.equal(scan.files.length, 3);
    assert.deepEqual(scan.findings.map((f) => [path.basename(f.file), f.what]).sort(), [
      ['HDInsight.log', 'the login'],
      ['code-server.log', 'the login (Basic header)'],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
