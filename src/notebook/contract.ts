// What the activation part of the notebook kernel and its lazy bundle share.
import type { BrokerLookup } from '../clusters/brokers';
import type { LivyConnections } from '../clusters/LivyConnections';
import type { Logger } from '../logger';

/** VS Code's built-in ipynb serializer's notebook type. */
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';

export interface NotebookKernelDeps {
  lookup: BrokerLookup;
  livy: LivyConnections;
  logger: Logger;
}
