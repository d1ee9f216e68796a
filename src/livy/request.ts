// What a job submission asks for, and its checks before anything is sent. No vscode import.
import { InvalidInputError } from '../core/errors';
import type { JobLanguage } from './job';

export interface SubmitRequest {
  language: JobLanguage;
  mode: 'session' | 'batch';
  /** The code to run (session mode; batch mode uploads it). */
  code?: string;
  /** A file already in the cluster's storage (batch mode), e.g. wasbs://…/job.py or a jar. */
  file?: string;
  className?: string;
  conf?: Record<string, string>;
  args?: string[];
  name: string;
}

/** Checks a request before anything is sent. */
export function checkSubmit(request: SubmitRequest): void {
  if (request.mode === 'session' && !request.code?.trim())
    throw new InvalidInputError('There is no code to run: the file or selection is empty.');
  if (request.mode === 'batch') {
    if (!request.file && !request.code?.trim()) throw new InvalidInputError('There is no code to run: the file or selection is empty.');
    if (request.language === 'scala' && !(request.file && request.className)) {
      throw new InvalidInputError(
        'A Scala batch runs a built jar: give "file" (the jar in the cluster storage) and "className".',
        'Or submit the Scala code in session mode.',
      );
    }
  }
}
