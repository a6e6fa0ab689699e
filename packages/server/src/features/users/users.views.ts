import type { Me, User } from '@hearth/protocol';
import type { UserRow } from './users.store.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    statusText: row.status_text,
    statusEmoji: row.status_emoji,
    ...(row.time_zone ? { timeZone: row.time_zone } : {}),
    createdAt: Number(row.created_at),
  };
}

export function toMe(row: UserRow): Me {
  return { ...toUser(row), readReceipts: row.read_receipts === 1, isAdmin: row.is_admin === 1 };
}
