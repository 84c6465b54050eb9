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
    const omissions = new Map<string, { message: string; seqs: number[] }>();
    for (const entry of journal)
      for (const t of entry.tolerated ?? []) {
        // What the docs require: a request's line endings are REQ-002's.
        const what = documented(t.pointer);
        if (!what) continue;
        const key = `${entry.operation} ${what}`;
        const seen = omissions.get(key) ?? { message: t.message, seqs: [] };
        seen.seqs.push(entry.seq);
        omissions.set(key, seen);
      }
    return [...omissions].map(([what, { message, seqs }]) =>
      what.endsWith(' Content-Type')
        ? `${what.replace(/ Content-Type$/, '')}: ${message.split(';')[0]} in ${seqs.length} request(s), first #${seqs[0]}; OneNET's docs require it`
        : `${what} is missing in ${seqs.length} request(s), first #${seqs[0]}; OneNET's docs require it`,
    );
  },
});

/** The parameter or header a tolerated note names when it is one the docs require; undefined for anything else. */
function documented(pointer: string): string | undefined {
  if (pointer.startsWith('#/query/')) return pointer.slice('#/query/'.length);
  if (pointer === '#/header/content-type') return 'Content-Type';
  return undefined;
}
