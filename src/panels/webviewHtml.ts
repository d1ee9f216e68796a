import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * A webview page that loads only the shared dom.js and webview.css and its own script (by nonce)
 * and stylesheet from media/: a strict
 * Content-Security-Policy with no inline code, nothing from elsewhere, and no data in the HTML.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { script: string; style: string; title: string },
): string {
  const nonce = randomBytes(16).toString('base64');
  const media = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('webview.css')}">
<link rel="stylesheet" href="${media(page.style)}">
<title>${page.title}</title>
</head>
<body>
<script nonce="${nonce}" src="${media('dom.js')}"></script>
<script nonce="${nonce}" src="${media(page.script)}"></script>
</body>
</html>`;
}
