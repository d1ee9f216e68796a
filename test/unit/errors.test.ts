import assert from 'node:assert/strict';
import type * as errors from '../../src/core/errors';
import { toAzureError } from '../../src/azure/errors';
import { CancelledError, HDInsightError, InvalidInputError, isCancellation, sentence, userMessage } from '../../src/core/errors';

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

  it("finish Azure's message as a sentence when it lacks a final period, before what follows it", () => {
    // Resource Manager ends this one with a link, and a failed operation's message may end with no period at all.
    const notFound = Object.assign(
      new Error(
        "The Resource 'Microsoft.HDInsight/clusters/x' under resource group 'rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
      ),
      { statusCode: 404, code: 'ResourceNotFound' },
    );
    assert.equal(
      userMessage(toAzureError(notFound, 'Reading cluster x')),
      "Reading cluster x failed: The Resource 'Microsoft.HDInsight/clusters/x' under resource group 'rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix. Refresh the view: it may have been deleted or moved.",
    );
    const failed = new Error('The long-running operation has failed. InternalServerError. Failed to provision the ZooKeeper nodes');
    assert.equal(
      (toAzureError(failed, 'Creating cluster kafka-x') as HDInsightError).message,
      'Creating cluster kafka-x failed: The long-running operation has failed. InternalServerError. Failed to provision the ZooKeeper nodes.',
    );
    assert.equal(
      userMessage(new HDInsightError('Remote', 'No answer from the broker', 'Check the address.')),
      'No answer from the broker. Check the address.',
    );
    for (const done of ['Ends.', 'Asks?', 'Shouts!', 'Cut short…', 'Said "no."', '(Quoted.)']) assert.equal(sentence(done), done);
    assert.equal(sentence('Refused (QuotaExceeded)'), 'Refused (QuotaExceeded).');
    assert.equal(sentence('trailing space  '), 'trailing space.');
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
