import type { Evidence } from './types.ts';

/**
 * What the device did that kept a case's situation from reaching it, as the tail of a finding: the platform refusing
 * its own Authorization after the case acted (an `et` left behind by a clock jump answers errno 1 before any token
 * or task is looked at). Empty when nothing of the kind happened. Rules say this instead of "the scenario never
 * happened", which would blame the case for the device's own refusal.
 */
export function preventedBy({ journal, fired }: Evidence): string {
  const acted = fired[0]?.seq ?? 0;
  const refused = journal.find((e) => e.seq > acted && e.auth === 'refused');
  return refused
    ? `: the platform refused the device's own Authorization first (#${refused.seq} ${refused.operation}: errno ${refused.errno}, ${refused.note ?? 'no reason given'}); AUTH-001 and AUTH-002 judge its token`
    : '';
}
