import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, extensionId } from './helpers';

describe('The extension in a real VS Code', () => {
  it('runs in the VS Code the harness installed', () => {
    const expected = process.env.HDINSIGHT_EXPECTED_VSCODE_VERSION;
    if (expected) assert.equal(vscode.version, expected);
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > 1 || minor >= 100, `VS Code ${vscode.version} is older than engines.vscode allows`);
  });

  it('activates and registers its commands', async () => {
    await activateExtension();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['hdinsight.refresh', 'hdinsight.showLog', 'hdinsight.openSettings']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  it('contributes the HDInsight view container and the clusters view', () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    const { contributes } = extension.packageJSON as {
      contributes: {
        viewsContainers: { activitybar: { id: string; title: string }[] };
        views: Record<string, { id: string }[]>;
      };
    };
    assert.deepEqual(
      contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]),
      [['hdinsight', 'HDInsight']],
    );
    assert.deepEqual(
      contributes.views.hdinsight.map((v) => v.id),
      ['hdinsight.clusters'],
    );
  });

  it('opens the clusters view by its focus command', async () => {
    await vscode.commands.executeCommand('hdinsight.clusters.focus');
  });
});
