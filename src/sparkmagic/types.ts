// What a notebook cell asks for, and what it shows, as plain data shared by the parts of the
// notebook kernel: the magics' parser (magics.ts), the %%sql code and its result (sql.ts), the
// outputs (outputs.ts), the notebook's Livy session (NotebookSession.ts) and the VS Code layer
// (src/notebook/). No vscode import.

/** The language of a notebook's session: sparkmagic's "Spark" kernel (Scala) or its "PySpark" kernel. */
export type NotebookLanguage = 'scala' | 'python';

/**
 * A Livy session's properties as `%%configure` takes them (sparkmagic passes its JSON through to
 * POST /sessions): `conf`, `driverMemory`, `executorCores`, `jars`, … Never `kind` (the kernel
 * decides it).
 */
export interface SessionProperties {
  conf?: Record<string, string>;
  driverMemory?: string;
  driverCores?: number;
  executorMemory?: string;
  executorCores?: number;
  numExecutors?: number;
  jars?: string[];
  pyFiles?: string[];
  files?: string[];
  archives?: string[];
  queue?: string;
  name?: string;
  /** The user the session runs as (Livy's impersonation). */
  proxyUser?: string;
  /** How long an idle session lives, e.g. "2h" (Livy 0.8+). */
  ttl?: string;
  heartbeatTimeoutInSecond?: number;
}

export interface SqlOptions {
  query: string;
  /** `-o NAME`: the result is also kept in the session as a variable of that name (sparkmagic keeps it locally: here the DataFrame is named in the session). */
  output?: string;
  /** `-q`: no table shown. */
  quiet: boolean;
  /** `-m take|sample` (default take). */
  samplemethod: 'take' | 'sample';
  /** `-n N` (default 2500; -1: all rows). */
  maxrows: number;
  /** `-r FRACTION` for `-m sample` (default 0.1). */
  samplefraction: number;
}

/** What a cell asks for. */
export type CellCommand =
  | { kind: 'code'; code: string }
  | { kind: 'configure'; force: boolean; properties: SessionProperties }
  | { kind: 'info' }
  | { kind: 'sql'; sql: SqlOptions }
  | { kind: 'logs' }
  | { kind: 'cleanup'; force: boolean }
  | { kind: 'delete'; sessionId: number; force: boolean }
  | { kind: 'help' };

/** A table of rows, as %%sql and Livy's %table give it. */
export interface ResultTable {
  columns: string[];
  rows: unknown[][];
  /** Rows the result had beyond the ones kept (when known). */
  truncated?: boolean;
}

/**
 * One output item: a MIME type and its data. Text types carry a string; `application/json` any
 * JSON value. The VS Code layer makes NotebookCellOutputItems of them; VS Code's ipynb serializer
 * saves them in Jupyter's formats.
 */
export interface OutputItem {
  mime: string;
  data: unknown;
}

/** One cell output: several representations of one result, or an error. */
export type CellOutput = { kind: 'data'; items: OutputItem[] } | { kind: 'error'; name: string; message: string; traceback: string[] };
