import type { JournalEntry } from '@onenet-ota/mock-server';
import type { Generation } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { agentDevice, type Evidence, judge, type Rule, rules, runConformance } from '../src/index.ts';
import { agentMutants, cMutants } from './mutants.ts';

// Every rule is shown to pass and to fail. Passing: both reference devices pass every rule (suite.test.ts,
// c-device.test.ts). Failing: a mutant device that the matrices run fails it, or, where no mutant does, the
// reference agent's own recorded evidence with one thing changed, as a device that did that thing would leave it.

const edits: Record<
  string,
  { change: string; edit: (journal: JournalEntry[]) => JournalEntry[]; generation?: Generation }
> = {
  'AUTH-001': {
    change: 'a token check sent without Authorization',
    edit: (journal) => {
      const entry = structuredClone(journal.find((e) => e.operation === 'checkToken') as JournalEntry);
      delete entry.request.headers.authorization;
      return journal.map((e) => (e.seq === entry.seq ? entry : e));
    },
  },
  'RNG-001': {
    change: 'a download sent without Range',
    edit: (journal) => {
      const entry = structuredClone(journal.filter((e) => e.operation === 'downloadPackage')[1] as JournalEntry);
      delete entry.request.headers.range;
      return journal.map((e) => (e.seq === entry.seq ? entry : e));
    },
  },
  'RNG-011': {
    change: 'the two bytes never downloaded before 101',
    edit: (journal) => journal.filter((e) => e.operation !== 'downloadPackage'),
  },
  'RNG-012': {
    change: 'one fragment in the middle never downloaded',
    edit: (journal) => {
      const downloads = journal.filter((e) => e.operation === 'downloadPackage');
      const skipped = downloads[Math.floor(downloads.length / 2)];
      return journal.filter((e) => e !== skipped);
    },
  },
  'RPT-005': {
    change: 'no version report after the 201',
    edit: (journal) => {
      const success = journal.find((e) => (e.request.body?.json as { step?: number } | undefined)?.step === 201);
      return journal.filter((e) => e.operation !== 'reportVersion' || e.seq < (success?.seq ?? 0));
    },
  },
  'OTA-001': {
    generation: 'fuse',
    change: 'the refused answer taken as bytes: the fragment after it never asked again',
    edit: (journal) => {
      const refused = journal.find(
        (e) => e.operation === 'fuseDownloadPackage' && e.response.headers['ota-errno'] !== '0',
      );
      const retry = journal.find((e) => e.operation === 'fuseDownloadPackage' && e.seq > (refused?.seq ?? Infinity));
      return journal.filter((e) => e !== retry);
    },
  },
  'MQTT-001': {
    generation: 'fuse',
    change: 'the inform left unanswered (no reply within 20 s)',
    edit: (journal) =>
      journal.map((e) =>
        e.operation === 'otaInform'
          ? {
              ...e,
              note: 'no reply on ota/inform_reply within 20 s',
              response: { status: 0, headers: {}, bytesSent: 0 },
            }
          : e,
      ),
  },
  'RPT-006': {
    generation: 'fuse',
    change: 'a 101 sent after step 100',
    edit: (journal) => {
      const hundred = journal.find((e) => (e.request.body?.json as { step?: number } | undefined)?.step === 100);
      const again = structuredClone(hundred as JournalEntry);
      Object.assign(again, { seq: (hundred?.seq ?? 0) + 0.5, errno: 21 });
      again.request.body = { ...again.request.body, json: { step: 101 } } as JournalEntry['request']['body'];
      return [...journal, again].sort((a, b) => a.seq - b.seq);
    },
  },
  'STRAT-004': {
    change: 'a token check of a task that was never started',
    edit: (journal) => {
      const check = journal.find((e) => e.operation === 'checkTask') as JournalEntry;
      const pursued = structuredClone(check);
      Object.assign(pursued, { seq: check.seq + 0.5, operation: 'checkToken', errno: 18 });
      pursued.request.path = '/ota/south/download/ota_AAAAAAAAAAAAAAAAAAAA/check';
      return [...journal, pursued].sort((a, b) => a.seq - b.seq);
    },
  },
};

describe('every rule can pass and can fail', () => {
  it('has a failing device for every rule: a mutant in the matrices or a recorded journal below', () => {
    const failedByMutants = new Set(
      [...Object.values(agentMutants).flat(), ...Object.values(cMutants).flatMap((m) => m.fails)].map(
        (f) => f.split(':')[0],
      ),
    );
    const unproven = rules.map((r) => r.id).filter((id) => !failedByMutants.has(id) && !edits[id]);
    expect(unproven).toEqual([]);
  });

  const recorded = new Map<string, { rule: Rule; evidence: Evidence }>();
  const ready = Promise.all(
    (['legacy', 'fuse'] as const).map((generation) =>
      runConformance({
        device: agentDevice(),
        profile: { generation },
        cases: Object.keys(edits).filter((id) => (edits[id]?.generation ?? 'legacy') === generation),
        onJudged: (rule, evidence) => recorded.set(rule.id, { rule, evidence }),
      }),
    ),
  );

  it.each(Object.entries(edits).map(([id, { change, edit }]) => [id, change, edit] as const))(
    '%s passes the reference and fails on %s',
    async (id, _change, edit) => {
      await ready;
      const { rule, evidence } = recorded.get(id) ?? {};
      if (!rule || !evidence) throw new Error(`${id} was not judged`);
      expect(judge(rule, evidence).verdict).toBe('pass');
      const changed = judge(rule, { ...evidence, journal: edit(evidence.journal) });
      expect(changed.verdict).toBe(rule.level === 'MUST' ? 'fail' : 'warn');
      expect(changed.findings.length).toBeGreaterThan(0);
    },
  );
});
