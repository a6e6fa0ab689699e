import { v7 } from 'uuid';

/** A new time-ordered identifier (UUIDv7): index-friendly on both databases. */
export function newId(): string {
  return v7();
}
