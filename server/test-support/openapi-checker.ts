/**
 * Holds real HTTP answers against the OpenAPI description: the status must be documented for the
 * operation, the Content-Type one it documents (none when it documents no body), its required
 * headers present, documented header values and a JSON body valid against their schemas. Schemas are checked by
 * Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect) with `$ref`s resolved inside the description.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Header, HttpMethod, OpenApiDocument, Reference, Response } from '../http/openapi/openapi-types.js';

const SPEC_ID = 'urn:tandem:openapi';
// ajv-formats is CommonJS with `exports.default`; NodeNext types see the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface Exchange {
  method: HttpMethod;
  /** The path template as in the description, e.g. `/api/docs/{name}`. */
  path: string;
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface SpecChecker {
  /** What about this answer the description does not allow; empty when it conforms. */
  problems(exchange: Exchange): string[];
}

/** Ajv holding the description as a schema document, so `urn:tandem:openapi#/<pointer>` refers into it. */
function createSpecAjv(spec: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // The description's own top-level fields are not JSON Schema: known as no-op keywords, so strict
  // mode still refuses unknown keywords inside the schemas.
  ajv.addVocabulary(Object.keys(spec));
  ajv.addSchema(structuredClone(spec), SPEC_ID);
  return ajv;
}

/**
 * Compiles every schema of the description (components, parameters, headers, bodies) under strict
 * mode, so a typo in a keyword fails even where no test answer reaches; returns the failures.
 */
export function compileEverySchema(spec: OpenApiDocument): string[] {
  const ajv = createSpecAjv(spec);
  const pointers = Object.keys(spec.components.schemas).map((name) => `/components/schemas/${escape(name)}`);
  const collect = (value: unknown, pointer: string): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'schema') pointers.push(`${pointer}/schema`);
      else collect(child, `${pointer}/${escape(key)}`);
    }
  };
  collect(spec.paths, '/paths');
  collect({ parameters: spec.components.parameters, headers: spec.components.headers, responses: spec.components.responses }, '/components');
  const failures: string[] = [];
  for (const pointer of pointers) {
    try {
      ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    } catch (error) {
      failures.push(`${pointer}: ${(error as Error).message}`);
    }
  }
  return failures;
}

/** A validator for the schema at `pointer` (a JSON Pointer into the description). */
export function compileSchemaAt(spec: OpenApiDocument, pointer: string): ValidateFunction {
  return createSpecAjv(spec).compile({ $ref: `${SPEC_ID}#${pointer}` });
}

export function createSpecChecker(spec: OpenApiDocument): SpecChecker {
  const ajv = createSpecAjv(spec);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };

  return {
    problems({ method, path, status, headers, body }) {
      const operation = spec.paths[path]?.[method];
      if (!operation) return [`${method.toUpperCase()} ${path} is not in the description`];
      const where = `${method.toUpperCase()} ${path} → ${status}`;
      const documented = operation.responses[String(status)];
      if (!documented) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
      const { response, pointer } = resolveResponse(spec, documented, `/paths/${escape(path)}/${method}/responses/${status}`);
      const problems: string[] = [];
      for (const [name, header] of Object.entries(response.headers ?? {})) {
        const { header: resolved, pointer: headerPointer } = resolveHeader(spec, header, `${pointer}/headers/${escape(name)}`);
        const value = headers.get(name);
        if (value === null) {
          if (resolved.required) problems.push(`${where}: documented header ${name} missing`);
          continue;
        }
        const validate = validatorAt(`${headerPointer}/schema`);
        if (!validate(value)) problems.push(`${where}: header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
      }
      const contentType = headers.get('content-type');
      const mediaType = contentType?.split(';')[0]!.trim().toLowerCase() ?? null;
      const content = response.content ?? {};
      if (Object.keys(content).length === 0) {
        if (body.length > 0 || mediaType !== null) problems.push(`${where}: documents no body, got ${contentType ?? 'no type'} with ${body.length} bytes`);
        return problems;
      }
      if (mediaType === null || !(mediaType in content)) {
        problems.push(`${where}: Content-Type ${contentType ?? '(none)'} not among ${Object.keys(content).join(', ')}`);
        return problems;
      }
      // HEAD answers carry GET's headers without a body.
      if (method === 'head' || mediaType !== 'application/json' || !content[mediaType]!.schema) return problems;
      const validate = validatorAt(`${pointer}/content/${escape(mediaType)}/schema`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return [...problems, `${where}: body is not JSON: ${body.toString('utf8').slice(0, 200)}`];
      }
      if (!validate(parsed)) problems.push(`${where}: body ${JSON.stringify(parsed).slice(0, 300)} does not match: ${ajv.errorsText(validate.errors)}`);
      return problems;
    },
  };
}

/** JSON Pointer escaping of one path segment (RFC 6901). */
function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function resolveResponse(spec: OpenApiDocument, response: Response | Reference, pointer: string): { response: Response; pointer: string } {
  if (!('$ref' in response)) return { response, pointer };
  const name = /^#\/components\/responses\/(.+)$/.exec(response.$ref)?.[1];
  const target = name === undefined ? undefined : spec.components.responses[name];
  if (!target) throw new Error(`unresolvable response ${response.$ref}`);
  return { response: target, pointer: `/components/responses/${escape(name!)}` };
}

function resolveHeader(spec: OpenApiDocument, header: Header | Reference, pointer: string): { header: Header; pointer: string } {
  if (!('$ref' in header)) return { header, pointer };
  const name = /^#\/components\/headers\/(.+)$/.exec(header.$ref)?.[1];
  const target = name === undefined ? undefined : spec.components.headers[name];
  if (!target) throw new Error(`unresolvable header ${header.$ref}`);
  return { header: target, pointer: `/components/headers/${escape(name!)}` };
}
