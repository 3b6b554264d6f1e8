// Search boxes (q=) match text literally. Prisma's contains/startsWith put the term inside a
// LIKE pattern without escaping it, so `_` and `%` acted as wildcards: q=AB_12 also found
// serial ABX12, and q=% found every host. Backslash is PostgreSQL's default LIKE escape.
export function literalSearchTerm(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
