import type { Command } from 'commander';
import type { Output } from '../output.ts';
import type { SchemaExportOptions } from './schema.ts';

/** `cmdb schema export DIR`; the export (and, with --repo, the catalog) loads when it runs. */
export function registerSchema(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const schema = program.command('schema').description('JSON Schemas of the catalog kinds, for editors');
  schema
    .command('export')
    .description('write one JSON Schema per kind (whole documents) and all-kinds.schema.json into DIR (exit 0, 1 when a CIClass could not be exported, 2 error)')
    .argument('<dir>', 'directory to write the schemas to (created when missing)')
    .option('--repo <path>', 'also export the kinds the CIClass entities of this config repo declare')
    .option('--ref <rev>', 'revision of --repo to read', 'HEAD')
    .action((dir: string, opts: Omit<SchemaExportOptions, 'dir'>, cmd: Command) =>
      run(import('./schema.ts').then(({ runSchemaExport }) => runSchemaExport({ ...cmd.optsWithGlobals(), ...opts, dir }, io))),
    );
}
