// The pre-flight step of Submit Streaming Job in VS Code: gathers the facts (bounded in time),
// runs the analysis (src/preflight/), and, for a user, shows what it found before anything is
// sent: a modal warning with "Use <coordinates>", "Submit anyway" and Cancel, or a passing note
// for information. Scripts choose with `preflight`: "check" (report only), "fix" (accept the fixes),
// "stop" (submit nothing when it warns), "skip", or "ask" (the dialog, as from the palette).
import * as vscode from 'vscode';
import type { ClusterLookup, ClusterTarget } from '../clusters/ClusterTarget';
import type { KnownBrokers } from '../clusters/knownBrokers';
import { knownKafkaClusters, refreshKafkaFacts, sparkFacts } from '../clusters/streamingFacts';
import { CancelledError, HDInsightError, InvalidInputError, userMessage } from '../core/errors';
import type { SubmitRequest } from '../livy/request';
import {
  analyseStreamingJob,
  applyFix,
  fixConfigureMagic,
  type ConfFix,
  type PreflightFinding,
  type PreflightReport,
} from '../preflight/streamingPreflight';
import type { Settings } from '../settings';

export type PreflightMode = 'ask' | 'check' | 'fix' | 'stop' | 'skip';
export const PREFLIGHT_MODES: readonly PreflightMode[] = ['ask', 'check', 'fix', 'stop', 'skip'];

/** Where the submission's `spark.jars.packages` came from: where a fix is offered to be saved. */
export type ConfOrigin =
  | { kind: 'argument' }
  | { kind: 'settings' }
  /** A `%%configure` magic in an editor's document (its text from `offset` on was submitted). */
  | { kind: 'configure'; uri?: vscode.Uri; offset: number; code: string }
  | { kind: 'none' };

export interface PreflightDeps {
  lookup: ClusterLookup;
  knownBrokers?: KnownBrokers;
  settings: Settings;
}

/**
 * Runs the pre-flight for `request` on `target` and returns the request to submit (with the fix
 * when accepted) and the report. Throws CancelledError when the user cancels in the dialog.
 */
export async function runPreflight(
  deps: PreflightDeps,
  target: ClusterTarget,
  request: SubmitRequest,
  mode: PreflightMode,
  origin: ConfOrigin,
): Promise<{ request: SubmitRequest; report: PreflightReport }> {
  if (mode === 'skip' || !request.code) return { request, report: { skipped: true, findings: [], kafkaClusters: [] } };
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Checking the streaming job before submitting' },
    () => analyse(deps, target, request),
  );
  const warnings = report.findings.filter((f) => f.severity === 'warning');
  const fix = report.findings.find((f) => f.fix)?.fix;
  if (mode === 'check' || report.findings.length === 0) return { request, report };
  if (mode === 'stop') {
    if (warnings.length === 0) return { request, report };
    throw new HDInsightError(
      'InvalidInput',
      `Not submitted: the pre-flight found ${warnings.length === 1 ? 'a problem' : `${warnings.length} problems`}. ${warnings.map((w) => w.message).join(' ')}`,
      warnings
        .map((w) => w.action)
        .filter(Boolean)
        .join(' ') || undefined,
    );
  }
  if (mode === 'fix')
    return fix ? { request: { ...request, conf: applyFix(request.conf, fix) }, report: { ...report, applied: fix } } : { request, report };
  if (warnings.length === 0) {
    // Information only: said once, without holding the submission up.
    void vscode.window.showInformationMessage(`Submit Streaming Job: ${report.findings.map((f) => f.message).join(' ')}`);
    return { request, report };
  }
  const useFix = fix ? `Use ${fix.coordinates}` : undefined;
  const submitAnyway = 'Submit anyway';
  const choice = await vscode.window.showWarningMessage(
    warnings.length === 1
      ? warnings[0].title
      : `${warnings.length} problems before submitting to ${target.cluster.name}: ${warnings.map((w) => w.title).join(' ')}`,
    { modal: true, detail: detailOf(report.findings) },
    ...(useFix ? [useFix] : []),
    submitAnyway,
  );
  if (choice === undefined) throw new CancelledError('Submission cancelled at the pre-flight');
  if (choice !== useFix || !fix) return { request, report };
  // Offered beside the submission, which goes on meanwhile; a failure to save is said on its own.
  void offerToSave(deps.settings, fix, origin).catch((err: unknown) => void vscode.window.showErrorMessage(userMessage(err)));
  return { request: { ...request, conf: applyFix(request.conf, fix) }, report: { ...report, applied: fix } };
}

async function analyse(deps: PreflightDeps, target: ClusterTarget, request: SubmitRequest): Promise<PreflightReport> {
  const known = knownKafkaClusters(deps.lookup, deps.knownBrokers);
  const input = {
    language: request.language,
    code: request.code,
    conf: request.conf,
    spark: sparkFacts(target),
    kafka: known.map((k) => k.facts),
  };
  const first = analyseStreamingJob(input);
  if (first.kafkaClusters.length === 0) return { findings: first.findings, kafkaClusters: [] };
  // The network of the clusters the job names, as Resource Manager has it now.
  const { facts, stale } = await refreshKafkaFacts(deps.lookup, known, first.kafkaClusters);
  const result = analyseStreamingJob({ ...input, kafka: facts });
  return { findings: result.findings, kafkaClusters: result.kafkaClusters, ...(stale.length ? { stale } : {}) };
}

function detailOf(findings: PreflightFinding[]): string {
  return findings.map((f) => `${f.severity === 'warning' ? '⚠' : 'ℹ'} ${f.message}${f.action ? `\n${f.action}` : ''}`).join('\n\n');
}

/** After the fix went into this submission: offers to keep it where the configuration lives. */
async function offerToSave(settings: Settings, fix: ConfFix, origin: ConfOrigin): Promise<void> {
  if (origin.kind === 'argument') return; // a script's configuration is the script's
  if (origin.kind === 'configure') {
    if (!origin.uri) return;
    const fixed = fixConfigureMagic(origin.code, fix);
    if (fixed === undefined) return;
    const save = 'Update %%configure';
    const choice = await vscode.window.showInformationMessage(
      `This submission uses ${fix.coordinates}. Update the %%configure cell of ${vscode.workspace.asRelativePath(origin.uri)} too?`,
      save,
    );
    if (choice !== save) return;
    const document = await vscode.workspace.openTextDocument(origin.uri);
    const start = document.positionAt(origin.offset);
    const end = document.positionAt(origin.offset + origin.code.length);
    if (document.getText(new vscode.Range(start, end)) !== origin.code) {
      throw new InvalidInputError(
        `${vscode.workspace.asRelativePath(origin.uri)} changed since the submission; the %%configure cell was left as it is.`,
      );
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(origin.uri, new vscode.Range(start, end), fixed);
    await vscode.workspace.applyEdit(edit);
    return;
  }
  const save = 'Save in settings';
  const choice = await vscode.window.showInformationMessage(
    `This submission uses ${fix.coordinates}. Keep it for every streaming job (setting hdinsight.streamingJob.conf)?`,
    save,
  );
  if (choice !== save) return;
  const where = await settings.setStreamingJobConf('spark.jars.packages', fix.packages);
  void vscode.window.showInformationMessage(`Saved spark.jars.packages in your ${where} settings.`);
}
