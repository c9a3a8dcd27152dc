// The `portal` block: the upload portal customers are sent to, which of its links casebot may
// download from, and the limits of a download. Secrets are named by environment variable.

import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. CASEBOT_PORTAL_PASSWORD');

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST_ENTRY = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);

const hostEntry = z
  .string()
  .transform((host) => host.toLowerCase())
  .refine((host) => HOST_ENTRY.test(host), 'a host name, or *.example.com for its subdomains')
  // Links to IP addresses are always refused, so allowing one here would only mislead.
  .refine((host) => !/^[0-9.]+$/.test(host), 'a host name, not an IP address');

const pathPattern = z
  .string()
  .min(1)
  .refine((pattern) => {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  }, 'a regular expression for the link path, e.g. ^/share/');

export const portalSchema = z
  .object({
    name: z.string().default('CDUC'),
    // The portal's home page, as customers are told about it.
    url: z.string().url(),
    // Hosts links may point to (and redirect to); by default the host of `url`.
    hosts: z.array(hostEntry).min(1).optional(),
    // Paths of links that are uploads, e.g. ^/share/[A-Za-z0-9]+ and ^/download/.
    // A link elsewhere with such a path is reported as refused (the customer meant it as logs),
    // so keep these to upload paths: the home page or a signature's link is not one.
    pathPatterns: z.array(pathPattern).min(1).default(['^/(share|s|download|d|file|files)/']),
    // Portal login for downloads, if its links need one: user and password, or a bearer token.
    userEnv: envName.optional(),
    passwordEnv: envName.optional(),
    tokenEnv: envName.optional(),
    connectTimeoutSeconds: z.number().min(0.1).max(300).default(10),
    // Silence from the portal, before the answer or between bytes.
    readTimeoutSeconds: z.number().min(0.1).max(3600).default(30),
    totalTimeoutSeconds: z.number().min(0.1).max(86400).default(600),
    maxMB: z.number().min(1).max(4096).default(512),
    // Further attempts after a connection error, a timeout, 5xx or 429; the pause doubles each time.
    retries: z.number().int().min(0).max(10).default(3),
    backoffSeconds: z.number().min(0).max(600).default(2),
    // Tests only: let portal host names resolve to loopback.
    allowLoopback: z.boolean().default(false),
  })
  .strict()
  .refine((p) => Boolean(p.userEnv) === Boolean(p.passwordEnv), {
    message: 'set both userEnv and passwordEnv, or neither',
    path: ['passwordEnv'],
  })
  .refine((p) => !(p.tokenEnv && p.userEnv), {
    message: 'set tokenEnv or userEnv and passwordEnv, not both',
    path: ['tokenEnv'],
  })
  .transform((p) => ({ ...p, hosts: p.hosts ?? [new URL(p.url).hostname] }));

export type PortalConfig = z.infer<typeof portalSchema>;
