import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { registerCommand } from '../../src/commands/command';
import { CancelledError, InvalidInputError } from '../../src/core/errors';
import type { CommandLogger } from '../../src/commands/command';
import { activateExtension } from './helpers';

describe('Commands', () => {
  const disposables: vscode.Disposable[] = [];
  afterEach(() => {
    for (const d of disposables.splice(0)) d.dispose();
  });

  it('hdinsight.refresh reloads the tree', async () => {
    const { clusters } = await activateExtension();
    const changed = new Promise<unknown>((resolve) => {
      const sub = clusters.onDidChangeTreeData!((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('hdinsight.refresh');
    assert.equal(await changed, undefined, 'a refresh without a node reloads the whole tree');
  });

  it('hdinsight.showLog opens without error', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('hdinsight.showLog');
  });

  it('the error wrapper hands a scripted caller the typed error and keeps cancellation silent', async () => {
    const logged: string[] = [];
    const logger: CommandLogger = {
      error: (context, err) => logged.push(`error ${context}: ${(err as Error).message}`),
      debug: (message) => logged.push(`debug ${message}`),
      show: () => undefined,
    };
    disposables.push(
      registerCommand('hdinsight.test.fails', () => Promise.reject(new InvalidInputError('Topic name is empty.', 'Enter a name.')), logger),
      registerCommand('hdinsight.test.cancelled', () => Promise.reject(new CancelledError()), logger),
      registerCommand('hdinsight.test.returns', (args) => ({ echoed: args }), logger),
    );
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('hdinsight.test.fails', { topic: '' })), (err: Error) => {
      assert.equal(err.message, 'Topic name is empty.');
      return true;
    });
    assert.equal(await vscode.commands.executeCommand('hdinsight.test.fails'), undefined, 'interactive: message shown, no rejection');
    assert.equal(await vscode.commands.executeCommand('hdinsight.test.cancelled'), undefined);
    assert.deepEqual(await vscode.commands.executeCommand('hdinsight.test.returns', { a: 1 }), { echoed: { a: 1 } });
    assert.deepEqual(logged, [
      'error hdinsight.test.fails: Topic name is empty.',
      'error hdinsight.test.fails: Topic name is empty.',
      'debug hdinsight.test.cancelled cancelled',
    ]);
  });
});
