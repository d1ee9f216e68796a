import assert from 'node:assert/strict';
import type * as treeNode from '../../src/tree/nodes/TreeNode';

/** A fresh copy of the TreeNode module, as each lazy chunk bundles its own. */
function bundleCopy(): typeof treeNode {
  const modulePath = require.resolve('../../src/tree/nodes/TreeNode');
  const cached = require.cache[modulePath];
  delete require.cache[modulePath];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath) as typeof treeNode;
  } finally {
    if (cached) require.cache[modulePath] = cached;
    else delete require.cache[modulePath];
  }
}

/** The class TopicNode as one bundle has it: its own class object, marked with that bundle's helper. */
function topicNodeClassOf(copy: typeof treeNode): new () => { id: string } {
  return class TopicNode {
    static {
      copy.recognisedAcrossBundles(this, 'test.TopicNode');
    }
    id = 'topic';
  };
}

describe('Tree node classes', () => {
  it("recognise a node that the tree made with another bundle's copy of the class", () => {
    const activationBundle = bundleCopy();
    const commandsChunk = bundleCopy();
    assert.notEqual(activationBundle.recognisedAcrossBundles, commandsChunk.recognisedAcrossBundles, 'two copies of the module');
    const TreeTopicNode = topicNodeClassOf(activationBundle);
    const ChunkTopicNode = topicNodeClassOf(commandsChunk);
    assert.notEqual(TreeTopicNode, ChunkTopicNode);
    const node = new TreeTopicNode();
    assert.ok(node instanceof ChunkTopicNode);
    assert.ok(node instanceof TreeTopicNode);
  });

  it('do not take other nodes, plain objects or nothing for theirs', () => {
    const copy = bundleCopy();
    const TopicNode = topicNodeClassOf(copy);
    class TopicsNode {
      static {
        copy.recognisedAcrossBundles(this, 'test.TopicsNode');
      }
    }
    assert.ok(!(new TopicsNode() instanceof TopicNode));
    assert.ok(!(new TopicNode() instanceof TopicsNode));
    assert.ok(!({ id: 'topic' } instanceof TopicNode));
    for (const value of [null, undefined, 'topic'] as unknown[]) assert.ok(!(value instanceof TopicNode));
  });

  it('keep subclasses checking their own class', () => {
    const TopicNode = topicNodeClassOf(bundleCopy());
    class InternalTopicNode extends TopicNode {}
    assert.ok(new InternalTopicNode() instanceof TopicNode);
    assert.ok(new InternalTopicNode() instanceof InternalTopicNode);
    assert.ok(!(new TopicNode() instanceof InternalTopicNode));
  });
});
