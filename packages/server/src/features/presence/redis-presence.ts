import type { PresenceState } from '@hearth/protocol';
import type { Redis } from 'ioredis';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { PresenceAnnouncer, PresenceRegistry } from './presence.service.js';

export interface RedisPresenceOptions {
  redis: Redis;
  /** The installation's key prefix. */
  prefix: string;
  /** Names this process among the nodes (unique per start). */
  nodeId: string;
  clock: Clock;
  offlineGraceMs: number;
  /** How often this node renews its devices and sweeps; a node silent for three of these counts as dead. */
  heartbeatMs: number;
  log: Logger;
}

/*
 * One script, so that every decision is atomic in Redis and exactly one node reports each change. Keys, under
 * <prefix>presence: —
 *   alive:<node>       string with a TTL of three heartbeats: the node is up
 *   nodes              set of nodes that have devices registered
 *   node-users:<node>  set of the users a node has (had) devices of
 *   devices:<user>     hash "<node>|<connection>" -> "0" active / "1" idle
 *   state:<user>       "online" / "away"; absent = offline (kept during the grace, as on one node)
 *   pending            sorted set user -> the time (ms) the grace ends
 * Devices of a node whose alive key is gone do not count and are deleted when seen.
 * ARGV: base, mode, node, now, grace, ttl, then per mode:
 *   update: user, field, "set"|"del", value            -> { {user, state}... , {} }
 *   tick:   force, then user, field, value triples     -> { {user, state, ...}, {offline users...} }
 */
const SCRIPT = `
local base, mode, node = ARGV[1], ARGV[2], ARGV[3]
local now, grace, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local alive = {}
local function isAlive(n)
  if alive[n] == nil then alive[n] = redis.call('EXISTS', base .. 'alive:' .. n) == 1 end
  return alive[n]
end
local function aggregate(user)
  local key = base .. 'devices:' .. user
  local fields = redis.call('HGETALL', key)
  local active, any = false, false
  for i = 1, #fields, 2 do
    local f = fields[i]
    if isAlive(string.sub(f, 1, string.find(f, '|', 1, true) - 1)) then
      any = true
      if fields[i + 1] == '0' then active = true end
    else
      redis.call('HDEL', key, f)
    end
  end
  if active then return 'online' elseif any then return 'away' end
  return false
end
local changes = {}
local function settle(user)
  local state = aggregate(user)
  local skey = base .. 'state:' .. user
  local old = redis.call('GET', skey)
  if state then
    redis.call('ZREM', base .. 'pending', user)
    if old ~= state then
      redis.call('SET', skey, state)
      table.insert(changes, user)
      table.insert(changes, state)
    end
  elseif old then
    redis.call('ZADD', base .. 'pending', 'NX', now + grace, user)
  end
end
local function keepAlive()
  local existed = redis.call('EXISTS', base .. 'alive:' .. node) == 1
  redis.call('SET', base .. 'alive:' .. node, '1', 'PX', ttl)
  redis.call('SADD', base .. 'nodes', node)
  alive[node] = true
  return existed
end
local gone = {}
if mode == 'update' then
  keepAlive()
  local user, field, op = ARGV[7], ARGV[8], ARGV[9]
  if op == 'set' then
    redis.call('HSET', base .. 'devices:' .. user, field, ARGV[10])
    redis.call('SADD', base .. 'node-users:' .. node, user)
  else
    redis.call('HDEL', base .. 'devices:' .. user, field)
  end
  settle(user)
else
  local existed = keepAlive()
  local touched = {}
  if ARGV[7] == '1' or not existed then
    -- This node's devices in Redis may be stale (Redis restarted, the node was cut off or paused): rewrite them.
    local mine = node .. '|'
    for _, user in ipairs(redis.call('SMEMBERS', base .. 'node-users:' .. node)) do
      local key = base .. 'devices:' .. user
      for _, f in ipairs(redis.call('HKEYS', key)) do
        if string.sub(f, 1, #mine) == mine then redis.call('HDEL', key, f) end
      end
      touched[user] = true
    end
    redis.call('DEL', base .. 'node-users:' .. node)
    for i = 8, #ARGV, 3 do
      redis.call('HSET', base .. 'devices:' .. ARGV[i], ARGV[i + 1], ARGV[i + 2])
      redis.call('SADD', base .. 'node-users:' .. node, ARGV[i])
      touched[ARGV[i]] = true
    end
  end
  -- Nodes that stopped renewing: their devices stop counting (settle deletes them).
  for _, other in ipairs(redis.call('SMEMBERS', base .. 'nodes')) do
    if not isAlive(other) then
      for _, user in ipairs(redis.call('SMEMBERS', base .. 'node-users:' .. other)) do touched[user] = true end
      redis.call('DEL', base .. 'node-users:' .. other)
      redis.call('SREM', base .. 'nodes', other)
    end
  end
  for user in pairs(touched) do settle(user) end
  -- Graces that ended: whoever still has no device is offline now, reported by this node only.
  for _, user in ipairs(redis.call('ZRANGEBYSCORE', base .. 'pending', '-inf', now)) do
    redis.call('ZREM', base .. 'pending', user)
    if not aggregate(user) then
      redis.call('DEL', base .. 'state:' .. user)
      table.insert(gone, user)
    end
  end
end
return { changes, gone }
`;

type ScriptAnswer = [changes: string[], gone: string[]];
const COMMAND = 'hearthPresence';
type WithCommand = Redis & Record<typeof COMMAND, (...argv: string[]) => Promise<ScriptAnswer>>;

/**
 * Presence shared by every node through Redis. Each node writes its own devices (and renews them every heartbeat,
 * under a key that expires after three); one Lua script computes a person's state from every live node's devices
 * and reports a change only when the stored state changes, so each real change is published once, by the node
 * whose update or sweep made it. Every node sweeps at each heartbeat: devices of a node that stopped renewing
 * (killed) stop counting, and people whose grace has ended with no device anywhere go offline. A node that was
 * cut off from Redis rewrites its devices once it is back.
 */
export class RedisPresence implements PresenceRegistry {
  /** This node's devices: what each heartbeat may have to write again. */
  private readonly devices = new Map<string, Map<string, boolean>>();
  private readonly base: string;
  private readonly timer: NodeJS.Timeout;
  private needsRewrite = false;
  private closed = false;

  constructor(
    private readonly options: RedisPresenceOptions,
    private readonly announce: PresenceAnnouncer,
  ) {
    this.base = `${options.prefix}presence:`;
    // EVALSHA, with the script loaded on first use (and again after a Redis restart).
    options.redis.defineCommand(COMMAND, { numberOfKeys: 0, lua: SCRIPT });
    this.timer = setInterval(() => void this.tick(), options.heartbeatMs);
    this.timer.unref();
    options.redis.on('ready', () => {
      this.needsRewrite = true;
      void this.tick();
    });
  }

  connect(userId: string, connectionId: string): void {
    let mine = this.devices.get(userId);
    if (!mine) this.devices.set(userId, (mine = new Map<string, boolean>()));
    mine.set(connectionId, false);
    this.update(userId, connectionId, 'set', false);
  }

  setIdle(userId: string, connectionId: string, idle: boolean): void {
    const mine = this.devices.get(userId);
    if (!mine?.has(connectionId)) return;
    mine.set(connectionId, idle);
    this.update(userId, connectionId, 'set', idle);
  }

  disconnect(userId: string, connectionId: string): void {
    const mine = this.devices.get(userId);
    if (!mine?.delete(connectionId)) return;
    if (mine.size === 0) this.devices.delete(userId);
    this.update(userId, connectionId, 'del', false);
    // The grace ends on this node's clock too, not only at the next sweep.
    this.options.clock.after(this.options.offlineGraceMs, () => void this.tick());
  }

  async statesOf(userIds: readonly string[]): Promise<PresenceState[]> {
    if (userIds.length === 0) return [];
    try {
      const states = await this.options.redis.mget(userIds.map((id) => `${this.base}state:${id}`));
      return states.map((s) => (s === 'online' || s === 'away' ? s : 'offline'));
    } catch (err) {
      // Shown offline rather than failing the caller's sync; corrected by the next change or sync.
      this.options.log.warn({ err }, 'could not read presence from redis');
      return userIds.map((id) => (this.devices.has(id) ? 'online' : 'offline'));
    }
  }

  async close(): Promise<string[]> {
    this.closed = true;
    clearInterval(this.timer);
    const ids = [...this.devices.keys()];
    this.devices.clear();
    // Gone at once: the remaining nodes sweep our devices away now and end their graces.
    try {
      await this.run('tick', ['1']);
      await this.options.redis.del(`${this.base}alive:${this.options.nodeId}`);
    } catch (err) {
      this.options.log.warn({ err }, 'could not remove this node from shared presence');
    }
    return ids;
  }

  private update(userId: string, connectionId: string, op: 'set' | 'del', idle: boolean): void {
    if (this.closed) return;
    this.run('update', [userId, `${this.options.nodeId}|${connectionId}`, op, idle ? '1' : '0']).catch((err: unknown) => {
      this.needsRewrite = true;
      this.options.log.warn({ err, userId }, 'could not update presence in redis: rewritten at the next heartbeat');
    });
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const force = this.needsRewrite;
    this.needsRewrite = false;
    const triples: string[] = [];
    for (const [userId, mine] of this.devices) {
      for (const [connectionId, idle] of mine) triples.push(userId, `${this.options.nodeId}|${connectionId}`, idle ? '1' : '0');
    }
    try {
      await this.run('tick', [force ? '1' : '0', ...triples]);
    } catch (err) {
      this.needsRewrite = true;
      this.options.log.warn({ err }, 'presence heartbeat failed');
    }
  }

  /** Runs the script and reports what it decided. */
  private async run(mode: 'update' | 'tick', args: string[]): Promise<void> {
    const { redis, nodeId, clock, offlineGraceMs, heartbeatMs } = this.options;
    const argv = [this.base, mode, nodeId, String(clock.now()), String(offlineGraceMs), String(heartbeatMs * 3), ...args];
    const [changes, gone] = await (redis as WithCommand)[COMMAND](...argv);
    for (let i = 0; i < changes.length; i += 2) this.announce.changed(changes[i]!, changes[i + 1] as 'online' | 'away');
    for (const userId of gone) await this.announce.wentOffline(userId);
  }
}
