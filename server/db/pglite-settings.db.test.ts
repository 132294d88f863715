import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PGLITE_SHARED_BUFFERS, PGLITE_SETTINGS, openDatabase, queryRows } from './client';

const setting = async (handle: Awaited<ReturnType<typeof openDatabase>>, name: string) => {
  const [row] = await queryRows<{ value: string }>(handle.db, sql`select current_setting(${name}) as value`);
  return row?.value;
};

describe('PGlite settings', () => {
  it('starts with the app settings: new WAL segments not zero-filled, the small buffer cache', async () => {
    expect(PGLITE_SETTINGS).toEqual({ wal_init_zero: 'off' });
    const handle = await openDatabase({});
    try {
      expect(await setting(handle, 'wal_init_zero')).toBe('off');
      expect(await setting(handle, 'shared_buffers')).toBe(DEFAULT_PGLITE_SHARED_BUFFERS);
    } finally {
      await handle.close();
    }
  });

  it("takes other settings in their place (PGlite's own default: segments zero-filled)", async () => {
    const handle = await openDatabase({ pgliteSettings: {}, sharedBuffers: '8MB' });
    try {
      expect(await setting(handle, 'wal_init_zero')).toBe('on');
      expect(await setting(handle, 'shared_buffers')).toBe('8MB');
    } finally {
      await handle.close();
    }
  });
});
