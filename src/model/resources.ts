const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a memory size (`256m`, `1g`, `512MiB`, or bytes) to bytes; null when malformed. */
export function parseMemory(v: string | number): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : null;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmg]?)(?:i?b)?$/i.exec(v.trim());
  if (!m) return null;
  const bytes = Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
  return bytes > 0 ? bytes : null;
}
