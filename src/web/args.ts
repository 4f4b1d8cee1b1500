/**
 * A command's argument list written on one line, the way a shell reads it: words split on spaces,
 * single or double quotes keep spaces, a backslash escapes the next character. Not a shell: no
 * variables or globs, so what is shown is exactly the argv the host runs.
 */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/** Quotes an argument only when it needs it, so `splitArgs(joinArgs(a))` gives `a` back. */
function quoteArg(a: string): string {
  if (a !== '' && !/[\s"'\\]/.test(a)) return a;
  return `'${a.replace(/'/g, `'"'"'`)}'`;
}

/** An argument list as one line that `splitArgs` reads back unchanged. */
export function joinArgs(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}
