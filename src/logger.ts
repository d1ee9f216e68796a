import * as vscode from 'vscode';
import { redact } from './core/redact';

/** The one place diagnostics go: the "HDInsight" log output channel, with secrets scrubbed. */
export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('HDInsight', { log: true });
  }

  info(message: string): void {
    this.channel.info(redact(message));
  }

  warn(message: string): void {
    this.channel.warn(redact(message));
  }

  debug(message: string): void {
    this.channel.debug(redact(message));
  }

  /** Logs an error with its cause chain and stack. */
  error(context: string, err: unknown): void {
    this.channel.error(redact(`${context}: ${describe(err)}`));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.stack ?? `${err.name}: ${err.message}`;
  if (err.cause !== undefined) text += `\nCaused by: ${describe(err.cause)}`;
  return text;
}
