import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@hearth/protocol';
import { describe, expect, test } from 'vitest';

const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/i18n/locales');

/** Every key path of a nested translation object, with i18next plural suffixes folded into their base key. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix.replace(/_(zero|one|two|few|many|other)$/, '')];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function load(language: string): Map<string, Set<string>> {
  const dir = path.join(LOCALES, language);
  return new Map(
    fs.readdirSync(dir).map((file) => [file, new Set(keys(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))))]),
  );
}

describe('translations', () => {
  const english = load('en');

  test.each(['es', 'ar'])('%s has a file for every English file and a text for every English key', (language) => {
    const other = load(language);
    expect([...other.keys()].sort()).toEqual([...english.keys()].sort());
    const missing = [...english].flatMap(([file, set]) => [...set].filter((k) => !other.get(file)?.has(k)).map((k) => `${file}: ${k}`));
    expect(missing).toEqual([]);
  });

  test('every error code the server can answer has a text of its own in every language', () => {
    const missing = ['en', 'es', 'ar'].flatMap((language) => {
      const common = load(language).get('common.json')!;
      return ERROR_CODES.filter((code) => !common.has(`common.errors.${code}`)).map((code) => `${language}: ${code}`);
    });
    expect(missing).toEqual([]);
  });

  test('each file keeps its keys under the name of its feature', () => {
    for (const language of ['en', 'es', 'ar']) {
      for (const [file, set] of load(language)) {
        const feature = file.replace(/\.json$/, '');
        expect([...set].every((k) => k.startsWith(`${feature}.`)), `${language}/${file}`).toBe(true);
      }
    }
  });
});
