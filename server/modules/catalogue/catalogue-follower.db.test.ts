import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { databaseTargets } from '../../../test/support/database';
import { CatalogueFollower } from './catalogue-follower';

describe.each(databaseTargets())('another instance\'s catalogue change reaches this one at commit, on $name', (target) => {
  let t: TestApp;
  let follower: CatalogueFollower;
  const run = new AbortController();
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    follower = new CatalogueFollower(t.container.services.catalogue);
    await follower.listen(run.signal);
  });
  afterAll(async () => {
    run.abort();
    await follower?.stop();
    await t?.close();
  });

  const listed = (id: string) => {
    try {
      t.container.services.catalogue.getListed(id);
      return true;
    } catch {
      return false;
    }
  };

  it('a product paused and listed again by another writer leaves and rejoins the read model without waiting for the 30 s sync', async () => {
    const { productId } = t.fixtures.institutionA;
    expect(listed(productId)).toBe(true);
    // written straight to the database, as another instance would: this instance's services never saw it
    await t.container.database.db.execute(sql`update products set status = 'paused', updated_at = now() where id = ${productId}`);
    await vi.waitFor(() => expect(listed(productId)).toBe(false), { timeout: 5_000, interval: 50 });
    await t.container.database.db.execute(sql`update products set status = 'listed', updated_at = now() where id = ${productId}`);
    await vi.waitFor(() => expect(listed(productId)).toBe(true), { timeout: 5_000, interval: 50 });
    // and the search index with it, in every order
    const name = t.container.services.catalogue.getListed(productId).name;
    for (const sort of ['relevance', 'apr', 'popularity'] as const) {
      const page = await t.container.services.catalogue.searchListed({ q: name, sort, page: 1, pageSize: 20 });
      expect(page.items.map((p) => p.id), sort).toContain(productId);
    }
  });

  it('an institution suspended elsewhere takes its products out at once; a rolled-back change does nothing', async () => {
    const { id, productId } = t.fixtures.institutionB;
    await expect(
      t.container.database.db.transaction(async (tx) => {
        await tx.execute(sql`update institutions set status = 'suspended' where id = ${id}`);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(listed(productId)).toBe(true);
    await t.container.database.db.execute(sql`update institutions set status = 'suspended' where id = ${id}`);
    await vi.waitFor(() => expect(listed(productId)).toBe(false), { timeout: 5_000, interval: 50 });
    await t.container.database.db.execute(sql`update institutions set status = 'active' where id = ${id}`);
    await vi.waitFor(() => expect(listed(productId)).toBe(true), { timeout: 5_000, interval: 50 });
  });
});
