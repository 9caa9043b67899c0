// Loopback-only guard, preloaded into every benchmark child with `node --import`.
//
// Benchmarked SDKs must only ever talk to the local sink. Some SDKs phone home on their own (remote
// config, diagnostics, telemetry); this module makes every such attempt fail locally, before a packet
// leaves the process, and keeps a tally the child reports back to the orchestrator:
//   - TCP: net.Socket#connect (used by node:http, undici/fetch, net.connect) to a non-loopback host
//   - UDP: dgram send / connect to a non-loopback address
//   - DNS: dns.lookup / dns.promises.lookup of any name other than localhost, and every resolver query
// Unix-domain sockets (IPC with the orchestrator) are allowed.

import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

/** @type {Map<string, number>} "kind host" -> attempts */
const attempts = new Map();

export function blockedAttempts() {
  return Object.fromEntries(attempts);
}

function isLoopbackHost(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  let h = String(host).toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.startsWith('::ffff:')) h = h.slice(7);
  if (net.isIPv4(h)) return h.split('.')[0] === '127';
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

function note(kind, host) {
  const key = `${kind} ${host}`;
  const count = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, count);
  if (count === 1) process.stderr.write(`[loopback-guard] refused ${kind} to ${host}\n`);
}

function refusal(code, syscall, host) {
  return Object.assign(new Error(`${syscall} ${code} ${host} (refused by the bench loopback guard)`), { code, syscall, hostname: host });
}

// --- TCP ---------------------------------------------------------------------------------------------
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function loopbackOnlyConnect(...args) {
  // net.connect() passes one pre-normalised array [options, callback]; direct callers pass
  // (options[, cb]), (port[, host][, cb]) or (path[, cb]).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host;
  let isPipe = false;
  if (first !== null && typeof first === 'object') {
    isPipe = typeof first.path === 'string';
    host = first.host ?? first.hostname;
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    isPipe = true;
  } else {
    host = typeof args[1] === 'string' ? args[1] : undefined;
  }
  if (!isPipe && !isLoopbackHost(host)) {
    note('tcp', host);
    process.nextTick(() => this.destroy(refusal('ECONNREFUSED', 'connect', host)));
    return this;
  }
  return realConnect.apply(this, args);
};

// --- UDP ---------------------------------------------------------------------------------------------
const realSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function loopbackOnlySend(...args) {
  // send(msg[, offset, length][, port][, address][, callback])
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (address !== undefined && !isLoopbackHost(address)) {
    note('udp', address);
    const cb = args.findLast((a) => typeof a === 'function');
    if (cb) process.nextTick(cb, refusal('EPERM', 'send', address));
    return;
  }
  return realSend.apply(this, args);
};
const realUdpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function loopbackOnlyUdpConnect(port, address, cb) {
  if (typeof address === 'string' && !isLoopbackHost(address)) {
    note('udp', address);
    const done = typeof cb === 'function' ? cb : typeof address === 'function' ? address : undefined;
    if (done) process.nextTick(done, refusal('EPERM', 'connect', address));
    return;
  }
  return realUdpConnect.call(this, port, address, cb);
};

// --- DNS ---------------------------------------------------------------------------------------------
const realLookup = dns.lookup;
dns.lookup = function loopbackOnlyLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!isLoopbackHost(hostname)) {
    note('dns', hostname);
    process.nextTick(cb, refusal('ENOTFOUND', 'getaddrinfo', hostname));
    return undefined;
  }
  return realLookup.call(dns, hostname, options, callback);
};
const realLookupP = dns.promises.lookup;
dns.promises.lookup = async function loopbackOnlyLookupP(hostname, options) {
  if (!isLoopbackHost(hostname)) {
    note('dns', hostname);
    throw refusal('ENOTFOUND', 'getaddrinfo', hostname);
  }
  return realLookupP.call(dns.promises, hostname, options);
};
// Resolver queries go straight to the configured name server: nothing in a benchmark needs them.
const queryNames = Object.keys(dns).filter((k) => /^resolve/.test(k) && typeof dns[k] === 'function');
for (const name of queryNames) {
  dns[name] = (host, ...rest) => {
    note('dns', host);
    const cb = rest.findLast((a) => typeof a === 'function');
    if (cb) process.nextTick(cb, refusal('ENOTFOUND', 'query', host));
  };
  if (typeof dns.promises[name] === 'function') {
    dns.promises[name] = async (host) => {
      note('dns', host);
      throw refusal('ENOTFOUND', 'query', host);
    };
  }
}
for (const Resolver of [dns.Resolver, dns.promises.Resolver]) {
  for (const name of Object.getOwnPropertyNames(Resolver.prototype).filter((k) => /^resolve|^reverse/.test(k))) {
    const promised = Resolver === dns.promises.Resolver;
    Resolver.prototype[name] = function refusedQuery(host, ...rest) {
      note('dns', host);
      const err = refusal('ENOTFOUND', 'query', host);
      if (promised) return Promise.reject(err);
      const cb = rest.findLast((a) => typeof a === 'function');
      if (cb) process.nextTick(cb, err);
      return undefined;
    };
  }
}
