import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';

let app: TestWebApp;
before(async () => { app = await startTestWebApp('api_smoke'); });
after(async () => { await app?.stop(); });

test('an admin creates a network, a role and a host without a MAC', async () => {
  const api = apiClient(app.url, { cookie: await app.signIn() });
  const net = await api.post('/networks', { name: 'lab', cidr: '10.66.0.0/24', gateway: '10.66.0.1', poolStart: '10.66.0.100', poolEnd: '10.66.0.199' });
  assert.equal(net.status, 201, JSON.stringify(net.body));
  const role = await api.post('/roles', { name: 'web' });
  assert.equal(role.status, 201, JSON.stringify(role.body));
  const host = await api.post('/hosts', { hostname: 'web-01', ip: '10.66.0.10', roleId: role.body.id });
  assert.equal(host.status, 201, JSON.stringify(host.body));
  assert.equal(host.body.mac, null);
  assert.equal(host.body.networkId, net.body.id);
  const outside = await api.post('/hosts', { hostname: 'web-02', ip: '10.77.0.10' });
  assert.equal(outside.status, 409);
  assert.equal(outside.body.field, 'ip');
});
