import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'REQ-001',
  title: 'Parameters OneNET documents as required are sent',
  ref: '§2.2',
  level: 'SHOULD',
  generations: {
    only: ['legacy'],
    why: "it judges the legacy check's manuf and model, which Studio and the new platform do not have",
  },
  description:
    "OneNET's docs require `manuf` and `model` on the task check; its own C SDK leaves them out, so this platform serves such a check (matching the task on `type` and `version`), but a platform that follows its docs may refuse it with errno 2, and without them it cannot fail a task sent to the wrong module (errno 8).",
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const omissions = new Map<string, number[]>();
    for (const entry of journal)
      for (const t of entry.tolerated ?? []) {
        // Only omitted parameters: a request's line endings are REQ-002's.
        if (!t.pointer.startsWith('#/query/')) continue;
        const key = `${entry.operation} ${t.pointer.replace('#/query/', '')}`;
        omissions.set(key, [...(omissions.get(key) ?? []), entry.seq]);
      }
    return [...omissions].map(
      ([what, seqs]) => `${what} is missing in ${seqs.length} request(s), first #${seqs[0]}; OneNET's docs require it`,
    );
  },
});
