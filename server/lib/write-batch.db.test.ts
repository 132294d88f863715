import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../db/client';
import { listenOnChannel } from '../adapters/postgres';
import { databaseTargets } from '../../test/support/database';
import { withTransaction, WriteBatch } from './tx';

describe.each(databaseTargets())('a write batch on $name', (target) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await target.open();
    await handle.db.execute(sql`create table wb_parent (id text primary key)`);
    await handle.db.execute(sql`create table wb_child (id serial primary key, parent_id text not null references wb_parent (id))`);
  });
  afterAll(() => handle?.close());

  /** The payloads heard on `channel` until `close` (the listener's own start, with no payload, left out). */
  async function hear(channel: string) {
    const heard: string[] = [];
    const listener = listenOnChannel(handle.db, channel, (payload) => {
      if (payload !== undefined) heard.push(payload);
    });
    await listener.ready;
    return { heard, close: () => listener.close() };
  }

  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('sends a parent, its children and the NOTIFYs of two channels as one statement; the NOTIFYs arrive at commit', async () => {
    const [a, b] = [await hear('wb_one'), await hear('wb_two')];
    try {
      await withTransaction(handle.db, async (tx) => {
        const batch = new WriteBatch(tx);
        // the child before its parent: the foreign key is checked at the end of the one statement
        batch.add([sql`insert into wb_child (parent_id) values ('p1'), ('p1')`], [{ channel: 'wb_one', payload: 'x' }]);
        batch.add([sql`insert into wb_parent (id) values ('p1')`], [{ channel: 'wb_two', payload: 'y' }, { channel: 'wb_one', payload: 'z' }]);
        await batch.flush();
        const rows = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from wb_child where parent_id = 'p1'`);
        expect(rows[0]!.n).toBe(2);
      });
      await until(() => a.heard.length >= 2 && b.heard.length >= 1);
      expect(a.heard.sort()).toEqual(['x', 'z']);
      expect(b.heard).toEqual(['y']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a rolled-back batch leaves no row and wakes nobody', async () => {
    const a = await hear('wb_one');
    try {
      await expect(
        withTransaction(handle.db, async (tx) => {
          const batch = new WriteBatch(tx);
          batch.add([sql`insert into wb_parent (id) values ('p2')`], [{ channel: 'wb_one', payload: 'gone' }]);
          await batch.flush();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      // a later commit's NOTIFY arrives; the rolled-back one never does
      await withTransaction(handle.db, async (tx) => {
        const batch = new WriteBatch(tx);
        batch.add([], [{ channel: 'wb_one', payload: 'later' }]);
        await batch.flush();
      });
      await until(() => a.heard.length >= 1);
      expect(a.heard).toEqual(['later']);
      expect(await queryRows(handle.db, sql`select id from wb_parent where id = 'p2'`)).toEqual([]);
    } finally {
      await a.close();
    }
  });
});
