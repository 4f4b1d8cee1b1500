/**
 * Checks at compile time that a literal list names every member of the union `T`: help text and
 * choices of light command definitions, which must not load the layer that owns the real list.
 */
export function allOf<T extends string>() {
  return <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> }),
  ): L => list;
}
