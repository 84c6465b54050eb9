import {
  escapePointerSegment,
  type Located,
  listOperations,
  locate,
  type OpenApiDocument,
  resolvePointer,
} from '../src/index.ts';

/** One example in the document, and the schema it must validate against. */
export interface ExampleCase {
  /** Where it is, for test names: `checkTask 200 application/json simulation`. */
  where: string;
  /** JSON pointer of the schema (after following `$ref`s, so ajv compiles it in its real place). */
  schemaPointer: string;
  value: unknown;
}

/** A media type (request or response) and whether it carries any example. */
export interface MediaTypeCase {
  where: string;
  hasExample: boolean;
}

/**
 * Walks every operation's parameters, request bodies and responses, following `$ref`s, and collects every
 * example with the pointer of the schema it belongs to, plus every media type (to prove each has examples).
 */
export function collectExamples(doc: OpenApiDocument): { examples: ExampleCase[]; mediaTypes: MediaTypeCase[] } {
  const examples: ExampleCase[] = [];
  const mediaTypes: MediaTypeCase[] = [];
  const follow = (pointer: string, node: unknown): Located => locate(doc, pointer, node);
  const resolve = (pointer: string) => resolvePointer(doc, pointer) as Record<string, unknown>;
  const addExamples = (where: string, holder: Located, schemaPointer: string) => {
    let found = false;
    if ('example' in holder.node) {
      examples.push({ where: `${where} example`, schemaPointer, value: holder.node.example });
      found = true;
    }
    const named = (holder.node.examples ?? {}) as Record<string, unknown>;
    for (const [name, raw] of Object.entries(named)) {
      const example = follow(`${holder.pointer}/examples/${name}`, raw);
      examples.push({ where: `${where} ${name}`, schemaPointer, value: example.node.value });
      found = true;
    }
    return found;
  };
  const addContent = (where: string, owner: Located) => {
    const content = (owner.node.content ?? {}) as Record<string, unknown>;
    for (const mediaType of Object.keys(content)) {
      const media = follow(`${owner.pointer}/content/${escapePointerSegment(mediaType)}`, content[mediaType]);
      const hasExample = addExamples(`${where} ${mediaType}`, media, `${media.pointer}/schema`);
      mediaTypes.push({ where: `${where} ${mediaType}`, hasExample });
    }
  };

  for (const { operationId, method, path } of listOperations(doc)) {
    const opPointer = `#/paths/${escapePointerSegment(path)}/${method}`;
    const operation = resolve(opPointer);
    const pathLevel = (resolve(`#/paths/${escapePointerSegment(path)}`).parameters ?? []) as unknown[];
    const parameters = [
      ...pathLevel.map((p, i) => follow(`#/paths/${escapePointerSegment(path)}/parameters/${i}`, p)),
      ...((operation.parameters ?? []) as unknown[]).map((p, i) => follow(`${opPointer}/parameters/${i}`, p)),
    ];
    for (const parameter of parameters) {
      addExamples(`${operationId} parameter ${String(parameter.node.name)}`, parameter, `${parameter.pointer}/schema`);
    }
    if (operation.requestBody) {
      addContent(`${operationId} request`, follow(`${opPointer}/requestBody`, operation.requestBody));
    }
    for (const [status, response] of Object.entries(operation.responses as Record<string, unknown>)) {
      addContent(`${operationId} ${status}`, follow(`${opPointer}/responses/${status}`, response));
    }
  }
  return { examples, mediaTypes };
}
