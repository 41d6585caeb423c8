/** Rows as aligned text: the first column left-aligned, the others right-aligned, a rule under the header row. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const render = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [render(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(render)];
}
