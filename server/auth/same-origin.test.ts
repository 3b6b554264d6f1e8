import assert from 'node:assert/strict';
import test from 'node:test';
import { consoleOrigins, requireSameOrigin } from './same-origin.ts';

const post = (headers: Record<string, string>) => new Request('http://127.0.0.1:3000/api/v1/hosts', { method: 'POST', headers: { host: 'console.lan:3000', ...headers } });
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string; field?: string });
  }
  return null;
};

test("the console's origin is the Host it was asked at, with the proxy's scheme", () => {
  assert.deepEqual(consoleOrigins(post({}), ''), ['http://console.lan:3000']);
  assert.deepEqual(consoleOrigins(post({ 'x-forwarded-proto': 'https' }), ''), ['https://console.lan:3000']);
  assert.deepEqual(consoleOrigins(post({}), 'https://fleetboot.example.com/, http://10.0.0.5:3000'), ['https://fleetboot.example.com', 'http://10.0.0.5:3000']);
});

test('Origin must be the console; another port of the same host is another origin', () => {
  assert.equal(refusal(() => requireSameOrigin(post({ origin: 'http://console.lan:3000' }), { publicUrl: '' })), null);
  const err = refusal(() => requireSameOrigin(post({ origin: 'http://console.lan:8081' }), { publicUrl: '' }));
  assert.deepEqual([err?.code, err?.field], ['forbidden', 'origin']);
  assert.ok(refusal(() => requireSameOrigin(post({ origin: 'null' }), { publicUrl: '' })));
  assert.ok(refusal(() => requireSameOrigin(post({ origin: 'https://console.lan:3000' }), { publicUrl: '' })), 'another scheme');
});

test('behind a proxy FLEETBOOT_PUBLIC_URL names the origin the browser sees', () => {
  const viaProxy = post({ origin: 'https://fleetboot.example.com' });
  assert.ok(refusal(() => requireSameOrigin(viaProxy, { publicUrl: '' })));
  assert.equal(refusal(() => requireSameOrigin(viaProxy, { publicUrl: 'https://fleetboot.example.com' })), null);
  assert.ok(refusal(() => requireSameOrigin(post({ origin: 'http://console.lan:3000' }), { publicUrl: 'https://fleetboot.example.com' })));
});

test('without Origin only Sec-Fetch-Site: same-origin proves it; neither header is refused unless allowed', () => {
  assert.equal(refusal(() => requireSameOrigin(post({ 'sec-fetch-site': 'same-origin' }), { publicUrl: '' })), null);
  for (const site of ['same-site', 'cross-site', 'none']) assert.ok(refusal(() => requireSameOrigin(post({ 'sec-fetch-site': site }), { publicUrl: '' })), site);
  assert.ok(refusal(() => requireSameOrigin(post({}), { publicUrl: '' })));
  assert.equal(refusal(() => requireSameOrigin(post({}), { publicUrl: '', unprovenAllowed: true })), null);
  assert.ok(refusal(() => requireSameOrigin(post({ origin: 'http://evil:1' }), { publicUrl: '', unprovenAllowed: true })), 'a wrong Origin is refused even then');
});
