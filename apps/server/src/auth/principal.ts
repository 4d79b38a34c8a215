export const ROLES = ['manager', 'supplier', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: decoded from the JWT on every request. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** Set for suppliers only: the organisation whose data they may see. */
  supplierId: string | null;
}

/** The JWT payload Lookout issues. */
export interface TokenClaims {
  sub: string;
  email: string;
  role: Role;
  supplierId: string | null;
}

/** For suppliers, the one organisation they are confined to; undefined means every organisation. */
export function supplierScope(principal: Principal): string | undefined {
  if (principal.role !== 'supplier') return undefined;
  // The database guarantees a supplier user has an organisation; a token without one sees nothing.
  return principal.supplierId ?? 'none';
}

/** HTTP methods that only read: viewers may use them, and they are not audited. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
