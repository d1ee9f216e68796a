import assert from 'node:assert/strict';
import { userMessage } from '../../src/core/errors';
import { loginOrigins, parseLinkedClusters } from '../../src/core/linkedClusters';
import { encodeStoredLogin, readStoredLogin } from '../../src/core/storedLogin';

const login = { username: 'admin', password: 'Bound-Pw 1,@/' };

function linked(entry: Record<string, unknown>): string[] {
  const { clusters, problems } = parseLinkedClusters([{ name: 'onprem', ...entry }]);
  assert.deepEqual(problems, []);
  return loginOrigins(clusters[0]);
}

describe('A stored cluster login is bound to where it was entered for', () => {
  it("binds a linked cluster's login to the origins of its Ambari and Livy", () => {
    assert.deepEqual(linked({ ambariUrl: 'https://onprem.example.com', livyUrl: 'https://ONPREM.example.com:443/livy' }), [
      'https://onprem.example.com',
    ]);
    assert.deepEqual(linked({ ambariUrl: 'https://onprem.example.com:8443', livyUrl: 'https://onprem.example.com:8998' }), [
      'https://onprem.example.com:8443',
      'https://onprem.example.com:8998',
    ]);
    assert.deepEqual(linked({ kafkaBootstrap: 'b0:9092' }), []);
  });

  it('is used for the addresses it was entered for', () => {
    const stored = encodeStoredLogin(login, ['https://a.example.com', 'https://a.example.com:8998']);
    assert.deepEqual(readStoredLogin(stored, 'cluster login of onprem', ['https://a.example.com']), { login });
    assert.deepEqual(readStoredLogin(stored, 'cluster login of onprem', ['https://a.example.com', 'https://a.example.com:8998']), {
      login,
    });
  });

  it('is not used once the cluster points elsewhere, even in part', () => {
    const stored = encodeStoredLogin(login, ['https://a.example.com']);
    assert.deepEqual(readStoredLogin(stored, 'cluster login of onprem', ['https://b.example.com']), {
      enteredFor: ['https://a.example.com'],
      uncovered: ['https://b.example.com'],
    });
    assert.deepEqual(readStoredLogin(stored, 'cluster login of onprem', ['https://a.example.com', 'http://localhost:8998']), {
      enteredFor: ['https://a.example.com'],
      uncovered: ['http://localhost:8998'],
    });
  });

  it('treats an entry stored before binding as bound to nothing', () => {
    const old = JSON.stringify(login);
    assert.deepEqual(readStoredLogin(old, 'cluster login of onprem', ['https://a.example.com']), {
      enteredFor: undefined,
      uncovered: ['https://a.example.com'],
    });
    // An Azure cluster's login has no origins: its gateway address comes from Azure.
    assert.deepEqual(readStoredLogin(old, 'cluster login of contoso-kafka'), { login });
  });

  it('reports a damaged entry without quoting it', () => {
    for (const damaged of [
      '{"username":"admin","password":"Bound-Pw 1,@/"',
      '{"username":"admin","password":"Bound-Pw 1,@/","origins":"x"}',
    ]) {
      assert.throws(
        () => readStoredLogin(damaged, 'cluster login of onprem', ['https://a.example.com']),
        (err: unknown) => {
          assert.equal(
            userMessage(err),
            'The stored cluster login of onprem is damaged and cannot be read. Enter it again with "HDInsight: Enter Cluster Login…".',
          );
          assert.ok(!String((err as Error).stack).includes('Bound-Pw'));
          return true;
        },
      );
    }
  });
});
