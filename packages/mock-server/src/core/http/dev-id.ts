/**
 * A device id as a request writes it (a `dev_id` query value, a path's `{devId}`): a positive safe integer, or
 * undefined for anything else (absent, empty, zero, negative, not a number).
 */
export function devIdFrom(text: string | null | undefined): number | undefined {
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The device a query names by `dev_id` (the legacy API's way), read by {@link devIdFrom}. */
export function devIdOf(query: URLSearchParams | undefined): number | undefined {
  return devIdFrom(query?.get('dev_id'));
}
