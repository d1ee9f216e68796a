import assert from 'node:assert/strict';
import { ensurePrograms, requiredPrograms, type Program } from '../harness/programs';

describe('The programs the tests run, checked before any tier starts', () => {
  const absent: Program = {
    command: ['hdinsight-no-such-tool', '-V'],
    debian: 'hdinsight-no-such-package',
    why: 'a test',
    usedBy: ['unit'],
  };
  const present: Program = { command: ['node', '--version'], debian: 'nodejs', why: 'a test', usedBy: ['unit'] };

  it('names kcat, the SSH server and Chromium with their Debian packages', () => {
    const named = new Map(requiredPrograms.map((p) => [p.command[0].replace(/^.*\//, ''), p.debian]));
    assert.equal(named.get('kcat'), 'kcat');
    assert.equal(named.get('sshd'), 'openssh-server');
    assert.equal(named.get('chromium') ?? named.get(process.env.CHROMIUM_PATH?.replace(/^.*\//, '') ?? ''), 'chromium');
  });

  it('installs only the packages of missing programs, once, for the tiers asked', () => {
    const installed: string[][] = [];
    ensurePrograms(['unit'], [present, { ...absent, usedBy: ['ui'] }], (packages) => installed.push(packages));
    assert.equal(installed.length, 0);
    assert.throws(() => ensurePrograms(['unit'], [present, absent], (packages) => installed.push(packages)));
    assert.deepEqual(installed, [['hdinsight-no-such-package']]);
  });

  it('says in one message which program is missing, its package and the command to install it', () => {
    assert.throws(
      () =>
        ensurePrograms(['unit'], [absent], () => {
          throw new Error('this is not root');
        }),
      (err: Error) =>
        err.message.includes('hdinsight-no-such-tool (Debian package hdinsight-no-such-package; a test)') &&
        err.message.includes('sudo apt-get update && sudo apt-get install -y hdinsight-no-such-package'),
    );
  });
});
