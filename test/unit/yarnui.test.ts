import assert from 'node:assert/strict';
import { publicYarnUrl, type YarnBinding } from '../emulator/yarnui';

describe('The gateway’s public form of internal YARN URLs', () => {
  const y: YarnBinding = {
    rmWebUrl: 'http://127.0.0.1:8088',
    nmWebUrl: 'localhost:30060',
    nodeId: 'localhost:30050',
    historyWebUrl: 'http://127.0.0.1:19888',
  };
  const gw = 'https://spark1.azurehdinsight.net';
  const cid = 'container_1700000000000_0001_01_000001';

  it('maps the history server’s log URL (the 307’s Location) to /yarnui/jobhistory/logs/{host}/port/{rpc}/…, query kept', () => {
    assert.equal(
      publicYarnUrl(`http://127.0.0.1:19888/jobhistory/logs/localhost:30050/${cid}/${cid}/livy/stdout?start=1234`, y, gw),
      `${gw}/yarnui/jobhistory/logs/localhost/port/30050/${cid}/${cid}/livy/stdout?start=1234`,
    );
  });

  it('maps the NodeManager’s pages to the /port/ form, and the ResourceManager’s to ws and hn', () => {
    assert.equal(
      publicYarnUrl(`http://localhost:30060/node/containerlogs/${cid}/livy`, y, gw),
      `${gw}/yarnui/localhost/port/30060/node/containerlogs/${cid}/livy`,
    );
    assert.equal(publicYarnUrl('http://127.0.0.1:8088/ws/v1/cluster/apps/a_1', y, gw), `${gw}/yarnui/ws/v1/cluster/apps/a_1`);
    assert.equal(publicYarnUrl('http://localhost:8088/proxy/a_1/', y, gw), `${gw}/yarnui/hn/proxy/a_1/`);
  });

  it('leaves a URL of no server of this YARN alone', () => {
    assert.equal(publicYarnUrl('http://10.0.0.9:30060/node/x', y, gw), 'http://10.0.0.9:30060/node/x');
    assert.equal(publicYarnUrl('not a url', y, gw), 'not a url');
  });
});
