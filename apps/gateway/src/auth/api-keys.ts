import { createHash, timingSafeEqual } from 'node:crypto';

/** What a key may do: `data` the key-value API and reading keyspaces; `admin` all of it. */
export type Role = 'data' | 'admin';

/** A key: 16 to 256 printable ASCII characters, no space and no comma (the lists are comma-separated). */
const KEY_PATTERN = /^[\x21-\x2b\x2d-\x7e]{16,256}$/;

/** The keys of a comma-separated list (GEOKV_API_KEYS, GEOKV_ADMIN_API_KEYS); empty for an empty list. */
export function keysOf(list: string): string[] {
  return list === '' ? [] : list.split(',');
}

/** Why a key list is unusable, without quoting any key; null when it is fine. */
export function apiKeysProblem(list: string): string | null {
  const bad = keysOf(list).filter((key) => !KEY_PATTERN.test(key)).length;
  return bad === 0 ? null : `must be comma-separated keys of 16 to 256 printable ASCII characters without spaces (${bad} are not)`;
}

/**
 * The API keys a gateway accepts, held as SHA-256 digests. A presented key is hashed and compared with
 * every digest in constant time (timingSafeEqual, and no early exit), so neither the comparison nor which
 * key matched shows in the time an answer takes; hashing first gives every comparison the same length.
 */
export class ApiKeys {
  private readonly digests: { readonly digest: Buffer; readonly role: Role }[];

  constructor(dataKeys: readonly string[], adminKeys: readonly string[]) {
    this.digests = [
      ...dataKeys.map((key) => ({ digest: sha256(key), role: 'data' as const })),
      ...adminKeys.map((key) => ({ digest: sha256(key), role: 'admin' as const })),
    ];
  }

  /** The role of the key an `Authorization: Bearer <key>` header presents, or null for none or an unknown key. */
  roleOf(authorization: string | undefined): Role | null {
    const match = authorization === undefined ? null : /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (match === null) return null;
    const presented = sha256(match[1]);
    let role: Role | null = null;
    for (const candidate of this.digests) {
      if (timingSafeEqual(presented, candidate.digest) && role !== 'admin') role = candidate.role;
    }
    return role;
  }
}

function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
