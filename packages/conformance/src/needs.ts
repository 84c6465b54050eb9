import { bounds, CheckErrno, ExchangeName, ProgressErrno, ResultCode } from '@onenet-ota/openapi/protocol';
import { calls, codes, delivered, isDownloadDone, isResultCode } from './evidence.ts';
import type { Evidence, Need } from './types.ts';

/** What the met needs show, what the missing ones lack, and optional behaviour the device did not show. */
export interface NeedsOutcome {
  evidence: string[];
  missing: string[];
  /** Needs for what a device may leave out (`sent-steps`): without them the rule judges nothing and skips. */
  absent: string[];
}

/** Needs a device may rightly leave unmet: something optional it did not do. */
const optional: ReadonlySet<Need> = new Set(['sent-steps', 'sent-step-100']);

/** Evaluates a rule's needs against a case's evidence. */
export function evaluateNeeds(needs: readonly Need[], evidence: Evidence): NeedsOutcome {
  const outcome: NeedsOutcome = { evidence: [], missing: [], absent: [] };
  for (const need of needs) {
    const shown = show[need](evidence);
    if (typeof shown === 'string') outcome.evidence.push(shown);
    else (optional.has(need) ? outcome.absent : outcome.missing).push(...shown.missing);
  }
  return outcome;
}

type Shown = string | { missing: string[] };
const lacking = (...missing: string[]): Shown => ({ missing });

const show: Record<Need, (e: Evidence) => Shown> = {
  checked(e) {
    const first = calls(e.journal, 'checkTask')[0];
    return first
      ? `#${first.seq} checked for a task (errno ${first.errno ?? 'none'})`
      : lacking(`no evidence: the device never checked for a task (${requestCount(e)})`);
  },
  'found-task'(e) {
    const found = calls(e.journal, 'checkTask').find((c) => c.errno === CheckErrno.Success);
    if (found) return `#${found.seq} found the task and got its token`;
    const answers = calls(e.journal, 'checkTask').map((c) => c.errno);
    return lacking(
      answers.length === 0
        ? `no evidence: the device never checked for a task (${requestCount(e)})`
        : `no evidence: no task check answered 0 (errno ${[...new Set(answers)].join(', ')})`,
    );
  },
  downloaded(e) {
    const list = delivered(e.journal);
    return list.length > 0
      ? `#${list[0]?.seq} got package bytes (${list.length} download${list.length === 1 ? '' : 's'} delivered bytes)`
      : lacking(`no evidence: no download delivered package bytes (${requestCount(e)})`);
  },
  fragments(e) {
    const list = delivered(e.journal);
    return list.length >= 2
      ? `${list.length} downloads delivered package bytes (#${list[0]?.seq}–#${list.at(-1)?.seq})`
      : lacking(`no evidence: ${list.length} download(s) delivered package bytes; the rule needs at least 2`);
  },
  'download-done'(e) {
    const done = codes(e.journal).find((c) => isDownloadDone(c.code) || c.code === ResultCode.UpgradeSucceeded);
    return done
      ? `#${done.seq} reported ${done.code === 100 ? 'step 100' : done.code} (download done)`
      : lacking('no evidence: the device never reported the download done (101, step 100 or 201)');
  },
  'reported-success'(e) {
    const success = codes(e.journal).find((c) => c.code === ResultCode.UpgradeSucceeded);
    return success ? `#${success.seq} reported 201` : lacking('no evidence: the device never reported 201');
  },
  succeeded(e) {
    const success = codes(e.journal).find(
      (c) => c.code === ResultCode.UpgradeSucceeded && c.errno === ProgressErrno.Success,
    );
    return success
      ? `#${success.seq} reported 201 and the platform accepted it`
      : lacking('no evidence: the platform accepted no 201 from the device');
  },
  'answered-inform'(e) {
    const answered = calls(e.journal, ExchangeName.OtaInform).find((i) => i.response.body !== undefined);
    if (!answered) {
      const sent = calls(e.journal, ExchangeName.OtaInform)[0];
      return lacking(
        sent
          ? `no evidence: the device never answered ota/inform (#${sent.seq}: ${sent.note ?? 'no reply'})`
          : 'no evidence: the platform published no ota/inform while the device listened',
      );
    }
    return `#${answered.seq} answered ota/inform on ota/inform_reply in ${Math.round(answered.durationMs)} ms (code ${answered.response.status})`;
  },
  'sent-steps'(e) {
    const steps = codes(e.journal).filter((c) => !isResultCode(c.code));
    return steps.length > 0
      ? `${steps.length} progress step(s) sent, first #${steps[0]?.seq} (step ${steps[0]?.code})`
      : lacking(
          'no evidence: the device sent no progress step (0–100); steps are optional, so this rule has nothing to judge',
        );
  },
  'sent-step-100'(e) {
    const hundred = codes(e.journal).find((c) => c.code === bounds.Step.maximum && c.errno === ProgressErrno.Success);
    return hundred
      ? `#${hundred.seq} reported step 100 and the platform accepted it`
      : lacking('no evidence: the device never had a step 100 accepted (101 alone is as good), so nothing to judge');
  },
  scenario(e) {
    const missing = [
      ...e.faults
        .filter((f) => !e.journal.some((entry) => entry.faults.includes(f.id)))
        .map((f) => `the scenario never happened: fault ${describeFault(f.create)} never fired`),
      ...e.pending.map((action) => `the scenario never happened: "${action}" never went off`),
    ];
    if (missing.length > 0) {
      const downloads = calls(e.journal, 'downloadPackage').length;
      // With downloads made but too few, the device's fragments may be larger than the suite assumed.
      const why =
        downloads === 0
          ? requestCount(e)
          : `${downloads} download requests; cases assume fragments of about ${e.profile.fragmentSize} bytes, see --fragment-size`;
      return lacking(...missing.map((m) => `${m} (${why})`));
    }
    const fired = [
      ...e.faults.map((f) => describeFault(f.create)),
      ...e.fired.map((f) => `"${f.action}" at #${f.seq}`),
    ];
    return fired.length > 0 ? `the scenario happened: ${fired.join(', ')}` : 'a clean run: no faults, no triggers';
  },
};

function requestCount(e: Evidence): string {
  if (e.journal.length > 0) return `it made ${e.journal.length} requests`;
  const unread = e.strays?.length ?? 0;
  return unread > 0 ? `the platform could take none of its ${unread} requests` : 'it made no request at all';
}

/** `reset after 1000 bytes on downloadPackage #3`: a fault as a reader of the report needs it. */
function describeFault(fault: Evidence['faults'][number]['create']): string {
  const { kind, ...details } = fault.action as { kind: string } & Record<string, unknown>;
  const args = Object.entries(details)
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', ');
  const where = `${fault.match?.operation ?? 'any request'}${fault.match?.nth ? ` #${fault.match.nth}` : ''}`;
  return `${kind}${args ? ` (${args})` : ''} on ${where}`;
}
