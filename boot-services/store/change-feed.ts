// The config cache's connection (config-cache.ts): one client that LISTENs on the change
// channel, reads every row of the view in one snapshot, then the "Change" log past a seq and
// the rows it names. Rows come back as the view's types, checked by store/view-rows.ts.
import pg from 'pg';
import type { HostView, ImageView, NetworkView, RoleView } from '../../lib/boot/boot-view.ts';
import { databaseConnectionOptions } from '../../lib/database-connection.ts';
import { hostMapping, hostSql, imageMapping, imageSql, mapRow, networkMapping, networkSql, roleMapping, roleSql, servedHostsSql, type Row, type RowMapping } from './view-rows.ts';

/** The triggers' NOTIFY channel (prisma/migrations: fleetboot_change). */
const changeChannel = 'fleetboot_change';

/** Every row of the view, as of `seq` (the newest change the rows include). */
export interface ViewRows {
  seq: bigint;
  networks: NetworkView[];
  roles: RoleView[];
  images: ImageView[];
  hosts: HostView[];
}

/** One row of the "Change" log: which entity changed (an Artifact's id is its sha256). */
export interface ChangeEntry { seq: bigint; entity: string; entityId: string }

export interface ChangeFeedEvents {
  /** A NOTIFY arrived: something changed. */
  onNotify: () => void;
  /** The connection ended (the database went away or the feed was closed). */
  onEnd: () => void;
}

export class ChangeFeed {
  private constructor(private readonly client: pg.Client) {}

  /** Connects and LISTENs; throws when the database can't be reached. */
  static async connect(databaseUrl: string, events: ChangeFeedEvents): Promise<ChangeFeed> {
    const client = new pg.Client({ connectionString: databaseUrl, ...databaseConnectionOptions });
    try {
      client.on('error', () => undefined); // surfaced through 'end'
      await client.connect();
      await client.query(`LISTEN ${changeChannel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    client.on('notification', () => events.onNotify());
    client.on('end', () => events.onEnd());
    return new ChangeFeed(client);
  }

  /**
   * Every network, role and image, and the hosts a bootd of this name holds (null: all), in
   * one snapshot-isolated transaction, so the seq and the rows agree.
   */
  async readAll(bootServerName: string | null): Promise<ViewRows> {
    const client = this.client;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const seq = await client.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM "Change"');
      const [nets, roles, images, hosts] = [
        await client.query<Row>(networkSql), await client.query<Row>(roleSql), await client.query<Row>(imageSql),
        bootServerName === null ? await client.query<Row>(hostSql) : await client.query<Row>(servedHostsSql, [bootServerName]),
      ];
      await client.query('COMMIT');
      return {
        seq: BigInt(seq.rows[0]?.seq ?? '0'),
        networks: nets.rows.map((r) => mapRow(networkMapping, r)),
        roles: roles.rows.map((r) => mapRow(roleMapping, r)),
        images: images.rows.map((r) => mapRow(imageMapping, r)),
        hosts: hosts.rows.map((r) => mapRow(hostMapping, r)),
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** The change log past `afterSeq`, oldest first, at most `limit` entries. */
  async readChanges(afterSeq: bigint, limit: number): Promise<ChangeEntry[]> {
    const r = await this.client.query<{ seq: string; entity: string; entityId: string }>(
      'SELECT seq::text, entity, "entityId" FROM "Change" WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq.toString(), limit],
    );
    return r.rows.map((c) => ({ seq: BigInt(c.seq), entity: c.entity, entityId: c.entityId }));
  }

  readNetworks(ids: string[]): Promise<NetworkView[]> { return this.readByIds(networkSql, 'id', networkMapping, ids); }
  readRoles(ids: string[]): Promise<RoleView[]> { return this.readByIds(roleSql, 'id', roleMapping, ids); }
  readHosts(ids: string[]): Promise<HostView[]> { return this.readByIds(hostSql, 'id', hostMapping, ids); }
  readImages(ids: string[]): Promise<ImageView[]> { return this.readByIds(imageSql, 'i.id', imageMapping, ids); }

  /** The images whose kernel, initrd or rootfs is one of these artifacts (by sha256). */
  async readImagesUsingArtifacts(sha256s: string[]): Promise<ImageView[]> {
    const rows = await this.client.query<Row>(`${imageSql} WHERE i."kernelSha256" = ANY($1) OR i."initrdSha256" = ANY($1) OR i."rootfsSha256" = ANY($1)`, [sha256s]);
    return rows.rows.map((r) => mapRow(imageMapping, r));
  }

  private async readByIds<T>(sql: string, idColumn: string, mapping: RowMapping<T>, ids: string[]): Promise<T[]> {
    const rows = await this.client.query<Row>(`${sql} WHERE ${idColumn} = ANY($1::uuid[])`, [ids]);
    return rows.rows.map((r) => mapRow(mapping, r));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
