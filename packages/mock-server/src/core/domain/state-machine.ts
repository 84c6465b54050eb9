import { stateMachine } from '@onenet-ota/openapi/protocol';

// Executes the spec's `x-ota-state-machine`: every rule below is read from it, none is restated here.

export type DeviceState = keyof typeof stateMachine.deviceStates;
export type TaskStateName = keyof typeof stateMachine.taskStates;
export type TaskEvent = Exclude<keyof typeof stateMachine.taskEvents, 'description'>;
export type StatefulCall = keyof (typeof stateMachine.deviceStates)['pending']['calls'];

type States = (typeof stateMachine.deviceStates)[DeviceState];
/** Every errno the table lets a call answer, in any state: literal types read from the spec's table. */
type CallErrno<C extends StatefulCall> = States['calls'][C] extends infer O
  ? O extends { errno: infer E }
    ? E
    : never
  : never;
/** Every errno the table lets a step or status code be refused with. */
type CodeErrno = States['codes'][keyof States['codes']] extends infer O
  ? O extends { errno: infer E }
    ? E
    : never
  : never;

/** What a southbound call answers in a device state, and where it leads. */
export interface CallOutcome<C extends StatefulCall = StatefulCall> {
  errno?: CallErrno<C>;
  to?: DeviceState;
  toIfTargetVersion?: DeviceState;
  serve?: boolean;
  errorByte?: string;
}

/** What a step or status code does in a device state: refused with `errno`, or accepted and leading `to`. */
export interface CodeOutcome {
  errno?: CodeErrno;
  to?: DeviceState;
  toIfTaskPaused?: DeviceState;
}

export function callOutcome<C extends StatefulCall>(state: DeviceState, call: C): CallOutcome<C> {
  return stateMachine.deviceStates[state].calls[call] as CallOutcome<C>;
}

// Code keys are single codes or inclusive ranges ("0-100", "102-107"); expanded once per state.
const codeTables = new Map<DeviceState, Map<number, CodeOutcome>>(
  Object.entries(stateMachine.deviceStates).map(([state, entry]) => {
    const table = new Map<number, CodeOutcome>();
    for (const [key, outcome] of Object.entries(entry.codes)) {
      const [from, to = from] = key.split('-').map(Number) as [number, number?];
      for (let code = from; code <= (to as number); code++) table.set(code, outcome as CodeOutcome);
    }
    return [state as DeviceState, table];
  }),
);

/** The outcome of `code` in `state`; undefined for a code outside 0–100 and the result codes. */
export function codeOutcome(state: DeviceState, code: number): CodeOutcome | undefined {
  return codeTables.get(state)?.get(code);
}

export function isTerminal(state: DeviceState): boolean {
  return stateMachine.deviceStates[state].terminal;
}

/** Where a task-level event moves a device in `state`; `$resumeTo` means the state it was held in. */
export function taskEventTarget(event: TaskEvent, state: DeviceState): DeviceState | '$resumeTo' | undefined {
  return (stateMachine.taskEvents[event] as Partial<Record<DeviceState, DeviceState | '$resumeTo'>>)[state];
}

/** The task state an action leads to from `state`, or undefined when the state does not allow it. */
export function taskActionTarget(state: TaskStateName, action: string): TaskStateName | undefined {
  return (stateMachine.taskStates[state].actions as Record<string, TaskStateName>)[action];
}

/** What the platform does to a task by itself (`automatic`): a scheduled start, every device done, the deadline. */
export type TaskTrigger = 'scheduledStart' | 'allDevicesFinished' | 'deadline';

/** The task state a trigger leads to from `state`, or undefined when it does nothing there. */
export function taskAutomaticTarget(state: TaskStateName, trigger: TaskTrigger): TaskStateName | undefined {
  return (stateMachine.taskStates[state].automatic as Partial<Record<TaskTrigger, TaskStateName>>)[trigger];
}

export function taskRules(state: TaskStateName): { editable: boolean; deletable: boolean } {
  return stateMachine.taskStates[state];
}
