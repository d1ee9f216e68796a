import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { parseBootstrap, parseServiceUrl } from '../../src/core/urls';

describe('Service addresses the user enters', () => {
  it('accepts https anywhere and plain http only on loopback', () => {
    assert.equal(parseServiceUrl('https://cluster.azurehdinsight.net/livy', 'Livy URL').href, 'https://cluster.azurehdinsight.net/livy');
    assert.equal(parseServiceUrl(' http://localhost:8998 ', 'Livy URL').host, 'localhost:8998');
    assert.equal(parseServiceUrl('http://127.0.0.2:8080', 'Ambari URL').hostname, '127.0.0.2');
    assert.equal(parseServiceUrl('http://[::1]:8080', 'Ambari URL').hostname, '[::1]');
  });

  it('refuses plain http to another host, saying why and what to do', () => {
    assert.throws(
      () => parseServiceUrl('http://cluster.azurehdinsight.net', 'The Ambari URL'),
      (err: InvalidInputError) => err instanceof InvalidInputError && /plain http/.test(err.message) && /https/.test(err.action ?? ''),
    );
    assert.throws(() => parseServiceUrl('http://127.example.com', 'The Ambari URL'), InvalidInputError);
  });

  it('refuses text that is not a URL, other schemes, and logins inside the URL', () => {
    assert.throws(() => parseServiceUrl('cluster.azurehdinsight.net', 'The Livy URL'), /is not a URL/);
    assert.throws(() => parseServiceUrl('ftp://cluster', 'The Livy URL'), /must start with https/);
    assert.throws(
      () => parseServiceUrl('https://admin:secret@cluster', 'The Livy URL'),
      (err: Error) => {
        assert.doesNotMatch(err.message, /secret/);
        return /user name or password/.test(err.message);
      },
    );
  });

  it('parses a Kafka bootstrap list and names the entry that is wrong', () => {
    assert.deepEqual(parseBootstrap('wn0-kafka:9092, wn1-kafka:9092,'), ['wn0-kafka:9092', 'wn1-kafka:9092']);
    assert.deepEqual(parseBootstrap('[::1]:9092'), ['[::1]:9092']);
    assert.throws(() => parseBootstrap('wn0-kafka'), /"wn0-kafka" is not a Kafka broker address/);
    assert.throws(() => parseBootstrap('wn0-kafka:99999'), /not a Kafka broker address/);
    assert.throws(() => parseBootstrap(' , '), /empty/);
  });
});
