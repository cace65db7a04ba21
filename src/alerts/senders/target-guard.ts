import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { AllowList, classifyIp, formatIp, inCidr, IpAddress, parseIp } from '../../common/net/ip-address';
import { AppConfig } from '../../config/app-config';

/** The environment variable that lets alert channels reach non-public addresses. */
export const ALLOW_PRIVATE_ENV = 'ALERT_ALLOW_PRIVATE_TARGETS';

/** A send refused because its target is not a public address (SSRF protection). */
export class TargetRefusedError extends Error {
  readonly code = 'ETARGETREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

const ARTICLE: Record<string, string> = { unspecified: 'an', 'link-local': 'a' };

/**
 * Which outbound addresses alert channels may reach: public addresses always; loopback, private,
 * link-local (cloud metadata), unspecified, multicast and reserved ones only when
 * ALERT_ALLOW_PRIVATE_TARGETS lists them (by address, CIDR range or host name) or is `true`.
 */
export class TargetPolicy {
  constructor(private readonly allow: AllowList) {}

  /** The check is off (`ALERT_ALLOW_PRIVATE_TARGETS=true`). */
  get off(): boolean {
    return this.allow.all;
  }

  /** A host name the admin listed: whatever it resolves to is allowed. */
  trustsHost(host: string): boolean {
    return this.allow.all || this.allow.hosts.has(host.replace(/\.$/, '').toLowerCase());
  }

  /**
   * Null when connecting to `ip` for `host` is allowed, else why not, naming the variable that
   * allows it. `host` is the target as written (an IP literal in any form, or a host name).
   */
  refusal(host: string, ip: IpAddress): string | null {
    if (this.trustsHost(host)) return null;
    const cls = classifyIp(ip);
    if (cls === 'public' || this.allow.cidrs.some((c) => inCidr(ip, c))) return null;
    const address = formatIp(ip);
    const literal = parseIp(host);
    const kind = `${ARTICLE[cls] ?? 'a'} ${cls} address${address === '169.254.169.254' ? ' (the cloud metadata service)' : ''}`;
    const what = !literal
      ? `host "${host}" resolves to ${address}, ${kind}`
      : formatIp(literal) === host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
        ? `host ${address} is ${kind}`
        : `host "${host}" is ${address}, ${kind}`;
    return (
      `${what}. Alert channels refuse loopback, private, link-local, unspecified, multicast and ` +
      `reserved addresses unless the server allows them: set ${ALLOW_PRIVATE_ENV}=${literal ? address : host} ` +
      `(a comma-separated list of addresses, CIDR ranges and host names; true turns the check off)`
    );
  }

  /** The first refusal among the addresses a host resolved to (one bad address refuses the host). */
  refusalOfAny(host: string, addresses: string[]): string | null {
    for (const a of addresses) {
      const ip = parseIp(a);
      const problem = ip ? this.refusal(host, ip) : `host "${host}" resolved to "${a}", not an address`;
      if (problem) return problem;
    }
    return null;
  }
}

type LookupAll = (host: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => void;

const systemLookupAll: LookupAll = (host, cb) => dnsLookup(host, { all: true, verbatim: true }, cb);

/**
 * A `net.connect` lookup that refuses a host name whose addresses are not allowed. It runs on every
 * new connection, so a name that changes to a private address after the channel was saved (DNS
 * rebinding) is still refused at send time. (Node skips the lookup for IP literals: those are
 * checked before the request.)
 */
export function guardedLookup(policy: TargetPolicy, lookupAll: LookupAll = systemLookupAll): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    lookupAll(hostname, (err, addresses) => {
      if (err) return callback(err, '');
      const problem = policy.refusalOfAny(
        hostname,
        addresses.map((a) => a.address),
      );
      if (problem) return callback(new TargetRefusedError(problem), '');
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
      if (!usable.length) {
        const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        e.code = 'ENOTFOUND';
        return callback(e, '');
      }
      if (options.all) callback(null, usable);
      else callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** Waits for `p`, or resolves `undefined` after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const SAVE_LOOKUP_TIMEOUT_MS = 3000;

/**
 * SSRF guard of alert channels, from ALERT_ALLOW_PRIVATE_TARGETS: `check` for create/update (a clear
 * problem for the 400), and at send time `dispatcher` (undici, with the guarded lookup), `checkUrl`
 * (IP literals) and `smtpTarget` (resolve, check, connect to the checked address).
 */
@Injectable()
export class AlertTargetGuard implements OnApplicationShutdown {
  readonly policy: TargetPolicy;
  private readonly lookupAll: LookupAll;
  private agent?: Agent;

  constructor(config: AppConfig) {
    this.policy = new TargetPolicy(config.alerts.allowPrivateTargets);
    this.lookupAll = systemLookupAll;
  }

  /** The undici dispatcher for channel POSTs: every new connection's DNS answer is checked. */
  get dispatcher(): Agent {
    this.agent ??= new Agent({
      connect: this.policy.off
        ? { timeout: 10_000 }
        : { timeout: 10_000, lookup: guardedLookup(this.policy) },
    });
    return this.agent;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent?.close().catch(() => undefined);
  }

  /** Send time, before a POST: refuses a URL whose host is a disallowed IP literal. */
  checkUrl(url: string): void {
    if (this.policy.off) return;
    const host = new URL(url).hostname;
    const ip = parseIp(host);
    const problem = ip ? this.policy.refusal(host, ip) : null;
    if (problem) throw new TargetRefusedError(problem);
  }

  /**
   * Save time: why this host may not be used, or null. A host name is resolved (bounded); a name
   * that does not resolve from here is accepted, since the send-time check still applies.
   */
  async check(host: string): Promise<string | null> {
    if (this.policy.off) return null;
    const ip = parseIp(host);
    if (ip) return this.policy.refusal(host, ip);
    if (this.policy.trustsHost(host)) return null;
    const addresses = await within(
      this.resolve(host).catch(() => undefined),
      SAVE_LOOKUP_TIMEOUT_MS,
    );
    return addresses ? this.policy.refusalOfAny(host, addresses) : null;
  }

  /**
   * Send time, for SMTP: resolves the host, refuses it when any address is disallowed, and returns
   * the checked address to connect to (with the name kept for TLS), so nothing resolves it again.
   */
  async smtpTarget(host: string): Promise<{ host: string; servername?: string }> {
    if (this.policy.off) return { host };
    const ip = parseIp(host);
    if (ip) {
      const problem = this.policy.refusal(host, ip);
      if (problem) throw new TargetRefusedError(problem);
      return { host: formatIp(ip) };
    }
    const addresses = await this.resolve(host);
    if (!this.policy.trustsHost(host)) {
      const problem = this.policy.refusalOfAny(host, addresses);
      if (problem) throw new TargetRefusedError(problem);
    }
    // One address is used (nodemailer would resolve a name again); IPv4 first, as relays mostly are.
    const first = addresses.find((a) => !a.includes(':')) ?? addresses[0];
    return { host: first, servername: host };
  }

  private resolve(host: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.lookupAll(host, (err, addresses) =>
        err ? reject(err) : resolve(addresses.map((a) => a.address)),
      ),
    );
  }
}
