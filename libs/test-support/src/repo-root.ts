import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The geokv checkout this code belongs to.
 * Found by walking up to the package.json named `geokv`, because this file runs both from source
 * (ts-jest, libs/test-support/src) and from dist/ (one level deeper), so a fixed `../..` would be wrong in one.
 */
export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isGeokvManifest(manifest)) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no geokv package.json above ${__dirname}`);
    dir = parent;
  }
}

function isGeokvManifest(file: string): boolean {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'geokv';
}
