import { enumDescriptions, RangeRule } from '@onenet-ota/openapi/protocol';
import { type components, contentRange, rangeBounds } from '@onenet-ota/sdk';

type JournalRange = components['schemas']['JournalRange'];

/**
 * A call's Range as the journal gives it (spec `JournalRange`), read once from the headers it keeps: the bounds asked,
 * the rule that decided (when the platform answered), the bytes Content-Range says were served. Undefined when the
 * call had none of them. The suite, the console and a recorded session read this instead of the headers.
 */
export function journalRange(
  range: string | undefined,
  answerContentRange: string | undefined,
  rule?: RangeRule,
): JournalRange | undefined {
  const bounds = range === undefined ? undefined : rangeBounds(range);
  const served = contentRange(answerContentRange);
  if (!bounds && !served && rule === undefined) return undefined;
  const asked = bounds && {
    unit: bounds.unit,
    ...(bounds.first === undefined ? {} : { first: bounds.first }),
    ...(bounds.last === undefined ? {} : { last: bounds.last }),
  };
  return { ...(asked ? { asked } : {}), ...(rule === undefined ? {} : { rule }), ...(served ? { served } : {}) };
}

/** The entry's `range` field: present when the call had a Range, a Content-Range or a rule. */
export function rangeField(
  range: string | undefined,
  answerContentRange: string | undefined,
  rule?: RangeRule,
): { range?: JournalRange } {
  const read = journalRange(range, answerContentRange, rule);
  return read ? { range: read } : {};
}

/**
 * What the platform made of a Range it did not serve as asked, in the rule's own words (spec `RangeRule`), for the
 * request log, the console and the suite's findings; undefined when it served the Range as asked, or there was none.
 */
export function rangeRuleWords(rule: RangeRule | undefined): string | undefined {
  return rule === undefined || rule === RangeRule.AsAsked || rule === RangeRule.None
    ? undefined
    : enumDescriptions.RangeRule[rule];
}
