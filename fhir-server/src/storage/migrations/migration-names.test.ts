import fs from 'node:fs';
import { MIGRATIONS } from './index';

/** STYLE.md: `YYYYMMDDHHmmss_<verb>-<object>.ts`, every file listed, in order. */
const NAME = /^\d{14}_[a-z]+(-[a-z0-9]+)+$/;

test('every migration file is named YYYYMMDDHHmmss_<verb>-<object> and listed in order', () => {
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /^\d/.test(f) && f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(files.filter((f) => !NAME.test(f))).toEqual([]);
  expect(Object.keys(MIGRATIONS)).toEqual(files);
});
