// The slice of OData $filter the emulator understands: equality on a few string properties,
// `in (...)`, joined with `or`. String literals use single quotes, a quote inside doubled
// ('O''Brien'). Anything else is refused the way Graph refuses an unsupported query.

export type FilterClause = { property: string; values: string[] };

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | ',' };

function tokenize(filter: string): Token[] | undefined {
  const tokens: Token[] = [];
  let index = 0;
  while (index < filter.length) {
    const char = filter[index] ?? '';
    if (/\s/.test(char)) {
      index++;
    } else if (char === "'") {
      let text = '';
      index++;
      for (;;) {
        if (index >= filter.length) return undefined; // unterminated literal
        const current = filter[index] ?? '';
        if (current === "'") {
          if (filter[index + 1] === "'") {
            text += "'";
            index += 2;
            continue;
          }
          index++;
          break;
        }
        text += current;
        index++;
      }
      tokens.push({ kind: 'string', text });
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punct', text: char });
      index++;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(filter.slice(index))?.[0];
      if (!word) return undefined;
      tokens.push({ kind: 'word', text: word });
      index += word.length;
    }
  }
  return tokens;
}

/** Parses `a eq 'x' or b in ('y','z')` into clauses (any one matching selects the item). */
export function parseEqualityFilter(filter: string, allowedProperties: readonly string[]): FilterClause[] | undefined {
  const tokens = tokenize(filter);
  if (!tokens || tokens.length === 0) return undefined;
  const clauses: FilterClause[] = [];
  let position = 0;
  const next = (): Token | undefined => tokens[position++];
  for (;;) {
    const property = next();
    const operator = next();
    if (property?.kind !== 'word' || operator?.kind !== 'word') return undefined;
    const canonical = allowedProperties.find((name) => name.toLowerCase() === property.text.toLowerCase());
    if (!canonical) return undefined;
    const op = operator.text.toLowerCase();
    if (op === 'eq') {
      const value = next();
      if (value?.kind !== 'string') return undefined;
      clauses.push({ property: canonical, values: [value.text] });
    } else if (op === 'in') {
      if (next()?.text !== '(') return undefined;
      const values: string[] = [];
      for (;;) {
        const value = next();
        if (value?.kind !== 'string') return undefined;
        values.push(value.text);
        const separator = next();
        if (separator?.text === ')') break;
        if (separator?.text !== ',') return undefined;
      }
      clauses.push({ property: canonical, values });
    } else {
      return undefined;
    }
    const joiner = next();
    if (joiner === undefined) return clauses;
    if (joiner.kind !== 'word' || joiner.text.toLowerCase() !== 'or') return undefined;
  }
}
