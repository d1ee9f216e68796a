import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterLookup } from '../clusters/ClusterTarget';
import type { KnownBrokers } from '../clusters/knownBrokers';
import { resolveCluster } from './resolveCluster';
import { InvalidInputError } from '../core/errors';
import type { JobRegistry } from '../jobs/JobRegistry';
import type { JobLanguage } from '../livy/LivyJob';
import { checkSubmit, parseSparkConf, type SubmitRequest } from '../livy/request';
import { PACKAGES_KEY, splitConfigureMagic, type PreflightReport } from '../preflight/streamingPreflight';
import { JobOutputPanel } from '../panels/JobOutputPanel';
import type { Settings } from '../settings';
import { isScripted } from './command';
import { PREFLIGHT_MODES, runPreflight, type ConfOrigin, type PreflightMode } from './submitPreflight';

export interface SubmitDeps {
  lookup: ClusterLookup;
  jobs: JobRegistry;
  extensionUri: vscode.Uri;
  knownBrokers?: KnownBrokers;
  settings: Settings;
}

/** A request as the user or script gave it, before the settings' and %%configure's configuration join it. */
interface GivenRequest {
  request: SubmitRequest;
  /** Where a %%configure magic in the code sits in an editor's document. */
  document?: { uri: vscode.Uri; offset: number };
  preflight: PreflightMode;
}

const LANGUAGES: Record<string, JobLanguage> = { python: 'python', scala: 'scala' };
const EXTENSIONS: Record<string, JobLanguage> = { '.py': 'python', '.scala': 'scala', '.sc': 'scala' };
/** A file already in the cluster's storage (batch mode runs it from there). */
const STORAGE_URL = /^(wasbs?|abfss?|adl|hdfs|file):/i;

/**
 * `hdinsight.submitStreamingJob` `{ cluster, file?, code?, language?, mode?, conf?, args?, className?, preflight? }`
 * → `{ jobId, preflight }` at once; the job runs on. From the palette or the editor it runs the
 * active file, or its selection, and opens the job output panel.
 *
 * The job's Spark configuration is the setting hdinsight.streamingJob.conf, then a `%%configure`
 * magic in the code (taken out of the code), then `conf`. Before anything is sent, the pre-flight
 * checks that the cluster can reach the Kafka brokers the code names and that the Kafka connector
 * fits the cluster's Spark: `preflight` "ask" (the default from the palette: a dialog when it warns),
 * "check" (the default for scripts: reported in the result, nothing changed), "fix" (its fixes are
 * applied to this submission) or "skip".
 */
export function submitStreamingJobCommand(deps: SubmitDeps) {
  return async (arg?: unknown): Promise<{ jobId: string; preflight: PreflightReport }> => {
    const scripted = isScripted([arg]);
    const given = scripted ? await fromArguments(arg as Record<string, unknown>) : await fromEditor();
    const { request: withConf, origin } = withConfiguration(given, deps.settings.streamingJobConf);
    checkSubmit(withConf);
    const target = await resolveCluster(scripted ? arg : undefined, deps.lookup);
    const { request, report } = await runPreflight(deps, target, withConf, given.preflight, origin);
    const job = await deps.jobs.submit(target, request, !scripted, report);
    if (!scripted) JobOutputPanel.show(deps.extensionUri, job);
    return { jobId: job.id, preflight: report };
  };
}

/**
 * The request with the settings' configuration under a `%%configure` magic's (taken out of the
 * code), under the request's own; and where `spark.jars.packages` came from.
 */
function withConfiguration(given: GivenRequest, settingsConf: Record<string, string>): { request: SubmitRequest; origin: ConfOrigin } {
  const { request } = given;
  const original = request.code;
  const split: { code?: string; conf?: Record<string, string> } = original !== undefined ? splitConfigureMagic(original) : {};
  const conf = { ...settingsConf, ...split.conf, ...request.conf };
  const origin: ConfOrigin =
    request.conf?.[PACKAGES_KEY] !== undefined
      ? { kind: 'argument' }
      : split.conf
        ? { kind: 'configure', uri: given.document?.uri, offset: given.document?.offset ?? 0, code: original! }
        : settingsConf[PACKAGES_KEY] !== undefined
          ? { kind: 'settings' }
          : { kind: 'none' };
  return {
    request: { ...request, code: split.code, conf: Object.keys(conf).length > 0 ? conf : undefined },
    origin,
  };
}

async function fromArguments(arg: Record<string, unknown>): Promise<GivenRequest> {
  const { file, code, language, mode, conf, args, className, preflight } = arg;
  if (preflight !== undefined && !PREFLIGHT_MODES.includes(preflight as PreflightMode)) {
    throw new InvalidInputError(
      `"preflight" must be one of ${PREFLIGHT_MODES.map((m) => `"${m}"`).join(', ')} (got ${JSON.stringify(preflight)}).`,
    );
  }
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
    request: {
      language: lang,
      mode: mode ?? 'batch',
      code: storageFile ? undefined : text,
      file: storageFile,
      className: className,
      conf: parsedConf,
      args: args,
      name,
    },
    preflight: (preflight as PreflightMode | undefined) ?? 'check',
  };
}

async function fromEditor(): Promise<GivenRequest> {
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
    request: {
      language,
      mode: pick.mode,
      code,
      name: path.basename(document.fileName).replace(/\.[^.]+$/, '') || 'streaming-job',
    },
    document: { uri: document.uri, offset: selected === undefined ? 0 : document.offsetAt(selection.start) },
    preflight: 'ask',
  };
}
