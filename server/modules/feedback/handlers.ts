import type { PiiCipher } from '../../lib/pii';
import { byDisplayName, openDisplayName, operatorCan, type OperatorPermission } from '../accounts';
import type { ComplaintsRepository } from './complaints.repository';

/** Active operators holding a permission (who may be assigned complaints or feedback), by name. */
export async function operatorsHolding(repo: ComplaintsRepository, pii: PiiCipher, permission: OperatorPermission): Promise<{ id: string; displayName: string }[]> {
  const rows = await repo.activeOperators();
  return rows
    .filter((r) => operatorCan(r, permission))
    .map((r) => ({ id: r.id, displayName: openDisplayName(pii, r.displayNameEnc) }))
    .sort(byDisplayName);
}
