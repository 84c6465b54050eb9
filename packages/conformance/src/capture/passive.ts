import type { DeviceProfile } from '../profile.ts';
import type { Rule, Scenario } from '../types.ts';

// Rules whose scenario sizes a package only to make the live case interesting, and that judge any package alike.
const anyPackage = new Set(['RNG-001']);
// Rules that read what only the live platform holds, though they plant nothing.
const platformOnly: Record<string, string> = {
  'RPT-003': "it reads the device's final state in the task, which only the platform holds",
};

/**
 * Whether a rule can judge a recorded session without steering it (`true`), or why it needs the live platform: a
 * rule that plants faults, moves the clock, pauses or cancels at a moment, sizes the package or sets the device's
 * battery can judge only a case it set up.
 */
export function passiveOrWhy(rule: Rule, profile: DeviceProfile): true | string {
  if (platformOnly[rule.id]) return `needs the live platform: ${platformOnly[rule.id]}`;
  const scenario: Scenario = typeof rule.scenario === 'function' ? rule.scenario(profile) : rule.scenario;
  const why: string[] = [];
  if (scenario.faults?.length)
    why.push(`plants ${[...new Set(scenario.faults.map((f) => f.action.kind))].join(', ')} faults`);
  if (scenario.triggers?.length)
    why.push(`does ${[...new Set(scenario.triggers.map((t) => t.do))].join(', ')} at chosen moments`);
  if (scenario.diff) why.push('hands out a differential package made for the case');
  if (scenario.device) why.push("sets the device's battery or signal");
  if (scenario.notStarted) why.push('leaves the task not started');
  if (scenario.mqtt) why.push("informs the device over the platform's MQTT door");
  if (scenario.strategy) why.push('sets a strategy of its own');
  if (scenario.deadlineAfterMs !== undefined) why.push('sets a deadline');
  if (scenario.packageSize !== undefined && !anyPackage.has(rule.id))
    why.push(`judges a package of ${scenario.packageSize} bytes`);
  if (why.length === 0 && rule.needs.includes('scenario')) why.push('judges what its scenario makes happen');
  return why.length === 0 ? true : `needs the live platform: the case ${why.join('; ')}`;
}
