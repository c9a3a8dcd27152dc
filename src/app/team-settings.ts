// What the app needs to know about the team and its customers: plain data that main.ts
// builds from the validated config (secrets already resolved).

import type { DraftContext } from '../core/draft/build-draft';
import type { MailAddress } from '../core/types';

export interface Engineer {
  name: string;
  address: string;
  title: string;
  default: boolean;
}

export interface Customer {
  name: string;
  domains: string[];
  engineer: string | null;
  contacts: { address: string; salutation: string }[];
  upload: { user: string; password: string | null } | null;
}

export interface TeamSettings {
  team: DraftContext['team'];
  /** Mail from these domains (or their subdomains) is the team's. */
  teamDomains: string[];
  engineers: Engineer[];
  portal: DraftContext['portal'];
  collector: DraftContext['collector'];
  customers: Customer[];
  successPhrases: string[];
}

/**
 * Mail from the team's domain, the team address or a configured engineer is ours (outbound):
 * a colleague who left, joined or covers for someone is the team too.
 */
export function isOurAddress(settings: TeamSettings, address: MailAddress | null): boolean {
  if (!address) return false;
  const a = address.address.toLowerCase();
  const domain = a.split('@')[1] ?? '';
  return (
    a === settings.team.address.toLowerCase() ||
    settings.engineers.some((e) => e.address.toLowerCase() === a) ||
    settings.teamDomains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`))
  );
}

export function customerOf(settings: TeamSettings, addresses: MailAddress[]): Customer | null {
  for (const { address } of addresses) {
    const domain = address.toLowerCase().split('@')[1] ?? '';
    const c = settings.customers.find((cu) => cu.domains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`)));
    if (c) return c;
  }
  return null;
}

export function engineerFor(settings: TeamSettings, customer: Customer | null): Engineer {
  const wanted = customer?.engineer?.toLowerCase();
  return (
    settings.engineers.find((e) => e.address.toLowerCase() === wanted) ??
    settings.engineers.find((e) => e.default) ??
    settings.engineers[0]!
  );
}

export function draftContext(settings: TeamSettings, engineerAddress: string, customer: Customer | null): DraftContext {
  const engineer =
    settings.engineers.find((e) => e.address.toLowerCase() === engineerAddress.toLowerCase()) ?? engineerFor(settings, customer);
  const salutations = new Map<string, string>();
  for (const c of settings.customers) for (const contact of c.contacts) salutations.set(contact.address.toLowerCase(), contact.salutation);
  return {
    team: settings.team,
    engineer: { name: engineer.name, address: engineer.address, title: engineer.title },
    portal: settings.portal,
    collector: settings.collector,
    salutations,
    upload: customer?.upload ?? null,
  };
}
