/**
 * GitHub's official OpenAPI description (@octokit/openapi, api.github.com)
 * as a contract: find the operation of a request, validate request bodies,
 * query parameters and responses with ajv, and take the description's own
 * examples as the starting point of fake responses.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { addFormats } from '../../schema/formats.ts';

type Json = Record<string, unknown>;

const require = createRequire(import.meta.url);
/** The description with `$ref`s (the `.deref.json` twin inlines them: 73 MB instead of 13). */
export const OPENAPI_FILE = require.resolve('@octokit/openapi/generated/api.github.com.json');

export interface Operation {
  /** Path template as in the description, e.g. `/repos/{owner}/{repo}/check-runs`. */
  template: string;
  method: string;
  operationId: string;
  params: Record<string, string>;
}

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
}

export class OpenApiContract {
  private static instance?: OpenApiContract;
  readonly doc: Json;
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor() {
    this.doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Json;
    nullableWithoutType(this.doc);
    // OpenAPI 3.0 schemas: `nullable` is understood by ajv; other OpenAPI keywords (example, discriminator, x-*) are annotations.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(this.ajv);
    for (const f of ['uri-template', 'binary', 'int32', 'int64', 'repo.nwo', 'ssh-key', 'ssh-key fingerprint']) this.ajv.addFormat(f, true);
    this.ajv.addSchema(this.doc, 'github');
    this.routes = Object.keys(this.doc.paths as Json).map((template) => {
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
      return { template, regex: new RegExp(`^${source}$`), names, literals: template.split('/').filter((s) => s && !s.startsWith('{')).length };
    });
  }

  static load(): OpenApiContract {
    return (OpenApiContract.instance ??= new OpenApiContract());
  }

  /** The operation a request is for; the most specific template (most literal segments) wins. Undefined when GitHub has none. */
  match(method: string, path: string): Operation | undefined {
    const m = method.toLowerCase();
    const candidates = this.routes
      .map((r) => ({ r, hit: r.regex.exec(path) }))
      .filter(({ r, hit }) => hit && this.operationAt(r.template, m))
      .sort((a, b) => b.r.literals - a.r.literals);
    const best = candidates[0];
    if (!best) return undefined;
    const params = Object.fromEntries(best.r.names.map((n, i) => [n, decodeURIComponent(best.hit![i + 1])]));
    return { template: best.r.template, method: m, operationId: String(this.operationAt(best.r.template, m)!.operationId), params };
  }

  /** Problems of a request body (an operation without a JSON body must get none). */
  validateRequest(op: Operation, body: unknown): string[] {
    const requestBody = this.resolve(this.operationAt(op.template, op.method)!.requestBody) as Json | undefined;
    const schemaPath = `#/paths/${pointer(op.template)}/${op.method}/requestBody/content/application~1json/schema`;
    if (!requestBody) return body === undefined ? [] : [`${op.operationId} takes no request body`];
    if (body === undefined) return requestBody.required ? [`${op.operationId} requires a request body`] : [];
    return this.check(schemaPath, body, `${op.operationId} request body`);
  }

  /** Problems of the query string: every parameter declared `in: query`, its value valid (numbers as numbers). */
  validateQuery(op: Operation, query: URLSearchParams): string[] {
    const declared = new Map<string, Json>();
    const pathItem = (this.doc.paths as Json)[op.template] as Json;
    for (const p of [...((pathItem.parameters as unknown[]) ?? []), ...((this.operationAt(op.template, op.method)!.parameters as unknown[]) ?? [])]) {
      const param = this.resolve(p) as Json;
      if (param.in === 'query') declared.set(String(param.name), param);
    }
    const problems: string[] = [];
    for (const [name, raw] of query) {
      const param = declared.get(name);
      if (!param) {
        problems.push(`${op.operationId} has no query parameter ${name}`);
        continue;
      }
      const schema = this.resolve(param.schema) as Json;
      const value = schema.type === 'integer' || schema.type === 'number' ? Number(raw) : schema.type === 'boolean' ? raw === 'true' : raw;
      const validate = this.ajv.compile(schema);
      if (!validate(value)) problems.push(`${op.operationId} query ${name}=${raw}: ${this.ajv.errorsText(validate.errors)}`);
    }
    return problems;
  }

  /** Problems of a response: the status must be documented, and a JSON body must match its schema. */
  validateResponse(op: Operation, status: number, body: unknown): string[] {
    const responses = this.operationAt(op.template, op.method)!.responses as Json;
    if (!(String(status) in responses)) return [`${op.operationId} does not document status ${status} (documented: ${Object.keys(responses).join(', ')})`];
    const response = this.resolve(responses[String(status)]) as Json;
    const content = response.content as Json | undefined;
    if (!content?.['application/json']) return body === undefined ? [] : [`${op.operationId} ${status} has no body`];
    const schemaPath = `#/paths/${pointer(op.template)}/${op.method}/responses/${status}/content/application~1json/schema`;
    if ((responses[String(status)] as Json).$ref) return this.check(`${String((responses[String(status)] as Json).$ref)}/content/application~1json/schema`, body, `${op.operationId} ${status} response`);
    return this.check(schemaPath, body, `${op.operationId} ${status} response`);
  }

  /** A deep copy of the description's example response (the first, or the one named). */
  example(template: string, method: string, status: number, name?: string): unknown {
    const response = this.resolve(((this.operationAt(template, method)!.responses as Json)[String(status)] as Json) ?? {}) as Json;
    const examples = (((response.content as Json)?.['application/json'] as Json)?.examples ?? {}) as Json;
    const chosen = this.resolve(examples[name ?? Object.keys(examples)[0]]) as Json | undefined;
    if (!chosen) throw new Error(`no example for ${method.toUpperCase()} ${template} ${status}`);
    // An example's value may be a `$ref` to a shared example object (issues/get's): its value.
    const value = chosen.value as Json | undefined;
    const shared = value && typeof value.$ref === 'string' ? (this.resolve(value) as Json) : undefined;
    return structuredClone(shared && 'value' in shared ? shared.value : value);
  }

  private operationAt(template: string, method: string): Json | undefined {
    return ((this.doc.paths as Json)[template] as Json | undefined)?.[method] as Json | undefined;
  }

  private check(schemaPath: string, value: unknown, what: string): string[] {
    let validate = this.validators.get(schemaPath);
    if (!validate) {
      validate = this.ajv.getSchema(`github${schemaPath}`);
      if (!validate) return [`${what}: no schema at ${schemaPath}`];
      this.validators.set(schemaPath, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `${what}: ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /** Follows local `$ref`s. */
  resolve(value: unknown): unknown {
    let v = value as Json | undefined;
    for (let i = 0; v && typeof v.$ref === 'string' && i < 10; i++) {
      v = String(v.$ref)
        .slice(2)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (node as Json)[key], this.doc) as Json;
    }
    return v;
  }
}

/**
 * OpenAPI 3.0 allows `nullable: true` beside `anyOf`/`oneOf`/`allOf`/`$ref` or
 * alone, which ajv refuses ("nullable cannot be used without type"; the issue
 * schemas have it): such a schema becomes `anyOf: [itself, {type: null}]`
 * (alone: any value). Schemas with a `type` keep ajv's own `nullable`, with
 * `null` added to an `enum` that lacks it (GitHub sends `state_reason: null`,
 * described as a nullable enum of strings).
 */
function nullableWithoutType(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(nullableWithoutType);
  const o = node as Json;
  if (o.nullable === true && o.type === undefined) {
    const { nullable: _nullable, ...rest } = o;
    for (const k of Object.keys(o)) delete o[k];
    if (Object.keys(rest).some((k) => ['anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'properties', 'items'].includes(k))) o.anyOf = [rest, { type: 'null' }];
  } else if (o.nullable === true && Array.isArray(o.enum) && !o.enum.includes(null)) {
    o.enum = [...(o.enum as unknown[]), null];
  }
  for (const v of Object.values(o)) nullableWithoutType(v);
}
