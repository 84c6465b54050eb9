import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { ProblemError } from '../core/http/responses.ts';
import { params, reply } from './input.ts';
import { toJob } from './serialize.ts';

export function getJob(call: Call, ctx: Context): Response {
  const { jobId } = params(call, 'getJob');
  const job = ctx.state.jobs.get(String(jobId));
  if (!job) throw new ProblemError('NotFound', `job ${String(jobId)} does not exist`);
  return reply(200, toJob(job));
}
