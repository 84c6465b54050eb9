import { describe, expect, it } from 'vitest';
import { deref, listOperations, loadSpec } from '../src/index.ts';

// The spec's `x-ota-state-machine` must be total: every state says what every call and every code does.
const doc = loadSpec();
const schemas = doc.components.schemas;
const machine = doc['x-ota-state-machine'] as {
  statelessOperations: string[];
  deviceStates: Record<string, DeviceState>;
  taskEvents: Record<string, Record<string, string> | string>;
  taskStates: Record<string, TaskStateEntry>;
};
interface Outcome {
  errno?: number;
  to?: string;
  toIfTaskPaused?: string;
  toIfTargetVersion?: string;
  serve?: boolean;
  errorByte?: string;
}
interface DeviceState {
  terminal: boolean;
  description: string;
  calls: Record<string, Outcome>;
  codes: Record<string, Outcome>;
}
interface TaskStateEntry {
  actions: Record<string, string>;
  editable: boolean;
  deletable: boolean;
  automatic: Record<string, string>;
}

const enumOf = (name: string) => (schemas[name]?.enum ?? []) as (string | number)[];
const deviceStates = enumOf('DeviceTaskState') as string[];
const resultCodes = enumOf('ResultCode') as number[];
const stepCodes = Array.from({ length: 101 }, (_, i) => i);
// Report codes exactly as the protocol reference lists them (§2.5: 101–107 and 201–208).
const documentedResultCodes = [101, 102, 103, 104, 105, 106, 107, 201, 202, 203, 204, 205, 206, 207, 208];

// Device operations whose answer depends on the device's state; progress and report are judged by `codes`.
const stateful = listOperations(doc)
  .filter(({ operation }) => operation.tags?.includes('device'))
  .map(({ operationId }) => operationId)
  .filter((id) => !machine.statelessOperations.includes(id) && id !== 'reportProgress' && id !== 'reportStatus');

function expand(key: string): number[] {
  const [from, to = from] = key.split('-').map(Number);
  if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) {
    throw new Error(`bad code key "${key}"`);
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function errnoTable(operationId: string): number[] {
  const op = listOperations(doc).find((o) => o.operationId === operationId);
  const response = deref<{ content: Record<string, { schema: unknown }> }>(doc, op?.operation.responses['200']);
  const envelope = deref<{ properties: { errno: unknown } }>(doc, response.content['application/json']?.schema);
  return deref<{ enum: number[] }>(doc, envelope.properties.errno).enum;
}

describe('x-ota-state-machine', () => {
  it('uses the report codes of the protocol reference, no more and no fewer', () => {
    expect(resultCodes).toEqual(documentedResultCodes);
  });

  it('has an entry for every device task state and nothing else', () => {
    expect(Object.keys(machine.deviceStates).sort()).toEqual([...deviceStates].sort());
  });

  it.each(deviceStates)('says what every stateful call answers in %s', (state) => {
    const calls = machine.deviceStates[state]?.calls ?? {};
    expect(Object.keys(calls).sort()).toEqual([...stateful].sort());
    for (const [operationId, outcome] of Object.entries(calls)) {
      if (operationId === 'downloadPackage') {
        expect(
          outcome.serve === true || enumOf('DownloadErrorCode').includes(outcome.errorByte ?? ''),
          operationId,
        ).toBe(true);
      } else {
        expect(errnoTable(operationId), `${state}.${operationId}`).toContain(outcome.errno);
      }
      for (const target of [outcome.to, outcome.toIfTargetVersion].filter(Boolean)) {
        expect(deviceStates, `${state}.${operationId}`).toContain(target);
      }
    }
  });

  it.each(deviceStates)('covers every step and result code exactly once in %s', (state) => {
    const seen: number[] = [];
    for (const [key, outcome] of Object.entries(machine.deviceStates[state]?.codes ?? {})) {
      for (const code of expand(key)) {
        seen.push(code);
        const isStep = code <= 100;
        // A refused code answers an errno both endpoints that carry it know; an accepted one names a state.
        if (outcome.errno !== undefined) {
          expect(errnoTable('reportProgress'), `${state} ${code}`).toContain(outcome.errno);
          if (!isStep) expect(errnoTable('reportStatus'), `${state} ${code}`).toContain(outcome.errno);
          expect(outcome.to, `${state} ${code} has both errno and to`).toBeUndefined();
        } else {
          expect(deviceStates, `${state} ${code}`).toContain(outcome.to);
        }
        if (outcome.toIfTaskPaused) expect(deviceStates).toContain(outcome.toIfTaskPaused);
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...stepCodes, ...resultCodes]);
  });

  it.each(deviceStates)('accepts nothing in %s if it is terminal', (state) => {
    const entry = machine.deviceStates[state];
    if (!entry?.terminal) return;
    for (const outcome of Object.values(entry.codes)) expect(outcome.to).toBeUndefined();
    for (const [call, outcome] of Object.entries(entry.calls)) expect(outcome.to, call).toBeUndefined();
  });

  it('refuses 201 wherever no download was completed first (FAQ: 101 before 201)', () => {
    for (const state of ['pending', 'downloading', 'paused']) {
      expect(machine.deviceStates[state]?.codes['201']?.errno, state).toBeDefined();
    }
    expect(machine.deviceStates.upgrading?.codes['201']?.to).toBe('succeeded');
  });

  it('reaches every device state from pending', () => {
    const reached = new Set(['pending']);
    const edges = (state: string): string[] => {
      const entry = machine.deviceStates[state];
      const events = Object.values(machine.taskEvents).filter((e) => typeof e === 'object') as Record<string, string>[];
      return [
        ...Object.values(entry?.calls ?? {}).flatMap((o) => [o.to, o.toIfTargetVersion]),
        ...Object.values(entry?.codes ?? {}).flatMap((o) => [o.to, o.toIfTaskPaused]),
        ...events.map((e) => e[state]).map((to) => (to === '$resumeTo' ? 'upgrading' : to)),
      ].filter((s): s is string => typeof s === 'string');
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (const state of [...reached]) {
        for (const next of edges(state)) if (!reached.has(next)) changed = Boolean(reached.add(next));
      }
    }
    expect([...reached].sort()).toEqual([...deviceStates].sort());
  });

  it('maps task events only between known device states', () => {
    const { description, ...events } = machine.taskEvents;
    expect(typeof description).toBe('string');
    expect(Object.keys(events).sort()).toEqual(['cancel', 'deadline', 'pause', 'resume']);
    for (const [event, mapping] of Object.entries(events)) {
      for (const [from, to] of Object.entries(mapping as Record<string, string>)) {
        expect(deviceStates, event).toContain(from);
        if (to !== '$resumeTo') expect(deviceStates, event).toContain(to);
        expect(machine.deviceStates[from]?.terminal, `${event} from terminal ${from}`).toBe(false);
      }
    }
  });

  it('has an entry for every task state, with legal actions and targets', () => {
    const taskStates = enumOf('TaskState') as string[];
    const actions = enumOf('TaskAction') as string[];
    expect(Object.keys(machine.taskStates).sort()).toEqual([...taskStates].sort());
    const used = new Set<string>();
    for (const [state, entry] of Object.entries(machine.taskStates)) {
      for (const [action, to] of Object.entries(entry.actions)) {
        expect(actions, state).toContain(action);
        expect(taskStates, state).toContain(to);
        used.add(action);
      }
      for (const to of Object.values(entry.automatic)) expect(taskStates, state).toContain(to);
    }
    expect([...used].sort()).toEqual([...actions].sort());
  });

  it('follows the console rules for edit and delete (protocol §5.4)', () => {
    const editable = Object.entries(machine.taskStates)
      .filter(([, e]) => e.editable)
      .map(([s]) => s);
    const deletable = Object.entries(machine.taskStates)
      .filter(([, e]) => e.deletable)
      .map(([s]) => s);
    expect(editable).toEqual(['not_started']);
    expect(deletable.sort()).toEqual(['completed', 'not_started', 'stopped']);
    expect(
      Object.entries(machine.taskStates)
        .filter(([, e]) => 'cancel' in e.actions)
        .map(([s]) => s)
        .sort(),
    ).toEqual(['paused', 'running']);
  });
});
