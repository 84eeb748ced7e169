import { DATE_TIME_PATTERN, HINT_KEYWORD, nonEmptyString, objectOf, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

export const CHANGE_WINDOW_TYPES = ['freeze', 'maintenance'] as const;

const dateTime = (description: string): JsonSchema => ({
  type: 'string',
  pattern: DATE_TIME_PATTERN,
  description,
  [HINT_KEYWORD]: 'must be an RFC 3339 date-time with a time zone, e.g. 2025-12-20T18:00:00Z',
});

/** A period when changes are frozen or allowed (cmdb/v1 only); `end` must be after `start` (checked in semantic.ts). */
export const CHANGE_WINDOW_KIND: KindDefinition = {
  kind: 'ChangeWindow',
  description: 'A freeze, or a maintenance window, for the changes it applies to.',
  cmdb: objectOf(
    {
      type: { enum: [...CHANGE_WINDOW_TYPES], description: 'freeze: no changes; maintenance: changes allowed.' },
      start: dateTime('Start, inclusive.'),
      end: dateTime('End, exclusive.'),
      appliesTo: nonEmptyString('CEL expression selecting the changes concerned (default: all).'),
      description: { type: 'string', description: 'Why the window exists.' },
    },
    { required: ['type', 'start', 'end'], strict: true },
  ),
};
