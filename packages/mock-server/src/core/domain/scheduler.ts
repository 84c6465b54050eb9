import type { Context } from '../context.ts';
import { taskAutomaticTarget } from './state-machine.ts';
import { applyTaskEvent, moveTask, startTask } from './tasks.ts';

/**
 * Runs what the platform clock made due, in time order: scheduled starts (执行策略 "自定义时间") and deadlines
 * (截止时间 → unfinished devices fail with 208, the task completes). Called before every request and after
 * every clock change, so no timer is needed and a virtual clock jump runs each event once.
 */
export function runDueEvents(ctx: Context): void {
  const now = ctx.clock.now();
  // Made only when something is due: most requests find nothing.
  let due: { at: number; run: () => void }[] | undefined;
  for (const task of ctx.state.tasks.values()) {
    const { start, deadline } = task.strategy;
    // Each event does what the task state table's `automatic` says, and nothing in a state it does not list.
    if (start.mode === 'scheduled' && Date.parse(start.at) <= now) {
      due ??= [];
      due.push({
        at: Date.parse(start.at),
        run: () => {
          const to = taskAutomaticTarget(task.state, 'scheduledStart');
          if (to) startTask(ctx, task, to);
        },
      });
    }
    if (deadline && Date.parse(deadline) <= now) {
      due ??= [];
      due.push({
        at: Date.parse(deadline),
        run: () => {
          const to = taskAutomaticTarget(task.state, 'deadline');
          if (!to) return;
          applyTaskEvent(ctx, task, 'deadline');
          moveTask(ctx, task, to, Date.parse(deadline));
        },
      });
    }
  }
  if (!due) return;
  due.sort((a, b) => a.at - b.at);
  for (const event of due) event.run();
}
