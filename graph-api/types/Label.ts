import type { ApiBuilder } from '../builder.ts';

/** `Label { key value }`: one `metadata.labels` entry. */
export function addLabelType(builder: ApiBuilder): void {
  builder.objectType('Label', {
    description: 'One entry of metadata.labels.',
    fields: (t) => ({
      key: t.exposeString('key'),
      value: t.exposeString('value'),
    }),
  });
}
