/**
 * Which `Host` names the management API, `/__mock` and the console answer to (issue 28). A web page can make its
 * own domain resolve to this machine (DNS rebinding) and then read the platform as its own origin, access keys
 * included; what it cannot do is send a `Host` other than that domain. So those paths answer an IP address (a
 * rebinding page always names a domain), `localhost` and `*.localhost`, the address the server listens on, and
 * the names given (`--allowed-host`; a leading dot allows a domain and its subdomains, as Vite's `allowedHosts`).
 * Device paths answer any `Host`: devices send OneNET's names, an IP, or whatever their firmware holds, and a
 * page can read nothing there without a device's key.
 */
export function allowedHosts(listenHost: string, names: readonly string[]): (hostname: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const name of [listenHost, ...names].map((n) => n.trim().toLowerCase()).filter(Boolean)) {
    if (name.startsWith('.')) suffixes.push(name);
    else exact.add(name);
  }
  return (hostname) =>
    isIpLiteral(hostname) ||
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    exact.has(hostname) ||
    suffixes.some((suffix) => hostname.endsWith(suffix) || hostname === suffix.slice(1));
}

/** A URL's hostname that is an address: dotted IPv4 (the URL parser writes every IPv4 form so) or bracketed IPv6. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Paths of the device API, which answer any Host. */
export function isDevicePath(pathname: string): boolean {
  return pathname.startsWith('/ota/') || pathname.startsWith('/fuse-ota/');
}
