import WebSocket from 'ws';
import { describe, expect, test } from 'vitest';
import type { ServerFrame } from '@hearth/protocol';
import { BACKENDS } from '../../server/test/support/backends.js';
import type { HearthClientOptions } from '../src/index.js';
import { newDevice, pair, until, useTestServer } from './support.js';

/** The `ws` WebSocket, except that incoming frames for which `drop` says so never reach the client: lost events. */
function lossyWebSocket(drop: (frame: ServerFrame) => boolean) {
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
  type Handler = ((event: WebSocket.MessageEvent) => void) | null;
  return class LossyWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      Object.defineProperty(this, 'onmessage', {
        get: () => onmessage.get!.call(this) as Handler,
        set: (handler: Handler) =>
          onmessage.set!.call(this, handler && ((event: WebSocket.MessageEvent) => (drop(JSON.parse(event.data as string) as ServerFrame) ? undefined : handler.call(this, event)))),
      });
    }
  };
}

/** A fetch that records the path of every REST call the client makes. */
function recordingFetch() {
  const paths: string[] = [];
  const fetch: NonNullable<HearthClientOptions['fetch']> = (url, init) => {
    paths.push(new URL(url).pathname);
    return globalThis.fetch(url, init);
  };
  return { paths, fetch };
}

describe.each(BACKENDS)('gaps in one conversation (%s)', (backend) => {
  const t = useTestServer(backend, { rateLimits: { signUpsPerHour: 100_000 } });

  test("a lost event is fetched from its conversation alone, without a catch-up of every conversation", async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.messages.send(id, 'hello');
    // Another conversation the device holds, which the gap must not touch.
    const other = await ana.client.conversations.createGroup({ title: 'other', memberIds: [ben.client.users.me!.id] });
    const recorded = recordingFetch();
    const lost = (frame: ServerFrame) => frame.type === 'message.created' && frame.message.content?.type === 'text' && frame.message.content.text === 'lost';
    const device = t.track(
      await newDevice(t.url, ben.username, ben.password, { fetch: recorded.fetch, WebSocket: lossyWebSocket(lost) as never }),
    );
    await until(device, () => device.conversations.get(other.id) !== undefined && device.conversations.get(id)?.lastMessage !== null);
    const pts = device.conversations.get(id)!.pts;
    recorded.paths.length = 0;

    const first = await ana.client.messages.send(id, 'lost');
    const second = await ana.client.messages.send(id, 'after the lost one');
    await until(device, () => device.conversations.get(id)?.pts === second.seq);

    expect(recorded.paths).toEqual([`/api/conversations/${id}/events`]);
    expect(device.conversations.get(id)!.lastMessage!.id).toBe(second.id);
    expect(first.seq).toBe(pts + 1);
    // Live events after the gap keep flowing as the next positions.
    const third = await ana.client.messages.send(id, 'and one more');
    await until(device, () => device.conversations.get(id)?.pts === third.seq);
    expect(recorded.paths).toEqual([`/api/conversations/${id}/events`]);
  });

  test('events arriving while the range is fetched are held, then applied once, in order', async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.messages.send(id, 'hello');
    const text = (frame: ServerFrame) => (frame.type === 'message.created' && frame.message.content?.type === 'text' ? frame.message.content.text : undefined);
    let thirdArrived!: () => void;
    const third = new Promise<void>((resolve) => (thirdArrived = resolve));
    const recorded = recordingFetch();
    // The range is fetched only once the next live event has arrived (and been held).
    const fetch: NonNullable<HearthClientOptions['fetch']> = async (url, init) => {
      if (url.includes('/events')) await third;
      return recorded.fetch(url, init);
    };
    const lossy = lossyWebSocket((frame) => {
      if (text(frame) === 'third') thirdArrived();
      return text(frame) === 'lost';
    });
    const device = t.track(await newDevice(t.url, ben.username, ben.password, { fetch, WebSocket: lossy as never }));
    await until(device, () => device.conversations.get(id)?.lastMessage !== null);
    const seen: string[] = [];
    device.on('message.created', (e) => seen.push(text(e) ?? ''));
    recorded.paths.length = 0;

    await ana.client.messages.send(id, 'lost');
    await ana.client.messages.send(id, 'after');
    const last = await ana.client.messages.send(id, 'third');
    await until(device, () => device.conversations.get(id)?.pts === last.seq);
    await until(ben.client, () => ben.client.conversations.get(id)?.pts === last.seq);

    expect(seen).toEqual(['lost', 'after', 'third']);
    expect(recorded.paths).toEqual([`/api/conversations/${id}/events`]);
    expect(device.conversations.get(id)!.me.unreadCount).toBe(ben.client.conversations.get(id)!.me.unreadCount);
  });
});

describe.each(BACKENDS)('a gap in one conversation larger than the server replays (%s)', (backend) => {
  const t = useTestServer(backend, { rateLimits: { signUpsPerHour: 100_000 }, limits: { maxReplayEvents: 2 } });

  test('falls back to one catch-up of every conversation', async () => {
    const { ana, ben, id } = await pair(t);
    await ana.client.messages.send(id, 'hello');
    const recorded = recordingFetch();
    const lost = (frame: ServerFrame) => frame.type === 'message.created' && frame.message.content?.type === 'text' && frame.message.content.text.startsWith('lost');
    const device = t.track(await newDevice(t.url, ben.username, ben.password, { fetch: recorded.fetch, WebSocket: lossyWebSocket(lost) as never }));
    await until(device, () => device.conversations.get(id)?.lastMessage !== null);
    recorded.paths.length = 0;

    for (const n of [1, 2, 3]) await ana.client.messages.send(id, `lost ${n}`);
    const last = await ana.client.messages.send(id, 'found');
    await until(device, () => device.conversations.get(id)?.pts === last.seq);
    expect(recorded.paths.filter((p) => p === `/api/conversations/${id}/events` || p === '/api/sync')).toEqual([`/api/conversations/${id}/events`, '/api/sync']);
  });
});
