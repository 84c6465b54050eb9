import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { JournalEntry } from '@onenet-ota/mock-server';
import { loadSpec } from '@onenet-ota/openapi';
import { createSpecValidator, formatErrors } from '@onenet-ota/openapi/document';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CaptureError } from './capture-error.ts';
import { harToJournal } from './har.ts';

// ajv-formats ships CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A recorded session, read and checked: its journal entries, and what the file was. */
export interface Capture {
  entries: JournalEntry[];
  format: 'journal' | 'har';
}

/**
 * Reads a capture: the journal's JSON (`GET /__mock/journal`, a recording of `ota-mock --upstream`, or its
 * `entries` alone) or a HAR 1.2 file (mitmproxy, Charles, a browser). Each is checked against its schema, the
 * spec's `JournalEntry` or the HAR schema, and a file that is not one fails with where it broke.
 */
export async function readCapture(file: string): Promise<Capture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CaptureError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CaptureError(`${file}: not JSON, ${whereJsonBroke(text, error as Error)}`);
  }
  const value = parsed as { log?: unknown; entries?: unknown };
  if (value && typeof value === 'object' && 'log' in value) {
    const validate = harValidator();
    if (!validate(parsed)) {
      const first = validate.errors?.[0];
      throw new CaptureError(
        `${file}: not a HAR 1.2 file: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
      );
    }
    const entries = harToJournal(parsed as Parameters<typeof harToJournal>[0], file);
    if (entries.length === 0) throw new CaptureError(`${file}: the HAR holds no call to a OneNET OTA device path`);
    return { entries, format: 'har' };
  }
  const entries = Array.isArray(parsed) ? parsed : value && Array.isArray(value.entries) ? value.entries : undefined;
  if (!entries)
    throw new CaptureError(`${file}: neither a journal ({"entries": [...]}) nor a HAR file ({"log": {...}})`);
  const validate = createSpecValidator(loadSpec()).schema('JournalEntry');
  for (const [i, entry] of (entries as unknown[]).entries()) {
    if (!validate(entry))
      throw new CaptureError(`${file}: entries[${i}] is not a journal entry: ${formatErrors(validate)}`);
  }
  if (entries.length === 0) throw new CaptureError(`${file}: the journal holds no entry`);
  return { entries: entries as JournalEntry[], format: 'journal' };
}

/** Where JSON.parse stopped, as line and column, and what it said: a truncated file ends before its JSON does. */
function whereJsonBroke(text: string, error: Error): string {
  const at = /position (\d+)/.exec(error.message);
  const position = at ? Number(at[1]) : text.length;
  const before = text.slice(0, position).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  const truncated = position >= text.trimEnd().length ? ' (the file ends there: truncated?)' : '';
  return `line ${line} column ${column}: ${error.message.replace(/ in JSON at position \d+.*$/, '')}${truncated}`;
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function harValidator() {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  // The HAR schemas (har-schema, what har-validator checks with) are JSON Schema draft 06.
  const load = createRequire(import.meta.url);
  ajv.addMetaSchema(load('ajv/dist/refs/json-schema-draft-06.json') as object);
  for (const schema of Object.values(load('har-schema') as Record<string, object>)) ajv.addSchema(schema);
  compiled = ajv.getSchema('har.json#') as ReturnType<Ajv['compile']>;
  return compiled;
}
