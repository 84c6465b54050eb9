import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'REQ-001',
  title: 'Parameters and headers OneNET documents as required are sent',
  ref: '§2.2',
  level: 'SHOULD',
  generations: {
    only: ['legacy'],
    why: "it judges the legacy check's manuf and model, which Studio and the new platform do not have",
  },
  description:
    "OneNET's docs require `manuf`, `model` and `cdn` on the task check and `Content-Type: application/json` on the version and progress reports; its own C SDK leaves `manuf` and `model` out, so this platform serves such requests (matching the task on `type` and `version`, reading the body as JSON), but a platform that follows its docs may refuse them, and without `manuf` and `model` it cannot fail a task sent to the wrong module (errno 8).",
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const omissions = new Map<string, number[]>();
    for (const entry of journal)
      for (const t of entry.tolerated ?? []) {
        // What the docs require: a request's line endings are REQ-002's.
        const what = documented(entry.operation, t.pointer, t.message);
        if (what) omissions.set(what, [...(omissions.get(what) ?? []), entry.seq]);
      }
    return [...omissions].map(
      ([what, seqs]) => `${what} in ${seqs.length} request(s), first #${seqs[0]}; OneNET's docs require it`,
    );
  },
});

/** What a tolerated note says is missing when the docs require it (`checkTask cdn is missing`); else undefined. */
function documented(operation: string | null, pointer: string, message: string): string | undefined {
  if (pointer.startsWith('#/query/')) return `${operation} ${pointer.slice('#/query/'.length)} is missing`;
  // The note names the header: "Content-Type is not application/json; OneNET's docs require it".
  if (pointer === '#/header/content-type') return `${operation}: ${message.split(';')[0]}`;
  return undefined;
}
