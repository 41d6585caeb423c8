/** The total length of the values some versions carry: what moving them costs, as a message's size. */
export function valueBytesOf(versions: readonly { readonly value: { readonly length: number } | null }[]): number {
  let bytes = 0;
  for (const version of versions) bytes += version.value?.length ?? 0;
  return bytes;
}
