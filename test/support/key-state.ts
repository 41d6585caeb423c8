import { http, jsonOf } from './http';

/** A key as a client sees it in one region: 404, one value, or the set of sibling values (sorted). */
export type KeyState = { readonly status: 404 } | { readonly status: 200; readonly values: [string] } | { readonly status: 300; readonly values: string[] };

interface SiblingsBody {
  readonly siblings: readonly { readonly value: string; readonly encoding: 'utf8' | 'base64' }[];
}

export async function keyState(gatewayUrl: string, keyspace: string, key: string): Promise<KeyState> {
  const result = await http(`${gatewayUrl}/v1/kv/${keyspace}/${encodeURIComponent(key)}`);
  if (result.status === 404) return { status: 404 };
  if (result.status === 200) return { status: 200, values: [result.body.toString('utf8')] };
  if (result.status === 300) {
    const body = jsonOf(result) as SiblingsBody;
    const values = body.siblings.map((sibling) => (sibling.encoding === 'utf8' ? sibling.value : Buffer.from(sibling.value, 'base64').toString('utf8')));
    return { status: 300, values: values.sort() };
  }
  throw new Error(`GET ${keyspace}/${key} answered ${result.status}: ${result.body.toString('utf8').slice(0, 300)}`);
}
