import type { Request, Response } from 'express';
import type { Services } from '../container';
import type { DeskConversationStatus, DeskMessageView } from '../modules/desk';
import { lastEventId, serveEventStream } from './event-stream';
import { viewHelpers } from './view-helpers';

/** A message as the live page adds it (the same fields the thread partial shows). */
const messageEvent = (m: DeskMessageView) => ({ id: m.id, kind: m.kind, mine: m.mine, authorLabel: m.authorLabel, body: m.body, at: viewHelpers.datetime(m.createdAt) });

/**
 * The live thread of one conversation: every message after the client's cursor as a `message`
 * event (id = message id, so a reconnect resumes), and the conversation's `status` after each
 * change (the page reloads when it differs from the one it shows: closed, rated, transferred).
 */
export function serveConversationStream(
  req: Request,
  res: Response,
  services: Services,
  conversationId: string,
  read: (afterId: number) => Promise<DeskMessageView[]>,
  status: () => Promise<DeskConversationStatus>,
): Promise<void> {
  let cursor = lastEventId(req);
  return serveEventStream(
    req,
    res,
    (wake) => services.desk.listen(`conversation:${conversationId}`, wake),
    async (stream) => {
      for (const m of await read(cursor)) {
        stream.send('message', messageEvent(m), m.id);
        cursor = m.id;
      }
      stream.send('status', { status: await status() });
    },
  );
}

/** An agent's queue of one group: a `queue` event after every change in it (the page fetches the list again). */
export function serveQueueStream(req: Request, res: Response, services: Services, groupId: string): Promise<void> {
  let first = true;
  return serveEventStream(
    req,
    res,
    (wake) => services.desk.listen(`group:${groupId}`, wake),
    async (stream) => {
      if (first) {
        first = false;
        return;
      }
      stream.send('queue', { groupId });
    },
  );
}
