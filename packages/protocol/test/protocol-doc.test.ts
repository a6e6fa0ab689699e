import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ProtocolDoc } from './support/protocol-drift.js';

/*
 * docs/PROTOCOL.md is written by hand; these tests keep it from drifting from the zod schemas of packages/protocol.
 * A failure lists each difference as a sentence saying what to add or remove, and where (section and line).
 * How the document is read and compared: support/protocol-drift.ts.
 */

const MARKDOWN = fs.readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const doc = new ProtocolDoc(MARKDOWN);

describe('docs/PROTOCOL.md matches the protocol schemas', () => {
  test.each([
    ['every client frame type has a row in 4.3 and a section whose fields are the frame’s', () => doc.clientFrames()],
    ['every server frame and event has a section with its fields, its recipients, and whether it takes a pts', () => doc.serverFrames()],
    ['every REST endpoint is summarised with its auth, rate limit and response, and has its body and query fields', () => doc.endpoints()],
    ['every data type is a schema with the same fields, and every object on the wire is documented', () => doc.dataTypes()],
    ['every error code is in 6.2, and nothing else is', () => doc.errorCodes()],
    ['every close code is in 6.3 with its number, and nothing else is', () => doc.closeCodes()],
  ])('%s', (_, problems) => {
    expect(problems()).toEqual([]);
  });
});

/** The document with one exact piece of text replaced (the piece must be there once). */
function edited(from: string, to: string): ProtocolDoc {
  expect(MARKDOWN.split(from)).toHaveLength(2);
  return new ProtocolDoc(MARKDOWN.replace(from, to));
}

describe('the drift check says what to add where', () => {
  test('a field missing from an event’s table', () => {
    const problems = edited('| `editedBy` | id | The author, or a moderator. |\n', '').serverFrames();
    expect(problems).toEqual([expect.stringMatching(/› 4\.5 Events › "#### `message\.edited`" \(line \d+\): add a row for `editedBy`, a field of `MessageEditedEvent` \(packages\/protocol\/src\/events\.ts\)$/)]);
  });

  test('an event without a section, and one missing from the recipients table', () => {
    const problems = edited('#### `session.revoked`', '#### `session.ended`').serverFrames();
    expect(problems).toContainEqual(expect.stringMatching(/4\.5 Events" \(line \d+\): add a section "#### `session\.revoked`" with a \| Field \| Type \| Notes \| table of `sessionId` \(`SessionRevokedEvent`/));
    expect(problems).toContainEqual(expect.stringContaining('documents `session.ended`, which is not a ServerEvent type'));
  });

  test('a field documented that the schema does not have', () => {
    const problems = edited('| `currentPassword` | string | At most 256 characters. |', '| `oldPassword` | string | At most 256 characters. |').endpoints();
    expect(problems).toEqual([
      expect.stringMatching(/`POST \/api\/me\/password`.*: add a row for `currentPassword`, a field of `ChangePasswordBody`/),
      expect.stringMatching(/`POST \/api\/me\/password`.*: `oldPassword` is not a field of `ChangePasswordBody` \(packages\/protocol\/src\/users\.ts\); remove its row, or add the field to the schema$/),
    ]);
  });

  test('an endpoint missing from the summary, with the row to add', () => {
    const problems = edited('| POST | `/api/sync` | yes | expensive | SyncResponse |\n', '').endpoints();
    expect(problems).toEqual([expect.stringMatching(/3\.3 Endpoint summary" \(line \d+\): add the row \| POST \| `\/api\/sync` \| yes \| expensive \| SyncResponse \| to the table at line \d+ \(api\.sync/)]);
  });

  test('a variant missing from a discriminated body', () => {
    const problems = edited('| `"channel"` | `title` (trimmed, 1–100 characters, one line); `topic` (trimmed, ≤ 500 characters, default `""`). |\n', '').endpoints();
    expect(problems).toEqual([expect.stringContaining('add a row for kind "channel" with its fields `title`, `topic` (`CreateConversationBody`')]);
  });

  test('a field of a nested object that its row no longer names', () => {
    const problems = edited('`maxFrameBytes`, `maxTextBytes`, `maxPageSize`, `typingTtlMs`: the limits', '`maxFrameBytes`, `maxTextBytes`, `maxPageSize`: the limits').serverFrames();
    expect(problems).toEqual([expect.stringMatching(/"#### `ready`" \(line \d+\), the row `limits`: name `typingTtlMs` there \(a field of `Limits`/)]);
  });

  test('an error code that is not in ERROR_CODES, and a close code that is missing', () => {
    const withExtra = edited('| `INTERNAL_ERROR` | 500 |', '| `TEAPOT` | 418 | – | – |\n| `INTERNAL_ERROR` | 500 |');
    expect(withExtra.errorCodes()).toEqual([expect.stringContaining('`TEAPOT` is not in ERROR_CODES (packages/protocol/src/errors.ts); remove its row, or add the code')]);
    const withoutRow = edited('| 4009 | `HEARTBEAT_TIMEOUT` |', '| 4090 | `HEARTBEAT_TIMEOUT` |');
    expect(withoutRow.closeCodes()).toEqual([expect.stringContaining('`HEARTBEAT_TIMEOUT` is 4009 in CloseCode (packages/protocol/src/errors.ts), not 4090')]);
  });
});
