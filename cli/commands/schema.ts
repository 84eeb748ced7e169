import fs from 'node:fs';
import path from 'node:path';
import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import type { Entity, Snapshot } from '../../catalog/types.ts';
import { yaml } from '../../catalog/yamlLib.ts';
import { createValidator, type CIClassDefinition } from '../../schema/index.ts';
import { builtinJsonSchemas, jsonSchemasWithClasses, schemaText, type ExportedSchema } from '../../schema/export.ts';
import { openCatalog } from '../context.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';

export interface SchemaExportOptions {
  dir: string;
  repo?: string;
  ref: string;
  git: GitImplementation;
  cache: boolean;
}

/** `cmdb schema export DIR [--repo PATH]`: exit 0, or 1 when a CIClass of the repo was left out. */
export async function runSchemaExport(o: SchemaExportOptions, io: Output): Promise<number> {
  const { classes, rejected } = o.repo === undefined ? { classes: [], rejected: [] } : await repoClasses({ ...o, repo: o.repo });
  const schemas = classes.length === 0 ? builtinJsonSchemas() : jsonSchemasWithClasses(classes);
  writeAll(o.dir, schemas);
  for (const line of rejected) io.err(line);
  io.err(`wrote ${schemas.length} schemas to ${o.dir}${rejected.length > 0 ? `; ${rejected.length} CIClass kind(s) left out (run cmdb validate)` : ''}`);
  return rejected.length > 0 ? EXIT.failed : EXIT.ok;
}

function writeAll(dir: string, schemas: readonly ExportedSchema[]): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const { file, schema } of schemas) fs.writeFileSync(path.join(dir, file), schemaText(schema));
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new CmdbError(`cannot write the schemas to ${dir} (${reason})`, { code: 'usage', cause });
  }
}

/**
 * The CIClass definitions at the revision that the validator accepts (in
 * catalog order, as it compiles them), and one `file:line:column` line per
 * class it rejects.
 */
async function repoClasses(o: SchemaExportOptions & { repo: string }): Promise<{ classes: CIClassDefinition[]; rejected: string[] }> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(o.ref);
  const classes: CIClassDefinition[] = [];
  const rejected: string[] = [];
  rejected.push(...(await rejectedClassDocuments(reader.git, snapshot)));
  for (const entity of [...snapshot.entities.values()].filter((e) => e.kind === 'CIClass').sort(bySource)) {
    const def: CIClassDefinition = { kind: String(entity.spec.kind), schema: entity.spec.schema as object };
    const { issues } = createValidator({ classes: [...classes, def] });
    if (issues.length === 0) classes.push(def);
    else rejected.push(`${entity.source.file}:${entity.source.line}:${entity.source.column}: CIClass ${def.kind}: ${issues[0].pointer.slice(1).replaceAll('/', '.')} ${issues[0].message} (not exported)`);
  }
  return { classes, rejected };
}

/**
 * CIClass documents the read itself rejected (their schema checked when read):
 * one line per schema violation that lies in a CIClass document.
 */
async function rejectedClassDocuments(git: GitReader, snapshot: Snapshot): Promise<string[]> {
  const located = snapshot.violations.filter((v) => v.rule === 'schema' && v.file !== undefined && v.line !== undefined && snapshot.files.has(v.file));
  if (located.length === 0) return [];
  const blobs = new Map<string, string>();
  const files = new Map(located.map((v) => [snapshot.files.get(v.file!)!.blob, v.file!]));
  await git.readBlobs([...files.keys()], (oid, content) => blobs.set(files.get(oid)!, content.toString('utf8')));
  const lines: string[] = [];
  for (const v of located) {
    const text = blobs.get(v.file!);
    if (text === undefined) continue;
    const counter = new (yaml().LineCounter)();
    const docs = yaml().parseAllDocuments(text, { lineCounter: counter });
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      const [start, , end] = doc.range;
      const from = counter.linePos(start).line;
      const to = counter.linePos(end).line;
      if (v.line! < from || v.line! > to) continue;
      const value = doc.toJS() as { kind?: unknown; spec?: { kind?: unknown } } | null;
      if (value?.kind === 'CIClass') lines.push(`${v.file}:${v.line}:${v.column}: CIClass ${String(value.spec?.kind)}: ${v.message} (not exported)`);
    }
  }
  return lines;
}

const bySource = (a: Entity, b: Entity): number =>
  a.source.file.localeCompare(b.source.file) || a.source.line - b.source.line || a.source.column - b.source.column;
