import assert from 'node:assert/strict';
import type * as errors from '../../src/core/errors';
import { toAzureError } from '../../src/azure/errors';
import { CancelledError, HDInsightError, InvalidInputError, isCancellation, userMessage } from '../../src/core/errors';

describe('Typed errors', () => {
  it('say what happened and what to do in one line', () => {
    assert.equal(
      userMessage(new HDInsightError('Throttled', 'Listing was throttled.', 'Wait a minute.')),
      'Listing was throttled. Wait a minute.',
    );
    assert.equal(userMessage(new Error('plain')), 'plain');
    assert.equal(userMessage('text'), 'text');
  });

  it('are recognised when a lazy chunk (another copy of the module) made them', () => {
    const modulePath = require.resolve('../../src/core/errors');
    const cached = require.cache[modulePath];
    delete require.cache[modulePath];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const copy = require(modulePath) as typeof errors;
    require.cache[modulePath] = cached;
    assert.notEqual(copy.HDInsightError, HDInsightError, 'a second copy of the class');
    const fromChunk = new copy.HDInsightError('Forbidden', 'Refused.', 'Ask for a role.');
    assert.ok(fromChunk instanceof HDInsightError);
    assert.equal(userMessage(fromChunk), 'Refused. Ask for a role.');
    assert.ok(!(new HDInsightError('Remote', 'x') instanceof InvalidInputError), 'subclasses still check their own class');
    assert.ok(new InvalidInputError('x') instanceof HDInsightError);
  });

  it('tell cancellation apart from failure', () => {
    assert.ok(isCancellation(new CancelledError()));
    assert.ok(isCancellation(new DOMException('aborted', 'AbortError')));
    assert.ok(!isCancellation(new Error('boom')));
  });

  it('say what Azure said when a long-running operation ended Failed, without blaming the network', () => {
    // What @azure/core-lro throws: no status code, Azure's code and message in the text.
    const failed = new Error('The long-running operation has failed. InternalServerError. Failed to provision the ZooKeeper nodes.');
    const err = toAzureError(failed, 'Creating cluster kafka-x') as HDInsightError;
    assert.equal(err.code, 'Remote');
    assert.equal(
      userMessage(err),
      'Creating cluster kafka-x failed: The long-running operation has failed. InternalServerError. Failed to provision the ZooKeeper nodes.',
    );
    const offline = toAzureError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'Listing') as HDInsightError;
    assert.equal(offline.code, 'Unreachable');
  });
});
