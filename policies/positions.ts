import type { Document, LineCounter, Node } from 'yaml';
import { yaml } from '../catalog/yamlLib.ts';
import type { GitReader } from '../catalog/git/GitReader.ts';
import type { Entity, Violation } from '../catalog/types.ts';
import { scalarOffset, walkPointer } from '../catalog/yamlPositions.ts';

/** Text of a blob of the config repo by oid, or undefined when it cannot be read. */
export type SourceLoader = (blob: string) => Promise<string | undefined>;

/** A loader reading blobs through a GitReader, each at most once. */
export function gitSourceLoader(git: GitReader): SourceLoader {
  const texts = new Map<string, Promise<string | undefined>>();
  return (blob) => {
    let text = texts.get(blob);
    if (!text) {
      text = readBlob(git, blob);
      texts.set(blob, text);
    }
    return text;
  };
}

async function readBlob(git: GitReader, blob: string): Promise<string | undefined> {
  let text: string | undefined;
  try {
    await git.readBlobs([blob], (_, content) => (text = content.toString('utf8')));
  } catch {
    return undefined;
  }
  return text;
}

/** Where in an entity a finding is: a JSON pointer, and optionally an offset into the string value there. */
export interface EntityPlace {
  entity: Entity;
  pointer?: string;
  offset?: number;
}

/** A violation still to be placed at a file position. */
export interface PendingViolation {
  violation: Violation;
  at?: EntityPlace;
}

/** The node a pointer names, or undefined. */
function nodeAt(doc: Document, pointer: string): { node: Node; key?: Node } | undefined {
  const walk = walkPointer(doc, pointer);
  return walk.complete && walk.node ? { node: walk.node as Node, key: walk.key } : undefined;
}

export { scalarOffset } from '../catalog/yamlPositions.ts';

/** Parsed documents per text, for the lifetime of one placement pass. */
type DocCache = Map<string, { docs: Document[]; counter: LineCounter }>;

function parsed(text: string, cache: DocCache): { docs: Document[]; counter: LineCounter } {
  let hit = cache.get(text);
  if (!hit) {
    const counter = new (yaml().LineCounter)();
    hit = { docs: yaml().parseAllDocuments(text, { lineCounter: counter }) as Document[], counter };
    cache.set(text, hit);
  }
  return hit;
}

/** Line and column of a place, read from the entity's source text. */
function placeInText(text: string, place: EntityPlace, cache: DocCache): [number, number] | undefined {
  const { docs, counter } = parsed(text, cache);
  const doc = docs[place.entity.source.document];
  if (!doc || place.pointer === undefined) return undefined;
  const found = nodeAt(doc, place.pointer);
  if (!found) return undefined;
  let at = (found.key ?? found.node).range?.[0];
  if (place.offset !== undefined && yaml().isScalar(found.node)) at = scalarOffset(text, found.node, place.offset) ?? found.node.range?.[0];
  if (at === undefined) return undefined;
  const { line, col } = counter.linePos(at);
  return [line, col];
}

/** Best position without the source text: a stored pointer position, else the entity's name or start. */
function placeFromEntity(place: EntityPlace): [number, number] {
  const e = place.entity;
  return (place.pointer !== undefined ? e.positions[place.pointer] : undefined) ?? e.positions['/metadata/name'] ?? [e.source.line, e.source.column];
}

/**
 * Gives each pending violation the file, line and column of its place: from
 * the source text when the loader has it (exact, down to a character inside an
 * expression), else from the positions stored on the entity.
 */
export async function placeViolations(pending: readonly PendingViolation[], loader?: SourceLoader): Promise<Violation[]> {
  const cache: DocCache = new Map();
  const out: Violation[] = [];
  for (const { violation, at } of pending) {
    if (!at) {
      out.push(violation);
      continue;
    }
    const text = loader ? await loader(at.entity.source.blob) : undefined;
    const [line, column] = (text !== undefined ? placeInText(text, at, cache) : undefined) ?? placeFromEntity(at);
    out.push({ ...violation, file: at.entity.source.file, line, column });
  }
  return out;
}
