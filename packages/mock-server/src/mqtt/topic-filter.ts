/**
 * Whether an MQTT topic filter matches a topic (MQTT 3.1.1 §4.7): `+` is one level, `#` the rest (and the parent
 * level itself). The broker delivers by the same rule; the door uses this to say which subscription an inform
 * reached the device through.
 *
 * @example
 * matchesFilter('$sys/1/dev/thing/#', '$sys/1/dev/thing/property/post/reply'); // true
 */
export function matchesFilter(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const got = topic.split('/');
  for (const [i, level] of want.entries()) {
    if (level === '#') return i === want.length - 1;
    if (i >= got.length) return false;
    if (level !== '+' && level !== got[i]) return false;
  }
  return want.length === got.length;
}
