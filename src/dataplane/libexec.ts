import { fileURLToPath } from 'node:url';

/** Absolute path of a helper script shipped in the repository's `libexec/`. */
export function libexecPath(name: string): string {
  // Two levels up from src/dataplane or dist/dataplane is the checkout root.
  return fileURLToPath(new URL(`../../libexec/${name}`, import.meta.url));
}
