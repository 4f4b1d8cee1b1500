import { type Document, type Node, isCollection, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';

/**
 * The builder edits the blueprint document itself, by path: what it has no widget for, comments
 * (YAML) and the order of keys, hosts and NICs stay as written. YAML stays YAML, JSON stays JSON.
 */
export type DocFormat = 'yaml' | 'json';
/** A blueprint as the builder holds it: its text, and the syntax it is written in. */
export interface BlueprintDoc {
  readonly text: string;
  readonly format: DocFormat;
}
/** A place in the document: `['vms', 0, 'interfaces', 1, 'ip']`. */
export type DocPath = ReadonlyArray<string | number>;

const STARTER = `name: my-range
networks:
  - name: lan
    subnet: 10.0.1.0/24
vms: []
`;

/** JSON when the text opens an object; YAML otherwise. */
export function formatOf(text: string): DocFormat {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** A document for stored text, in the syntax it is written in. */
export function openDoc(text: string): BlueprintDoc {
  return { text, format: formatOf(text) };
}

/** A new blueprint: one network, no hosts. */
export function newDoc(): BlueprintDoc {
  return { text: STARTER, format: 'yaml' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseYaml(text: string): Document | null {
  const doc = parseDocument(text, { uniqueKeys: true });
  return doc.errors.length === 0 && isMap(doc.contents) ? doc : null;
}

/** The document's value as plain data, or undefined when it does not parse to a mapping. */
export function readDoc(doc: BlueprintDoc): Record<string, unknown> | undefined {
  const v = doc.format === 'json' ? parseJson(doc.text) : parseYaml(doc.text)?.toJS();
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Whether a form edit can be made: the text parses to a mapping. */
export function isEditable(doc: BlueprintDoc): boolean {
  return readDoc(doc) !== undefined;
}

/** The value at `path`, or undefined. */
export function getIn(value: unknown, path: DocPath): unknown {
  let cur = value;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

const isEmptyMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

/** Plain-data edit: set (or with undefined, delete) `path`, making maps on the way; emptied maps are dropped. */
function setPlain(root: Record<string, unknown>, path: DocPath, value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  const trail: Array<{ parent: Record<string | number, unknown>; key: string | number }> = [];
  for (const k of path.slice(0, -1)) {
    let next = cur[k];
    if (next === null || typeof next !== 'object') {
      if (value === undefined) return;
      next = {};
      cur[k] = next;
    }
    trail.push({ parent: cur, key: k });
    cur = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (value !== undefined) cur[last] = value;
  else if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
  else delete cur[last];
  for (let i = trail.length - 1; i >= 0; i--) {
    const t = trail[i] as (typeof trail)[number];
    if (!isEmptyMap(t.parent[t.key])) break;
    delete t.parent[t.key];
  }
}

/** Small collections of scalars are written inline (`{ network: lan }`, `[sleep, infinity]`), as the examples are. */
function createNode(doc: Document, value: unknown): Node {
  const node = doc.createNode(value) as Node;
  const inline = (items: readonly unknown[]) => items.every((i) => isScalar(i) || (i && isScalar((i as { value?: unknown }).value)));
  if (isCollection(node))
    visit(node, {
      Map: (_, m) => {
        if (m.items.length <= 5 && inline(m.items)) m.flow = true;
      },
      Seq: (_, s) => {
        if (inline(s.items)) s.flow = true;
      },
    });
  return node;
}

function setYaml(doc: Document, path: DocPath, value: unknown): void {
  if (value !== undefined) {
    const old = doc.getIn(path, true);
    // A scalar keeps its node, so its quoting and comments stay.
    if (isScalar(old) && typeof old.value === typeof value && (value === null || typeof value !== 'object')) old.value = value;
    else doc.setIn(path, createNode(doc, value));
    return;
  }
  if (!doc.hasIn(path)) return;
  doc.deleteIn(path);
  for (let n = path.length - 1; n > 0; n--) {
    const parent = doc.getIn(path.slice(0, n), true);
    if (!isMap(parent) || parent.items.length > 0) break;
    doc.deleteIn(path.slice(0, n));
  }
}

function serialize(doc: BlueprintDoc, edit: (plain: Record<string, unknown>) => void, yamlEdit: (d: Document) => void): BlueprintDoc {
  if (doc.format === 'json') {
    const plain = readDoc(doc);
    if (!plain) return doc;
    edit(plain);
    return { format: 'json', text: `${JSON.stringify(plain, null, 2)}\n` };
  }
  const d = parseYaml(doc.text);
  if (!d) return doc;
  yamlEdit(d);
  return { format: 'yaml', text: d.toString({ lineWidth: 0 }) };
}

/** The document with `path` set to `value`; undefined deletes it (and the maps it empties). */
export function setIn(doc: BlueprintDoc, path: DocPath, value: unknown): BlueprintDoc {
  return serialize(
    doc,
    (p) => setPlain(p, path, value),
    (d) => setYaml(d, path, value),
  );
}

/** The document with `value` appended to the list at `path` (made when missing). */
export function pushIn(doc: BlueprintDoc, path: DocPath, value: unknown): BlueprintDoc {
  return serialize(
    doc,
    (p) => {
      const list = getIn(p, path);
      if (Array.isArray(list)) list.push(value);
      else setPlain(p, path, [value]);
    },
    (d) => {
      const list = d.getIn(path, true);
      if (isSeq(list)) {
        // `vms: []` grows into a block list, not a one-line flow of hosts.
        if (list.items.length === 0) list.flow = false;
        list.add(createNode(d, value));
      } else d.setIn(path, createNode(d, [value]));
    },
  );
}

/** The document without the list item at `path`; the list goes when it empties, unless `keepEmpty`. */
export function removeAt(doc: BlueprintDoc, path: DocPath, keepEmpty = false): BlueprintDoc {
  const listPath = path.slice(0, -1);
  const after = setIn(doc, path, undefined);
  const list = getIn(readDoc(after), listPath);
  return !keepEmpty && Array.isArray(list) && list.length === 0 ? setIn(after, listPath, undefined) : after;
}

/**
 * The document with key `from` of the map at `path` renamed to `to`, in place: its value, its place
 * among the keys and (YAML) its comments stay. Unchanged when `to` is already a key there, so no value is lost.
 */
export function renameKey(doc: BlueprintDoc, path: DocPath, from: string, to: string): BlueprintDoc {
  const map = getIn(readDoc(doc), path);
  if (from === to || !map || typeof map !== 'object' || Array.isArray(map) || !(from in map) || to in map) return doc;
  return serialize(
    doc,
    (p) => {
      const entries = Object.entries(getIn(p, path) as Record<string, unknown>).map(([k, v]) => [k === from ? to : k, v] as const);
      setPlain(p, path, Object.fromEntries(entries));
    },
    (d) => {
      const node = path.length === 0 ? d.contents : d.getIn(path, true);
      if (!isMap(node)) return;
      const pair = node.items.find((i) => (isScalar(i.key) ? i.key.value : i.key) === from);
      if (!pair) return;
      if (isScalar(pair.key)) pair.key.value = to;
      else pair.key = d.createNode(to);
    },
  );
}
