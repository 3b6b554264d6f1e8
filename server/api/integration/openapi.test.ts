// GET /api/v1/openapi.json: OpenAPI 3.1, every route file under app/api/v1 documented (found by
// walking the directory), and request schemas that accept and refuse what the API does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createRole, unique, uniqueMac, type Api } from './fixtures.ts';
import { routeFiles as allRouteFiles } from './route-files.ts';

let app: TestWebApp;
let api: Api;
let doc: any;
before(async () => {
  app = await startTestWebApp('api_openapi');
  api = apiClient(app.url, { cookie: await app.signIn() });
  const res = await fetch(`${app.url}/api/v1/openapi.json`);
  doc = await res.json();
});
after(async () => { await app?.stop(); });

/** Every exported HTTP method of every route.ts under app/api/v1, as [method, /path/{id}]. */
function routeFiles(): Array<[string, string]> {
  return allRouteFiles().map((r) => [r.method.toLowerCase(), r.route]);
}

test('the document is OpenAPI 3.1.0, served without signing in', async () => {
  const res = await fetch(`${app.url}/api/v1/openapi.json`);
  assert.deepEqual({ status: res.status, openapi: (await res.json()).openapi }, { status: 200, openapi: '3.1.0' });
});

test('the route walk finds the API (the per-route tests are not vacuous)', () => {
  assert.ok(routeFiles().length >= 30, JSON.stringify(routeFiles()));
});

for (const [method, route] of routeFiles()) {
  test(`${method.toUpperCase()} ${route} is in the document`, () => {
    assert.ok(doc.paths?.[route]?.[method], `paths["${route}"].${method} missing; documented: ${Object.keys(doc.paths ?? {}).join(', ')}`);
  });
}

test('every documented operation has a route file', () => {
  const files = new Set(routeFiles().map(([m, r]) => `${m} ${r}`));
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`));
  assert.deepEqual(documented.filter((op) => !files.has(op)), []);
});

test('the hosts list documents its filters and paging as query parameters', () => {
  const names = doc.paths['/hosts'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name).sort();
  assert.deepEqual(names, ['cursor', 'hasMac', 'limit', 'network', 'networkId', 'order', 'q', 'role', 'roleId', 'sort', 'spare', 'state'].sort());
});

test('the host schema has hostname required and refuses unknown properties', () => {
  const schema = doc.paths['/hosts'].post.requestBody.content['application/json'].schema;
  assert.deepEqual({ required: schema.required, additionalProperties: schema.additionalProperties }, { required: ['hostname'], additionalProperties: false });
});

// A JSON Schema check of the keywords our schemas use, enough to compare verdicts with the API.
function validates(schema: any, value: unknown): boolean {
  if (schema === true || schema === undefined) return true;
  if (schema.anyOf) return schema.anyOf.some((s: any) => validates(s, value));
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
    if (!types.some((t) => t === kind || (t === 'number' && kind === 'integer'))) return false;
  }
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return false;
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return false;
    if (schema.format === 'ipv4' && !/^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(value)) return false;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
    if (schema.items && !value.every((v) => validates(schema.items, v))) return false;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    if ((schema.required ?? []).some((k: string) => !(k in obj))) return false;
    for (const [k, v] of Object.entries(obj)) {
      if (schema.properties?.[k]) {
        if (!validates(schema.properties[k], v)) return false;
      } else if (schema.additionalProperties === false) return false;
    }
  }
  return true;
}

const bodySchema = (route: string) => doc.paths[route].post.requestBody.content['application/json'].schema;

const hostSamples: Array<[string, () => Record<string, unknown>]> = [
  ['a hostname alone', () => ({ hostname: unique('oa') })],
  ['a hostname in capitals (the API lower-cases it)', () => ({ hostname: unique('OA').toUpperCase() })],
  ['a MAC with dashes', () => ({ hostname: unique('oa'), mac: uniqueMac().replaceAll(':', '-') })],
  ['no hostname', () => ({ mac: uniqueMac() })],
  ['a hostname with an underscore', () => ({ hostname: 'oa_host' })],
  ['a MAC that is not one', () => ({ hostname: unique('oa'), mac: 'not-a-mac' })],
  ['an IP that is not one', () => ({ hostname: unique('oa'), ip: '10.1.2.345' })],
  ['spare as a string', () => ({ hostname: unique('oa'), spare: 'yes' })],
  ['an unknown boot override', () => ({ hostname: unique('oa'), bootOverride: 'pxe' })],
  ['an unknown property', () => ({ hostname: unique('oa'), rack: 'r12' })],
  ['a null MAC (waiting for hardware)', () => ({ hostname: unique('oa'), mac: null })],
];

for (const [what, make] of hostSamples) {
  test(`POST /hosts with ${what}: the schema and the API agree`, async () => {
    const body = make();
    const res = await api.post('/hosts', body);
    assert.ok([201, 400].includes(res.status), `API answered ${res.status}: ${JSON.stringify(res.body)}`);
    assert.equal(validates(bodySchema('/hosts'), body), res.status === 201, `API ${res.status} ${JSON.stringify(res.body)}`);
  });
}

const networkSamples: Array<[string, () => Record<string, unknown>]> = [
  ['a name and a CIDR', () => ({ name: unique('oanet'), cidr: '10.222.0.0/24' })],
  ['no CIDR', () => ({ name: unique('oanet') })],
  ['a gateway that is not an IP', () => ({ name: unique('oanet'), cidr: '10.222.1.0/24', gateway: 'router' })],
  ['an unknown property', () => ({ name: unique('oanet'), cidr: '10.222.2.0/24', vlan: 7 })],
];

for (const [what, make] of networkSamples) {
  test(`POST /networks with ${what}: the schema and the API agree`, async () => {
    const body = make();
    const res = await api.post('/networks', body);
    assert.equal(validates(bodySchema('/networks'), body), res.status === 201, `API ${res.status} ${JSON.stringify(res.body)}`);
  });
}

const roleSamples: Array<[string, () => Record<string, unknown>]> = [
  ['a name', () => ({ name: unique('oarole') })],
  ['an unknown root mode', () => ({ name: unique('oarole'), rootMode: 'iscsi' })],
  ['a name starting with a dot', () => ({ name: '.hidden' })],
];

for (const [what, make] of roleSamples) {
  test(`POST /roles with ${what}: the schema and the API agree`, async () => {
    const body = make();
    const res = await api.post('/roles', body);
    assert.equal(validates(bodySchema('/roles'), body), res.status === 201, `API ${res.status} ${JSON.stringify(res.body)}`);
  });
}

test('POST /images with a version of the schema\'s pattern is accepted by both', async () => {
  const role = await createRole(api);
  const body = { roleId: role.id, version: '2026.11+build.7' };
  const res = await api.post('/images', body);
  assert.deepEqual({ schema: validates(bodySchema('/images'), body), api: res.status }, { schema: true, api: 201 });
});
