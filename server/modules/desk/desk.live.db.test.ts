import { afterAll, describe, expect, it } from 'vitest';
import { connectSharedState, type SharedState } from '../../adapters/redis';
import type { DatabaseHandle } from '../../db/client';
import { databaseTargets } from '../../../test/support/database';
import { DeskLive, deskTransport, type DeskSignal } from './desk.live';

/** Waits until `listener` has heard a signal (or fails after 5 s). */
const heard = (signals: (DeskSignal | null)[]) => expect.poll(() => signals.filter(Boolean), { timeout: 5_000 });

/** Two app instances: a signal one publishes reaches the other's streams of that conversation and that group, not others. */
async function crossInstance(a: DeskLive, b: DeskLive) {
  const conversation: (DeskSignal | null)[] = [];
  const group: (DeskSignal | null)[] = [];
  const other: (DeskSignal | null)[] = [];
  const stops = [
    await b.listen('conversation:kf_1', (s) => conversation.push(s)),
    await b.listen('group:dg_loan', (s) => group.push(s)),
    await b.listen('conversation:kf_2', (s) => s && other.push(s)),
  ];
  await a.publish({ conversationId: 'kf_1', groupId: 'dg_loan' });
  await heard(conversation).toEqual([{ conversationId: 'kf_1', groupId: 'dg_loan' }]);
  await heard(group).toEqual([{ conversationId: 'kf_1', groupId: 'dg_loan' }]);
  expect(other).toEqual([]);
  // a stream that stopped hears nothing more
  stops[0]!();
  await a.publish({ conversationId: 'kf_1', groupId: 'dg_loan' });
  await heard(group).toHaveLength(2);
  expect(conversation.filter(Boolean)).toHaveLength(1);
}

describe.each(databaseTargets())('desk signals over PostgreSQL NOTIFY ($name)', ({ open }) => {
  let database: DatabaseHandle;
  let shared: SharedState;
  const lives: DeskLive[] = [];
  afterAll(async () => {
    for (const l of lives) await l.close();
    await shared?.close();
    await database?.close();
  });

  it('fans a signal out to the other instance', async () => {
    database = await open();
    shared = await connectSharedState(undefined);
    lives.push(new DeskLive(deskTransport(database.db, shared)), new DeskLive(deskTransport(database.db, shared)));
    await crossInstance(lives[0]!, lives[1]!);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('desk signals over Redis pub/sub', () => {
  const states: SharedState[] = [];
  const lives: DeskLive[] = [];
  const prefix = `dc-test-desk-${process.pid}-${Date.now()}:`;
  afterAll(async () => {
    for (const l of lives) await l.close();
    for (const s of states) await s.close();
  });

  it('fans a signal out to the other instance (each with its own Redis connection)', async () => {
    for (let i = 0; i < 2; i++) states.push(await connectSharedState(process.env.TEST_REDIS_URL, prefix));
    // the database is not used on this path: Redis carries the signals
    const noDatabase = undefined as never;
    lives.push(new DeskLive(deskTransport(noDatabase, states[0]!, prefix)), new DeskLive(deskTransport(noDatabase, states[1]!, prefix)));
    await crossInstance(lives[0]!, lives[1]!);
  });
});
