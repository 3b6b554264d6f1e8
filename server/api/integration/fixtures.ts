// Records for the API integration suites: unique names and subnets so tests sharing one web
// app never collide, and small factories that fail loudly when the setup itself is refused.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { apiClient, TestWebApp } from '../../testing/web-app.ts';

export type Api = ReturnType<typeof apiClient>;

let counter = 0;

/** A name no other test in this process uses (lower case, valid as hostname, role or network). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

let subnetCounter = 0;

/** A fresh /24 per call: 10.<a>.<b>.0/24, with `at(n)` giving 10.<a>.<b>.n. */
export function uniqueSubnet(): { cidr: string; at: (n: number) => string } {
  subnetCounter += 1;
  const a = 100 + Math.floor(subnetCounter / 250);
  const b = subnetCounter % 250;
  return { cidr: `10.${a}.${b}.0/24`, at: (n) => `10.${a}.${b}.${n}` };
}

/** A network with gateway .1, boot server .2 and discovery pool .200–.250. */
export async function createNetwork(api: Api, extra: Record<string, unknown> = {}) {
  const subnet = uniqueSubnet();
  const res = await api.post('/networks', {
    name: unique('net'),
    cidr: subnet.cidr,
    gateway: subnet.at(1),
    bootServer: subnet.at(2),
    poolStart: subnet.at(200),
    poolEnd: subnet.at(250),
    ...extra,
  });
  assert.equal(res.status, 201, `network setup: ${JSON.stringify(res.body)}`);
  return { ...res.body, at: subnet.at } as { id: string; name: string; cidr: string; at: (n: number) => string };
}

export async function createRole(api: Api, extra: Record<string, unknown> = {}) {
  const res = await api.post('/roles', { name: unique('role'), ...extra });
  assert.equal(res.status, 201, `role setup: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export async function createHost(api: Api, body: Record<string, unknown> = {}) {
  const res = await api.post('/hosts', { hostname: unique('host'), ...body });
  assert.equal(res.status, 201, `host setup: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; hostname: string; mac: string | null; ip: string | null; networkId: string | null; roleId: string | null };
}

/** A MAC no other test uses: 02:<pid-ish>:<counter>. */
export function uniqueMac(): string {
  counter += 1;
  const hex = (n: number) => (n & 255).toString(16).padStart(2, '0');
  return ['02', hex(process.pid >> 8), hex(process.pid), hex(counter >> 16), hex(counter >> 8), hex(counter)].join(':');
}

/** Runs SQL on the app's database, for states the API can't reach (expired tokens, boot events). */
export async function sql(app: TestWebApp, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
