import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HDInsightExtensionApi } from '../../src/extension';

export const extensionId = 'hdinsight-streaming.hdinsight-streaming';

export async function activateExtension(): Promise<HDInsightExtensionApi> {
  const extension = vscode.extensions.getExtension<HDInsightExtensionApi>(extensionId);
  assert.ok(extension, `extension ${extensionId} is not loaded`);
  return extension.activate();
}
