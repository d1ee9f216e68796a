import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * Where a webview may load files from: media/ (styles) and dist/webviews/ (the pages' scripts,
 * bundled by scripts/build.mjs from src/webviews/).
 */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')];
}

/**
 * A webview page that loads only the shared webview.css and its own stylesheets from media/ and
 * its own script (by nonce) from dist/webviews/: a strict
 * Content-Security-Policy with no inline code, nothing from elsewhere, and no data in the HTML.
 * `page.script` is the page's bundle: src/webviews/NAME.ts becomes dist/webviews/NAME.js.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { script: string; style: string | readonly string[]; title: string },
): string {
  const nonce = randomBytes(16).toString('base64');
  const media = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  const styles = (typeof page.style === 'string' ? [page.style] : page.style)
    .map((style) => `<link rel="stylesheet" href="${media(style)}">`)
    .join('\n');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webviews', page.script)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('webview.css')}">
${styles}
<title>${page.title}</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
