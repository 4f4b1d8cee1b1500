import { z } from 'zod';
import { RawHost, RawRange } from '../model/index.js';

/**
 * OpenAPI/JSON schemas, generated from the model's own zod schemas so there is no second copy.
 * They document the API; bodies are checked by the model, whose messages name each field.
 */
const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;

export const rawRangeSchema = jsonSchema(RawRange);

export const blueprintBodySchema = {
  oneOf: [
    { type: 'object', properties: { source: { type: 'string', description: 'blueprint YAML or JSON text' } }, required: ['source'] },
    rawRangeSchema,
  ],
};

const nicInput = {
  type: 'object',
  properties: { network_id: { type: 'string' }, ip_address: { type: ['string', 'null'] } },
  required: ['network_id'],
};

export const hostBodySchema = {
  ...jsonSchema(RawHost.omit({ interfaces: true, plugin: true })),
  description:
    'A host. `networks` lists its NICs, the first is primary; `ip_address` null means auto-assign. The legacy `network_id` + `ip_address` form is one primary NIC.',
  properties: {
    ...((jsonSchema(RawHost.omit({ interfaces: true, plugin: true })).properties as object) ?? {}),
    networks: { type: 'array', items: nicInput },
  },
};

export const nicBodySchema = nicInput;
