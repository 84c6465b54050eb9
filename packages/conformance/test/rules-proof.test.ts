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
  'AUTH-003': {
    generation: 'fuse',
    change: 'a product-level token, taken only by --token-rules lenient and journaled as the platform does',
    edit: (journal) =>
      journal.map((e) =>
        e.request.headers.authorization
          ? {
              ...e,
              tolerated: [
                {
                  pointer: '#/header/authorization',
                  message: 'res "products/1" is a product-level token, which this API does not take; …',
                },
              ],
            }
          : e,
      ),
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

// A verdict rests on what reached the device and what it did, not on what the case hoped to see (issue 27).
describe('verdicts rest on evidence', () => {
  const recorded = new Map<string, { rule: Rule; evidence: Evidence }>();
  const ready = runConformance({
    device: agentDevice(),
    cases: ['RPT-001', 'RNG-005', 'TOK-006', 'RPT-006', 'STRAT-002'],
    onJudged: (rule, evidence) => recorded.set(rule.id, { rule, evidence }),
  });
  const judged = async (id: string, edit: (e: Evidence) => Evidence) => {
    await ready;
    const { rule, evidence } = recorded.get(id) ?? {};
    if (!rule || !evidence) throw new Error(`${id} was not judged`);
    return judge(rule, edit(structuredClone(evidence)));
  };
  const bodyOf = (e: JournalEntry) => e.request.body?.json as { step?: number; result?: number } | undefined;
  const codeOf = (e: JournalEntry) => bodyOf(e)?.step ?? bodyOf(e)?.result;
  const report = (like: JournalEntry, seq: number, step: number, errno = 0): JournalEntry => {
    const entry = structuredClone(like);
    Object.assign(entry, { seq, errno });
    entry.request.body = { ...entry.request.body, json: { step } } as JournalEntry['request']['body'];
    return entry;
  };

  it('RPT-001 skips a device that sent no progress step, and only warns on steps that go down', async () => {
    const none = await judged('RPT-001', (e) => ({
      ...e,
      journal: e.journal.filter((x) => (codeOf(x) ?? 101) > 100),
    }));
    expect(none.verdict).toBe('skip');
    expect(none.findings[0]).toMatch(/sent no progress step.*nothing to judge/);
    const down = await judged('RPT-001', (e) => {
      const steps = e.journal.filter((x) => codeOf(x) !== undefined && (codeOf(x) as number) < 100);
      const last = steps.at(-1) as JournalEntry;
      return { ...e, journal: [...e.journal, report(last, last.seq + 0.5, 1)].sort((a, b) => a.seq - b.seq) };
    });
    expect(down.verdict).toBe('warn');
    expect(down.findings[0]).toMatch(/goes down .*SHOULD, not binding/);
  });

  it('RNG-005 passes a device that asked again and got the range intact, and fails one that did neither', async () => {
    const retried = await judged('RNG-005', (e) => {
      const error = e.journal.find((x) => x.faults.length > 0) as JournalEntry;
      const before = e.journal.filter((x) => x.seq <= error.seq);
      const template = e.journal.find((x) => x.operation === 'downloadPackage' && x.response.status === 206);
      // The whole package again after the error byte, in 4 KiB fragments (the device timed out and asked again),
      // then the download reported done.
      const size = e.file.size;
      const again = Array.from({ length: Math.ceil(size / 4096) }, (_, i) => {
        const [from, to] = [i * 4096, Math.min(size, (i + 1) * 4096) - 1];
        const fragment = structuredClone(template as JournalEntry);
        fragment.seq = error.seq + 1 + i;
        fragment.request.headers.range = `bytes=${from}-${to}`;
        fragment.response.headers['content-range'] = `bytes ${from}-${to}/${size}`;
        // The journal's own reading of those headers, as the platform writes it.
        fragment.range = {
          asked: { unit: true, first: from, last: to },
          rule: 'as-asked',
          served: { start: from, end: to, length: size },
        };
        fragment.response.bytesSent = to - from + 1;
        return fragment;
      });
      const reportLike = e.journal.find((x) => codeOf(x) !== undefined) as JournalEntry;
      const done = report(reportLike, error.seq + 1 + again.length, 101);
      return { ...e, journal: [...before, ...again, done] };
    });
    expect(retried.verdict, retried.findings.join('\n')).toBe('pass');
    const neither = await judged('RNG-005', (e) => {
      const error = e.journal.find((x) => x.faults.length > 0) as JournalEntry;
      return { ...e, journal: e.journal.filter((x) => x.seq <= error.seq) };
    });
    expect(neither.verdict).toBe('fail');
    expect(neither.findings[0]).toMatch(/neither reported 107 nor got those bytes again/);
  });

  it('TOK-006 blames a device that stopped after one pause answer, not the scenario', async () => {
    const stopped = await judged('TOK-006', (e) => {
      const paused = e.journal.find((x) => x.errno === 19) as JournalEntry;
      return {
        ...e,
        journal: e.journal.filter((x) => x.seq <= paused.seq),
        fired: e.fired.filter((f) => f.action === 'pause'),
      };
    });
    expect(stopped.verdict).toBe('fail');
    expect(stopped.findings.join('\n')).not.toMatch(/scenario never happened/);
    expect(stopped.findings[0]).toMatch(
      /checked its token 1 time\(s\) while paused \(first answer 19 at #\d+\) and then stopped/,
    );
  });

  it('RPT-006 judges the legacy generation too: a 101 after step 100 fails', async () => {
    const after = await judged('RPT-006', (e) => {
      const last = e.journal
        .filter((x) => codeOf(x) !== undefined && (codeOf(x) as number) < 100)
        .at(-1) as JournalEntry;
      return {
        ...e,
        journal: [...e.journal, report(last, last.seq + 0.3, 100), report(last, last.seq + 0.6, 101, 21)].sort(
          (a, b) => a.seq - b.seq,
        ),
      };
    });
    expect(after.verdict).toBe('fail');
    expect(after.findings[0]).toMatch(/reports 101 after step 100/);
  });

  it("STRAT-002 takes retry as all tries too, as OneNET's C SDK does, and only warns on the interval", async () => {
    const tries = (e: Evidence) => e.journal.filter((x) => x.operation === 'downloadPackage');
    const twoTries = await judged('STRAT-002', (e) => ({
      ...e,
      journal: e.journal.filter((x) => x !== tries(e).at(-1)),
    }));
    expect(twoTries.verdict, twoTries.findings.join('\n')).toBe('pass');
    const oneTry = await judged('STRAT-002', (e) => ({
      ...e,
      journal: e.journal.filter((x) => !tries(e).slice(1).includes(x)),
    }));
    expect(oneTry.verdict).toBe('fail');
    const hasty = await judged('STRAT-002', (e) => {
      const [first, ...rest] = tries(e);
      for (const x of rest) [x.time, x.wallTime] = [first?.time ?? x.time, first?.wallTime ?? x.wallTime];
      return e;
    });
    expect(hasty.verdict).toBe('warn');
    expect(hasty.findings[0]).toMatch(/not waiting the 1 s interval .*SHOULD, not binding/);
  });
});

// Studio takes a 201 straight after the download, as OneNET's own thing-model client sends it: a warning there.
it('RPT-002 warns on Studio, where OneNET’s own client reports 201 without 101', async () => {
  let recorded: { rule: Rule; evidence: Evidence } | undefined;
  await runConformance({
    device: agentDevice(),
    profile: { generation: 'studio' },
    cases: ['RPT-002'],
    onJudged: (rule, evidence) => (recorded = { rule, evidence }),
  });
  if (!recorded) throw new Error('RPT-002 was not judged');
  const { rule, evidence } = recorded;
  expect(judge(rule, evidence).verdict).toBe('pass');
  const without101 = evidence.journal.filter((e) => (e.request.body?.json as { step?: number })?.step !== 101);
  const judged = judge(rule, { ...evidence, journal: without101 });
  expect(judged.verdict).toBe('warn');
  expect(judged.findings.join()).toMatch(/without an accepted 101.*thing-model C client/);
});
