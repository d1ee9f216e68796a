import assert from 'node:assert/strict';
import { parseLinkedClusters } from '../../src/core/linkedClusters';

describe('Linked clusters from settings', () => {
  it('reads a complete entry into typed addresses', () => {
    const { clusters, problems } = parseLinkedClusters([
      {
        name: ' onprem ',
        ambariUrl: 'https://onprem.example.com:8443',
        livyUrl: 'https://onprem.example.com/livy',
        kafkaBootstrap: 'b0:9092,b1:9092',
        sshHost: 'onprem-ssh.example.com',
        sshPort: 2222,
        username: 'admin',
      },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(clusters.length, 1);
    const [c] = clusters;
    assert.equal(c.name, 'onprem');
    assert.equal(c.ambariUrl?.port, '8443');
    assert.equal(c.livyUrl?.pathname, '/livy');
    assert.deepEqual(c.kafkaBootstrap, ['b0:9092', 'b1:9092']);
    assert.deepEqual(c.ssh, { host: 'onprem-ssh.example.com', port: 2222 });
    assert.equal(c.username, 'admin');
  });

  it('defaults the SSH port to 22', () => {
    const { clusters } = parseLinkedClusters([{ name: 'a', kafkaBootstrap: 'b:9092', sshHost: 'h' }]);
    assert.deepEqual(clusters[0].ssh, { host: 'h', port: 22 });
  });

  it('keeps the good entries and reports each bad one by name or position', () => {
    const { clusters, problems } = parseLinkedClusters([
      { name: 'good', livyUrl: 'http://localhost:8998' },
      { name: 'no-address' },
      { ambariUrl: 'https://x' },
      'not an object',
      { name: 'GOOD', livyUrl: 'http://localhost:8999' },
      { name: 'bad-port', kafkaBootstrap: 'b:9092', sshHost: 'h', sshPort: 70000 },
    ]);
    assert.deepEqual(
      clusters.map((c) => c.name),
      ['good'],
    );
    assert.deepEqual(problems, [
      { entry: 'no-address', message: 'It has no address. Add ambariUrl, livyUrl or kafkaBootstrap.' },
      { entry: 'entry 3', message: 'A linked cluster has no name. Add "name" to the entry.' },
      { entry: 'entry 4', message: 'Each linked cluster must be an object with a name.' },
      { entry: 'GOOD', message: 'The name "GOOD" is used twice. Give each linked cluster its own name.' },
      { entry: 'bad-port', message: '"sshPort" must be a port number between 1 and 65535.' },
    ]);
  });

  it('treats a missing setting as no clusters and a wrong type as one problem', () => {
    assert.deepEqual(parseLinkedClusters(undefined), { clusters: [], problems: [] });
    assert.equal(parseLinkedClusters({ name: 'x' }).problems.length, 1);
  });
});
