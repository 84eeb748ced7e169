import { entityName, nonEmptyString, objectOf, stringList, stringMap, type JsonSchema } from './fragments.ts';

/** The two families of apiVersions read: this project's own, and Backstage's. */
export type Family = 'cmdb' | 'backstage';

export const FAMILY_OF_API_VERSION: ReadonlyMap<string, Family> = new Map([
  ['cmdb/v1', 'cmdb'],
  ['backstage.io/v1alpha1', 'backstage'],
  ['backstage.io/v1beta1', 'backstage'],
]);

/** `$id` of each family's shared metadata schema. */
export const METADATA_SCHEMA_ID: Readonly<Record<Family, string>> = {
  cmdb: 'cmdb:schema/metadata/cmdb',
  backstage: 'cmdb:schema/metadata/backstage',
};

const link = (strict: boolean): JsonSchema =>
  objectOf(
    {
      url: nonEmptyString('A URL in a standard URI format.'),
      title: nonEmptyString('A display name for the link.'),
      icon: nonEmptyString('A key naming an icon.'),
      type: nonEmptyString('A type, to group or filter links.'),
    },
    { required: ['url'], strict },
  );

/**
 * `metadata` of an entity. cmdb/v1 is strict so typos are caught; Backstage's
 * is lenient (it carries uid, etag, generation, ... in exported entities).
 */
export function metadataSchema(family: Family): JsonSchema {
  const strict = family === 'cmdb';
  return {
    $id: METADATA_SCHEMA_ID[family],
    ...objectOf(
      {
        name: entityName('Unique per kind and namespace, case-insensitive.'),
        namespace: entityName('Namespace of the entity (default "default").'),
        title: nonEmptyString('A display name.'),
        description: { type: 'string', description: 'A short description.' },
        labels: stringMap('Identifying key/value pairs.'),
        annotations: stringMap('Non-identifying key/value pairs.'),
        tags: stringList('Single-valued classifiers.'),
        links: { type: 'array', description: 'External hyperlinks.', items: link(strict) },
      },
      { required: ['name'], strict },
    ),
  };
}

/**
 * A whole document of one kind: envelope plus `spec`. `apiVersion` and `kind`
 * are only type-checked: the validator dispatched on them already.
 */
export function entitySchema(family: Family, id: string, spec: JsonSchema): JsonSchema {
  const backstageOnly: Record<string, JsonSchema> =
    family === 'backstage'
      ? { relations: { type: 'array', description: 'Set by Backstage.' }, status: { type: 'object', description: 'Set by Backstage.' } }
      : {};
  return {
    $id: id,
    ...objectOf(
      {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: METADATA_SCHEMA_ID[family] },
        spec,
        ...backstageOnly,
      },
      { required: ['apiVersion', 'kind', 'metadata', 'spec'], strict: true },
    ),
  };
}
