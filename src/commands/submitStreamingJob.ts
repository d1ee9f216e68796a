import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterLookup } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { InvalidInputError } from '../core/errors';
import type { JobRegistry } from '../jobs/JobRegistry';
import type { JobLanguage } from '../livy/LivyJob';
import { checkSubmit, parseSparkConf, type SubmitRequest } from '../livy/request';
import { JobOutputPanel } from '../panels/JobOutputPanel';
import { isScripted } from './command';

export interface SubmitDeps {
  lookup: ClusterLookup;
  jobs: JobRegistry;
  extensionUri: vscode.Uri;
}

const LANGUAGES: Record<string, JobLanguage> = { python: 'python', scala: 'scala' };
const EXTENSIONS: Record<string, JobLanguage> = { '.py': 'python', '.scala': 'scala', '.sc': 'scala' };
/** A file already in the cluster's storage (batch mode runs it from there). */
const STORAGE_URL = /^(wasbs?|abfss?|adl|hdfs|file):/i;

/**
 * `hdinsight.submitStreamingJob` `{ cluster, file?, code?, language?, mode?, conf?, args?, className? }`
 * → `{ jobId }` at once; the job runs on. From the palette or the editor it runs the active file,
 * or its selection, and opens the job output panel.
 */
export function submitStreamingJobCommand(deps: SubmitDeps) {
  return async (arg?: unknown): Promise<{ jobId: string }> => {
    const scripted = isScripted([arg]);
    const request = scripted ? await fromArguments(arg as Record<string, unknown>) : await fromEditor();
    checkSubmit(request);
    const target = await resolveCluster(scripted ? arg : undefined, deps.lookup);
    const job = await deps.jobs.submit(target, request, !scripted);
    if (!scripted) JobOutputPanel.show(deps.extensionUri, job);
    return { jobId: job.id };
  };
}

async function fromArguments(arg: Record<string, unknown>): Promise<SubmitRequest> {
  const { file, code, language, mode, conf, args, className } = arg;
  if (mode !== undefined && mode !== 'session' && mode !== 'batch') throw new InvalidInputError('"mode" must be "session" or "batch".');
  if (language !== undefined && !(typeof language === 'string' && LANGUAGES[language])) {
    throw new InvalidInputError(`"language" must be "python" or "scala" (got ${JSON.stringify(language)}).`);
  }
  if (code !== undefined && typeof code !== 'string') throw new InvalidInputError('"code" must be a string.');
  if (file !== undefined && typeof file !== 'string') throw new InvalidInputError('"file" must be a path or a storage URL.');
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    throw new InvalidInputError('"args" must be a list of strings.');
  }
  if (className !== undefined && typeof className !== 'string') throw new InvalidInputError('"className" must be a string.');
  const parsedConf = parseSparkConf(conf);
  let text = code;
  let storageFile: string | undefined;
  let lang = language as JobLanguage | undefined;
  let name = 'streaming-job';
  if (typeof file === 'string') {
    name = path.basename(file).replace(/\.[^.]+$/, '') || name;
    lang ??= EXTENSIONS[path.extname(file).toLowerCase()];
    if (!lang) throw new InvalidInputError(`${path.basename(file)} is not a Python or Scala file.`);
    if (STORAGE_URL.test(file) && !file.toLowerCase().startsWith('file:')) {
      storageFile = file;
    } else if (text === undefined) {
      const uri = file.toLowerCase().startsWith('file:') ? vscode.Uri.parse(file) : vscode.Uri.file(file);
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        throw new InvalidInputError(`${file} cannot be read.`, 'Give the path of a Python or Scala file, or a storage URL.');
      }
    }
  }
  if (!lang) {
    throw new InvalidInputError(
      typeof file === 'string'
        ? `${path.basename(file)} is not a Python or Scala file.`
        : 'Say which language the code is in: "language": "python" or "scala".',
    );
  }
  return {
    language: lang,
    mode: mode ?? 'batch',
    code: storageFile ? undefined : text,
    file: storageFile,
    className: className,
    conf: parsedConf,
    args: args,
    name,
  };
}

async function fromEditor(): Promise<SubmitRequest> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new InvalidInputError('Open the Python or Scala file of the job first.');
  const { document, selection } = editor;
  const language = LANGUAGES[document.languageId] ?? EXTENSIONS[path.extname(document.fileName).toLowerCase()];
  if (!language) {
    throw new InvalidInputError(
      `${path.basename(document.fileName)} is ${document.languageId}; streaming jobs run Python (PySpark) or Scala.`,
      'Open a .py or .scala file.',
    );
  }
  const selected = selection.isEmpty ? undefined : document.getText(selection);
  if (selected !== undefined && !selected.trim())
    throw new InvalidInputError('The selection is empty: select the code to run, or nothing to run the whole file.');
  const code = selected ?? document.getText();
  if (!code.trim()) throw new InvalidInputError(`${path.basename(document.fileName)} is empty.`);
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Batch', description: 'for long-running streaming queries', mode: 'batch' as const },
      { label: 'Interactive session', description: 'runs as a statement; the session is reused', mode: 'session' as const },
    ],
    { title: 'Submit Streaming Job', placeHolder: 'How should Livy run it?' },
  );
  if (!pick) throw new vscode.CancellationError();
  if (pick.mode === 'batch' && language === 'scala') {
    throw new InvalidInputError(
      'A Scala batch runs a built jar.',
      'Run the Scala code as an interactive session, or submit the jar by its storage URL.',
    );
  }
  return {
    language,
    mode: pick.mode,
    code,
    name: path.basename(document.fileName).replace(/\.[^.]+$/, '') || 'streaming-job',
  };
}
