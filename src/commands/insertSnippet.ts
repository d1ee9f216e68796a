import * as vscode from 'vscode';
import type { BrokerLookup } from '../clusters/brokers';
import { resolveCluster } from './resolveCluster';
import { CancelledError, InvalidInputError } from '../core/errors';
import {
  fillBootstrap,
  parseSnippetFile,
  renderPlain,
  SNIPPET_FILES,
  SNIPPET_LANGUAGES,
  usesKafka,
  type SnippetLanguage,
  type StreamingSnippet,
} from '../snippets/render';
import { isScripted } from './command';
import { discoverWithProgress } from './discoverBrokers';

export interface InsertSnippetDependencies extends BrokerLookup {
  extensionUri: vscode.Uri;
}

export interface InsertSnippetResult {
  language: SnippetLanguage;
  snippet: string;
  /** The body as plain text: the bootstrap servers filled in, every other tabstop at its default. */
  text: string;
  inserted: boolean;
}

interface Args {
  cluster?: unknown;
  snippet?: string;
  language?: SnippetLanguage;
  insert: boolean;
}

const LANGUAGE_LABELS: Record<SnippetLanguage, string> = { python: 'Python (PySpark)', scala: 'Scala' };

/**
 * `hdinsight.insertStreamingSnippet` `{ cluster?, snippet?, language?, insert? }` → `{ language, snippet, text, inserted }`.
 * Inserts one of the streaming snippets of snippets/ with the bootstrap servers of a Kafka cluster
 * (found by broker discovery) filled in. From the palette it asks for what is missing and inserts at
 * the cursor (in a new untitled document when no editor is open); a script gets the text back, and
 * an insertion into the active editor only with `insert: true`, and is never asked: without `cluster`
 * it gets the placeholder bootstrap servers, without `language` the active editor's (Python or Scala).
 */
export function insertSnippetCommand(deps: InsertSnippetDependencies) {
  return async (arg?: unknown): Promise<InsertSnippetResult> => {
    const scripted = isScripted([arg]);
    const args: Args = scripted ? parseArgs(arg as Record<string, unknown>) : { insert: true };
    const editor = vscode.window.activeTextEditor;
    // A sparkmagic PySpark notebook's cells say pyspark.
    const languageId = editor?.document.languageId === 'pyspark' ? 'python' : editor?.document.languageId;
    const editorLanguage = SNIPPET_LANGUAGES.find((l) => l === languageId);
    const language = args.language ?? editorLanguage ?? (scripted ? missing('language') : await pickLanguage());
    const snippets = await loadSnippets(deps.extensionUri, language);
    const snippet = args.snippet
      ? findSnippet(snippets, args.snippet, language)
      : scripted
        ? missing('snippet', snippets)
        : await pickSnippet(snippets, language);

    let body = snippet.body;
    if (usesKafka(body) && (!scripted || args.cluster !== undefined)) {
      body = fillBootstrap(body, await discoverBootstrap(arg, scripted, deps));
    }
    const result = { language, snippet: snippet.prefix, text: renderPlain(body), inserted: false };
    if (!args.insert) return result;

    const target = vscode.window.activeTextEditor ?? (scripted ? undefined : await openUntitled(language));
    if (target) result.inserted = await target.insertSnippet(new vscode.SnippetString(body));
    return result;
  };
}

function parseArgs(arg: Record<string, unknown>): Args {
  const { cluster, snippet, language, insert } = arg;
  if (snippet !== undefined && (typeof snippet !== 'string' || !snippet.trim())) {
    throw new InvalidInputError('"snippet" must be the prefix of a streaming snippet, such as "hdi-kafka-pipeline".');
  }
  if (language !== undefined && !SNIPPET_LANGUAGES.includes(language as SnippetLanguage)) {
    throw new InvalidInputError(
      `"language" must be ${SNIPPET_LANGUAGES.map((l) => `"${l}"`).join(' or ')}, not ${JSON.stringify(language)}.`,
      'The streaming snippets are for PySpark and Scala.',
    );
  }
  if (insert !== undefined && typeof insert !== 'boolean') throw new InvalidInputError('"insert" must be true or false.');
  return { cluster, snippet: snippet?.trim(), language: language as SnippetLanguage | undefined, insert: insert ?? false };
}

/** A script is never asked: what it leaves out and cannot be inferred is an input error. */
function missing(what: 'language' | 'snippet', snippets: StreamingSnippet[] = []): never {
  if (what === 'language') {
    throw new InvalidInputError(
      '"language" is needed when the active editor is neither Python nor Scala.',
      `Pass ${SNIPPET_LANGUAGES.map((l) => `"${l}"`).join(' or ')}.`,
    );
  }
  throw new InvalidInputError('"snippet" is needed.', `Pass one of: ${snippets.map((s) => s.prefix).join(', ')}.`);
}

async function loadSnippets(extensionUri: vscode.Uri, language: SnippetLanguage): Promise<StreamingSnippet[]> {
  const file = SNIPPET_FILES[language];
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, file));
  return parseSnippetFile(new TextDecoder().decode(bytes), file);
}

function findSnippet(snippets: StreamingSnippet[], wanted: string, language: SnippetLanguage): StreamingSnippet {
  const key = wanted.toLowerCase();
  const found = snippets.find((s) => s.prefix.toLowerCase() === key || s.name.toLowerCase() === key);
  if (!found) {
    throw new InvalidInputError(
      `There is no ${LANGUAGE_LABELS[language]} streaming snippet named "${wanted}".`,
      `Use one of: ${snippets.map((s) => s.prefix).join(', ')}.`,
    );
  }
  return found;
}

async function pickLanguage(): Promise<SnippetLanguage> {
  const picked = await vscode.window.showQuickPick(
    SNIPPET_LANGUAGES.map((language) => ({ label: LANGUAGE_LABELS[language], language })),
    { title: 'Insert Streaming Snippet: the language', ignoreFocusOut: true },
  );
  if (!picked) throw new CancelledError();
  return picked.language;
}

async function pickSnippet(snippets: StreamingSnippet[], language: SnippetLanguage): Promise<StreamingSnippet> {
  const picked = await vscode.window.showQuickPick(
    snippets.map((snippet) => ({
      label: snippet.prefix,
      description: snippet.name,
      detail: snippet.description,
      snippet,
    })),
    {
      title: `Insert Streaming Snippet (${LANGUAGE_LABELS[language]})`,
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    },
  );
  if (!picked) throw new CancelledError();
  return picked.snippet;
}

async function discoverBootstrap(arg: unknown, scripted: boolean, deps: InsertSnippetDependencies): Promise<string> {
  return (await discoverWithProgress(await resolveCluster(arg, deps), deps, !scripted)).bootstrap;
}

async function openUntitled(language: SnippetLanguage): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language, content: '' });
  return vscode.window.showTextDocument(document);
}
