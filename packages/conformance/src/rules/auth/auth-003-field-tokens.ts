import type { JournalEntry } from '@onenet-ota/mock-server';
import { tokenRules } from '@onenet-ota/openapi/protocol';
import { readToken } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'AUTH-003',
  title: 'Tokens the new platform is known to take',
  ref: '§1.5',
  level: 'SHOULD',
  generations: {
    only: ['fuse'],
    why: 'only the new platform has tokens the field is known to refuse where the docs are silent',
  },
  description:
    "The new platform's token rules are not published. Field reports say it refuses product-level tokens and an `et` more than 10 years ahead; device-level (2018-10-31 or 2022-05-01) and user-level tokens are taken. The platform refuses both by default (AUTH-001 then fails, naming the report); run with `--token-rules lenient` and it takes them, and this rule warns for each such token. A recorded session is judged on the tokens its device sent.",
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const risky = journal.flatMap((entry) => {
      const why = tolerated(entry) ?? fieldRefuses(entry);
      return why ? [{ entry, why }] : [];
    });
    const first = risky[0];
    if (!first) return [];
    return [
      `${risky.length} request(s) carried such a token, first #${first.entry.seq} ${first.entry.operation}: ${first.why}`,
    ];
  },
});

/** What the platform noted, when it took the token under its lenient rules. */
function tolerated(entry: JournalEntry): string | undefined {
  return entry.tolerated?.find((t) => t.pointer === '#/header/authorization')?.message;
}

/** What the field is known to refuse of the token the request carried: its level, or how far ahead its `et` is. */
function fieldRefuses(entry: JournalEntry): string | undefined {
  const header = entry.request.headers.authorization;
  if (!header) return undefined;
  const token = readToken(header);
  if (typeof token === 'string') return undefined;
  const rules = tokenRules.fuse;
  const ahead = (rules.maxAheadSeconds as Readonly<Record<string, number>>)[token.version];
  const sentAt = Math.floor(Date.parse(entry.time) / 1000);
  const problem = /^products\/[^/]+$/.test(token.res)
    ? `res "${token.res}" is a product-level token`
    : ahead !== undefined && token.et > sentAt + ahead
      ? `et ${token.et} is more than ${ahead} s after the request`
      : undefined;
  return problem && `${problem}; OneNET's new platform is known to refuse ${rules.fieldRefuses}`;
}
