import type { components } from '@onenet-ota/sdk';
import type { Context } from '../core/context.ts';
import { ProblemError } from '../core/http/responses.ts';

type DiffSettings = components['schemas']['DiffSettings'];

/**
 * A choice of how differential packages are made (a generation's, or a product's `diffs`) that this platform can
 * honour: a format its generator writes, and a window size only where the built-in generator makes the patches (a
 * diff command has none). Otherwise a 400 whose error points at `at`'s field.
 */
export function assertGenerates(ctx: Context, choice: DiffSettings, at: string): void {
  const formats = ctx.generateDiff.formats ?? [ctx.settings.diffFormat];
  if (choice.format !== undefined && !formats.includes(choice.format))
    throw refused(
      `${at}/format`,
      `online generation here writes ${formats.join(' or ')}; ${choice.format} patches can be uploaded`,
    );
  if (choice.windowSize !== undefined && !ctx.generateDiff.formats)
    throw refused(
      `${at}/windowSize`,
      "windowSize is the built-in generator's; this platform generates with a diff command",
    );
}

function refused(pointer: string, message: string): ProblemError {
  return new ProblemError('InvalidRequest', message, { errors: [{ pointer, message }] });
}
