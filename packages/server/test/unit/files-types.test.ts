import { describe, expect, test } from 'vitest';
import { isAllowed } from '../../src/features/files/processing.js';

describe('the allow-list of file types', () => {
  test('compares the type without its parameters, and admits a family by type/*', () => {
    expect(isAllowed('audio/ogg; codecs=opus', ['audio/ogg'])).toBe(true);
    expect(isAllowed('Audio/Ogg;codecs=opus', ['audio/*'])).toBe(true);
    expect(isAllowed('image/png', ['image/*'])).toBe(true);
    expect(isAllowed('application/x-msdownload', ['image/*', 'audio/ogg'])).toBe(false);
    expect(isAllowed('audio/oggx', ['audio/ogg'])).toBe(false);
  });
});
