import type { Context } from './context.ts';
import { applyTaskEvent, startTask } from './tasks.ts';

/**
 * Runs what the platform clock made due, in time order: scheduled starts (执行策略 "自定义时间") and deadlines
 * (截止时间 → unfinished devices fail with 208, the task completes). Called before every request and after
 * every clock change, so no timer is needed and a virtual clock jump runs each event once.
 */
export function runDueEvents(ctx: Context): void {
  const now = ctx.clock.now();
  const due: { at: number; run: () => void }[] = [];
  for (const task of ctx.state.tasks.values()) {
    const { start, deadline } = task.strategy;
    if (task.state === 'not_started' && start.mode === 'scheduled' && Date.parse(start.at) <= now) {
      due.push({ at: Date.parse(start.at), run: () => task.state === 'not_started' && startTask(ctx, task) });
    }
    if (deadline && Date.parse(deadline) <= now) {
      due.push({
        at: Date.parse(deadline),
        run: () => {
          if (task.state !== 'running' && task.state !== 'paused') return;
          applyTaskEvent(ctx, task, 'deadline');
          task.state = 'completed';
          task.endedAt = Date.parse(deadline);
          task.updatedAt = now;
        },
      });
    }
  }
  due.sort((a, b) => a.at - b.at);
  for (const event of due) event.run();
}
